"""URLs of action plans (namespace "planes")."""

from django.urls import include, path

from planes import views

app_name = "planes"

urlpatterns = [
    path("", views.planes, name="planes"),
    path("nuevo/", views.plan_nuevo, name="plan_nuevo"),
    path("<int:pk>/", views.plan, name="plan"),
    path("<int:pk>/editar/", views.plan_editar, name="plan_editar"),
    path("<int:pk>/estado/", views.plan_estado, name="plan_estado"),
    path("<int:pk>/aprobar/", views.plan_aprobar, name="plan_aprobar"),
    path("<int:pk>/versiones/<int:numero>/", views.plan_version, name="plan_version"),
    path("<int:pk>/elementos/nuevo/", views.nodo_nuevo, name="nodo_nuevo"),
    path("elementos/<int:pk>/editar/", views.nodo_editar, name="nodo_editar"),
    path("elementos/<int:pk>/quitar/", views.nodo_quitar, name="nodo_quitar"),
    path("elementos/<int:pk>/adaptacion/", views.nodo_adaptar, name="nodo_adaptar"),
    path("elementos/<int:pk>/avance/", views.avance_nuevo, name="avance_nuevo"),
    path("<int:pk>/evidencias/<int:adjunto_pk>/", views.evidencia, name="evidencia"),
    path("<int:pk>/evidencias/<int:adjunto_pk>/borrar/", views.evidencia_borrar, name="evidencia_borrar"),
    path("<int:pk>/hitos/nuevo/", views.hito_nuevo, name="hito_nuevo"),
    path("hitos/<int:pk>/cumplido/", views.hito_cumplido, name="hito_cumplido"),
    path("<int:pk>/indicadores/nuevo/", views.indicador_nuevo, name="indicador_nuevo"),
    path("indicadores/<int:pk>/medicion/", views.medicion_nueva, name="medicion_nueva"),
    path("<int:pk>/adaptar/", views.plan_adaptar, name="plan_adaptar"),
    path("<int:pk>/comparar/<int:otro>/", views.plan_comparar, name="plan_comparar"),
    path("desde-replicacion/<int:pk>/", views.plan_desde_replicacion, name="plan_desde_replicacion"),
    path("", include("planes.urls_archivos")),  # import, CSV and PDF
]
