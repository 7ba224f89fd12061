from django.contrib import admin

from mesa.models import Latido


@admin.register(Latido)
class LatidoAdmin(admin.ModelAdmin):
    list_display = ["nombre", "ultimo"]
    readonly_fields = ["nombre", "ultimo"]
