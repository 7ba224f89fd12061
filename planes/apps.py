from django.apps import AppConfig


class PlanesConfig(AppConfig):
    name = "planes"
    verbose_name = "Planes de acción"
