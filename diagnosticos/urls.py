"""URLs of diagnoses and indicators (namespace "diagnosticos")."""

from django.urls import path

from diagnosticos import views

app_name = "diagnosticos"

urlpatterns = [
    path("diagnosticos/", views.diagnosticos, name="diagnosticos"),
    path("diagnosticos/nuevo/", views.diagnostico_nuevo, name="diagnostico_nuevo"),
    path("diagnosticos/<int:pk>/", views.diagnostico_detalle, name="diagnostico"),
    path("diagnosticos/<int:pk>/editar/", views.diagnostico_editar, name="diagnostico_editar"),
    path("diagnosticos/<int:pk>/publicar/", views.diagnostico_publicar, name="diagnostico_publicar"),
    path("diagnosticos/<int:pk>/imprimir/", views.diagnostico_imprimir, name="diagnostico_imprimir"),
    path("diagnosticos/<int:pk>/adjuntos/", views.diagnostico_adjuntos_subir, name="diagnostico_adjuntos_subir"),
    path("diagnosticos/<int:pk>/adjuntos/<int:adjunto_pk>/", views.diagnostico_adjunto, name="diagnostico_adjunto"),
    path(
        "diagnosticos/<int:pk>/adjuntos/<int:adjunto_pk>/borrar/",
        views.diagnostico_adjunto_borrar,
        name="diagnostico_adjunto_borrar",
    ),
    path("indicadores/", views.indicadores, name="indicadores"),
    path("indicadores/comparar/", views.indicadores_comparar, name="indicadores_comparar"),
    path("indicadores/exportar.csv", views.indicadores_exportar, name="indicadores_exportar"),
    path("indicadores/importar/", views.indicadores_importar, name="indicadores_importar"),
    path("indicadores/importar/<int:pk>/", views.indicadores_importacion, name="indicadores_importacion"),
    path(
        "indicadores/importar/<int:pk>/estado.json",
        views.indicadores_importacion_estado,
        name="indicadores_importacion_estado",
    ),
    path(
        "indicadores/plantilla.<str:formato>",
        views.indicadores_plantilla,
        name="indicadores_plantilla",
    ),
    path("indicadores/<str:codigo>/", views.indicadores_territorio, name="indicadores_territorio"),
]
