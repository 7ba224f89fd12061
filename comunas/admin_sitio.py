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


class AdminMesaConfig(AdminConfig):
    default_site = "comunas.admin_sitio.SitioAdmin"
