"""A held session with its acta on a fixed calendar: session n.º 1 on Wednesday 16 December 2026 at 10:00 (Santiago),
the next one four weeks later, on Wednesday 13 January 2027 at 10:00."""

from datetime import date, datetime

from django.utils import timezone

from mesa import services, services_actas
from mesa.models import Sesion
from tests.mesa.utiles import crear_sesion

DIA_SESION = timezone.make_aware(datetime(2026, 12, 16, 15, 0))  # the afternoon after session n.º 1
DIA_SIGUIENTE = timezone.make_aware(datetime(2027, 1, 13, 10, 30))  # half an hour into session n.º 2


def acta_de_la_sesion(mesa, coordinador, director, *, acuerdo_plazo=date(2026, 12, 30)):
    """Session n.º 1 held today (call it travelling to DIA_SESION), attended by the director and the coordinator,
    with a draft acta that has one acuerdo of the host. Returns the acta."""
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=0, puntos=2)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[director.pk, coordinador.pk])
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinador)
    services_actas.acuerdo_agregar(
        acta=acta,
        por=coordinador,
        descripcion="Compartir el protocolo de rondas del borde costero.",
        organizacion=mesa.anfitriona,
        plazo=acuerdo_plazo,
    )
    return acta


def url_acta(acta, accion=""):
    return f"/mesas/sesiones/{acta.sesion_id}/acta/{accion}"
