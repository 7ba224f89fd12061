from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from diagnosticos import services as services_diagnosticos


@shared_task(ignore_result=True)
def importaciones_purgar_task():
    antes_de = timezone.now() - timedelta(hours=settings.IMPORTACIONES_RETENCION_HORAS)
    services_diagnosticos.importaciones_purgar(antes_de=antes_de)
