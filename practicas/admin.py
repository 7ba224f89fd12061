from django.contrib import admin

from nucleo.versiones import datos_legibles
from practicas.models import (
    AdjuntoPractica,
    Comentario,
    Practica,
    Replicacion,
    Resultado,
    ResultadoReplicacion,
    RevisionPares,
    VersionPractica,
)
from practicas.services import practica_indexar


class ResultadoInline(admin.TabularInline):
    model = Resultado
    extra = 0


@admin.register(Practica)
class PracticaAdmin(admin.ModelAdmin):
    """Read-mostly: writes go through the site (services keep search and versions); admins may fix states."""

    list_display = ["titulo", "organizacion", "estado", "visibilidad", "calificacion", "publicada_en"]
    list_filter = ["estado", "visibilidad", "calificacion", "region"]
    search_fields = ["titulo", "organizacion__nombre"]
    list_select_related = ["organizacion", "region"]
    readonly_fields = ["organizacion", "region", "provincia", "comuna", "autor", "creada", "actualizada",
                       "publicada_en", "archivada_en"]  # fmt: skip
    filter_horizontal = ["categorias"]
    inlines = [ResultadoInline]

    def save_related(self, request, form, formsets, change):
        """After the practice, its problems and outcomes are saved: the search text and the search table follow."""
        super().save_related(request, form, formsets, change)
        practica_indexar(form.instance)


@admin.register(VersionPractica)
class VersionPracticaAdmin(admin.ModelAdmin):
    list_display = ["practica", "numero", "por", "creada"]
    list_select_related = ["practica", "por"]
    fields = ["practica", "numero", "contenido", "por", "creada"]
    readonly_fields = fields

    @admin.display(description="contenido")
    def contenido(self, version):
        return datos_legibles(version.datos)


@admin.register(AdjuntoPractica)
class AdjuntoPracticaAdmin(admin.ModelAdmin):
    """Metadata only: files are served through the site's access-checked view, never from here."""

    list_display = ["nombre", "practica", "tipo", "tamano", "subido_por", "creado"]
    list_select_related = ["practica", "subido_por"]
    readonly_fields = ["practica", "archivo", "nombre", "tipo", "tamano", "subido_por", "creado"]


class ResultadoReplicacionInline(admin.TabularInline):
    model = ResultadoReplicacion
    extra = 0


@admin.register(Replicacion)
class ReplicacionAdmin(admin.ModelAdmin):
    list_display = ["practica", "organizacion", "estado", "fecha_inicio", "practica_resultante"]
    list_filter = ["estado"]
    list_select_related = ["practica", "organizacion", "practica_resultante"]
    raw_id_fields = ["practica", "practica_resultante"]
    readonly_fields = ["creada_por", "creada", "actualizada"]
    inlines = [ResultadoReplicacionInline]


@admin.register(Comentario)
class ComentarioAdmin(admin.ModelAdmin):
    """Moderation: staff may delete an inappropriate comment."""

    list_display = ["practica", "tipo", "autor", "organizacion", "creado"]
    list_filter = ["tipo"]
    list_select_related = ["practica", "autor", "organizacion"]
    readonly_fields = ["practica", "autor", "organizacion", "responde_a", "creado"]


@admin.register(RevisionPares)
class RevisionParesAdmin(admin.ModelAdmin):
    """Moderation: staff may delete an inappropriate peer review."""

    list_display = ["practica", "organizacion", "calificacion", "revisor", "actualizada"]
    list_filter = ["calificacion"]
    list_select_related = ["practica", "organizacion", "revisor"]
    readonly_fields = ["practica", "organizacion", "revisor", "creada", "actualizada"]
