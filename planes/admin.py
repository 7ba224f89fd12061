from django.contrib import admin

from planes.models import Aprobacion, EstadoActividad, Plan


@admin.register(EstadoActividad)
class EstadoActividadAdmin(admin.ModelAdmin):
    """The configurable catalogue of activity states, with the progress each one means by default."""

    list_display = ["nombre", "porcentaje", "terminal", "orden"]
    list_editable = ["porcentaje", "terminal", "orden"]


class AprobacionInline(admin.TabularInline):
    model = Aprobacion
    extra = 0
    can_delete = False
    fields = ["tipo", "fecha", "numero_acuerdo", "por", "version"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Read-mostly: plans are written through the site (roll-ups, versions and notices come from the services)."""

    list_display = ["titulo", "tipo", "organizacion", "estado", "avance", "anio_inicio", "anio_fin"]
    list_filter = ["tipo", "estado", "visibilidad"]
    search_fields = ["titulo", "organizacion__nombre"]
    list_select_related = ["organizacion"]
    readonly_fields = ["organizacion", "avance", "origen", "replicacion", "creado_por", "creado", "actualizado"]
    filter_horizontal = ["duenas"]
    exclude = ["problemas"]
    inlines = [AprobacionInline]

    def has_add_permission(self, request):
        return False
