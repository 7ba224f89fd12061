"""Who takes part in a mesa: an invitation's page (accept or decline), asking to join a mesa open to requests, and
the coordination's answer to a request (mesa/services_participacion.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST

from comunas.access import miembro_requerido
from mesa import services, services_participacion
from mesa.access import coordinadores_vigentes, get_participacion_for, get_solicitud_de_mesa_for, mesa_para_unirse
from mesa.forms import MotivoRechazoForm, SolicitudMesaForm
from mesa.models import Participacion, Sesion
from nucleo.formularios import aplicar_errores, mensaje_de


def _miembros(mesa):
    return mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).select_related("organizacion")


@miembro_requerido
def participacion(request, pk):
    """An invitation's page for the invited organization's director(a): who invites, the mesa, its members and
    its next sessions, with "Aceptar" and "Rechazar" (with an optional reason)."""
    participacion = get_participacion_for(request.user, pk)
    return _pagina_invitacion(request, participacion, MotivoRechazoForm())


def _pagina_invitacion(request, participacion, form, status=200):
    mesa = participacion.mesa
    contexto = {
        "participacion": participacion,
        "mesa": mesa,
        "miembros": _miembros(mesa),
        "coordinadores": coordinadores_vigentes(mesa).order_by("nombre"),
        "proximas": mesa.sesiones.filter(estado=Sesion.Estado.CONVOCADA, inicio__gt=timezone.now()).order_by("inicio")[
            :5
        ],
        "form": form,
    }
    return render(request, "mesa/participacion.html", contexto, status=status)


@require_POST
@miembro_requerido
def participacion_aceptar(request, pk):
    participacion = get_participacion_for(request.user, pk)
    try:
        services_participacion.participacion_aceptar_y_avisar(participacion=participacion, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
        return redirect("mesas")
    convocatorias = services.sesiones_por_venir(participacion.mesa).count()
    aviso = (
        f" Le enviamos la convocatoria de {convocatorias} {pluralize(convocatorias, 'sesión,sesiones')} por venir."
        if convocatorias
        else ""
    )
    messages.success(request, f"{participacion.organizacion} ahora participa en {participacion.mesa}.{aviso}")
    return redirect("mesa:mesa", pk=participacion.mesa_id)


@require_POST
@miembro_requerido
def participacion_rechazar(request, pk):
    participacion = get_participacion_for(request.user, pk)
    form = MotivoRechazoForm(request.POST)
    if not form.is_valid():
        return _pagina_invitacion(request, participacion, form, status=400)
    try:
        services_participacion.participacion_rechazar(
            participacion=participacion, por=request.user, motivo=form.cleaned_data["motivo"]
        )
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, f"Invitación rechazada. Avisamos a la coordinación de {participacion.mesa}.")
    return redirect("mesas")


@miembro_requerido
def mesa_solicitar(request, pk):
    """ "Pedir unirse" to a mesa open to requests: for the director(a) of an organization outside it."""
    mesa, organizaciones, visible = mesa_para_unirse(request.user, pk)
    if not organizaciones:
        if visible:
            if not request.user.is_staff:  # staff see every mesa without taking part
                messages.info(request, "Su organización ya participa en esta mesa.")
            return redirect("mesa:mesa", pk=pk)
        messages.info(request, "Su organización ya tiene una invitación o una solicitud pendiente en esta mesa.")
        return redirect("mesas")
    form = SolicitudMesaForm(request.POST or None, organizaciones=organizaciones)
    if request.method == "POST" and form.is_valid():
        try:
            services_participacion.mesa_solicitar(mesa=mesa, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"Solicitud enviada. La coordinación de {mesa} le responderá por correo.")
            return redirect("mesas")
    return render(request, "mesa/mesa_solicitar.html", {"mesa": mesa, "form": form, "miembros": _miembros(mesa)})


@require_POST
@miembro_requerido
def solicitud_aceptar(request, pk):
    participacion = get_solicitud_de_mesa_for(request.user, pk)
    try:
        services_participacion.solicitud_aceptar(participacion=participacion, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        convocatorias = services.sesiones_por_venir(participacion.mesa).count()
        aviso = (
            f" y la convocatoria de {convocatorias} {pluralize(convocatorias, 'sesión,sesiones')}"
            if convocatorias
            else ""
        )
        messages.success(
            request, f"{participacion.organizacion} ahora participa en la mesa. Le enviamos el aviso{aviso}."
        )
    return redirect("mesa:mesa", pk=participacion.mesa_id)


@require_POST
@miembro_requerido
def solicitud_rechazar(request, pk):
    participacion = get_solicitud_de_mesa_for(request.user, pk)
    form = MotivoRechazoForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["motivo"][0])
        services_participacion.solicitud_rechazar(
            participacion=participacion, por=request.user, motivo=form.cleaned_data["motivo"]
        )
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, f"Solicitud de {participacion.organizacion} rechazada; le avisamos por correo.")
    return redirect("mesa:mesa", pk=participacion.mesa_id)
