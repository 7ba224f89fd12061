from django.urls import path

from practicas import views

app_name = "practicas"
urlpatterns = [
    path("", views.indice, name="indice"),
    path("nueva/", views.nueva, name="nueva"),
    path("exportar/", views.exportar, name="exportar"),
    path("<int:pk>/", views.detalle, name="detalle"),
    path("<int:pk>/imprimir/", views.imprimir, name="imprimir"),
    path("<int:pk>/editar/", views.editar, name="editar"),
    path("<int:pk>/publicar/", views.publicar, name="publicar"),
    path("<int:pk>/archivar/", views.archivar, name="archivar"),
    path("<int:pk>/comentarios/", views.comentar, name="comentar"),
    path("<int:pk>/revision/", views.revisar, name="revisar"),
    path("<int:pk>/replicar/", views.replicar, name="replicar"),
    path("replicaciones/<int:pk>/", views.replicacion, name="replicacion"),
    path("replicaciones/<int:pk>/editar/", views.replicacion_editar, name="replicacion_editar"),
    path("replicaciones/<int:pk>/practica/", views.replicacion_practica, name="replicacion_practica"),
    path("<int:pk>/adjuntos/", views.adjuntos_subir, name="adjuntos_subir"),
    path("<int:pk>/adjuntos/<int:adjunto_pk>/", views.adjunto, name="adjunto"),
    path("<int:pk>/adjuntos/<int:adjunto_pk>/borrar/", views.adjunto_borrar, name="adjunto_borrar"),
]
