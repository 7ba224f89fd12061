"""Before each session, whoever answers for an open acuerdo of the mesa gets one reminder listing them: a setting
of the mesa (on by default, N days before), swept daily by beat, once per session."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from mesa import services, services_actas
from mesa.calendario import ZONA
from mesa.models import Acuerdo, Sesion
from mesa.tasks import acuerdos_antes_de_sesion_task
from nucleo.models import Aviso, PreferenciaAvisos
from tests.conftest import cliente_de
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db

INICIO = datetime(2031, 5, 20, 10, 0, tzinfo=ZONA)  # a Tuesday


@pytest.fixture
def mesa(org_zapallar, coordinador, director, integrante, lector):
    """A held session with an approved acta: an acuerdo in charge of the director, one of the organization (no
    person named), an overdue one, and a fulfilled one; the next session convened for INICIO."""
    mesa = crear_mesa(org_zapallar, coordinador)
    with time_machine.travel(INICIO - timedelta(days=40), tick=False):
        realizada = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1)
        services.asistencia_registrar(sesion=realizada, por=coordinador, presentes=[director.pk])
        acta = services_actas.acta_redactar(sesion=realizada, por=coordinador)
        agregar = lambda texto, plazo, **extra: services_actas.acuerdo_agregar(  # noqa: E731
            acta=acta, por=coordinador, descripcion=texto, organizacion=org_zapallar, plazo=plazo, **extra
        )
        agregar("Compartir el protocolo de rondas.", date(2031, 6, 30), persona=director)
        agregar("Consolidar las cifras de la provincia.", date(2031, 6, 15))
        agregar("Enviar el diagnóstico actualizado.", date(2031, 5, 1), persona=director)
        cumplido = agregar("Designar una contraparte.", date(2031, 5, 30))
        services_actas.acta_aprobar(acta=acta, por=coordinador)
        Acuerdo.objects.filter(pk=cumplido.pk).update(estado=Acuerdo.Estado.CUMPLIDO)
        proxima = crear_sesion(mesa, numero=2)
        inicio = INICIO
        services.sesion_editar(sesion=proxima, por=coordinador, inicio=inicio, fin=inicio + timedelta(hours=2))
        services.sesion_convocar(sesion=proxima, por=coordinador)
    Aviso.objects.all().delete()
    return mesa


def _barrer(cuando, capturar):
    mail.outbox.clear()
    with time_machine.travel(cuando, tick=False), capturar(execute=True):
        acuerdos_antes_de_sesion_task()
    return {m.to[0]: m for m in mail.outbox}


def test_llega_a_quienes_responden_por_acuerdos_abiertos(
    mesa, coordinador, director, integrante, lector, django_capture_on_commit_callbacks
):
    capturar = django_capture_on_commit_callbacks
    assert _barrer(INICIO - timedelta(days=4), capturar) == {}  # 4 days before: not yet
    correos = _barrer(INICIO - timedelta(days=3, hours=2), capturar)  # the 17th, 08:00
    # The director is named in two; the organization's acuerdo goes to its directors and integrantes (the
    # coordinator is one), not to its lector(a).
    assert sorted(correos) == sorted([director.email, integrante.email, coordinador.email])
    al_director = correos[director.email]
    assert al_director.subject == f"Sus acuerdos antes de la sesión mar 20-05 · {mesa}"
    assert "Vencidos:\n- Enviar el diagnóstico actualizado." in al_director.body
    assert "Compartir el protocolo de rondas." in al_director.body
    assert "Consolidar las cifras de la provincia." in al_director.body
    assert "Designar una contraparte." not in al_director.body  # fulfilled
    assert "/mesas/acuerdos/" in al_director.body and "martes 20 de mayo de 2031, 10:00" in al_director.body
    assert al_director.reply_to == ["Carolina Coordinadora <coordinacion@zapallar.test>"]
    al_integrante = correos[integrante.email].body
    assert "Consolidar las cifras de la provincia." in al_integrante and "protocolo" not in al_integrante
    # Once per session.
    assert _barrer(INICIO - timedelta(days=2), capturar) == {}
    assert Aviso.objects.filter(clave__startswith="recordatorio_acuerdos:").count() == 3


def test_una_vez_por_sesion_aunque_se_reprograme(mesa, coordinador, django_capture_on_commit_callbacks):
    _barrer(INICIO - timedelta(days=3), django_capture_on_commit_callbacks)
    proxima = mesa.sesiones.get(numero=2)
    nuevo = INICIO + timedelta(days=1)
    with time_machine.travel(INICIO - timedelta(days=2, hours=12), tick=False):
        services.sesion_editar(sesion=proxima, por=coordinador, inicio=nuevo, fin=nuevo + timedelta(hours=2))
    correos = _barrer(INICIO - timedelta(days=2), django_capture_on_commit_callbacks)
    assert not any(m.subject.startswith("Sus acuerdos") for m in correos.values())


def test_la_mesa_puede_apagarlo_o_cambiar_los_dias(mesa, coordinador, django_capture_on_commit_callbacks):
    cliente = cliente_de(coordinador)
    url = f"/mesas/{mesa.pk}/editar/"
    pagina = cliente.get(url).content.decode()
    assert "Recordar los acuerdos abiertos antes de cada sesión" in pagina and 'name="dias_recordar_acuerdos"' in pagina
    datos = {"nombre": mesa.nombre, "coordinadores": [coordinador.pk], "dias_recordar_acuerdos": "45"}
    respuesta = cliente.post(url, {**datos, "recordar_acuerdos": "on"})
    assert "menor o igual a 30" in respuesta.content.decode()  # out of range: said, not saved
    assert cliente.post(url, {**datos, "dias_recordar_acuerdos": "7"}).status_code == 302  # unchecked: off
    mesa.refresh_from_db()
    assert (mesa.recordar_acuerdos, mesa.dias_recordar_acuerdos) == (False, 7)
    assert _barrer(INICIO - timedelta(days=3), django_capture_on_commit_callbacks) == {}
    assert cliente.post(url, {**datos, "recordar_acuerdos": "on", "dias_recordar_acuerdos": "7"}).status_code == 302
    assert len(_barrer(INICIO - timedelta(days=6), django_capture_on_commit_callbacks)) == 3


def test_se_respeta_el_resumen_diario(mesa, director, django_capture_on_commit_callbacks):
    PreferenciaAvisos.objects.create(usuario=director, frecuencia=PreferenciaAvisos.Frecuencia.DIARIA)
    correos = _barrer(INICIO - timedelta(days=3), django_capture_on_commit_callbacks)
    assert director.email not in correos
    assert Aviso.objects.get(clave__startswith="recordatorio_acuerdos:", para=director.email).diferido


def test_una_cancelacion_retira_lo_no_enviado(mesa, coordinador):
    with time_machine.travel(INICIO - timedelta(days=3), tick=False):
        services.acuerdos_recordar_antes_de_sesion()  # created, not yet sent (no commit callbacks run)
        assert Aviso.objects.filter(clave__startswith="recordatorio_acuerdos:", estado="pendiente").count() == 3
        services.sesion_cancelar(sesion=mesa.sesiones.get(numero=2), por=coordinador, motivo="Suspendida")
    assert not Aviso.objects.filter(clave__startswith="recordatorio_acuerdos:").exists()


def test_sin_acuerdos_abiertos_no_hay_aviso(mesa, django_capture_on_commit_callbacks):
    Acuerdo.objects.update(estado=Acuerdo.Estado.CUMPLIDO)
    assert _barrer(INICIO - timedelta(days=3), django_capture_on_commit_callbacks) == {}


def test_esta_en_el_calendario_de_beat():
    from mesa.celery import _schedule, app

    entrada = _schedule()["acuerdos_antes_de_sesion"]
    assert entrada["task"] == "mesa.tasks.acuerdos_antes_de_sesion_task"
    assert entrada["schedule"].hour == {8} and entrada["schedule"].minute == {45}
    assert app.conf.task_routes["mesa.tasks.acuerdos_antes_de_sesion_task"] == {"queue": "beat"}
