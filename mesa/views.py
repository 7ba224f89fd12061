from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from comunas.access import miembro_requerido, roles_activos
from mesa import calendario, consejo, documentos, services, services_participantes
from mesa.access import (
    exigir_crear_mesa,
    get_mesa_for,
    get_punto_for,
    get_sesion_for,
    invitaciones_por_aceptar,
    marcar_enlaces,
    mesas_abiertas,
    mesas_visibles,
    organizaciones_que_crean_mesas,
    organizaciones_que_dirige,
    planes_que_ve,
    puede_coordinar,
)
from mesa.forms import (
    AsistenciaForm,
    CancelarSesionForm,
    MesaEditarForm,
    MesaForm,
    MotivoRechazoForm,
    PreferenciaAvisosForm,
    PuntoTablaForm,
    RespuestaForm,
    SesionForm,
)
from mesa.models import Acta, Acuerdo, Participacion, Respuesta, Sesion
from mesa.selectors import convocados_por_organizacion, resumen_respuestas
from nucleo import services as nucleo_services
from nucleo.formularios import aplicar_errores, mensaje_de
from nucleo.models import PreferenciaAvisos
from planes.selectors import planes_de_organizaciones, resumen_de_planes


@miembro_requerido
def mesas(request):
    """The mesas the user takes part in (all of them, for staff), and the ones open to requests that their
    organization may ask to join ("Pedir unirse")."""
    miembros = Count("participaciones", filter=Q(participaciones__estado="aceptada"), distinct=True)
    lista = (
        mesas_visibles(request.user)
        .select_related("anfitriona")
        .annotate(
            miembros=miembros,
            sesiones_convocadas=Count("sesiones", filter=Q(sesiones__estado="convocada"), distinct=True),
        )
    )
    abiertas = mesas_abiertas(request.user).select_related("anfitriona").annotate(miembros=miembros)
    pagina = Paginator(abiertas.order_by("nombre", "pk"), 20).get_page(request.GET.get("pagina"))
    dirige = list(organizaciones_que_dirige(request.user).values_list("pk", flat=True))
    contexto = {
        "mesas": lista,
        "invitaciones": invitaciones_por_aceptar(request.user),
        "puede_crear": organizaciones_que_crean_mesas(request.user).exists(),
        "crear_consejo": consejo.boton_crear_consejo(request.user),
        "abiertas": _con_estado_propio(pagina, dirige),
        "dirige": bool(dirige),
    }
    return render(request, "mesa/mesas.html", contexto)


def _con_estado_propio(pagina, dirige):
    """Sets mesa.propia on each open mesa of the page: the invitation or request of one of the organizations this
    person directs (the latest), or None. One query whatever the page holds."""
    propias = {}
    filas = Participacion.objects.filter(mesa__in=[m.pk for m in pagina], organizacion__in=dirige).order_by(
        "invitada_en"
    )
    for fila in filas:
        propias[fila.mesa_id] = fila
    for mesa in pagina:
        mesa.propia = propias.get(mesa.pk)
    return pagina


@miembro_requerido
def mesa_nueva(request):
    """Staff, or the director(a) of an active organization (the host); the creator coordinates the mesa."""
    exigir_crear_mesa(request.user)
    form = MesaForm(request.POST or None, anfitrionas=organizaciones_que_crean_mesas(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            mesa = services.mesa_crear(por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"Mesa «{mesa}» creada. Usted la coordina: invite a las organizaciones.")
            return redirect("mesa:mesa", pk=mesa.pk)
    return render(request, "mesa/mesa_nueva.html", {"form": form})


@miembro_requerido
def mesa_editar(request, pk):
    mesa = get_mesa_for(request.user, pk, need="coordinar")
    form = MesaEditarForm(request.POST or None, instance=mesa, posibles=services.coordinadores_posibles(mesa))
    if request.method == "POST" and form.is_valid():
        try:
            services.mesa_editar(mesa=mesa, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Mesa guardada.")
            return redirect("mesa:mesa", pk=pk)
    contexto = {"form": form, "mesa": mesa, "titulo": f"Editar {mesa}", "boton": "Guardar"}
    return render(request, "mesa/formulario.html", contexto)


@miembro_requerido
def mesa(request, pk):
    mesa = get_mesa_for(request.user, pk)
    coordina = puede_coordinar(request.user, mesa)
    sesiones = mesa.sesiones.all() if coordina else mesa.sesiones.exclude(estado=Sesion.Estado.BORRADOR)
    # Members and pending invitations for everyone; declined invitations and rejected requests, and the requests
    # to answer ("Solicitudes pendientes"), for the coordination.
    estados = [Participacion.Estado.ACEPTADA, Participacion.Estado.INVITADA]
    if coordina:
        estados.append(Participacion.Estado.RECHAZADA)
    participaciones = mesa.participaciones.select_related("organizacion")
    contexto = {
        "mesa": mesa,
        "coordina": coordina,
        # A mesa that meets every week has hundreds: a page at a time, the latest first.
        "sesiones": Paginator(sesiones.order_by("-inicio", "-pk"), 20).get_page(request.GET.get("pagina")),
        "participaciones": participaciones.filter(estado__in=estados),
        "coordinadores": mesa.coordinadores.all(),
        **consejo.contexto_de_la_mesa(mesa, coordina=coordina),
        "solicitudes": participaciones.filter(estado=Participacion.Estado.SOLICITADA)
        .select_related("invitada_por", "organizacion__comuna", "organizacion__provincia")
        .order_by("invitada_en")
        if coordina
        else [],
        "form_motivo": MotivoRechazoForm(),
    }
    return render(request, "mesa/mesa.html", contexto)


@miembro_requerido
def mesa_planes(request, pk):
    """ "Planes de la mesa": the plans of its organizations that this person may see (by state, with progress and
    overdue items), and the mesa's acuerdos that became activities of a plan, with their progress."""
    mesa = get_mesa_for(request.user, pk)
    roles = roles_activos(request.user)
    organizaciones = mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).values_list(
        "organizacion_id", flat=True
    )
    planes = planes_de_organizaciones(request.user, list(organizaciones), roles)
    acuerdos = list(
        Acuerdo.objects.vigentes()
        .filter(acta__sesion__mesa=mesa, actividad__isnull=False)
        .select_related("organizacion", "persona", "acta__sesion", "actividad__plan")
        .order_by("plazo", "pk")
    )
    contexto = {
        "mesa": mesa,
        "tablero": resumen_de_planes(planes, pagina=request.GET.get("pagina")),  # a page of them, summed up whole
        "acuerdos": acuerdos,
        "planes_que_ve": planes_que_ve(request.user, {a.actividad.plan_id for a in acuerdos}),
    }
    return render(request, "mesa/mesa_planes.html", contexto)


@miembro_requerido
def sesion_nueva(request, pk):
    mesa = get_mesa_for(request.user, pk, need="coordinar")
    form = SesionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sesion = services.sesion_crear(mesa=mesa, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"Sesión n.º {sesion.numero} creada en borrador. Agregue la tabla y convoque.")
            return redirect("mesa:sesion", pk=sesion.pk)
    contexto = {"form": form, "mesa": mesa, "titulo": "Nueva sesión", "boton": "Crear la sesión"}
    return render(request, "mesa/formulario.html", contexto)


@miembro_requerido
def sesion(request, pk):
    sesion = get_sesion_for(request.user, pk)
    coordina = puede_coordinar(request.user, sesion.mesa)
    mia = Respuesta.objects.filter(sesion=sesion, usuario=request.user).first()
    contexto = {
        "sesion": sesion,
        "mesa": sesion.mesa,
        "coordina": coordina,
        # A linked practice or diagnosis is shown only to who may see it (mesa.access.marcar_enlaces).
        "puntos": marcar_enlaces(
            list(sesion.puntos.select_related("organizacion", "practica", "diagnostico", "plan", "acta_a_aprobar")),
            user=request.user,
        ),
        "mi_respuesta": mia,
        "convocado": services.convocados(sesion).filter(pk=request.user.pk).exists(),
        "form_respuesta": RespuestaForm(initial={"opcion": mia.opcion if mia else None}),
        "asistencia": services.asistencia_por_organizacion(sesion),
        "acta": Acta.objects.filter(sesion=sesion).first(),
    }
    contexto.update(documentos.contexto_de_la_sesion(request.user, sesion, contexto["puntos"], coordina=coordina))
    if coordina:
        contexto["por_organizacion"] = services.respuestas_por_organizacion(sesion)
        contexto["resumen"] = resumen_respuestas(sesion)
        contexto["puede_recordar"] = sesion.estado == Sesion.Estado.CONVOCADA and not sesion.empezo
        if sesion.recordada_en:
            contexto["proximo_recordatorio"] = sesion.recordada_en + services.RECORDAR_CADA
        # The latest notices first, a page at a time (a convocatoria to a large mesa is hundreds of rows).
        avisos = sesion.avisos.order_by("-creado", "-pk")
        contexto["avisos"] = Paginator(avisos, AVISOS_POR_PAGINA).get_page(request.GET.get("pagina"))
        contexto["estados_avisos"] = dict(sesion.avisos.order_by().values_list("estado").annotate(n=Count("pk")))
    return render(request, "mesa/sesion.html", contexto)


AVISOS_POR_PAGINA = 20


def _titulo(accion, sesion):
    """ "Convocar la sesión ordinaria n.º 3" (the mesa's name goes under it)."""
    return f"{accion} la sesión {sesion.get_tipo_display().lower()} n.º {sesion.numero}"


def _confirmacion(request, sesion, **contexto):
    """The page that says what an action on a session will do and to whom, before it is done."""
    base = {"sesion": sesion, "mesa": sesion.mesa, "destinatarios": convocados_por_organizacion(sesion)}
    return render(request, "mesa/sesion_confirmar.html", {**base, **contexto})


@miembro_requerido
def sesion_editar(request, pk):
    """Once convened, the page says who gets the update before it is saved (the service refuses a past time
    before anything is sent)."""
    sesion = get_sesion_for(request.user, pk, need="coordinar")
    convocada = sesion.estado == Sesion.Estado.CONVOCADA
    form = SesionForm(request.POST or None, instance=sesion)
    if request.method == "POST" and form.is_valid():
        try:
            services.sesion_editar(sesion=sesion, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            aviso = " Se envió la actualización a los convocados." if convocada else ""
            messages.success(request, f"Sesión guardada.{aviso}")
            return redirect("mesa:sesion", pk=pk)
    if convocada:
        return _confirmacion(
            request, sesion, accion="editar", form=form, titulo=_titulo("Editar", sesion), boton="Guardar"
        )
    contexto = {"form": form, "mesa": sesion.mesa, "sesion": sesion, "titulo": _titulo("Editar", sesion)}
    return render(request, "mesa/formulario.html", {**contexto, "boton": "Guardar"})


@miembro_requerido
def punto_agregar(request, pk):
    sesion = get_sesion_for(request.user, pk, need="coordinar")
    form = PuntoTablaForm(request.POST or None, mesa=sesion.mesa, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.punto_agregar(sesion=sesion, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Punto agregado a la tabla.")
            return redirect("mesa:sesion", pk=pk)
    contexto = {"form": form, "mesa": sesion.mesa, "sesion": sesion, "titulo": "Agregar un punto a la tabla"}
    return render(request, "mesa/formulario.html", {**contexto, "boton": "Agregar"})


@require_POST
@miembro_requerido
def punto_quitar(request, pk):
    punto = get_punto_for(request.user, pk, need="coordinar")
    try:
        services.punto_quitar(punto=punto, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, f"Punto «{punto.titulo}» quitado de la tabla.")
    return redirect("mesa:sesion", pk=punto.sesion_id)


@require_POST
@miembro_requerido
def punto_mover(request, pk):
    punto = get_punto_for(request.user, pk, need="coordinar")
    try:
        services.punto_mover(punto=punto, por=request.user, direccion=request.POST.get("direccion", ""))
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, "Orden de la tabla actualizado.")
    return redirect("mesa:sesion", pk=punto.sesion_id)


@miembro_requerido
def sesion_convocar(request, pk):
    """GET: what convening does and to whom (with a warning for an empty agenda); only the POST convenes."""
    sesion = get_sesion_for(request.user, pk, need="coordinar")
    if request.method == "POST":
        try:
            services.sesion_convocar(sesion=sesion, por=request.user)
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            messages.success(request, "Sesión convocada: las invitaciones se están enviando.")
            return redirect("mesa:sesion", pk=pk)
    elif sesion.estado != Sesion.Estado.BORRADOR:
        messages.info(request, f"Esta sesión ya no está en borrador: está {sesion.get_estado_display().lower()}.")
        return redirect("mesa:sesion", pk=pk)
    puntos = list(sesion.puntos.select_related("organizacion"))
    return _confirmacion(
        request,
        sesion,
        accion="convocar",
        puntos=puntos,
        duracion=sum(p.duracion_minutos for p in puntos),
        titulo=_titulo("Convocar", sesion),
        boton="Convocar y enviar las invitaciones",
        empezo=sesion.empezo,
    )


@require_POST
@miembro_requerido
def sesion_recordar(request, pk):
    """ "Recordar a quienes no han respondido": one click, at most once every 12 hours per session."""
    sesion = get_sesion_for(request.user, pk, need="coordinar")
    try:
        avisos = services.sesion_recordar_pendientes(sesion=sesion, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        n = len(avisos)
        messages.success(
            request, f"Recordatorio enviado a {n} persona{pluralize(n)} que no {pluralize(n, 'ha,han')} respondido."
        )
    return redirect("mesa:sesion", pk=pk)


@miembro_requerido
def sesion_cancelar(request, pk):
    """The page says whether (and whom) the cancellation e-mails before it is done."""
    sesion = get_sesion_for(request.user, pk, need="coordinar")
    convocada = sesion.estado == Sesion.Estado.CONVOCADA
    form = CancelarSesionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sesion_cancelar(sesion=sesion, por=request.user, motivo=form.cleaned_data["motivo"])
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            aviso = " Se está avisando a los convocados." if convocada else ""
            messages.success(request, f"Sesión cancelada.{aviso}")
        return redirect("mesa:sesion", pk=pk)
    return _confirmacion(
        request, sesion, accion="cancelar", form=form, titulo=_titulo("Cancelar", sesion), boton="Cancelar la sesión"
    )


@miembro_requerido
def sesion_asistencia(request, pk):
    sesion = get_sesion_for(request.user, pk, need="coordinar")
    personas = services.convocados(sesion)
    marcados = sesion.asistencias.filter(presente=True).values_list("usuario_id", flat=True)
    if not sesion.asistencias.exists():  # first time: those who said they would come
        marcados = sesion.respuestas.filter(opcion=Respuesta.Opcion.ASISTIRE).values_list("usuario_id", flat=True)
    extra = services_participantes.asistencia_opciones(sesion)  # guests, and who represents whom
    form = AsistenciaForm(
        request.POST or None,
        personas=personas,
        invitados=extra["invitados"],
        representaciones=extra["representaciones"],
        initial={"presentes": [str(pk) for pk in marcados], "invitados": extra["marcados"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.asistencia_registrar(
                sesion=sesion,
                por=request.user,
                presentes=form.cleaned_data["presentes"],
                invitados=form.cleaned_data.get("invitados", []),
            )
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            messages.success(request, "Asistencia registrada; la sesión queda como realizada.")
            return redirect("mesa:sesion", pk=pk)
    contexto = {"form": form, "mesa": sesion.mesa, "sesion": sesion, "titulo": f"Asistencia: {sesion}"}
    return render(request, "mesa/formulario.html", {**contexto, "boton": "Guardar la asistencia"})


@require_POST
@miembro_requerido
def sesion_responder(request, pk):
    sesion = get_sesion_for(request.user, pk, need="responder")
    form = RespuestaForm(request.POST)
    if form.is_valid():
        try:
            services.respuesta_registrar(sesion=sesion, usuario=request.user, opcion=form.cleaned_data["opcion"])
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            messages.success(request, "Respuesta registrada.")
    return redirect("mesa:sesion", pk=pk)


@miembro_requerido
def sesion_ics(request, pk):
    """ "Add to calendar": the same UID and SEQUENCE as the invitations, so calendars merge them."""
    sesion = get_sesion_for(request.user, pk)
    cancelada = sesion.estado == Sesion.Estado.CANCELADA
    ics = calendario.calendario([calendario.evento(sesion, cancelada=cancelada)], metodo=calendario.PUBLISH)
    respuesta = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    respuesta["Content-Disposition"] = f'attachment; filename="sesion-{sesion.numero}.ics"'
    return respuesta


@never_cache
def rsvp(request, token):
    """The answer from the e-mail, without signing in: the signed token says who, which session and what.

    GET only shows a confirmation page with one button; the POST (same page, with its CSRF token) records.
    Mail scanners and link previews open every link in a message: recording on GET let the last link they
    opened win. The other two answers are offered as links to their own confirmation pages.
    """
    try:
        usuario_id, sesion_id, opcion = services.rsvp_leer(token)
        if request.method == "POST":
            respuesta = services.rsvp_registrar(usuario_id=usuario_id, sesion_id=sesion_id, opcion=opcion)
            return render(request, "mesa/rsvp.html", {"respuesta": respuesta, "sesion": respuesta.sesion})
        usuario, sesion = services.rsvp_verificar(usuario_id=usuario_id, sesion_id=sesion_id, opcion=opcion)
    except (ValidationError, PermissionDenied) as error:
        mensaje = mensaje_de(error) if isinstance(error, ValidationError) else str(error)
        return render(request, "mesa/rsvp.html", {"error": mensaje}, status=400)
    otras = services.rsvp_enlaces(usuario=usuario, sesion=sesion, relativos=True)
    contexto = {
        "sesion": sesion,
        "opcion": Respuesta.Opcion(opcion),
        "otras": [(Respuesta.Opcion(o), url) for o, url in otras.items() if o != opcion],
        "actual": Respuesta.objects.filter(sesion=sesion, usuario=usuario).first(),
    }
    return render(request, "mesa/rsvp.html", contexto)


@miembro_requerido
def preferencias_avisos(request):
    actual = PreferenciaAvisos.objects.filter(usuario=request.user).values_list("frecuencia", flat=True).first()
    form = PreferenciaAvisosForm(request.POST or None, initial={"frecuencia": actual or "inmediata"})
    if request.method == "POST" and form.is_valid():
        nucleo_services.preferencia_avisos_guardar(usuario=request.user, frecuencia=form.cleaned_data["frecuencia"])
        messages.success(request, "Preferencia de avisos guardada.")
        return redirect("mesa:preferencias_avisos")
    return render(request, "mesa/preferencias_avisos.html", {"form": form})
