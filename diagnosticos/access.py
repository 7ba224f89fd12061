"""The access gate for diagnoses, indicators and their imports.

borrador   only the authoring organization's members (any role) and staff; 404 for everyone else.
publicado  visibilidad "publica": anyone; "plataforma": every platform member (active membership) and staff;
           "mesa": members of the organizations that share an accepted mesa with the author's, and staff.
need="editar": the author's director(a) or integrante, or staff; a lector (or another organization that can
see it) gets 403. Indicators are imported by a director(a)/integrante for their own territory only.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import Http404

from comunas.access import ROLES_QUE_EDITAN, documentos_visibles, organizaciones_que_editan, roles_activos
from comunas.models import Comuna, Organizacion
from diagnosticos.models import Diagnostico, ImportacionIndicadores


def diagnosticos_visibles(user, roles=None):
    """comunas.access's rule for publishable documents."""
    publicado = Q(estado=Diagnostico.Estado.PUBLICADO)
    return documentos_visibles(Diagnostico.objects.all(), user, roles, publicado=publicado)


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


def organizaciones_donde_edita(user, roles=None):
    """The active organizations where the user may write diagnoses and import indicators."""
    return Organizacion.objects.con_territorio().filter(pk__in=organizaciones_que_editan(user, roles))


def territorios_importables(user):
    """CUT codes the user may import indicators for, or None for "all" (staff).

    A commune's directorate: its commune; a province's: the province and its communes. Regions: staff only.
    Raises PermissionDenied when the user may import nothing (a lector, or no active membership).
    """
    if user.is_authenticated and user.is_staff:
        return None
    codigos = set()
    for org in organizaciones_donde_edita(user):
        if org.comuna_id:
            codigos.add(org.comuna_id)
        else:
            codigos.add(org.provincia_id)
            codigos.update(Comuna.objects.filter(provincia_id=org.provincia_id).values_list("codigo", flat=True))
    if not codigos:
        raise PermissionDenied("Solo el director(a) o integrantes de una dirección pueden cargar indicadores.")
    return codigos


def get_importacion_for(user, pk, *, ligera=False):
    """An upload awaiting confirmation: only whoever uploaded it (404 for everyone else, staff included). `ligera`:
    without its checked rows and errors (tens of thousands for a big file), for the progress polled while a worker
    confirms it."""
    territorios_importables(user)  # 403 if the user lost the right to import since the upload
    consulta = ImportacionIndicadores.objects.defer("filas", "errores") if ligera else ImportacionIndicadores.objects
    try:
        return consulta.get(pk=pk, usuario=user)
    except (ImportacionIndicadores.DoesNotExist, ValueError, TypeError):
        raise Http404("Esa importación no existe o venció sin confirmarse: vuelva a subir el archivo.") from None
