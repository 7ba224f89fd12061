from django.contrib import admin
from django.urls import include, path

from mesa import views

admin.site.site_header = "Mesa — administración"
admin.site.site_title = "Mesa"
admin.site.index_title = "Administración de la plataforma"

urlpatterns = [
    path("", include("comunas.urls")),
    path("cuenta/", include("comunas.urls_cuenta")),
    path("practicas/", include("practicas.urls")),
    path("mesas/", views.mesas, name="mesas"),
    path("mesas/", include("mesa.urls_mesa")),
    path("salud/", views.salud, name="salud"),
    path("admin/", admin.site.urls),
]
