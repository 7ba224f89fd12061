from celery import shared_task

from mesa import services, services_actas


@shared_task(ignore_result=True)
def recordatorios_task():
    services.recordatorios_enviar()


@shared_task(ignore_result=True)
def acuerdos_semana_task():
    services_actas.acuerdos_resumen_semanal()


@shared_task(ignore_result=True)
def acuerdos_antes_de_sesion_task():
    services.acuerdos_recordar_antes_de_sesion()
