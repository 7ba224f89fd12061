"""Thin tasks of the platform: the beat heartbeat and the notice outbox (send a batch, sweep, daily digest).

Beat's heartbeat and the sweeper run on their own queue ("beat", mesa/celery.py), so a backlog of other work
never makes a live beat look dead."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from nucleo import services


@shared_task(ignore_result=True)
def latido_task():
    services.latido_registrar(nombre="beat")


@shared_task(
    ignore_result=True,
    # The database away at claim time: the sender comes back (the rows are safe, and so is the sweeper).
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=None,
    # Never longer than a claim's lease, so no batch outlives its lease; SMTP failures are the rows' business.
    time_limit=settings.AVISOS_ENVIANDO_MAX_SEGUNDOS,
    soft_time_limit=max(1, settings.AVISOS_ENVIANDO_MAX_SEGUNDOS - max(1, settings.AVISOS_ENVIANDO_MAX_SEGUNDOS // 10)),
)
def avisos_enviar_task(desde=None, hasta=None):
    services.avisos_enviar(desde=desde, hasta=hasta)


@shared_task(ignore_result=True)
def aviso_enviar_task(aviso_id=None):
    """What the previous version enqueued once per notice: messages still queued at deploy send a batch."""
    services.avisos_enviar()


@shared_task(ignore_result=True)
def avisos_barrer_task():
    services.avisos_barrer()


@shared_task(ignore_result=True)
def avisos_resumen_diario_task():
    services.avisos_resumir()
