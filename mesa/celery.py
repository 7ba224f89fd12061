"""Celery application. Beat runs a static schedule from code: periodic sweepers pick due work from the DB.

Two queues: "celery" for the work (notice batches, digests…) and "beat" for beat's heartbeat and the sweepers,
so a backlog never delays them and never makes a live beat look dead. A worker started without -Q consumes
both; a dedicated one can take only "beat" (`-Q beat`).
"""

import os

from celery import Celery
from celery.signals import beat_init
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesa.settings")

app = Celery("mesa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

COLA_BEAT = "beat"
app.conf.task_default_queue = "celery"
# Each queue with its own routing key: a bare Queue(name) would be bound with the default key "celery", and
# every message would land in both queues (and run twice).
app.conf.task_queues = (
    Queue("celery", Exchange("celery"), routing_key="celery"),
    Queue(COLA_BEAT, Exchange(COLA_BEAT), routing_key=COLA_BEAT),
)
app.conf.task_routes = {
    "nucleo.tasks.latido_task": {"queue": COLA_BEAT},
    "nucleo.tasks.avisos_barrer_task": {"queue": COLA_BEAT},
    "mesa.tasks.recordatorios_task": {"queue": COLA_BEAT},
    "mesa.tasks.acuerdos_antes_de_sesion_task": {"queue": COLA_BEAT},
}


@app.on_after_configure.connect
def _preparar_broker_filesystem(sender, **kwargs):
    # The filesystem transport (embedded default) needs its folders to exist.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


def _schedule():
    from celery.schedules import crontab
    from django.conf import settings

    return {
        "latido": {"task": "nucleo.tasks.latido_task", "schedule": float(settings.HEARTBEAT_INTERVAL)},
        "avisos_barrer": {
            "task": "nucleo.tasks.avisos_barrer_task",
            "schedule": float(settings.AVISOS_BARRIDO_INTERVALO),
        },
        "recordatorios": {
            "task": "mesa.tasks.recordatorios_task",
            "schedule": float(settings.AVISOS_BARRIDO_INTERVALO),
        },
        "avisos_resumen_diario": {
            "task": "nucleo.tasks.avisos_resumen_diario_task",
            "schedule": crontab(hour=settings.AVISOS_RESUMEN_HORA, minute=0),
        },
        # Each organization's open and overdue acuerdos, Monday morning (one notice per person per ISO week).
        "acuerdos_semana": {
            "task": "mesa.tasks.acuerdos_semana_task",
            "schedule": crontab(day_of_week="mon", hour=settings.AVISOS_RESUMEN_HORA, minute=0),
        },
        # Before each session, its mesa's open acuerdos to whoever answers for them (daily; once per session:
        # mesa.services.acuerdos_recordar_antes_de_sesion).
        "acuerdos_antes_de_sesion": {
            "task": "mesa.tasks.acuerdos_antes_de_sesion_task",
            "schedule": crontab(hour=settings.AVISOS_RESUMEN_HORA, minute=45),
        },
        # Plan activities and milestones due within a week or late, to whoever answers for them (daily; each item
        # once per deadline, or once a week while late: planes/avisos.py).
        "planes_recordatorios": {
            "task": "planes.tasks.recordatorios_planes_task",
            "schedule": crontab(hour=settings.AVISOS_RESUMEN_HORA, minute=15),
        },
        # Each live plan's monthly summary to its owners' directors, on the first day of the month.
        "planes_resumen_mensual": {
            "task": "planes.tasks.resumen_mensual_planes_task",
            "schedule": crontab(day_of_month=1, hour=settings.AVISOS_RESUMEN_HORA, minute=30),
        },
        # Indicator uploads never confirmed, older than IMPORTACIONES_RETENCION_HORAS.
        "importaciones_purgar": {
            "task": "diagnosticos.tasks.importaciones_purgar_task",
            "schedule": crontab(minute=30),
        },
    }


app.conf.beat_schedule = {}


@app.on_after_finalize.connect
def _programar(sender, **kwargs):
    sender.conf.beat_schedule = _schedule()


@beat_init.connect
def _latido_al_iniciar(sender, **kwargs):
    # A first heartbeat right away, so /salud/ turns ok without waiting a whole interval.
    sender.app.send_task("nucleo.tasks.latido_task")
