from celery import shared_task

from mesa import services


@shared_task(ignore_result=True)
def latido_task():
    services.latido_registrar(nombre="beat")
