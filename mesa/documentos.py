"""Documents of a session and of its agenda items (presentations, reports): the gate and the services, through
the attachment machinery every app shares (nucleo.adjuntos: checked by content, stored under a random name,
downloaded only through the gate, always as an attachment).

    ver      whoever sees the session (mesa.access.get_sesion_for: the members of the mesa and staff; a draft, only
             its coordination). Outsiders get 404.
    subir    the coordination, to the session or to any item; a director(a) or integrante of the item's presenting
             organization, to that item (a lector only reads). Others get 403.
    borrar   whoever may upload where the document is.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from comunas.access import organizaciones_que_editan
from mesa.access import get_sesion_for, puede_coordinar
from mesa.models import DocumentoSesion, Sesion
from mesa.tabla import horario
from nucleo.adjuntos import adjunto_eliminar, adjuntos_guardar
from nucleo.formularios import AdjuntosForm

MAX_DOCUMENTOS_POR_SESION = 40
NIVELES = ("ver", "borrar")


def puede_subir(user, sesion, punto=None, *, coordina=None, edita=None):
    """`coordina` and `edita` (ids of the organizations where the user writes) spare queries in a loop."""
    if not user.is_authenticated:
        return False
    coordina = puede_coordinar(user, sesion.mesa) if coordina is None else coordina
    if coordina:
        return True
    if punto is None or punto.organizacion_id is None:
        return False
    edita = organizaciones_que_editan(user) if edita is None else edita
    return punto.organizacion_id in edita


def exigir_subir(user, sesion, punto=None):
    if not puede_subir(user, sesion, punto):
        if punto is None:
            raise PermissionDenied("Solo la coordinación sube documentos a la sesión.")
        raise PermissionDenied("Solo la coordinación o la organización que presenta el punto suben sus documentos.")


def get_documento_for(user, pk, need="ver"):
    """The document with its session (through the session's gate), or 404 / 403."""
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")
    try:
        documento = DocumentoSesion.objects.select_related("punto").get(pk=pk)
    except (DocumentoSesion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe ese documento.") from None
    documento.sesion = get_sesion_for(user, documento.sesion_id)
    if need == "borrar" and not puede_subir(user, documento.sesion, documento.punto):
        raise PermissionDenied("Solo la coordinación o la organización que presenta el punto borran este documento.")
    return documento


@transaction.atomic
def documentos_agregar(*, sesion, por, archivos, punto=None):
    """Checks every file from its content first; saves all of them or none. A cancelled session takes none."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)  # one count at a time
    if punto is not None and punto.sesion_id != sesion.pk:
        raise ValidationError("Ese punto no es de esta sesión.")
    exigir_subir(por, sesion, punto)
    if sesion.estado == Sesion.Estado.CANCELADA:
        raise ValidationError("Una sesión cancelada no recibe documentos.")
    if not archivos:
        raise ValidationError("Elija al menos un archivo para adjuntar.")
    creados = adjuntos_guardar(
        relacion=sesion.documentos,
        archivos=archivos,
        por=por,
        maximo=MAX_DOCUMENTOS_POR_SESION,
        demasiados=f"Una sesión admite hasta {MAX_DOCUMENTOS_POR_SESION} documentos.",
    )
    if punto is not None:
        DocumentoSesion.objects.filter(pk__in=[d.pk for d in creados]).update(punto=punto)
        for documento in creados:
            documento.punto = punto
    return creados


@transaction.atomic
def documento_borrar(*, documento, por):
    if not puede_subir(por, documento.sesion, documento.punto):
        raise PermissionDenied("Solo la coordinación o la organización que presenta el punto borran este documento.")
    adjunto_eliminar(documento)
    return documento


def contexto_de_la_sesion(user, sesion, puntos, *, coordina):
    """What the session page adds for the agenda and its documents: each item's timetable (mesa.tabla), its
    documents and whether this person may upload there; the session's own documents. Two queries."""
    documentos = {}
    for documento in sesion.documentos.all():
        documentos.setdefault(documento.punto_id, []).append(documento)
    abierta = sesion.estado != Sesion.Estado.CANCELADA
    edita = organizaciones_que_editan(user) if abierta and not coordina else []
    for punto in puntos:
        punto.documentos_lista = documentos.get(punto.pk, [])
        punto.sube_documentos = abierta and puede_subir(user, sesion, punto, coordina=coordina, edita=edita)
    return {
        "tabla": horario(sesion, puntos),
        "documentos_sesion": documentos.get(None, []),
        "sube_documentos": abierta and coordina,
        "documentos_form": AdjuntosForm(max_mb=settings.PRACTICAS_ADJUNTO_MAX_MB),
    }
