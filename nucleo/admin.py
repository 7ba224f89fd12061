from django.contrib import admin

from nucleo.models import Aviso, Latido, PreferenciaAvisos


@admin.register(Latido)
class LatidoAdmin(admin.ModelAdmin):
    list_display = ["nombre", "ultimo"]
    readonly_fields = ["nombre", "ultimo"]


@admin.register(Aviso)
class AvisoAdmin(admin.ModelAdmin):
    list_display = ["asunto", "para", "estado", "intentos", "creado", "enviado_en"]
    list_filter = ["estado", "esencial", "diferido"]
    search_fields = ["para", "asunto", "clave"]
    readonly_fields = [f.name for f in Aviso._meta.fields]
    date_hierarchy = "creado"


@admin.register(PreferenciaAvisos)
class PreferenciaAvisosAdmin(admin.ModelAdmin):
    list_display = ["usuario", "frecuencia"]
    raw_id_fields = ["usuario"]
