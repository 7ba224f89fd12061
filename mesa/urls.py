from django.contrib import admin
from django.urls import include, path

from mesa import inicio, views

admin.site.site_header = "Mesa — administración"
admin.site.site_title = "Mesa"
admin.site.index_title = "Administración de la plataforma"

urlpatterns = [
    path("", include("nucleo.urls")),
    path("", include("comunas.urls")),
    path("", include("diagnosticos.urls")),
    path("planes/", include("planes.urls")),
    path("cuenta/", include("comunas.urls_cuenta")),
    path("practicas/", include("practicas.urls")),
    path("inicio/", inicio.inicio, name="inicio"),
    path("inicio/primeros-pasos/ocultar/", inicio.primeros_pasos_ocultar, name="primeros_pasos_ocultar"),
    path("mesas/", views.mesas, name="mesas"),
    path("mesas/", include("mesa.urls_mesa")),
    path("admin/", admin.site.urls),
]
