from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NucleoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nucleo"
    verbose_name = "Plataforma"

    def ready(self):
        # Each app's `avisos` module registers its notice redactors (nucleo.avisos.redactor), as admin.py
        # registers models: a higher app plugs in without nucleo importing it.
        autodiscover_modules("avisos")
