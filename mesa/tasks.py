from celery import shared_task
from django.conf import settings

from mesa import services, services_actas


@shared_task(ignore_result=True)
def latido_task():
    services.latido_registrar(nombre="beat")


@shared_task(
    ignore_result=True,
    autoretry_for=(services.ErrorTemporal,),
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


@shared_task(ignore_result=True)
def recordatorios_task():
    services.recordatorios_enviar()


@shared_task(ignore_result=True)
def acuerdos_semana_task():
    services_actas.acuerdos_resumen_semanal()
