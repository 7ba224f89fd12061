"""After the session (acta, acuerdos), the mesa's notices, invitations, and the personal calendar feed."""

import csv
import io
from email.utils import parseaddr
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from comunas.access import miembro_requerido
from comunas.models import Organizacion
from mesa import calendario, services, services_actas, services_participacion
from mesa.access import (
    acuerdos_de_mis_organizaciones,
    get_acta_for,
    get_acuerdo_for,
    get_mesa_for,
    get_sesion_for,
    lineas_que_edita,
    organizaciones_que_actualizan_acuerdos,
    planes_que_ve,
    puede_comentar_acta,
    puede_coordinar,
)
from mesa.forms import (
    ActaForm,
    ActividadDeAcuerdoForm,
    AcuerdoForm,
    AprobarActaForm,
    CircularActaForm,
    ComentarioActaForm,
    EstadoAcuerdoForm,
    FiltroAvisosForm,
    InvitarOrganizacionForm,
)
from mesa.models import Acta, Acuerdo, CalendarioPersonal, ComentarioActa, Sesion
from mesa.selectors import (
    convocados,
    convocados_con_nombres,
    proxima_sesion_para_el_acta,
    punto_de_aprobacion,
    sesiones_para_aprobar,
)
from nucleo import services as nucleo_services
from nucleo.csv import celda_segura
from nucleo.formato import dia_largo
from nucleo.formularios import aplicar_errores, mensaje_de
from nucleo.models import Aviso
from planes.access import get_plan_for


def _intentar(request, accion, exito):
    """Runs a service; its ValidationError becomes an error message. Roles are checked before, by the gate
    (mesa.access): a PermissionDenied here is a 403, not a message."""
    try:
        resultado = accion()
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
        return None
    messages.success(request, exito)
    return resultado


# --- Acta -----------------------------------------------------------------------------------------------


@miembro_requerido
def acta(request, pk):
    return _pagina_acta(request, get_acta_for(request.user, pk))


def _pagina_acta(request, acta, form_comentario=None, status=200):
    coordina = puede_coordinar(request.user, acta.sesion.mesa)
    acuerdos = list(acta.acuerdos.select_related("organizacion", "persona", "actividad__plan"))
    comentarios = list(acta.comentarios.select_related("autor", "atendido_por"))
    contexto = {
        "acta": acta,
        "sesion": acta.sesion,
        "mesa": acta.sesion.mesa,
        "coordina": coordina,
        "secciones": acta.secciones.all(),
        "asistencia": services_actas.asistencia_del_acta(acta),
        "acuerdos": acuerdos,
        "convierte": _convertibles(
            acuerdos, coordina=coordina, actualiza=organizaciones_que_actualizan_acuerdos(request.user)
        ),
        "planes_que_ve": planes_que_ve(request.user, {a.actividad.plan_id for a in acuerdos if a.sigue_actividad}),
        "comentarios": comentarios,
        "abiertos": sum(c.abierto for c in comentarios),
        "plazo_vencido": acta.plazo_vencido(),
        # A refused comment is shown again (with its text and the reason) even if the acta left review.
        "puede_comentar": form_comentario is not None
        or (
            acta.estado == Acta.Estado.EN_REVISION
            and not acta.plazo_vencido()
            and puede_comentar_acta(request.user, acta)
        ),
        "form_comentario": form_comentario or ComentarioActaForm(),
    }
    punto = punto_de_aprobacion(acta) if acta.editable else None
    # A draft session is the coordination's alone: members learn of the item once the session is convened.
    if punto is not None and (coordina or punto.sesion.estado != Sesion.Estado.BORRADOR):
        contexto["punto_aprobacion"] = punto
    if coordina and acta.estado == Acta.Estado.EN_REVISION and punto is None:
        contexto["proxima"] = proxima_sesion_para_el_acta(acta)
    return render(request, "mesa/acta.html", contexto, status=status)


def _convertibles(acuerdos, *, coordina, actualiza):
    """Ids of the acuerdos this person may turn into activities of a plan ("Convertir en actividad"): binding,
    open, not yet an activity, and theirs to update (the coordination, or the responsible organization:
    `actualiza`, mesa.access.organizaciones_que_actualizan_acuerdos)."""
    return {
        a.pk
        for a in acuerdos
        if a.acta.estado in (Acta.Estado.APROBADA, Acta.Estado.PUBLICADA)
        and not a.sigue_actividad
        and a.estado != Acuerdo.Estado.CUMPLIDO
        and (coordina or a.organizacion_id in actualiza)
    }


@require_POST
@miembro_requerido
def acta_redactar(request, pk):
    sesion = get_sesion_for(request.user, pk, need="coordinar")
    if _intentar(
        request, lambda: services_actas.acta_redactar(sesion=sesion, por=request.user), "Borrador del acta listo."
    ):
        return redirect("mesa:acta_editar", pk=pk)
    return redirect("mesa:sesion", pk=pk)


@miembro_requerido
def acta_editar(request, pk):
    acta = get_acta_for(request.user, pk, need="coordinar")
    form = ActaForm(request.POST or None, secciones=acta.secciones.all(), initial={"resumen": acta.resumen})
    if request.method == "POST" and form.is_valid():
        try:
            services_actas.acta_guardar(
                acta=acta, por=request.user, resumen=form.cleaned_data["resumen"], textos=form.textos()
            )
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Acta guardada.")
            return redirect("mesa:acta", pk=pk)
    contexto = {"form": form, "mesa": acta.sesion.mesa, "sesion": acta.sesion, "titulo": f"Redactar el {acta}"}
    return render(request, "mesa/formulario.html", {**contexto, "boton": "Guardar el acta"})


def _destinatarios(acta):
    """What the confirmation pages say about who an acta's e-mail reaches and where replies go."""
    grupos = convocados_con_nombres(acta.sesion)
    return {
        "grupos": grupos,
        "personas": convocados(acta.sesion).count(),
        "responder_a": [
            f"{nombre} ({correo})" if nombre else correo
            for nombre, correo in map(parseaddr, services.direcciones_de_coordinacion(acta.sesion.mesa))
        ],
    }


def _volver_si_no(request, acta, condicion, mensaje):
    """The confirmation page of a step that no longer applies (e.g. opened twice) sends back to the acta."""
    if condicion:
        return None
    messages.info(request, mensaje)
    return redirect("mesa:acta", pk=acta.sesion_id)


@miembro_requerido
def acta_circular(request, pk):
    """ "Circular para comentarios": a page that says who gets the draft and until when they may comment (the
    coordinator picks the deadline), then sends it."""
    acta = get_acta_for(request.user, pk, need="coordinar")
    if fuera := _volver_si_no(request, acta, acta.editable, "El acta ya está aprobada: no se circula."):
        return fuera
    datos = request.POST if request.method == "POST" else None  # an empty POST is still a POST
    form = CircularActaForm(datos, initial={"plazo_comentarios": Acta.plazo_por_defecto()})
    if request.method == "POST" and form.is_valid():
        plazo = form.cleaned_data["plazo_comentarios"]
        try:
            services_actas.acta_circular(acta=acta, por=request.user, plazo_comentarios=plazo)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"Acta enviada a los miembros para sus comentarios, hasta el {dia_largo(plazo)}.")
            return redirect("mesa:acta", pk=pk)
    contexto = {"acta": acta, "sesion": acta.sesion, "mesa": acta.sesion.mesa, "form": form, **_destinatarios(acta)}
    contexto["titulo"] = "Circular el acta para comentarios"
    return render(request, "mesa/acta_circular.html", contexto, status=400 if form.errors else 200)


@require_POST
@miembro_requerido
def acta_comentar(request, pk):
    acta = get_acta_for(request.user, pk, need="comentar")
    form = ComentarioActaForm(request.POST)
    if form.is_valid():
        try:
            services_actas.acta_comentar(acta=acta, por=request.user, texto=form.cleaned_data["texto"])
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Comentario agregado.")
            return redirect("mesa:acta", pk=pk)
    # The text stays in the form, with the reason next to it.
    return _pagina_acta(request, acta, form_comentario=form, status=400)


@require_POST
@miembro_requerido
def comentario_atender(request, pk, comentario):
    """The coordination marks a comment as attended ("atender") or opens it again ("reabrir")."""
    acta = get_acta_for(request.user, pk, need="coordinar")
    comentario = get_object_or_404(ComentarioActa, pk=comentario, acta=acta)
    atendido = request.POST.get("accion") != "reabrir"
    exito = "Comentario marcado como atendido." if atendido else "El comentario vuelve a estar abierto."
    accion = lambda: services_actas.comentario_atender(comentario=comentario, por=request.user, atendido=atendido)  # noqa: E731
    _intentar(request, accion, exito)
    return redirect(f"{reverse('mesa:acta', args=[pk])}#comentario-{comentario.pk}")


@miembro_requerido
def acta_aprobar(request, pk):
    """ "Aprobar el acta": by the coordination or in a later session already begun. The page lists the open
    comments, and approving with any needs the box "Apruebo con comentarios abiertos" ticked."""
    acta = get_acta_for(request.user, pk, need="coordinar")
    if fuera := _volver_si_no(request, acta, acta.editable, "El acta ya está aprobada."):
        return fuera
    abiertos = list(acta.comentarios.filter(atendido_en__isnull=True).select_related("autor"))
    sesiones = sesiones_para_aprobar(acta)
    punto = punto_de_aprobacion(acta)
    inicial = punto.sesion if punto and sesiones.filter(pk=punto.sesion_id).exists() else None
    datos = request.POST if request.method == "POST" else None  # an empty POST is still a POST
    form = AprobarActaForm(datos, sesiones=sesiones, abiertos=abiertos, initial={"en_sesion": inicial})
    if request.method == "POST" and form.is_valid():
        datos = form.cleaned_data
        try:
            services_actas.acta_aprobar(
                acta=acta,
                por=request.user,
                en_sesion=datos["en_sesion"],
                con_comentarios_abiertos=datos.get("con_comentarios_abiertos", False),
                comentarios_vistos=[int(v) for v in request.POST.getlist("vistos") if v.isdigit()],
            )
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Acta aprobada. Ya puede publicarla.")
            return redirect("mesa:acta", pk=pk)
    contexto = {
        "titulo": "Aprobar el acta",
        "acta": acta,
        "sesion": acta.sesion,
        "mesa": acta.sesion.mesa,
        "form": form,
        "abiertos": form.abiertos,
        "acuerdos": acta.acuerdos.count(),
        "plazo_abierto": acta.estado == Acta.Estado.EN_REVISION and acta.plazo_comentarios and not acta.plazo_vencido(),
    }
    return render(request, "mesa/acta_aprobar.html", contexto, status=400 if form.errors else 200)


@miembro_requerido
def acta_publicar(request, pk):
    """ "Publicar el acta": a page that says who gets the e-mail with the PDF and who may then read it."""
    acta = get_acta_for(request.user, pk, need="coordinar")
    aprobada = acta.estado == Acta.Estado.APROBADA
    if fuera := _volver_si_no(request, acta, aprobada, "Solo se publica un acta aprobada que aún no se publica."):
        return fuera
    if request.method == "POST":
        exito = "Acta publicada: los miembros reciben el aviso con el PDF adjunto."
        if _intentar(request, lambda: services_actas.acta_publicar(acta=acta, por=request.user), exito):
            return redirect("mesa:acta", pk=pk)
    contexto = {"acta": acta, "sesion": acta.sesion, "mesa": acta.sesion.mesa, **_destinatarios(acta)}
    return render(request, "mesa/acta_publicar.html", {**contexto, "titulo": "Publicar el acta"})


@require_POST
@miembro_requerido
def acta_a_la_tabla(request, pk):
    """ "Poner en la tabla de la próxima sesión": the acta is approved there ("Aprobación del acta anterior")."""
    acta = get_acta_for(request.user, pk, need="coordinar")
    punto = _intentar(
        request,
        lambda: services_actas.acta_a_la_tabla(acta=acta, por=request.user),
        "El acta quedó como primer punto de la tabla de la próxima sesión, para su aprobación.",
    )
    return redirect("mesa:sesion", pk=punto.sesion_id) if punto else redirect("mesa:acta", pk=pk)


@require_GET
@miembro_requerido
def acta_pdf(request, pk):
    """The PDF of a published acta (the coordination may download it at any stage): the one kept at approval,
    or, for a draft, rendered now."""
    acta = get_acta_for(request.user, pk)
    if acta.estado != Acta.Estado.PUBLICADA and not puede_coordinar(request.user, acta.sesion.mesa):
        raise Http404("El acta aún no está publicada.")
    respuesta = HttpResponse(services_actas.acta_pdf_contenido(acta), content_type="application/pdf")
    respuesta["Content-Disposition"] = f'inline; filename="acta-sesion-{acta.sesion.numero}.pdf"'
    return respuesta


# --- Acuerdos -------------------------------------------------------------------------------------------


@miembro_requerido
def acuerdo_nuevo(request, pk):
    acta = get_acta_for(request.user, pk, need="coordinar")
    form = AcuerdoForm(request.POST or None, mesa=acta.sesion.mesa)
    if request.method == "POST" and form.is_valid():
        try:
            services_actas.acuerdo_agregar(acta=acta, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Acuerdo registrado en el acta.")
            return redirect("mesa:acta", pk=pk)
    contexto = {"form": form, "mesa": acta.sesion.mesa, "sesion": acta.sesion, "titulo": "Registrar un acuerdo"}
    return render(request, "mesa/formulario.html", {**contexto, "boton": "Registrar el acuerdo"})


@require_POST
@miembro_requerido
def acuerdo_estado(request, pk):
    acuerdo = get_acuerdo_for(request.user, pk, need="actualizar")
    form = EstadoAcuerdoForm(request.POST)
    if form.is_valid():
        estado = form.cleaned_data["estado"]
        accion = lambda: services_actas.acuerdo_cambiar_estado(acuerdo=acuerdo, por=request.user, estado=estado)  # noqa: E731
        _intentar(request, accion, "Estado del acuerdo actualizado.")
    siguiente = request.POST.get("siguiente", "")
    if siguiente == reverse("mesa:mis_acuerdos"):
        return redirect(siguiente)
    return redirect("mesa:acta", pk=acuerdo.acta.sesion_id)


@miembro_requerido
def acuerdo_actividad(request, pk):
    """ "Convertir en actividad": the coordination or the responsible organization picks a plan it may edit and the
    line the activity goes under; from then on the acuerdo's state follows the activity."""
    acuerdo = get_acuerdo_for(request.user, pk, need="actualizar")
    if acuerdo.sigue_actividad:
        messages.info(request, "Este acuerdo ya es una actividad de un plan.")
        return redirect("mesa:acta", pk=acuerdo.acta.sesion_id)
    form = ActividadDeAcuerdoForm(request.POST or None, lineas=lineas_que_edita(request.user))
    if request.method == "POST" and form.is_valid():
        linea = form.cleaned_data["linea"]
        linea.plan, _ = get_plan_for(request.user, linea.plan_id, "editar")
        try:
            actividad = services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=request.user, linea=linea)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(
                request,
                f"El acuerdo es ahora la actividad «{actividad}» de «{linea.plan}»; su estado sigue el avance que "
                "se informe allí.",
            )
            return redirect(f"{linea.plan.get_absolute_url()}#nodo-{actividad.pk}")
    contexto = {"form": form, "acuerdo": acuerdo, "mesa": acuerdo.acta.sesion.mesa, "sesion": acuerdo.acta.sesion}
    return render(request, "mesa/acuerdo_actividad.html", contexto)


@miembro_requerido
def mis_acuerdos(request):
    """The open acuerdos of the person's organizations, overdue first, with a form to update each (or, for one
    that became an activity of a plan, its progress)."""
    acuerdos = acuerdos_de_mis_organizaciones(request.user)
    abiertos, cumplidos = list(acuerdos.abiertos()), list(acuerdos.cumplidos())
    enlazados = {a.actividad.plan_id for a in abiertos + cumplidos if a.sigue_actividad}
    actualiza = organizaciones_que_actualizan_acuerdos(request.user)  # lectores only read
    contexto = {
        "abiertos": abiertos,
        "cumplidos": cumplidos,
        "estados": Acuerdo.Estado.choices,
        "actualiza": actualiza,
        "convierte": _convertibles(abiertos, coordina=False, actualiza=actualiza),
        "planes_que_ve": planes_que_ve(request.user, enlazados),
    }
    return render(request, "mesa/mis_acuerdos.html", contexto)


# The states a person sees: the stored ones, and "vencido" (open and past its deadline, see Acuerdo.vencido).
# They do not overlap: a pendiente past its deadline is listed as vencido only.
VENCIDO = "vencido"
ESTADOS_VISIBLES = [*Acuerdo.Estado.choices, (VENCIDO, "Vencido")]


def _acuerdos_en_estado(acuerdos, estado, hoy):
    if estado == VENCIDO:
        return acuerdos.vencidos(hoy)
    if estado == Acuerdo.Estado.CUMPLIDO:
        return acuerdos.cumplidos()
    return acuerdos.en_estado(estado).filter(plazo__gte=hoy)


def _entero(valor):
    try:
        return int(valor)
    except (TypeError, ValueError):
        return None


@require_GET
@miembro_requerido
def mesa_acuerdos(request, pk):
    """Every binding acuerdo of the mesa (approved or published actas), by deadline, filtered by visible state
    and responsible organization; a filter value that is not among the options is ignored."""
    mesa = get_mesa_for(request.user, pk)
    hoy = timezone.localdate()
    acuerdos = (
        Acuerdo.objects.vigentes()
        .filter(acta__sesion__mesa=mesa)
        .select_related("organizacion", "persona", "acta__sesion", "actividad__plan")
        .order_by("plazo", "pk")
    )
    organizaciones = list(Organizacion.objects.filter(acuerdos__in=acuerdos).distinct().order_by("nombre"))
    estado = request.GET.get("estado", "")
    estado = estado if estado in dict(ESTADOS_VISIBLES) else ""
    organizacion = next((o for o in organizaciones if o.pk == _entero(request.GET.get("organizacion"))), None)
    if estado:
        acuerdos = _acuerdos_en_estado(acuerdos, estado, hoy)
    if organizacion:
        acuerdos = acuerdos.filter(organizacion=organizacion)
    if request.GET.get("formato") == "csv":
        return _acuerdos_csv(mesa, acuerdos)
    filtros = {"estado": estado, "organizacion": organizacion.pk if organizacion else ""}
    pagina = Paginator(acuerdos, 50).get_page(request.GET.get("pagina"))
    contexto = {
        "mesa": mesa,
        "pagina": pagina,
        "planes_que_ve": planes_que_ve(request.user, {a.actividad.plan_id for a in pagina if a.sigue_actividad}),
        "estados": ESTADOS_VISIBLES,
        "organizaciones": organizaciones,
        "estado": estado,
        "organizacion": organizacion,
        "consulta": urlencode({k: v for k, v in filtros.items() if v}),
    }
    return render(request, "mesa/mesa_acuerdos.html", contexto)


def _acuerdos_csv(mesa, acuerdos):
    """Streamed, a batch of rows at a time, reading only the columns it writes (a weekly mesa has thousands)."""
    filas = (
        acuerdos.select_related(None)
        .select_related("organizacion", "acta__sesion", "actividad")
        .only(
            "descripcion",
            "plazo",
            "estado",
            "organizacion__nombre",
            "actividad__avance",
            "acta__estado",
            "acta__sesion__numero",
            "acta__sesion__inicio",
            "acta__sesion__tipo",
        )  # fmt: skip
    )
    respuesta = StreamingHttpResponse(_acuerdos_filas(filas), content_type="text/csv; charset=utf-8")
    respuesta["Content-Disposition"] = f'attachment; filename="acuerdos-mesa-{mesa.pk}.csv"'
    return respuesta


def _acuerdos_filas(acuerdos, lote=500):
    salida = io.StringIO()
    escritor = csv.writer(salida, delimiter=";", lineterminator="\r\n")
    salida.write("\ufeff")  # so that spreadsheets read the accents as UTF-8
    escritor.writerow(["Acuerdo", "Organización responsable", "Plazo", "Estado", "Sesión", "Estado del acta"])
    for n, a in enumerate(acuerdos.iterator(chunk_size=lote), start=1):
        sesion = a.acta.sesion
        escritor.writerow(
            [
                celda_segura(a.descripcion),
                celda_segura(a.organizacion.nombre),
                f"{a.plazo:%d-%m-%Y}",
                a.estado_visible,
                f"n.º {sesion.numero} ({timezone.localtime(sesion.inicio):%d-%m-%Y})",
                a.acta.get_estado_display(),
            ]
        )
        if n % lote == 0:
            yield salida.getvalue().encode("utf-8")
            salida.seek(0)
            salida.truncate()
    yield salida.getvalue().encode("utf-8")


# --- The mesa's notices and invitations -----------------------------------------------------------------


@miembro_requerido
def mesa_avisos(request, pk):
    """Delivery state of every notice about the mesa's sessions, for its coordination, with the sessions that
    have failed notices to re-send."""
    mesa = get_mesa_for(request.user, pk, need="coordinar")
    form = FiltroAvisosForm(request.GET or None)
    avisos = Aviso.objects.filter(sesion__mesa=mesa).prefetch_related("objeto").order_by("-creado", "-pk")
    estado = form.cleaned_data["estado"] if form.is_valid() else ""
    if estado:
        avisos = avisos.filter(estado=estado)
    pagina = Paginator(avisos, 50).get_page(request.GET.get("pagina"))
    consulta = urlencode({"estado": estado}) if estado else ""  # kept by the pager's links
    con_problemas = (
        Sesion.objects.filter(mesa=mesa, avisos__estado__in=Aviso.PROBLEMAS)
        .annotate(problemas=Count("avisos"))
        .order_by("-inicio")
    )
    contexto = {"mesa": mesa, "form": form, "pagina": pagina, "estado": estado, "consulta": consulta}
    return render(request, "mesa/avisos.html", {**contexto, "con_problemas": con_problemas})


@require_POST
@miembro_requerido
def mesa_avisos_reenviar(request, pk):
    """Re-sends one failed notice of the mesa (`aviso`) or every failed one of a session (`sesion`)."""
    mesa = get_mesa_for(request.user, pk, need="coordinar")
    suyos = Aviso.objects.filter(sesion__mesa=mesa)
    aviso, sesion = request.POST.get("aviso", ""), request.POST.get("sesion", "")
    if aviso.isdigit():
        seleccion = suyos.filter(pk=aviso)
    elif sesion.isdigit():
        seleccion = suyos.filter(sesion__pk=sesion)
    else:
        messages.error(request, "Elija qué avisos reenviar.")
        return redirect("mesa:mesa_avisos", pk=pk)
    reenviados = nucleo_services.avisos_reenviar(seleccion=seleccion, por=request.user)
    if reenviados:
        messages.success(request, f"{reenviados} {pluralize(reenviados, 'aviso vuelve,avisos vuelven')} a enviarse.")
    else:
        messages.info(request, "No había avisos fallidos que reenviar.")
    return redirect("mesa:mesa_avisos", pk=pk)


@miembro_requerido
def mesa_invitar(request, pk):
    mesa = get_mesa_for(request.user, pk, need="coordinar")
    form = InvitarOrganizacionForm(request.POST or None, mesa=mesa)
    if request.method == "POST" and form.is_valid():
        organizacion = form.cleaned_data["organizacion"]
        try:
            services_participacion.mesa_invitar_y_avisar(mesa=mesa, organizacion=organizacion, por=request.user)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"{organizacion} fue invitada; su dirección debe aceptar.")
            return redirect("mesa:mesa", pk=pk)
    contexto = {"form": form, "mesa": mesa, "titulo": "Invitar a una organización", "boton": "Invitar"}
    return render(request, "mesa/formulario.html", contexto)


# --- Personal calendar feed -----------------------------------------------------------------------------

_TOKEN_NUEVO = "mesa_calendario_token"  # noqa: S105 (a session key name, not a secret)


@never_cache
@miembro_requerido
def calendario_personal(request):
    """Generate (or regenerate) and revoke the secret feed URL; it is shown once, right after generating."""
    if request.method == "POST":
        if request.POST.get("accion") == "revocar":
            services_actas.calendario_revocar(usuario=request.user)
            messages.success(request, "Enlace revocado: los calendarios suscritos dejan de recibir sesiones.")
        else:
            request.session[_TOKEN_NUEVO] = services_actas.calendario_generar(usuario=request.user)
            messages.success(request, "Enlace nuevo generado; el anterior ya no funciona.")
        return redirect("mesa:calendario_personal")
    token = request.session.pop(_TOKEN_NUEVO, None)
    contexto = {
        "actual": CalendarioPersonal.objects.filter(usuario=request.user).first(),
        "url_feed": request.build_absolute_uri(reverse("mesa:calendario_feed", args=[token])) if token else None,
    }
    return render(request, "mesa/calendario_personal.html", contexto)


@require_GET
@never_cache
def calendario_feed(request, token):
    """The subscribed calendar fetches this without a session: the secret token is the credential."""
    usuario = services_actas.calendario_de_token(token)
    if usuario is None:
        raise Http404("Calendario no encontrado.")
    eventos = [
        calendario.evento(s, cancelada=s.estado == s.Estado.CANCELADA)
        for s in services_actas.sesiones_del_calendario(usuario)
    ]
    ics = calendario.calendario(eventos, metodo=calendario.PUBLISH, nombre="Mesa: mis sesiones")
    return HttpResponse(ics, content_type="text/calendar; charset=utf-8")
