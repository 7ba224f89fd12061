"""Reminders picked by the beat sweep from the database: 48 h and 2 h before by default, per-session offsets,
none to those who declined, moved by a reschedule, gone with a cancellation."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from mesa import services
from mesa.calendario import ZONA
from mesa.models import Respuesta
from mesa.tasks import recordatorios_task
from nucleo.models import Aviso
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db

INICIO = datetime(2031, 5, 20, 10, 0, tzinfo=ZONA)


@pytest.fixture
def sesion(org_zapallar, coordinador, director, integrante, lector, celery_eager, django_capture_on_commit_callbacks):
    mesa = crear_mesa(org_zapallar, coordinador)
    sesion = crear_sesion(mesa)
    with time_machine.travel(INICIO - timedelta(days=10), tick=False):
        sesion = services.sesion_editar(sesion=sesion, por=coordinador, inicio=INICIO, fin=INICIO + timedelta(hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            services.sesion_convocar(sesion=sesion, por=coordinador)
    mail.outbox.clear()
    sesion.refresh_from_db()
    return sesion


def _barrer(cuando, capturar):
    mail.outbox.clear()
    with time_machine.travel(cuando, tick=False), capturar(execute=True):
        recordatorios_task()
    return sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Recordatorio"))


def test_48_y_2_horas_antes_y_nunca_dos_veces(sesion, director, django_capture_on_commit_callbacks):
    Respuesta.objects.create(sesion=sesion, usuario=director, opcion=Respuesta.Opcion.NO_ASISTIRE)
    todos_menos_director = ["coordinacion@zapallar.test", "integrante@zapallar.test", "lector@zapallar.test"]
    assert _barrer(INICIO - timedelta(hours=48, minutes=1), django_capture_on_commit_callbacks) == []
    assert _barrer(INICIO - timedelta(hours=47, minutes=59), django_capture_on_commit_callbacks) == todos_menos_director
    assert _barrer(INICIO - timedelta(hours=47), django_capture_on_commit_callbacks) == []  # already sent
    assert _barrer(INICIO - timedelta(hours=3), django_capture_on_commit_callbacks) == []
    assert _barrer(INICIO - timedelta(hours=2), django_capture_on_commit_callbacks) == todos_menos_director
    assert _barrer(INICIO - timedelta(minutes=30), django_capture_on_commit_callbacks) == []
    assert _barrer(INICIO + timedelta(minutes=1), django_capture_on_commit_callbacks) == []


def test_desfases_propios_de_la_sesion(sesion, django_capture_on_commit_callbacks):
    sesion.recordatorios = [24 * 60]
    sesion.save()
    assert _barrer(INICIO - timedelta(hours=47), django_capture_on_commit_callbacks) == []
    assert len(_barrer(INICIO - timedelta(hours=23), django_capture_on_commit_callbacks)) == 4


def test_una_reprogramacion_mueve_los_recordatorios(sesion, coordinador, django_capture_on_commit_callbacks):
    assert len(_barrer(INICIO - timedelta(hours=47), django_capture_on_commit_callbacks)) == 4
    nuevo = INICIO + timedelta(days=7)
    capturar = django_capture_on_commit_callbacks
    with time_machine.travel(INICIO - timedelta(hours=40), tick=False), capturar(execute=True):
        services.sesion_editar(sesion=sesion, por=coordinador, inicio=nuevo, fin=nuevo + timedelta(hours=2))
    assert _barrer(INICIO - timedelta(hours=2), django_capture_on_commit_callbacks) == []  # old time: nothing
    assert len(_barrer(nuevo - timedelta(hours=47), django_capture_on_commit_callbacks)) == 4


def test_una_cancelacion_quita_los_recordatorios(sesion, coordinador, django_capture_on_commit_callbacks):
    with time_machine.travel(INICIO - timedelta(hours=47), tick=False):
        services.recordatorios_enviar()  # created, not yet sent (no commit callbacks run)
    assert Aviso.objects.filter(clave__startswith="recordatorio", estado="pendiente").count() == 4
    with time_machine.travel(INICIO - timedelta(hours=30), tick=False):
        services.sesion_cancelar(sesion=sesion, por=coordinador, motivo="Suspendida")
    assert not Aviso.objects.filter(clave__startswith="recordatorio").exists()
    assert _barrer(INICIO - timedelta(hours=2), django_capture_on_commit_callbacks) == []


def test_sesion_convocada_tarde_no_recibe_el_de_48_horas(org_zapallar, coordinador, director, celery_eager):
    mesa = crear_mesa(org_zapallar, coordinador, nombre="Otra mesa")
    sesion = crear_sesion(mesa, dias=1)
    sesion = services.sesion_convocar(sesion=sesion, por=coordinador)
    assert services._recordatorio_vigente(sesion, timezone.now()) is None
    assert services._recordatorio_vigente(sesion, sesion.inicio - timedelta(hours=1)) == 120
