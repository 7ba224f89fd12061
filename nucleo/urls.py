from django.urls import path

from nucleo import views

urlpatterns = [
    path("salud/", views.salud, name="salud"),
    path("salud/noop/", views.noop, name="noop"),  # make bench only (BENCH=1); 404 otherwise
]
