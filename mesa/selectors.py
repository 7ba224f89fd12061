"""Reads about mesas that other apps use (the "miembros de una mesa" visibility of practices and diagnoses)."""

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
