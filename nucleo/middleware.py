"""Response headers every app needs and none owns."""

from django.utils.cache import patch_cache_control


class SinCacheMiddleware:
    """Every response to a signed-in person is private to them: `Cache-Control: private, no-store`, so neither a
    shared proxy nor the browser's disk keeps a page, a CSV export or a PDF once the session ends (a shared
    computer in a municipal office). Anonymous responses are left as the view sets them.
    Goes after AuthenticationMiddleware (it reads request.user), before any middleware that may answer for the
    view (the two-step verification redirect), so those answers carry the header too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
