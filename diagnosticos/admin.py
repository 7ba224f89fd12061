from django.contrib import admin

from diagnosticos.models import Diagnostico, ImportacionIndicadores, Indicador, ProblemaPriorizado


class ProblemaPriorizadoInline(admin.TabularInline):
    model = ProblemaPriorizado
    extra = 0


@admin.register(Diagnostico)
class DiagnosticoAdmin(admin.ModelAdmin):
    list_display = ["titulo", "organizacion", "anio_inicio", "anio_fin", "estado", "visibilidad"]
    list_filter = ["estado", "visibilidad", "construccion"]
    search_fields = ["titulo", "organizacion__nombre"]
    list_select_related = ["organizacion"]
    inlines = [ProblemaPriorizadoInline]


@admin.register(Indicador)
class IndicadorAdmin(admin.ModelAdmin):
    list_display = ["territorio", "categoria", "periodicidad", "anio", "trimestre", "mes", "frecuencia", "tasa"]
    list_filter = ["periodicidad", "anio", "categoria__taxonomia"]
    search_fields = ["territorio", "comuna__nombre", "categoria__nombre"]
    list_select_related = ["categoria"]
    raw_id_fields = ["importacion"]


@admin.register(ImportacionIndicadores)
class ImportacionIndicadoresAdmin(admin.ModelAdmin):
    list_display = ["nombre_archivo", "usuario", "estado", "total_filas", "creados", "actualizados", "creada"]
    list_filter = ["estado"]
    exclude = ["filas", "huella"]  # the rows, and the file's fingerprint (only used to spot a repeated upload)
    readonly_fields = [f.name for f in ImportacionIndicadores._meta.fields if f.name not in {"filas", "huella"}]

    def has_add_permission(self, request):
        return False
