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
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from comunas.models import (
    Comuna,
    Diagnostico,
    ImportacionIndicadores,
    Invitacion,
    Membresia,
    Organizacion,
    SolicitudAcceso,
)
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


# --- Diagnoses and indicators (issue 6) --------------------------------------------------------------
# borrador   only the authoring organization's members (any role) and staff; 404 for everyone else.
# publicado  visibilidad "publica": anyone; "plataforma": every platform member (active membership) and staff;
#            "mesa": members of the organizations that share an accepted mesa with the author's, and staff.
# need="editar": the author's director(a) or integrante, or staff; a lector (or another organization that can
# see it) gets 403. Indicators are imported by a director(a)/integrante for their own territory only.

ROLES_QUE_EDITAN = (Membresia.Rol.DIRECTOR, Membresia.Rol.INTEGRANTE)


def roles_activos(user):
    """{organizacion_id: rol} of the user's active memberships (one query; empty for anonymous users)."""
    return dict(membresias_activas(user).values_list("organizacion_id", "rol"))


def diagnosticos_visibles(user, roles=None):
    if user.is_authenticated and user.is_staff:
        return Diagnostico.objects.all()
    roles = roles_activos(user) if roles is None else roles
    publicados = Q(estado=Diagnostico.Estado.PUBLICADO)
    if roles:
        abiertos = publicados & ~Q(visibilidad=Diagnostico.Visibilidad.MESA)
        en_sus_mesas = publicados & Q(
            visibilidad=Diagnostico.Visibilidad.MESA, organizacion_id__in=organizaciones_companeras(roles)
        )
        return Diagnostico.objects.filter(abiertos | en_sus_mesas | Q(organizacion_id__in=list(roles)))
    return Diagnostico.objects.filter(publicados, visibilidad=Diagnostico.Visibilidad.PUBLICA)


def puede_editar_diagnostico(user, diagnostico, roles):
    return (user.is_authenticated and user.is_staff) or roles.get(diagnostico.organizacion_id) in ROLES_QUE_EDITAN


def get_diagnostico_for(user, pk, need="ver"):
    """Returns (diagnostico, roles) or raises Http404 (not visible) / PermissionDenied (wrong role)."""
    if need not in ("ver", "editar"):
        raise ValueError(f"nivel de acceso desconocido: {need}")
    roles = roles_activos(user)
    try:
        diagnostico = diagnosticos_visibles(user, roles).para_listar().get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("No existe ese diagnóstico.") from None
    if need == "editar" and not puede_editar_diagnostico(user, diagnostico, roles):
        raise PermissionDenied("Su rol no permite editar este diagnóstico.")
    return diagnostico, roles


def organizaciones_que_editan(user, roles=None):
    """The active organizations where the user may write diagnoses and import indicators."""
    roles = roles_activos(user) if roles is None else roles
    ids = [org_id for org_id, rol in roles.items() if rol in ROLES_QUE_EDITAN]
    return Organizacion.objects.con_territorio().filter(pk__in=ids)


def territorios_importables(user):
    """CUT codes the user may import indicators for, or None for "all" (staff).

    A commune's directorate: its commune; a province's: the province and its communes. Regions: staff only.
    Raises PermissionDenied when the user may import nothing (a lector, or no active membership).
    """
    if user.is_authenticated and user.is_staff:
        return None
    codigos = set()
    for org in organizaciones_que_editan(user):
        if org.comuna_id:
            codigos.add(org.comuna_id)
        else:
            codigos.add(org.provincia_id)
            codigos.update(Comuna.objects.filter(provincia_id=org.provincia_id).values_list("codigo", flat=True))
    if not codigos:
        raise PermissionDenied("Solo el director(a) o integrantes de una dirección pueden cargar indicadores.")
    return codigos


def get_importacion_for(user, pk):
    """An upload awaiting confirmation: only whoever uploaded it (404 for everyone else, staff included)."""
    territorios_importables(user)  # 403 if the user lost the right to import since the upload
    try:
        return ImportacionIndicadores.objects.get(pk=pk, usuario=user)
    except (ImportacionIndicadores.DoesNotExist, ValueError, TypeError):
        raise Http404("Esa importación no existe o venció sin confirmarse: vuelva a subir el archivo.") from None
