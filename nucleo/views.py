from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nucleo.salud import estado_plataforma


@require_GET
@never_cache
def salud(request):
    """Public readiness probe; staff also see queue length and heartbeat age."""
    sano, informe = estado_plataforma(con_detalle=request.user.is_authenticated and request.user.is_staff)
    return JsonResponse(informe, status=200 if sano else 503, json_dumps_params={"ensure_ascii": False})
