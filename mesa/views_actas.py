"""After the session (acta, acuerdos), the mesa's notices, invitations, and the personal calendar feed."""

import csv
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from comunas.access import miembro_requerido
from comunas.models import Organizacion
from mesa import calendario, services_actas
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
from mesa.acta_pdf import acta_pdf as generar_pdf
from mesa.forms import (
    ActaForm,
    ActividadDeAcuerdoForm,
    AcuerdoForm,
    AprobarActaForm,
    ComentarioActaForm,
    EstadoAcuerdoForm,
    FiltroAvisosForm,
    InvitarOrganizacionForm,
)
from mesa.models import Acta, Acuerdo, CalendarioPersonal, Sesion
from nucleo import services as nucleo_services
from nucleo.csv import celda_segura
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
        "comentarios": acta.comentarios.select_related("autor"),
        # A refused comment is shown again (with its text and the reason) even if the acta left review.
        "puede_comentar": form_comentario is not None
        or (acta.estado == Acta.Estado.EN_REVISION and puede_comentar_acta(request.user, acta)),
        "form_comentario": form_comentario or ComentarioActaForm(),
        "form_aprobar": AprobarActaForm(acta=acta) if coordina and acta.editable else None,
    }
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


@require_POST
@miembro_requerido
def acta_circular(request, pk):
    acta = get_acta_for(request.user, pk, need="coordinar")
    exito = "Acta enviada a los miembros para sus comentarios."
    _intentar(request, lambda: services_actas.acta_circular(acta=acta, por=request.user), exito)
    return redirect("mesa:acta", pk=pk)


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
def acta_aprobar(request, pk):
    acta = get_acta_for(request.user, pk, need="coordinar")
    form = AprobarActaForm(request.POST, acta=acta)
    if not form.is_valid():
        messages.error(request, "Elija una sesión realizada posterior de la misma mesa.")
        return redirect("mesa:acta", pk=pk)
    en_sesion = form.cleaned_data["en_sesion"]
    accion = lambda: services_actas.acta_aprobar(acta=acta, por=request.user, en_sesion=en_sesion)  # noqa: E731
    _intentar(request, accion, "Acta aprobada. Ya puede publicarla.")
    return redirect("mesa:acta", pk=pk)


@require_POST
@miembro_requerido
def acta_publicar(request, pk):
    acta = get_acta_for(request.user, pk, need="coordinar")
    exito = "Acta publicada: los miembros reciben el aviso con el PDF."
    _intentar(request, lambda: services_actas.acta_publicar(acta=acta, por=request.user), exito)
    return redirect("mesa:acta", pk=pk)


@require_GET
@miembro_requerido
def acta_pdf(request, pk):
    """The PDF of a published acta (the coordination may preview it at any stage)."""
    acta = get_acta_for(request.user, pk)
    if acta.estado != Acta.Estado.PUBLICADA and not puede_coordinar(request.user, acta.sesion.mesa):
        raise Http404("El acta aún no está publicada.")
    respuesta = HttpResponse(generar_pdf(acta), content_type="application/pdf")
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
                f"{a.plazo:%d/%m/%Y}",
                a.estado_visible,
                f"n.º {sesion.numero} ({timezone.localtime(sesion.inicio):%d/%m/%Y})",
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
            services_actas.mesa_invitar_y_avisar(mesa=mesa, organizacion=organizacion, por=request.user)
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
