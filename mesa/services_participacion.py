"""Who takes part in a mesa: invitations (the coordination invites, the organization's director(a) accepts or
declines) and requests to join (a director(a) asks, the coordination accepts or rejects), with the e-mails each
step sends. An organization that joins gets the convocatoria of the sessions already convened
(services.participacion_incorporar)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from comunas.limites import DIA, Limite
from comunas.models import Membresia, Usuario
from mesa import services
from mesa.access import coordinadores_vigentes
from mesa.models import MAX_MOTIVO, Participacion
from nucleo.avisos import avisos_crear, url_absoluta
from nucleo.largos import exigir_largo

# Asking again after a rejection is allowed, but not as a way to flood the coordination's inbox.
SOLICITUDES_POR_MESA = Limite("mesa-solicitud", maximo=3, segundos=DIA)


def _vuelta(participacion):
    """Tells apart the rounds of one row (invited, declined, invited again…) in the notices' keys: the moment the
    round began, to the microsecond (two rounds may begin within the same second)."""
    return round(participacion.invitada_en.timestamp() * 1_000_000)


def _avisar(personas, *, plantilla, contexto, causa, participacion):
    """One e-mail per person, rendered now (a handful of people), in a fixed number of queries."""
    mensajes = [
        {
            "para": usuario,
            "plantilla": plantilla,
            "contexto": contexto,
            "clave": f"{causa}:{participacion.pk}:{_vuelta(participacion)}:{usuario.pk}",
        }
        for usuario in personas
    ]
    return avisos_crear(mensajes=mensajes) if mensajes else []


def _coordinacion(mesa):
    return coordinadores_vigentes(mesa).filter(is_active=True).order_by("pk")


def _direccion(organizacion):
    return Usuario.objects.filter(
        is_active=True, membresias__organizacion=organizacion, membresias__rol=Membresia.Rol.DIRECTOR
    ).order_by("pk")


def _bloquear(participacion):
    return Participacion.objects.select_for_update().select_related("mesa", "organizacion").get(pk=participacion.pk)


# --- Invitations ----------------------------------------------------------------------------------------


@transaction.atomic
def mesa_invitar_y_avisar(*, mesa, organizacion, por):
    """Invites the organization (services.mesa_invitar) and sends its director(a)s the invitation's page."""
    participacion = services.mesa_invitar(mesa=mesa, organizacion=organizacion, por=por)
    contexto = {
        "mesa": mesa,
        "organizacion": organizacion,
        "por": por,
        "url_invitacion": url_absoluta(reverse("mesa:participacion", args=[participacion.pk])),
    }
    _avisar(
        _direccion(organizacion),
        plantilla="mesa_invitacion",
        contexto=contexto,
        causa="mesa_invitacion",
        participacion=participacion,
    )
    return participacion


def _avisar_respuesta_a_la_invitacion(participacion, *, aceptada, por):
    contexto = {
        "mesa": participacion.mesa,
        "organizacion": participacion.organizacion,
        "por": por,
        "aceptada": aceptada,
        "motivo": participacion.motivo_rechazo,
        "url_mesa": url_absoluta(reverse("mesa:mesa", args=[participacion.mesa_id])),
    }
    _avisar(
        _coordinacion(participacion.mesa),
        plantilla="mesa_invitacion_respuesta",
        contexto=contexto,
        causa="mesa_invitacion_respuesta",
        participacion=participacion,
    )


@transaction.atomic
def participacion_aceptar_y_avisar(*, participacion, por):
    """The director(a) accepts (services.participacion_aceptar: the pending convocatorias go out) and the
    coordination is told."""
    participacion = services.participacion_aceptar(participacion=participacion, por=por)
    _avisar_respuesta_a_la_invitacion(participacion, aceptada=True, por=por)
    return participacion


@transaction.atomic
def participacion_rechazar(*, participacion, por, motivo=""):
    """The director(a) declines the invitation, optionally saying why; the coordination is told. The mesa may
    invite again later (services.mesa_invitar reopens the row)."""
    motivo = (motivo or "").strip()
    exigir_largo(motivo, maximo=MAX_MOTIVO, etiqueta="motivo", campo="motivo")
    participacion = _bloquear(participacion)
    if participacion.estado != Participacion.Estado.INVITADA:
        raise ValidationError("Esta invitación ya no está pendiente.")
    _cerrar_rechazada(participacion, por=por, motivo=motivo)
    _avisar_respuesta_a_la_invitacion(participacion, aceptada=False, por=por)
    return participacion


def _cerrar_rechazada(participacion, *, por, motivo):
    participacion.estado = Participacion.Estado.RECHAZADA
    participacion.rechazada_en = timezone.now()
    participacion.rechazada_por = por
    participacion.motivo_rechazo = motivo
    participacion.save(update_fields=["estado", "rechazada_en", "rechazada_por", "motivo_rechazo"])


# --- Requests to join -----------------------------------------------------------------------------------


@transaction.atomic
def mesa_solicitar(*, mesa, organizacion, por, mensaje=""):
    """A director(a) asks that their organization join a mesa open to requests; its coordination gets an e-mail
    with the request's place on the mesa page. A rejected organization may ask again (a few times a day)."""
    mensaje = (mensaje or "").strip()
    exigir_largo(mensaje, maximo=MAX_MOTIVO, etiqueta="mensaje", campo="mensaje")
    if not Membresia.objects.filter(usuario=por, organizacion=organizacion, rol=Membresia.Rol.DIRECTOR).exists():
        raise PermissionDenied("Solo la dirección de la organización pide unirse a una mesa.")
    if not organizacion.activa:
        raise ValidationError("Solo una organización activa puede pedir unirse a una mesa.")
    if not mesa.acepta_solicitudes:
        raise ValidationError("Esta mesa no recibe solicitudes: su coordinación invita a las organizaciones.")
    participacion = Participacion.objects.select_for_update().filter(mesa=mesa, organizacion=organizacion).first()
    if participacion is not None and participacion.estado in ABIERTAS:
        raise ValidationError(ABIERTAS[participacion.estado].format(organizacion=organizacion))
    if not SOLICITUDES_POR_MESA.permitir(f"{organizacion.pk}:{mesa.pk}"):
        raise ValidationError("Ya pidió unirse a esta mesa varias veces hoy. Inténtelo de nuevo mañana.")
    if participacion is None:
        participacion = Participacion(mesa=mesa, organizacion=organizacion)
    participacion.reabrir(estado=Participacion.Estado.SOLICITADA, por=por, mensaje=mensaje)
    contexto = {
        "mesa": mesa,
        "organizacion": organizacion,
        "por": por,
        "mensaje": mensaje,
        "url_solicitudes": url_absoluta(reverse("mesa:mesa", args=[mesa.pk]) + "#solicitudes"),
    }
    _avisar(
        _coordinacion(mesa),
        plantilla="mesa_solicitud",
        contexto=contexto,
        causa="mesa_solicitud",
        participacion=participacion,
    )
    return participacion


# Why an organization cannot ask to join, by the state of its row.
ABIERTAS = {
    Participacion.Estado.ACEPTADA: "{organizacion} ya participa en esta mesa.",
    Participacion.Estado.INVITADA: "La mesa ya invitó a {organizacion}: acepte la invitación.",
    Participacion.Estado.SOLICITADA: "{organizacion} ya pidió unirse a esta mesa: la coordinación le responderá.",
}


def _avisar_respuesta_a_la_solicitud(participacion, *, aceptada, por, convocatorias=0):
    contexto = {
        "mesa": participacion.mesa,
        "organizacion": participacion.organizacion,
        "por": por,
        "aceptada": aceptada,
        "motivo": participacion.motivo_rechazo,
        "convocatorias": convocatorias,
        "url_mesa": url_absoluta(reverse("mesa:mesa", args=[participacion.mesa_id])),
        "url_mesas": url_absoluta(reverse("mesas")),
    }
    _avisar(
        _direccion(participacion.organizacion),
        plantilla="mesa_solicitud_respuesta",
        contexto=contexto,
        causa="mesa_solicitud_respuesta",
        participacion=participacion,
    )


def _solicitud_pendiente(participacion, por):
    participacion = _bloquear(participacion)
    services._exigir_coordinacion(participacion.mesa, por)
    if participacion.estado != Participacion.Estado.SOLICITADA:
        raise ValidationError("Esta solicitud ya fue respondida.")
    return participacion


@transaction.atomic
def solicitud_aceptar(*, participacion, por):
    """The coordination accepts a request: the organization takes part and gets the convocatorias of the
    sessions already convened (services.participacion_incorporar); its director(a)s are told."""
    participacion = _solicitud_pendiente(participacion, por)
    services.participacion_incorporar(participacion, por=por)
    convocatorias = services.sesiones_por_venir(participacion.mesa).count()
    _avisar_respuesta_a_la_solicitud(participacion, aceptada=True, por=por, convocatorias=convocatorias)
    return participacion


@transaction.atomic
def solicitud_rechazar(*, participacion, por, motivo=""):
    """The coordination rejects a request, optionally saying why; the organization's director(a)s are told."""
    motivo = (motivo or "").strip()
    exigir_largo(motivo, maximo=MAX_MOTIVO, etiqueta="motivo", campo="motivo")
    participacion = _solicitud_pendiente(participacion, por)
    _cerrar_rechazada(participacion, por=por, motivo=motivo)
    _avisar_respuesta_a_la_solicitud(participacion, aceptada=False, por=por)
    return participacion
