"""The access gate for accounts and organizations: every view gets its objects through here.

Rules (house style): an outsider — someone who may not even know the object exists — gets 404;
a signed-in user who can see the object but lacks the role for the action gets 403.

    need="ver"        any active platform member (or staff) may see an active organization's profile;
                      a pending or suspended one only its own members and staff.
    need="editar"     its director(a), or staff (team, invitations, roles, profile data).
    need="administrar" staff only (approve, reject, suspend).
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from comunas.models import Invitacion, Membresia, Organizacion, SolicitudAcceso
from mesa.selectors import organizaciones_companeras

NIVELES = ("ver", "editar", "administrar")


def membresias_activas(user):
    """Memberships of the user in active organizations (the ones that grant access)."""
    if not user.is_authenticated:
        return Membresia.objects.none()
    return Membresia.objects.filter(usuario=user, organizacion__estado=Organizacion.Estado.ACTIVA)


def es_miembro_de_la_plataforma(user):
    return user.is_authenticated and (user.is_staff or membresias_activas(user).exists())


def requiere_dos_factores(user):
    """The one rule for who must use two-step verification: platform admins and the coordinators of any mesa."""
    return user.is_authenticated and (user.is_staff or user.mesas_coordinadas.exists())


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


def organizaciones_suspendidas(user):
    """The suspended organizations that keep this user out: all of theirs, when none is active (staff: none)."""
    if not user.is_authenticated or user.is_staff or membresias_activas(user).exists():
        return Organizacion.objects.none()
    return Organizacion.objects.filter(membresias__usuario=user, estado=Organizacion.Estado.SUSPENDIDA)


def miembro_requerido(view):
    """For every internal page: signed in, and not kept out by a suspended organization (nothing is deleted)."""

    @login_required
    @wraps(view)
    def envoltura(request, *args, **kwargs):
        suspendidas = list(organizaciones_suspendidas(request.user))
        if suspendidas:
            return render(request, "comunas/suspendida.html", {"suspendidas": suspendidas}, status=403)
        return view(request, *args, **kwargs)

    return envoltura


def exigir_staff(user):
    """Platform-wide administration pages (e.g. pending requests): staff only, 403 for everyone else."""
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied("Solo la administración de la plataforma puede ver esta página.")


def get_solicitud_for(user, pk):
    """A request to join: staff resolve new directorates; the directorate's director(a) resolves "unirse"."""
    try:
        solicitud = SolicitudAcceso.objects.select_related("usuario", "organizacion").get(pk=pk)
    except (SolicitudAcceso.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa solicitud.") from None
    if user.is_authenticated and user.is_staff:
        return solicitud
    if solicitud.tipo == SolicitudAcceso.Tipo.UNIRSE:
        if rol_en(user, solicitud.organizacion) is None:  # a request to join is the team's own business
            raise Http404("No existe esa solicitud.")
        get_organizacion_for(user, solicitud.organizacion_id, need="editar")
        return solicitud
    if es_miembro_de_la_plataforma(user):
        raise PermissionDenied("Solo la administración de la plataforma resuelve esta solicitud.")
    raise Http404("No existe esa solicitud.")


def get_invitacion_for(user, pk):
    """An invitation, to resend or revoke: same rule as editing its organization's team."""
    try:
        invitacion = Invitacion.objects.select_related("organizacion").get(pk=pk)
    except (Invitacion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa invitación.") from None
    get_organizacion_for(user, invitacion.organizacion_id, need="editar")
    return invitacion


def get_membresia_for(user, pk):
    """A team member's place, to change their role or remove them: same rule as editing the team."""
    try:
        membresia = Membresia.objects.select_related("usuario", "organizacion").get(pk=pk)
    except (Membresia.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa membresía.") from None
    get_organizacion_for(user, membresia.organizacion_id, need="editar")
    return membresia


# --- Roles and visibility: the one place every gate asks ------------------------------------------------
# A person's rights come from their memberships in *active* organizations (a suspended organization's
# members have none). Publishable documents (practices, diagnoses, plans) share one visibility rule:
#   its own organization's members see it in any state; once published, "publica" is for anyone,
#   "plataforma" for every platform member, "mesa" for the members of the organizations that share an
#   accepted mesa with the author's (mesa.selectors.organizaciones_companeras); staff see everything.

ROLES_QUE_EDITAN = (Membresia.Rol.DIRECTOR, Membresia.Rol.INTEGRANTE)
VISIBILIDAD_PUBLICA = "publica"
VISIBILIDAD_MESA = "mesa"
VISIBILIDAD_DUENAS = "duenas"


def es_staff(user):
    return user.is_authenticated and user.is_staff


def roles_activos(user):
    """{organizacion_id: rol} of the user's active memberships (one query; empty for anonymous users)."""
    return dict(membresias_activas(user).values_list("organizacion_id", "rol"))


def organizaciones_activas(user, roles=None):
    """Ids of the active organizations the user belongs to (any role)."""
    return list(roles_activos(user) if roles is None else roles)


def organizaciones_que_editan(user, roles=None):
    """Ids of the active organizations where the user is director(a) or integrante (writes its documents)."""
    roles = roles_activos(user) if roles is None else roles
    return [org_id for org_id, rol in roles.items() if rol in ROLES_QUE_EDITAN]


def documentos_visibles(queryset, user, roles=None, *, publicado, organizacion="organizacion_id"):
    """The filter behind every list of publishable documents. `publicado` is the Q of the published state;
    the model has `visibilidad` and an owning organization (`organizacion`: the field, or a to-many path such
    as "duenas__id" for a document with several owners). Visibility "duenas" keeps a published document for its
    owners. For a platform member, two more queries find the organizations that share a mesa with theirs."""
    if es_staff(user):
        return queryset
    roles = roles_activos(user) if roles is None else roles
    if roles:
        de_mesa = Q(visibilidad=VISIBILIDAD_MESA)
        solo_duenas = Q(visibilidad=VISIBILIDAD_DUENAS)
        en_sus_mesas = de_mesa & Q(**{f"{organizacion}__in": list(organizaciones_companeras(roles))})
        propios = Q(**{f"{organizacion}__in": list(roles)})
        filtrado = queryset.filter((publicado & ((~de_mesa & ~solo_duenas) | en_sus_mesas)) | propios)
        return filtrado.distinct() if "__" in organizacion else filtrado
    return queryset.filter(publicado, visibilidad=VISIBILIDAD_PUBLICA)


def documentos_visibles_para_todos(queryset, organizaciones, *, publicado):
    """The documents that every member of `organizaciones` — the organizations of one mesa — may see: published,
    and not "mesa" visibility unless their organization is one of them (it shares that mesa with all). What a
    mesa may put before all its members (an agenda item's linked practice or diagnosis)."""
    de_mesa = Q(visibilidad=VISIBILIDAD_MESA)
    return queryset.filter(publicado & (~de_mesa | Q(organizacion_id__in=list(organizaciones))))


def comparte_alguna_mesa(organizacion_id):
    """Whether "mesa" visibility would reach anyone beyond the organization itself."""
    return organizaciones_companeras([organizacion_id]) != {organizacion_id}


def ve_documento(user, documento, roles, *, publicado, duenas=None):
    """The same rule for one document already loaded (`publicado`: whether it is in its published state;
    `duenas`: the ids of its owners when it has several)."""
    duenas = set(duenas) if duenas is not None else {documento.organizacion_id}
    if es_staff(user) or duenas & set(roles):
        return True
    if not publicado or documento.visibilidad == VISIBILIDAD_DUENAS:
        return False
    if documento.visibilidad == VISIBILIDAD_PUBLICA:
        return True
    if documento.visibilidad == VISIBILIDAD_MESA:
        return bool(roles) and bool(duenas & organizaciones_companeras(roles))
    return bool(roles)
