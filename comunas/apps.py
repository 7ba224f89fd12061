from django.apps import AppConfig


class ComunasConfig(AppConfig):
    name = "comunas"
    verbose_name = "Territorio y organizaciones"

    def ready(self):
        from comunas import seguridad  # noqa: F401  (signal receivers)

        _nombres_en_castellano()


# Third-party apps shown in Django's admin whose names are not translatable strings (or have no Spanish):
# named here, once, so nothing English reaches the administration pages.
NOMBRES = {
    "axes": "Bloqueo de accesos",
    "otp_totp": ("Verificación en dos pasos", "TOTPDevice", "autenticador", "autenticadores"),
    "otp_static": ("Códigos de recuperación", "StaticDevice", "juego de códigos", "juegos de códigos"),
}


def _nombres_en_castellano():
    from django.apps import apps

    for etiqueta, nombres in NOMBRES.items():
        config = apps.get_app_config(etiqueta)
        if isinstance(nombres, str):
            config.verbose_name = nombres
            continue
        config.verbose_name, modelo, singular, plural = nombres
        meta = config.get_model(modelo)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural
