"""The access gate for practices: every view gets its practices through here.

borrador    only the authoring organization's members (any role) and staff; 404 for everyone else.
publicada   visibilidad "publica": anyone, even without signing in;
            visibilidad "plataforma": every platform member (active membership) and staff;
            visibilidad "mesa": members of the organizations that share an accepted mesa with the
            authoring organization (mesa.selectors.organizaciones_companeras), and staff. Anonymous
            visitors are sent to sign in, as for "plataforma"; other members get 404.
archivada   like a draft: its own organization and staff see it (marked archived), others get 404.

need="editar": the authoring organization's director(a) or integrante, or staff; a lector gets 403.

Replications (get_replicacion_for): the replicating organization's members always see theirs; other
platform members (and staff) see it while they can see the origin practice. Anonymous visitors do not
see replications (they are the other commune's working data), even of a public practice.
need="editar": the replicating organization's director(a) or integrante, or staff.
Comments: read by whoever sees the practice; written by signed-in platform members (and staff) who see it,
while it is not archived.
Replicating ("Replicar en mi comuna"): a published practice, by a director(a) or integrante of another
active organization that has not replicated it yet.
need="revisar" (peer review of the evidence rating): a published practice the user sees, by a director(a)
or integrante of another active organization; its own organization, lectores and staff get 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from comunas.access import ROLES_QUE_EDITAN, documentos_visibles, roles_activos, ve_documento
from practicas.models import Practica, PracticaIndice, Replicacion

NIVELES = ("ver", "editar", "revisar")


def practicas_visibles(user, roles=None):
    """The practices this user may see: the filter behind every list and search (comunas.access's rule for
    publishable documents)."""
    return documentos_visibles(Practica.objects.all(), user, roles, publicado=Q(estado=Practica.Estado.PUBLICADA))


def indice_visible(user, roles=None):
    """The same rule over the narrow search table (PracticaIndice): the rows the library's search may return."""
    return documentos_visibles(PracticaIndice.objects.all(), user, roles, publicado=Q(estado=Practica.Estado.PUBLICADA))


def puede(user, practica, need, *, roles):
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")
    if need == "revisar":  # a peer speaks for its organization: staff has none
        return bool(organizaciones_que_pueden_revisar(practica, roles))
    if user.is_authenticated and user.is_staff:
        return True
    if need == "editar":
        return roles.get(practica.organizacion_id) in ROLES_QUE_EDITAN
    return ve_documento(user, practica, roles, publicado=practica.es_publicada)


def get_practica_for(user, pk, need="ver"):
    """Returns (practica, roles) or raises Http404 (not visible) / PermissionDenied (wrong role)."""
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")
    try:
        relacionados = ("organizacion", "comuna", "provincia", "region", "autor")
        practica = Practica.objects.con_html().select_related(*relacionados).get(pk=pk)
    except (Practica.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa práctica.") from None
    roles = roles_activos(user)
    if not puede(user, practica, "ver", roles=roles):
        raise Http404("No existe esa práctica.")
    if need != "ver" and not puede(user, practica, need, roles=roles):
        raise PermissionDenied(NEGADO[need])
    return practica, roles


NEGADO = {
    "editar": "Su rol no permite editar esta práctica.",
    "revisar": "Solo un(a) director(a) o integrante de otra organización revisa la evidencia de una práctica "
    "publicada.",
}


def organizaciones_que_pueden_revisar(practica, roles):
    """Ids of the user's organizations that may review this practice's evidence rating (sorted)."""
    if not practica.es_publicada:
        return []
    return sorted(
        org_id for org_id, rol in roles.items() if rol in ROLES_QUE_EDITAN and org_id != practica.organizacion_id
    )


def ve_replicaciones(user, roles):
    """Replications of a visible practice are shown to platform members and staff, not to anonymous visitors."""
    return bool(roles) or (user.is_authenticated and user.is_staff)


def organizaciones_que_pueden_replicar(user, practica, roles, ya_replicaron=()):
    """Ids of the user's organizations that may still replicate this practice."""
    if not practica.es_publicada:
        return []
    return [
        org_id
        for org_id, rol in roles.items()
        if rol in ROLES_QUE_EDITAN and org_id != practica.organizacion_id and org_id not in ya_replicaron
    ]


def puede_replicacion(user, replicacion, need, *, roles):
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")
    if user.is_authenticated and user.is_staff:
        return True
    rol = roles.get(replicacion.organizacion_id)
    if need == "editar":
        return rol in ROLES_QUE_EDITAN
    return rol is not None or (bool(roles) and puede(user, replicacion.practica, "ver", roles=roles))


def get_replicacion_for(user, pk, need="ver"):
    """Returns (replicacion, roles) or raises Http404 (not visible) / PermissionDenied (wrong role)."""
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")
    try:
        replicacion = Replicacion.objects.select_related(
            "organizacion", "practica__organizacion", "practica__comuna", "practica__provincia", "practica_resultante"
        ).get(pk=pk)
    except (Replicacion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa réplica.") from None
    roles = roles_activos(user)
    if not puede_replicacion(user, replicacion, "ver", roles=roles):
        raise Http404("No existe esa réplica.")
    if need != "ver" and not puede_replicacion(user, replicacion, need, roles=roles):
        raise PermissionDenied("Su rol no permite editar esta réplica.")
    return replicacion, roles


def puede_comentar(user, practica, roles):
    """Assumes the practice is visible to the user (it came through get_practica_for)."""
    miembro = bool(roles) or (user.is_authenticated and user.is_staff)
    return miembro and not practica.es_archivada
