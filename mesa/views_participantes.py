"""A session's guests and subrogantes, the guests' answers from their e-mail, and the mesa's quorum."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comunas.access import miembro_requerido
from mesa import services_participantes as participantes
from mesa.access import (
    get_invitado_for,
    get_mesa_for,
    get_sesion_for,
    get_sesion_para_subrogar,
    get_subrogacion_for,
    puede_coordinar,
)
from mesa.forms_participantes import InvitadoForm, QuorumForm, SubroganteForm
from mesa.models import InvitadoSesion, Sesion, Subrogacion
from mesa.models_participantes import MAX_INVITADOS_POR_SESION, RespuestaInvitado
from nucleo.formularios import aplicar_errores, mensaje_de


def _abierta(sesion):
    """Still takes guests: a draft or a convened session that has not ended."""
    return sesion.estado in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA) and sesion.fin > timezone.now()


# --- Guests (the coordination) --------------------------------------------------------------------------


@miembro_requerido
def sesion_invitados(request, pk):
    """The session's guests, with their answers, and the form to invite one more."""
    sesion = get_sesion_for(request.user, pk, need="coordinar")
    form = InvitadoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitado = participantes.invitado_agregar(sesion=sesion, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            if invitado.sesion.estado == Sesion.Estado.CONVOCADA:
                envio = "Se le envió la convocatoria por correo."
            else:
                envio = "Recibirá la convocatoria cuando se convoque la sesión."
            messages.success(request, f"{invitado.nombre} ({invitado.institucion}) quedó invitado(a). {envio}")
            return redirect("mesa:sesion_invitados", pk=pk)
    contexto = {
        "sesion": sesion,
        "mesa": sesion.mesa,
        "form": form,
        "abierta": _abierta(sesion),
        "invitados": sesion.invitados.select_related("subrogacion__titular").order_by("institucion", "nombre", "pk"),
        "maximo": MAX_INVITADOS_POR_SESION,
        "sugeridas": participantes.INSTITUCIONES_SUGERIDAS,
    }
    return render(request, "mesa/invitados.html", contexto, status=400 if form.errors else 200)


@require_POST
@miembro_requerido
def invitado_quitar(request, pk):
    invitado = get_invitado_for(request.user, pk)
    try:
        participantes.invitado_quitar(invitado=invitado, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, f"Se retiró la invitación de {invitado.nombre} ({invitado.institucion}).")
    return redirect("mesa:sesion_invitados", pk=invitado.sesion_id)


# --- A guest's answer, from the e-mail ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def rsvp_invitado(request, token):
    """A guest's answer, without an account: the signed token names the guest, the session and the answer, and
    opens nothing else. A forged link, or one of another session, is a 404. As for members, GET shows a
    confirmation page with one button and only the POST records (mail scanners open every link)."""
    try:
        invitado, opcion = participantes.rsvp_invitado_leer(token)
    except InvitadoSesion.DoesNotExist:
        raise Http404("El enlace no es válido.") from None
    except ValidationError as error:
        return render(request, "mesa/rsvp_invitado.html", {"error": mensaje_de(error)}, status=400)
    sesion = invitado.sesion
    try:
        if request.method == "POST":
            invitado = participantes.invitado_responder(invitado=invitado, opcion=opcion)
            return render(request, "mesa/rsvp_invitado.html", {"invitado": invitado, "sesion": sesion, "hecho": True})
        participantes.exigir_respuestas_abiertas(sesion)
    except ValidationError as error:
        contexto = {"error": mensaje_de(error), "invitado": invitado, "sesion": sesion}
        return render(request, "mesa/rsvp_invitado.html", contexto, status=400)
    otras = participantes.rsvp_invitado_enlaces(invitado, relativos=True)
    contexto = {
        "invitado": invitado,
        "sesion": sesion,
        "opcion": RespuestaInvitado(opcion),
        "otras": [(RespuestaInvitado(o), url) for o, url in otras.items() if o != opcion],
    }
    return render(request, "mesa/rsvp_invitado.html", contexto)


# --- Subrogantes ----------------------------------------------------------------------------------------


@miembro_requerido
def sesion_subrogante(request, pk):
    """A convened member names who stands in for them; the coordination may do it for any convened member."""
    sesion = get_sesion_para_subrogar(request.user, pk)
    coordina = puede_coordinar(request.user, sesion.mesa)
    propia = Subrogacion.objects.filter(sesion=sesion, titular=request.user).select_related("subrogante", "invitado")
    propia = propia.first()
    abierta = sesion.estado == Sesion.Estado.CONVOCADA and sesion.fin > timezone.now()
    enviado = request.POST if request.method == "POST" else None  # an empty form is an answer too: it says why
    if coordina:
        posibles = participantes.titulares_posibles(sesion)
        form = SubroganteForm(enviado, titulares=posibles, colegas=posibles.order_by("nombre", "pk"))
    else:
        form = SubroganteForm(enviado, colegas=participantes.colegas_posibles(sesion, request.user))
    if request.method == "POST" and form.is_valid():
        datos = form.cleaned_data
        titular = datos.get("titular") or request.user
        try:
            subrogacion = participantes.subrogante_designar(
                sesion=sesion,
                titular=titular,
                por=request.user,
                colega=datos["colega"],
                nombre=datos["nombre"],
                email=datos["email"],
                cargo=datos["cargo"],
            )
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(
                request,
                f"{subrogacion.nombre_subrogante} subrogará a {titular.nombre} en esta sesión; "
                "recibirá la convocatoria por correo.",
            )
            return redirect("mesa:sesion", pk=pk)
    contexto = {
        "sesion": sesion,
        "mesa": sesion.mesa,
        "form": form,
        "coordina": coordina,
        "propia": propia,
        "abierta": abierta,
        "organizacion": participantes.organizacion_en_la_mesa(request.user, sesion.mesa),
        "subrogaciones": sesion.subrogaciones.select_related("titular", "subrogante", "invitado", "organizacion")
        if coordina
        else [],
    }
    return render(request, "mesa/subrogante.html", contexto, status=400 if form.errors else 200)


@require_POST
@miembro_requerido
def subrogacion_quitar(request, pk):
    subrogacion = get_subrogacion_for(request.user, pk)
    try:
        participantes.subrogacion_quitar(subrogacion=subrogacion, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(
            request,
            f"Se quitó la designación de {subrogacion.nombre_subrogante}: {subrogacion.titular.nombre} vuelve a "
            "responder personalmente.",
        )
    return redirect("mesa:sesion", pk=subrogacion.sesion_id)


# --- Quorum ---------------------------------------------------------------------------------------------


@miembro_requerido
def mesa_quorum(request, pk):
    mesa = get_mesa_for(request.user, pk, need="coordinar")
    miembros = len(participantes.organizaciones_miembro(mesa))
    form = QuorumForm(request.POST or None, instance=mesa, miembros=miembros)
    if request.method == "POST" and form.is_valid():
        try:
            participantes.mesa_quorum_fijar(
                mesa=mesa,
                por=request.user,
                regla=form.cleaned_data["quorum_regla"],
                minimo=form.cleaned_data["quorum_minimo"],
            )
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Quórum guardado: se aplica a las asistencias que se registren desde ahora.")
            return redirect("mesa:mesa", pk=pk)
    contexto = {"form": form, "mesa": mesa, "titulo": "Quórum de la mesa", "boton": "Guardar el quórum"}
    return render(request, "mesa/formulario.html", contexto)
