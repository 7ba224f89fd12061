from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nucleo.salud import estado_plataforma


@require_GET
@never_cache
def salud(request):
    """Public readiness probe; staff also see queue length and heartbeat age."""
    sano, informe = estado_plataforma(con_detalle=request.user.is_authenticated and request.user.is_staff)
    return JsonResponse(informe, status=200 if sano else 503, json_dumps_params={"ensure_ascii": False})


def noop(request):
    """The benchmark's yardstick (make bench, with BENCH=1): a signed-in page that does nothing, so the cost of the
    full middleware and the session is measured in the same run as every page. Does not exist otherwise."""
    if not settings.BENCH:
        raise Http404("No existe esta página.")
    return _noop(request)


@login_required
def _noop(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
