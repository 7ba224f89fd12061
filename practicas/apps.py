from django.apps import AppConfig


class PracticasConfig(AppConfig):
    name = "practicas"
    verbose_name = "Buenas prácticas"
