"""The Django admin behind the same sign-in and two-step verification as the rest of Mesa.

Loaded while INSTALLED_APPS is read, so nothing here imports models at module level."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse


class SitioAdmin(admin.AdminSite):
    def has_permission(self, request):
        # DosFactoresMiddleware already sends an unverified admin away; this holds even without it.
        from comunas.access import requiere_dos_factores

        verificado = getattr(request.user, "is_verified", lambda: False)()
        return super().has_permission(request) and (verificado or not requiere_dos_factores(request.user))

    def login(self, request, extra_context=None):
        # One sign-in page for everyone (lockout, second step, "¿Olvidó su contraseña?").
        from django.contrib.auth.views import redirect_to_login

        if not request.user.is_authenticated:
            destino = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
            return redirect_to_login(destino)
        return super().login(request, extra_context)


def _icono_si_no(valor):
    """Django's yes/no icon in the admin lists, with a Spanish alternative text (Django writes True/False)."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    icono, texto = {True: ("yes", "Sí"), False: ("no", "No"), None: ("unknown", "Sin dato")}[valor]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icono}.svg"), texto)


class AdminMesaConfig(AdminConfig):
    default_site = "comunas.admin_sitio.SitioAdmin"

    def ready(self):
        super().ready()
        from django.contrib.admin.templatetags import admin_list

        # The one place Django renders that icon; its callers import it from this module when they run.
        admin_list._boolean_icon = _icono_si_no
        # django-otp builds an English search help ("Search by user's …") for its device lists.
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for modelo in (TOTPDevice, StaticDevice):
            if modelo_admin := admin.site._registry.get(modelo):
                modelo_admin.search_help_text = "Busque por el correo electrónico de la persona."
