from django.urls import path

from comunas import views

urlpatterns = [
    path("", views.portada, name="portada"),
    path("inicio/", views.inicio, name="inicio"),
    path("organizacion/", views.mi_organizacion, name="mi_organizacion"),
    path("diagnosticos/", views.diagnosticos, name="diagnosticos"),
]
