"""A session's guests, subrogantes and quorum as its page and its acta show them (templates/mesa/
_participantes_sesion.html, _quorum_sesion.html and _participantes_acta.html, included by those pages), read here
so that the pages' own views need not change. A few queries per page, whatever the number of people."""

from django import template
from django.utils import timezone

from mesa.models import ReglaQuorum, Sesion
from mesa.services_participantes import (
    invitados_de_la_sesion,
    invitados_por_institucion,
    quorum_exigido_texto,
    quorum_previsto,
    quorum_regla_texto,
    quorum_texto,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def participantes_de(context, sesion):
    """Guests, subrogantes and what this person may do about them on the session's page (which puts `coordina`
    and `convocado` in its context)."""
    user = context["request"].user
    subrogaciones = list(
        sesion.subrogaciones.select_related("titular", "subrogante", "invitado", "organizacion").order_by("pk")
    )
    abierta = sesion.fin > timezone.now()
    convocada = sesion.estado == Sesion.Estado.CONVOCADA and abierta
    coordina = context.get("coordina", False)
    return {
        "invitados": list(invitados_de_la_sesion(sesion)),
        "subrogaciones": subrogaciones,
        "propia": next((s for s in subrogaciones if s.titular_id == user.pk), None),
        "subroga_a": next((s for s in subrogaciones if s.subrogante_id == user.pk), None),
        "convocada": convocada,
        "designa": convocada and (context.get("convocado", False) or coordina),
        "invita": coordina and abierta and sesion.estado in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA),
    }


@register.simple_tag
def quorum_de(sesion):
    """{"texto", "clase"}: the quorum recorded with the attendance or, before it, the one asked for and what the
    answers promise; None when there is nothing to say."""
    if sesion.quorum:
        alcanzado = sesion.quorum["alcanzado"]
        clase = "alert-light" if alcanzado is None else ("alert-success" if alcanzado else "alert-warning")
        return {"texto": quorum_texto(sesion.quorum), "clase": clase}
    if sesion.estado in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA) and (
        sesion.mesa.quorum_regla != ReglaQuorum.NINGUNA
    ):
        return {"texto": quorum_exigido_texto(quorum_previsto(sesion)), "clase": ""}
    return None


@register.simple_tag
def invitados_del_acta(sesion):
    """[(institución, [presentes], [ausentes])] of the session's guests (subrogantes are listed with the
    organization they represent)."""
    return invitados_por_institucion(sesion)


@register.simple_tag
def regla_de_quorum(mesa):
    """ "Quórum: mayoría absoluta (hoy, 5 de 9 organizaciones)." for the mesa's page."""
    return quorum_regla_texto(mesa)
