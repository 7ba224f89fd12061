from django.contrib import admin

from nucleo.models import Aviso, Latido, PreferenciaAvisos


@admin.register(Latido)
class LatidoAdmin(admin.ModelAdmin):
    list_display = ["nombre", "ultimo"]
    readonly_fields = ["nombre", "ultimo"]


# A notice's body may carry one-time links (an invitation, a password reset, RSVP answers): the admin shows
# who, what about and how delivery went, never the body nor the context it is written from.
OCULTOS = {"texto", "html", "adjuntos", "contexto"}


@admin.register(Aviso)
class AvisoAdmin(admin.ModelAdmin):
    list_display = ["asunto", "para", "estado", "intentos", "creado", "enviado_en"]
    list_filter = ["estado", "esencial", "diferido"]
    search_fields = ["para", "asunto", "clave"]
    exclude = sorted(OCULTOS)
    readonly_fields = [f.name for f in Aviso._meta.fields if f.name not in OCULTOS]
    date_hierarchy = "creado"


@admin.register(PreferenciaAvisos)
class PreferenciaAvisosAdmin(admin.ModelAdmin):
    list_display = ["usuario", "frecuencia"]
    raw_id_fields = ["usuario"]
