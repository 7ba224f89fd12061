"""Readiness checks behind /salud/: database, broker, the beat heartbeat and notices overdue."""

from datetime import timedelta

from celery import current_app as celery_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from nucleo.models import Aviso, Latido

OK = "ok"


def revisar_db():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK
    except Exception:  # any failure means the database is not usable
        return "error"


def revisar_broker(*, con_detalle=False):
    """Returns (estado, detalle). The detail (queue length) is only computed for staff."""
    detalle = {}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            if con_detalle:
                cola = celery_app.conf.task_default_queue
                detalle["cola"] = cola
                detalle["en_cola"] = conn.default_channel.queue_declare(cola, passive=False).message_count
        return OK, detalle
    except Exception as exc:  # connection refused, timeout, unknown transport…
        if con_detalle:
            detalle["error"] = exc.__class__.__name__
        return "error", detalle


def revisar_beat():
    """Returns (estado, segundos desde el último latido o None)."""
    latido = Latido.objects.filter(nombre="beat").first()
    if latido is None:
        return "atrasado", None
    edad = timezone.now() - latido.ultimo
    estado = OK if edad <= timedelta(seconds=settings.HEARTBEAT_TOLERANCIA) else "atrasado"
    return estado, int(edad.total_seconds())


def revisar_avisos():
    """Returns (estado, cuántos) for notices due and unsent beyond AVISOS_ATRASO_SEGUNDOS."""
    atrasados = Aviso.objects.atrasados().count()
    return (OK if atrasados == 0 else "atrasados"), atrasados


def estado_plataforma(*, con_detalle=False):
    informe = {"db": revisar_db()}
    informe["broker"], detalle_broker = revisar_broker(con_detalle=con_detalle)
    if informe["db"] == OK:
        informe["beat"], edad = revisar_beat()
        informe["avisos"], atrasados = revisar_avisos()
    else:
        informe["beat"], edad = "desconocido", None
        informe["avisos"], atrasados = "desconocido", None
    if con_detalle:
        informe["detalle"] = {
            "broker": detalle_broker,
            "beat_segundos_desde_latido": edad,
            "avisos_atrasados": atrasados,
        }
    sano = all(informe[k] == OK for k in ("db", "broker", "beat", "avisos"))
    return sano, informe
