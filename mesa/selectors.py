"""Reads about mesas: who is convened, and which organizations share a mesa (the "miembros de una mesa"
visibility of practices and diagnoses, asked by the lower apps' gates)."""

from django.db.models import Count, Q
from django.utils import timezone

from comunas.models import Membresia, Organizacion, Usuario
from mesa.models import Participacion, PuntoTabla, Respuesta, Sesion
from nucleo.largos import miles


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


def convocados_por_organizacion(sesion):
    """Who a convocatoria, a change or a cancellation reaches, for the page that asks to confirm it:
    {"personas": distinct people, "organizaciones": [organizacion with `.personas`]}. Two queries."""
    organizaciones = (
        Organizacion.objects.filter(
            participaciones__mesa=sesion.mesa_id,
            participaciones__estado=Participacion.Estado.ACEPTADA,
            estado=Organizacion.Estado.ACTIVA,
        )
        .annotate(personas=Count("membresias__usuario", filter=Q(membresias__usuario__is_active=True), distinct=True))
        .order_by("nombre")
    )
    return {"personas": convocados(sesion).count(), "organizaciones": list(organizaciones)}


def sin_respuesta(sesion):
    """The convened people who have not answered the convocatoria."""
    return convocados(sesion).exclude(pk__in=sesion.respuestas.values("usuario_id"))


def resumen_respuestas(sesion):
    """The RSVP summary line of a session over the people convened today: {"asistire", "no_asistire", "tal_vez",
    "sin_respuesta", "total"}, counts of distinct people (someone in two organizations counts once). Two queries."""
    personas = convocados(sesion)
    total = personas.count()
    cuentas = dict(
        sesion.respuestas.filter(usuario__in=personas.values("pk"))
        .order_by()
        .values_list("opcion")
        .annotate(n=Count("pk"))
    )
    resumen = {opcion: cuentas.get(opcion, 0) for opcion in Respuesta.Opcion.values}
    resumen = {**resumen, "total": total, "sin_respuesta": total - sum(resumen.values())}
    return {**resumen, "texto": _linea_de_respuestas(resumen)}


def _linea_de_respuestas(resumen):
    """ "5 asistirán · 2 no · 1 tal vez · 1 por subrogante · 7 sin respuesta" ("tal vez" and "por subrogante" only
    when someone answered so)."""
    partes = [
        f"{miles(resumen['asistire'])} asistir{'á' if resumen['asistire'] == 1 else 'án'}",
        f"{miles(resumen['no_asistire'])} no",
    ]
    if resumen["tal_vez"]:
        partes.append(f"{miles(resumen['tal_vez'])} tal vez")
    if resumen.get("subrogante"):
        partes.append(f"{miles(resumen['subrogante'])} por subrogante")
    partes.append(f"{miles(resumen['sin_respuesta'])} sin respuesta")
    return " · ".join(partes)


def territorios_de_la_mesa(mesa_id):
    """The CUT codes of the organizations with an accepted participation in one mesa (one query).

    The caller checks the user may see that mesa (mesa.access.mesas_visibles): the indicator comparison by
    mesa (diagnosticos.grupos)."""
    codigos = Organizacion.objects.filter(
        participaciones__mesa_id=mesa_id, participaciones__estado=Participacion.Estado.ACEPTADA
    ).values_list("comuna_id", "provincia_id")
    return [c or p for c, p in codigos]


def convocados_con_nombres(sesion):
    """[(organizacion, [usuarios])]: who the session's notices (convocatoria, acta) reach, by organization, for the
    confirmation pages. Two queries whatever their number; a person in two organizations is listed in both."""
    participantes = sesion.mesa.participaciones.filter(
        estado=Participacion.Estado.ACEPTADA, organizacion__estado=Organizacion.Estado.ACTIVA
    ).values("organizacion_id")
    membresias = (
        Membresia.objects.filter(organizacion__in=participantes, usuario__is_active=True)
        .select_related("usuario", "organizacion")
        .order_by("organizacion__nombre", "usuario__nombre", "usuario_id")
    )
    grupos = {}
    for membresia in membresias:
        grupos.setdefault(membresia.organizacion, []).append(membresia.usuario)
    return list(grupos.items())


# --- Approving an acta at a later session ("Aprobación del acta anterior") ------------------------------


def sesiones_para_aprobar(acta, ahora=None):
    """The sessions that may approve the acta: later sessions of its mesa that have begun and were not
    cancelled (convened and under way, or held)."""
    return (
        Sesion.objects.filter(
            mesa_id=acta.sesion.mesa_id,
            inicio__gt=acta.sesion.inicio,
            inicio__lte=ahora or timezone.now(),
            estado__in=[Sesion.Estado.CONVOCADA, Sesion.Estado.REALIZADA],
        )
        .select_related("mesa")
        .order_by("inicio")
    )


def proxima_sesion_para_el_acta(acta, ahora=None):
    """The mesa's next session whose agenda can still take the acta: after the acta's session, in draft or
    convened, not over yet. None if the mesa has not planned it."""
    return (
        Sesion.objects.filter(
            mesa_id=acta.sesion.mesa_id,
            inicio__gt=acta.sesion.inicio,
            fin__gt=ahora or timezone.now(),
            estado__in=[Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA],
        )
        .order_by("inicio")
        .first()
    )


def punto_de_aprobacion(acta):
    """The latest agenda item that put the acta up for approval (in a session not cancelled), or None."""
    return (
        PuntoTabla.objects.filter(acta_a_aprobar=acta)
        .exclude(sesion__estado=Sesion.Estado.CANCELADA)
        .select_related("sesion")
        .order_by("-sesion__inicio")
        .first()
    )


def punto_de_aprobacion_pendiente(acta):
    """That item, while its session has not been held (its agenda still waits for the approval)."""
    punto = punto_de_aprobacion(acta)
    if punto is not None and punto.sesion.estado in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA):
        return punto
    return None
