"""Thin tasks of action plans: beat's sweeps of reminders and monthly summaries (services in planes/avisos.py)."""

from celery import shared_task

from planes import avisos


@shared_task(ignore_result=True)
def recordatorios_planes_task():
    avisos.recordatorios_planes_enviar()


@shared_task(ignore_result=True)
def resumen_mensual_planes_task():
    avisos.resumen_mensual_planes_enviar()
