from django.contrib import admin

from mesa.models import Acta, Acuerdo, Mesa, Participacion, PuntoTabla, Sesion

# Mesas, sessions, actas and acuerdos are read-mostly here: their states change through the app's services
# (convening sends invitations, publishing sends notices), never by editing a row.


class ParticipacionInline(admin.TabularInline):
    model = Participacion
    extra = 0
    can_delete = False
    fields = ["organizacion", "estado", "origen", "invitada_en", "invitada_por", "aceptada_en", "rechazada_en"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Mesa)
class MesaAdmin(admin.ModelAdmin):
    list_display = ["nombre", "anfitriona", "creada"]
    search_fields = ["nombre", "anfitriona__nombre"]
    list_select_related = ["anfitriona"]
    readonly_fields = ["anfitriona", "creada"]
    filter_horizontal = ["coordinadores"]
    fields = ["nombre", "anfitriona", "descripcion", "alcance", "acepta_solicitudes", "coordinadores", "creada"]
    inlines = [ParticipacionInline]

    def has_add_permission(self, request):
        return False  # "Nueva mesa" in the app: it makes the host's participation and the coordination


class PuntoTablaInline(admin.TabularInline):
    model = PuntoTabla
    extra = 0
    fields = ["orden", "titulo", "organizacion", "duracion_minutos", "practica", "diagnostico"]
    raw_id_fields = ["organizacion", "practica", "diagnostico"]


@admin.register(Sesion)
class SesionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "inicio", "estado", "secuencia"]
    list_filter = ["estado", "tipo", "modalidad"]
    search_fields = ["mesa__nombre", "lugar"]
    list_select_related = ["mesa"]
    date_hierarchy = "inicio"
    readonly_fields = ["mesa", "numero", "estado", "secuencia", "uid", "convocada_en", "creada"]
    inlines = [PuntoTablaInline]

    def has_add_permission(self, request):
        return False


@admin.register(Acta)
class ActaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "estado", "circulada_en", "aprobada_en", "publicada_en"]
    list_filter = ["estado"]
    search_fields = ["sesion__mesa__nombre"]
    list_select_related = ["sesion__mesa"]
    readonly_fields = [f.name for f in Acta._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Acuerdo)
class AcuerdoAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organizacion", "plazo", "estado"]
    list_filter = ["estado"]
    search_fields = ["descripcion", "organizacion__nombre"]
    list_select_related = ["organizacion"]
    readonly_fields = ["acta", "organizacion", "estado", "cumplido_en", "creado"]

    def has_add_permission(self, request):
        return False
