from django.apps import AppConfig


class ComunasConfig(AppConfig):
    name = "comunas"
    verbose_name = "Territorio y organizaciones"
