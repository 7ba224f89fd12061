"""The access gate for accounts and organizations: every view gets its objects through here.

Rules (house style): an outsider — someone who may not even know the object exists — gets 404;
a signed-in user who can see the object but lacks the role for the action gets 403.

    need="ver"        any active platform member (or staff) may see an active organization's profile;
                      a pending or suspended one only its own members and staff.
    need="editar"     its director(a), or staff (team, invitations, roles, profile data).
    need="administrar" staff only (approve, reject, suspend).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from comunas.models import Membresia, Organizacion

NIVELES = ("ver", "editar", "administrar")


def membresias_activas(user):
    """Memberships of the user in active organizations (the ones that grant access)."""
    if not user.is_authenticated:
        return Membresia.objects.none()
    return Membresia.objects.filter(usuario=user, organizacion__estado=Organizacion.Estado.ACTIVA)


def es_miembro_de_la_plataforma(user):
    return user.is_authenticated and (user.is_staff or membresias_activas(user).exists())


def rol_en(user, organizacion):
    """The user's role in that organization, or None."""
    if not user.is_authenticated:
        return None
    return Membresia.objects.filter(usuario=user, organizacion=organizacion).values_list("rol", flat=True).first()


def puede(user, organizacion, need, *, rol=None):
    """True/False for templates and services; `rol` avoids a query when the caller already knows it."""
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")
    if user.is_authenticated and user.is_staff:
        return True
    rol = rol if rol is not None else rol_en(user, organizacion)
    if need == "administrar":
        return False
    if need == "editar":
        return rol == Membresia.Rol.DIRECTOR and organizacion.estado == Organizacion.Estado.ACTIVA
    return rol is not None or (organizacion.estado == Organizacion.Estado.ACTIVA and es_miembro_de_la_plataforma(user))


def get_organizacion_for(user, pk, need="ver"):
    """Returns (organizacion, rol) or raises Http404 (not visible) / PermissionDenied (wrong role)."""
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")
    try:
        organizacion = Organizacion.objects.con_territorio().get(pk=pk)
    except (Organizacion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa organización.") from None
    rol = rol_en(user, organizacion)
    if not puede(user, organizacion, "ver", rol=rol):
        raise Http404("No existe esa organización.")
    if need != "ver" and not puede(user, organizacion, need, rol=rol):
        raise PermissionDenied("Su rol no permite esta acción en esta organización.")
    return organizacion, rol
