from django.urls import path

from practicas import views

app_name = "practicas"
urlpatterns = [
    path("", views.indice, name="indice"),
]
