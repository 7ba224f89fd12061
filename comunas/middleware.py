"""Two-step verification on every internal page (the rule of who needs it lives in comunas.access)."""

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from comunas import seguridad

# Reachable before the second step: leaving, the health check and the public password-reset pages.
LIBRES = frozenset(
    {
        "logout",
        "salud",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


class DosFactoresMiddleware:
    """After the password, a user with an authenticator must give a code, and one who must have an
    authenticator (staff) must set it up, before any other page, the Django admin included.
    Goes after django_otp's OTPMiddleware, which tells whether this session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        nombre = request.resolver_match.view_name if request.resolver_match else None
        if nombre in LIBRES:
            return None
        paso = seguridad.paso_pendiente(request)
        if paso is None or paso == nombre:
            return None
        return redirect_to_login(request.get_full_path(), reverse(paso))
