import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from nucleo.models import Latido
from nucleo.tasks import latido_task
from tests.conftest import cliente_de

pytestmark = pytest.mark.django_db


def _salud(client=None):
    respuesta = (client or Client()).get("/salud/")
    return respuesta.status_code, json.loads(respuesta.content)


def test_sin_latido_de_beat_responde_503():
    estado, cuerpo = _salud()
    assert estado == 503
    assert cuerpo == {
        "db": "ok",
        "broker": "ok",
        "beat": "atrasado",
        "avisos": "ok",
        "avisos_cola_segundos": 0,
        "avisos_fallidos_ultima_hora": 0,
    }


def test_con_latido_reciente_responde_200():
    latido_task()  # what beat enqueues every minute, run here by hand
    estado, cuerpo = _salud()
    assert estado == 200
    assert cuerpo == {
        "db": "ok",
        "broker": "ok",
        "beat": "ok",
        "avisos": "ok",
        "avisos_cola_segundos": 0,
        "avisos_fallidos_ultima_hora": 0,
    }


def test_latido_viejo_es_atrasado(settings):
    Latido.objects.create(nombre="beat", ultimo=timezone.now() - timedelta(seconds=settings.HEARTBEAT_TOLERANCIA + 5))
    estado, cuerpo = _salud()
    assert (estado, cuerpo["beat"]) == (503, "atrasado")


def test_broker_caido_responde_503(monkeypatch):
    from mesa.celery import app

    latido_task()
    monkeypatch.setitem(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")  # nothing listens there
    estado, cuerpo = _salud()
    assert (estado, cuerpo["broker"]) == (503, "error")


def test_detalle_solo_para_staff(admin, director):
    latido_task()
    _, publico = _salud(cliente_de(director))
    assert "detalle" not in publico
    _, interno = _salud(cliente_de(admin))
    assert interno["detalle"]["broker"]["en_cola"] >= 0
    assert set(interno["detalle"]["broker"]["colas"]) == {"celery", "beat"}  # beat's queue apart from the work
    assert interno["detalle"]["beat_segundos_desde_latido"] >= 0


def test_el_latido_y_el_barredor_van_por_su_propia_cola():
    """A backlog of work never delays beat's heartbeat nor the sweeper, and workers consume both queues."""
    from mesa.celery import app

    assert {(q.name, q.routing_key) for q in app.conf.task_queues} == {("celery", "celery"), ("beat", "beat")}
    for tarea in ("nucleo.tasks.latido_task", "nucleo.tasks.avisos_barrer_task"):
        assert app.amqp.router.route({}, tarea)["queue"].name == "beat"
    assert app.amqp.router.route({}, "nucleo.tasks.avisos_enviar_task")["queue"].name == "celery"
