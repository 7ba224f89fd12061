"""Readiness checks behind /salud/: database, broker, the beat heartbeat and the notices (backlog, failures)."""

from datetime import timedelta

from celery import current_app as celery_app
from django.conf import settings
from django.db import connection
from django.db.models import Min
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
    """Returns (estado, detalle). The detail (length of each queue) is only computed for staff."""
    detalle = {}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            if con_detalle:
                colas = [q.name for q in celery_app.conf.task_queues or ()] or [celery_app.conf.task_default_queue]
                detalle["cola"] = celery_app.conf.task_default_queue
                detalle["colas"] = {
                    cola: conn.default_channel.queue_declare(cola, passive=False).message_count for cola in colas
                }
                detalle["en_cola"] = detalle["colas"].get(detalle["cola"], 0)
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
    """Returns (estado, {"cola_segundos", "fallidos_ultima_hora", "atrasados"}).

    The backlog's age is how long the oldest notice still to go out has waited since it was queued, retries
    included (a mail server refusing everything shows here, not as "ok"). "atrasados" past
    AVISOS_ATRASO_SEGUNDOS; "fallidos" when more than AVISOS_FALLIDOS_TOLERADOS failed in the last hour."""
    ahora = timezone.now()
    abiertos = Aviso.objects.abiertos().filter(diferido=False)
    mas_antiguo = abiertos.aggregate(desde=Min("en_cola_desde"))["desde"]
    atrasados = Aviso.objects.atrasados(ahora=ahora).count()
    fallidos = Aviso.objects.filter(estado__in=Aviso.PROBLEMAS, fallido_en__gte=ahora - timedelta(hours=1)).count()
    cifras = {
        "cola_segundos": max(0, int((ahora - mas_antiguo).total_seconds())) if mas_antiguo else 0,
        "fallidos_ultima_hora": fallidos,
        "atrasados": atrasados,
    }
    if atrasados:
        return "atrasados", cifras
    return (OK if fallidos <= settings.AVISOS_FALLIDOS_TOLERADOS else "fallidos"), cifras


def estado_plataforma(*, con_detalle=False):
    informe = {"db": revisar_db()}
    informe["broker"], detalle_broker = revisar_broker(con_detalle=con_detalle)
    cifras = {}
    if informe["db"] == OK:
        informe["beat"], edad = revisar_beat()
        informe["avisos"], cifras = revisar_avisos()
    else:
        informe["beat"], edad = "desconocido", None
        informe["avisos"] = "desconocido"
    informe["avisos_cola_segundos"] = cifras.get("cola_segundos")
    informe["avisos_fallidos_ultima_hora"] = cifras.get("fallidos_ultima_hora")
    if con_detalle:
        informe["detalle"] = {
            "broker": detalle_broker,
            "beat_segundos_desde_latido": edad,
            "avisos_atrasados": cifras.get("atrasados"),
        }
    sano = all(informe[k] == OK for k in ("db", "broker", "beat", "avisos"))
    return sano, informe
