"""{% progreso_avisos objeto as progreso %}: how the delivery of the notices about an object goes, for the line
"Enviando a N personas" of a page (e.g. a session's). One query."""

from django import template
from django.db.models import Count, Q

from nucleo.models import Aviso

register = template.Library()


@register.simple_tag
def progreso_avisos(objeto):
    """{"personas", "total", "enviados", "por_enviar", "problemas", "porcentaje"} over the notices of `objeto`,
    which declares a GenericRelation named `avisos` to nucleo.Aviso."""
    cifras = objeto.avisos.exclude(estado=Aviso.Estado.RESUMIDO).aggregate(
        personas=Count("para", distinct=True),
        enviados=Count("pk", filter=Q(estado=Aviso.Estado.ENVIADO)),
        por_enviar=Count("pk", filter=Q(estado__in=Aviso.ABIERTOS)),
        problemas=Count("pk", filter=Q(estado__in=Aviso.PROBLEMAS)),
    )
    total = cifras["total"] = cifras["enviados"] + cifras["por_enviar"] + cifras["problemas"]
    cifras["porcentaje"] = round(100 * cifras["enviados"] / total) if total else 100
    return cifras
