"""Thin tasks of the platform: the beat heartbeat and the notice outbox (send one, sweep, daily digest)."""

from celery import shared_task
from django.conf import settings

from nucleo import services
from nucleo.errores import ErrorTemporal


@shared_task(ignore_result=True)
def latido_task():
    services.latido_registrar(nombre="beat")


@shared_task(
    ignore_result=True,
    autoretry_for=(ErrorTemporal,),
    retry_backoff=settings.AVISOS_BACKOFF_BASE,
    retry_backoff_max=settings.AVISOS_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=None,  # the service gives up after AVISOS_MAX_INTENTOS attempts and marks the notice failed
)
def aviso_enviar_task(aviso_id):
    services.aviso_enviar(aviso_id=aviso_id)


@shared_task(ignore_result=True)
def avisos_barrer_task():
    services.avisos_barrer()


@shared_task(ignore_result=True)
def avisos_resumen_diario_task():
    services.avisos_resumir()
