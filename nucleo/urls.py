from django.urls import path

from nucleo import views

urlpatterns = [
    path("salud/", views.salud, name="salud"),
]
