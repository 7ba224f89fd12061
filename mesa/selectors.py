"""Reads about mesas: who is convened, and which organizations share a mesa (the "miembros de una mesa"
visibility of practices and diagnoses, asked by the lower apps' gates)."""

from comunas.models import Organizacion, Usuario
from mesa.models import Participacion


def organizaciones_companeras(organizacion_ids):
    """Ids of the organizations that share an accepted mesa with any of the given ones (themselves included).

    Two queries whatever the number of mesas. The host always has an accepted participation (mesa_crear).
    """
    organizacion_ids = list(organizacion_ids)
    if not organizacion_ids:
        return set()
    mesas = Participacion.objects.filter(
        organizacion_id__in=organizacion_ids, estado=Participacion.Estado.ACEPTADA
    ).values_list("mesa_id", flat=True)
    companeras = set(
        Participacion.objects.filter(mesa_id__in=list(mesas), estado=Participacion.Estado.ACEPTADA).values_list(
            "organizacion_id", flat=True
        )
    )
    return companeras | set(organizacion_ids)


def convocados(sesion):
    """Every active member of the host and of each organization that accepted, once each."""
    orgs = sesion.mesa.participaciones.filter(
        estado=Participacion.Estado.ACEPTADA, organizacion__estado=Organizacion.Estado.ACTIVA
    ).values("organizacion_id")
    return Usuario.objects.filter(is_active=True, membresias__organizacion__in=orgs).distinct().order_by("pk")


def territorios_de_la_mesa(mesa_id):
    """The CUT codes of the organizations with an accepted participation in one mesa (one query).

    The caller checks the user may see that mesa (mesa.access.mesas_visibles): the indicator comparison by
    mesa (diagnosticos.grupos)."""
    codigos = Organizacion.objects.filter(
        participaciones__mesa_id=mesa_id, participaciones__estado=Participacion.Estado.ACEPTADA
    ).values_list("comuna_id", "provincia_id")
    return [c or p for c, p in codigos]
