"""The access gate for mesas and their sessions: every view gets its objects through here.

    need="ver"        members of the host or of an organization that accepted the invitation (any role),
                      the mesa's coordinators, and staff. A draft session only those who coordinate.
    need="coordinar"  the mesa's coordinators, and staff.

Outsiders get 404 (they may not know the mesa exists); a member without the role gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from comunas.models import Organizacion
from mesa.models import Mesa, Participacion, Sesion

NIVELES = ("ver", "coordinar")


def organizaciones_del_usuario(user):
    """Ids of the active organizations the user belongs to."""
    if not user.is_authenticated:
        return []
    return list(
        user.membresias.filter(organizacion__estado=Organizacion.Estado.ACTIVA).values_list(
            "organizacion_id", flat=True
        )
    )


def mesas_visibles(user):
    if not user.is_authenticated:
        return Mesa.objects.none()
    if user.is_staff:
        return Mesa.objects.all()
    orgs = organizaciones_del_usuario(user)
    participa = Q(participaciones__organizacion__in=orgs, participaciones__estado=Participacion.Estado.ACEPTADA)
    visibles = Mesa.objects.filter(participa | Q(anfitriona__in=orgs) | Q(coordinadores=user)).values("pk")
    return Mesa.objects.filter(pk__in=visibles)


def puede_coordinar(user, mesa):
    if not user.is_authenticated:
        return False
    return user.is_staff or mesa.coordinadores.filter(pk=user.pk).exists()


def _exigir(need):
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")


def get_mesa_for(user, pk, need="ver"):
    """Returns the mesa or raises Http404 (not visible) / PermissionDenied (cannot coordinate)."""
    _exigir(need)
    try:
        mesa = mesas_visibles(user).select_related("anfitriona").get(pk=pk)
    except (Mesa.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa mesa.") from None
    if need == "coordinar" and not puede_coordinar(user, mesa):
        raise PermissionDenied("Solo la coordinación de la mesa puede hacer esto.")
    return mesa


def get_sesion_for(user, pk, need="ver"):
    """Returns the session (with its mesa) under the same rule; a draft is invisible to non-coordinators."""
    _exigir(need)
    try:
        sesion = Sesion.objects.select_related("mesa__anfitriona").get(pk=pk)
    except (Sesion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa sesión.") from None
    get_mesa_for(user, sesion.mesa_id, need="ver")
    coordina = puede_coordinar(user, sesion.mesa)
    if sesion.estado == Sesion.Estado.BORRADOR and not coordina:
        raise Http404("No existe esa sesión.")
    if need == "coordinar" and not coordina:
        raise PermissionDenied("Solo la coordinación de la mesa puede hacer esto.")
    return sesion


def get_participacion_for(user, pk):
    """An invitation of an organization to a mesa, to accept: its director(a), or staff."""
    from comunas.access import get_organizacion_for

    try:
        participacion = Participacion.objects.select_related("mesa", "organizacion").get(pk=pk)
    except (Participacion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa invitación.") from None
    get_organizacion_for(user, participacion.organizacion_id, need="editar")
    return participacion


def get_acta_for(user, sesion_pk, need="ver"):
    """The acta of a session. A draft (borrador) is only for the coordination; once circulated, every
    member sees it. A session without an acta is a 404."""
    from mesa.models import Acta

    sesion = get_sesion_for(user, sesion_pk, need=need)
    try:
        acta = Acta.objects.select_related("sesion__mesa__anfitriona", "aprobada_en_sesion").get(sesion=sesion)
    except Acta.DoesNotExist:
        raise Http404("Esta sesión aún no tiene acta.") from None
    if acta.estado == Acta.Estado.BORRADOR and not puede_coordinar(user, sesion.mesa):
        raise Http404("Esta sesión aún no tiene acta.")
    return acta


def get_acuerdo_for(user, pk):
    """An acuerdo, for whoever sees its mesa; who may change its state is decided by the service."""
    from mesa.models import Acta, Acuerdo

    try:
        acuerdo = Acuerdo.objects.select_related("acta__sesion__mesa", "organizacion").get(pk=pk)
    except (Acuerdo.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe ese acuerdo.") from None
    get_mesa_for(user, acuerdo.acta.sesion.mesa_id)
    if acuerdo.acta.estado == Acta.Estado.BORRADOR and not puede_coordinar(user, acuerdo.acta.sesion.mesa):
        raise Http404("No existe ese acuerdo.")
    return acuerdo
