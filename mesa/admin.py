from django.contrib import admin

from mesa.models import (
    Acta,
    Acuerdo,
    DocumentoSesion,
    IntegranteInstitucional,
    InvitadoSesion,
    Mesa,
    Participacion,
    PuntoTabla,
    Sesion,
    Subrogacion,
)

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


class IntegranteInstitucionalInline(admin.TabularInline):
    model = IntegranteInstitucional
    extra = 0
    fields = ["institucion", "unidad", "nombre", "cargo", "email"]


@admin.register(Mesa)
class MesaAdmin(admin.ModelAdmin):
    list_display = ["nombre", "tipo", "anfitriona", "creada"]
    list_filter = ["tipo"]
    search_fields = ["nombre", "anfitriona__nombre"]
    list_select_related = ["anfitriona"]
    readonly_fields = ["tipo", "comuna", "anfitriona", "creada"]
    filter_horizontal = ["coordinadores"]
    fields = [
        "nombre",
        "tipo",
        "comuna",
        "anfitriona",
        "presidencia_nombre",
        "presidencia_cargo",
        "descripcion",
        "alcance",
        "acepta_solicitudes",
        "coordinadores",
        "recordar_acuerdos",
        "dias_recordar_acuerdos",
        "creada",
    ]
    inlines = [ParticipacionInline, IntegranteInstitucionalInline]

    def has_add_permission(self, request):
        return False  # "Nueva mesa" in the app: it makes the host's participation and the coordination


class PuntoTablaInline(admin.TabularInline):
    model = PuntoTabla
    extra = 0
    fields = [
        "orden",
        "titulo",
        "organizacion",
        "expositor",
        "duracion_minutos",
        "hora_inicio",
        "practica",
        "diagnostico",
    ]
    raw_id_fields = ["organizacion", "practica", "diagnostico"]


class _SoloLectura(admin.TabularInline):
    """Guests, subrogantes and documents change through the session's pages (notices, file checks)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvitadoSesionInline(_SoloLectura):
    model = InvitadoSesion
    fields = ["nombre", "institucion", "cargo", "email", "respuesta", "asistio"]
    readonly_fields = fields


class DocumentoSesionInline(_SoloLectura):
    model = DocumentoSesion  # uploading and deleting go through the app (file checks; the stored file removed too)
    fields = ["nombre", "tipo", "tamano", "punto", "subido_por", "creado"]
    readonly_fields = fields


class SubrogacionInline(_SoloLectura):
    model = Subrogacion
    fields = ["titular", "organizacion", "subrogante", "invitado", "designada_por", "creada"]
    readonly_fields = fields


@admin.register(Sesion)
class SesionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "inicio", "estado", "secuencia"]
    list_filter = ["estado", "tipo", "modalidad"]
    search_fields = ["mesa__nombre", "lugar"]
    list_select_related = ["mesa"]
    date_hierarchy = "inicio"
    readonly_fields = [
        "mesa",
        "numero",
        "estado",
        "secuencia",
        "uid",
        "convocada_en",
        "convocada_por",
        "recordada_en",
        "recordada_por",
        "quorum",
        "creada",
    ]
    inlines = [PuntoTablaInline, InvitadoSesionInline, SubrogacionInline, DocumentoSesionInline]

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
