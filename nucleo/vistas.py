"""View helpers shared by the apps."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def pide_ingresar(vista):
    """For pages that may be public: a 404 for an anonymous visitor becomes "sign in first" (the same for every
    id, so existence is not revealed); a signed-in user who may not see it still gets the 404."""

    @wraps(vista)
    def envoltura(request, *args, **kwargs):
        try:
            return vista(request, *args, **kwargs)
        except Http404:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    return envoltura
