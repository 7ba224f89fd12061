from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from diagnosticos import services as services_diagnosticos


@shared_task(ignore_result=True)
def importaciones_purgar_task():
    ahora = timezone.now()
    services_diagnosticos.importaciones_reanudar(antes_de=ahora - timedelta(hours=1))
    services_diagnosticos.importaciones_purgar(antes_de=ahora - timedelta(hours=settings.IMPORTACIONES_RETENCION_HORAS))


@shared_task(
    ignore_result=True,
    # The database away: the transaction rolled back, nothing was written; the same confirmation runs again.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def importacion_confirmar_task(importacion_id):
    """A big indicator upload, confirmed by a worker (diagnosticos.services.importacion_procesar)."""
    services_diagnosticos.importacion_procesar(importacion_id=importacion_id)
