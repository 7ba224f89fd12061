from django.apps import AppConfig


class ComunasConfig(AppConfig):
    name = "comunas"
    verbose_name = "Territorio y organizaciones"

    def ready(self):
        from comunas import seguridad  # noqa: F401  (signal receivers)
