from django.apps import AppConfig


class MesaConfig(AppConfig):
    name = "mesa"
    verbose_name = "Mesa"
