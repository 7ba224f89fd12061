"""Reminders and digests of action plans through the notice outbox: activities due within a week or late and
milestones due soon or missed reach whoever answers for them, once per item and state (late ones once a week);
each live plan's owners' directors get a monthly summary. Beat's static schedule runs the sweeps."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core import mail

from comunas.models import Comuna, Membresia
from mesa.calendario import ZONA
from mesa.celery import _schedule
from nucleo.models import Aviso, PreferenciaAvisos
from planes import services
from planes.models import EstadoActividad
from planes.tasks import recordatorios_planes_task, resumen_mensual_planes_task
from tests.conftest import crear_organizacion, miembro
from tests.mesa.utiles import plan_con_linea

pytestmark = pytest.mark.django_db

LUNES = date(2031, 5, 12)  # ISO week 20 of 2031


def _a_las_9(dia):
    return datetime(dia.year, dia.month, dia.day, 9, 0, tzinfo=ZONA)


@pytest.fixture
def en_el_dia():
    """Runs the setup on LUNES (approvals and progress cannot be dated in the future)."""
    with time_machine.travel(_a_las_9(LUNES), tick=False):
        yield


@pytest.fixture
def plan(en_el_dia, org_zapallar, director):
    plan, linea = plan_con_linea(org_zapallar, director, titulo="Plan de temporada")
    plan.linea = linea
    return plan


def _actividad(plan, por, **datos):
    return services.nodo_agregar(plan=plan, por=por, padre=plan.linea, datos={"titulo": "Rondas", **datos})


def _barrer(dia, capturar, tarea=recordatorios_planes_task):
    mail.outbox.clear()
    with time_machine.travel(_a_las_9(dia), tick=False), capturar(execute=True):
        tarea()
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_una_actividad_por_vencer_y_luego_atrasada(
    plan, director, integrante, celery_eager, django_capture_on_commit_callbacks
):
    barrer = django_capture_on_commit_callbacks
    actividad = _actividad(plan, director, titulo="Rondas mixtas", persona=integrante, termino=LUNES + timedelta(5))
    assert _barrer(LUNES - timedelta(days=3), barrer) == []  # eight days ahead: not yet
    por_vencer = [("integrante@zapallar.test", "Actividad por vencer: Rondas mixtas (Plan de temporada)")]
    assert _barrer(LUNES, barrer) == por_vencer
    correo = mail.outbox[0]
    assert f"{settings.SITE_URL}/planes/elementos/{actividad.pk}/avance/" in correo.body
    assert "vence en 5 días" in correo.body and "Rondas mixtas" in correo.alternatives[0][0]
    assert _barrer(LUNES + timedelta(days=1), barrer) == []  # once per deadline
    atrasada = [("integrante@zapallar.test", "Actividad atrasada: Rondas mixtas (Plan de temporada)")]
    assert _barrer(LUNES + timedelta(days=6), barrer) == atrasada  # Sunday, week 20
    assert _barrer(LUNES + timedelta(days=6), barrer) == []
    assert _barrer(LUNES + timedelta(days=7), barrer) == atrasada  # Monday, week 21: once a week while late
    assert _barrer(LUNES + timedelta(days=10), barrer) == []
    # A new deadline is a new state; a finished activity gets nothing more.
    with time_machine.travel(_a_las_9(LUNES + timedelta(days=10)), tick=False):
        services.nodo_editar(nodo=actividad, por=director, datos={"termino": LUNES + timedelta(days=14)})
    assert _barrer(LUNES + timedelta(days=11), barrer) == por_vencer
    with time_machine.travel(_a_las_9(LUNES + timedelta(days=12)), tick=False):
        services.avance_registrar(
            nodo=actividad, por=director, fecha=LUNES + timedelta(days=12), texto="Listo.", porcentaje=Decimal(100)
        )
    assert _barrer(LUNES + timedelta(days=20), barrer) == []
    assert Aviso.objects.filter(plantilla="plan_actividad").count() == 4


def test_a_quien_llega_el_recordatorio(
    plan, director, integrante, lector, org_ajena, ajeno, celery_eager, django_capture_on_commit_callbacks
):
    miembro(org_ajena, "lector@santiago.test", Membresia.Rol.LECTOR)
    manana = LUNES + timedelta(days=1)
    _actividad(plan, director, titulo="Con persona", persona=integrante, responsable=org_ajena, termino=manana)
    _actividad(plan, director, titulo="De otra organización", responsable=org_ajena, termino=manana)
    _actividad(plan, director, titulo="Sin responsable", termino=manana)
    recibidos = _barrer(LUNES, django_capture_on_commit_callbacks)
    assert [(para, asunto.split(":")[1].split("(")[0].strip()) for para, asunto in recibidos] == [
        ("director@santiago.test", "De otra organización"),  # the directors of the responsible organization
        ("director@zapallar.test", "Sin responsable"),  # no one named: the plan's owners' directors
        ("integrante@zapallar.test", "Con persona"),  # the person, first
    ]


def test_lo_que_no_se_recuerda(
    plan, org_zapallar, director, integrante, celery_eager, django_capture_on_commit_callbacks
):
    manana = LUNES + timedelta(days=1)
    with time_machine.travel(_a_las_9(LUNES), tick=False):
        suspendida = EstadoActividad.objects.get(nombre="Suspendida")
        terminada = _actividad(plan, director, persona=integrante, termino=manana)
        services.avance_registrar(nodo=terminada, por=director, fecha=LUNES, texto="x", porcentaje=Decimal(100))
        detenida = _actividad(plan, director, persona=integrante, termino=manana)
        services.avance_registrar(nodo=detenida, por=director, fecha=LUNES, texto="x", estado=suspendida)
        _actividad(plan, director, persona=integrante)  # without a deadline
        services.nodo_editar(nodo=plan.linea, por=director, datos={"termino": manana})  # not a leaf
        borrador, linea = plan_con_linea(org_zapallar, director, titulo="Borrador", aprobar=False)
        services.nodo_agregar(plan=borrador, por=director, padre=linea, datos={"titulo": "x", "termino": manana})
        services.hito_agregar(plan=borrador, por=director, titulo="Hito de borrador", fecha=manana)
    assert _barrer(LUNES, django_capture_on_commit_callbacks) == []


def test_hitos_proximos_y_vencidos_a_las_directoras_de_las_duenas(
    plan, director, integrante, celery_eager, django_capture_on_commit_callbacks
):
    barrer = django_capture_on_commit_callbacks
    with time_machine.travel(_a_las_9(LUNES), tick=False):
        licitacion = services.hito_agregar(plan=plan, por=director, titulo="Licitación", fecha=LUNES + timedelta(3))
        services.hito_agregar(plan=plan, por=director, titulo="Convenio", fecha=LUNES - timedelta(days=2))
    assert _barrer(LUNES, barrer) == [
        ("director@zapallar.test", "Hito próximo: Licitación (Plan de temporada)"),
        ("director@zapallar.test", "Hito vencido: Convenio (Plan de temporada)"),
    ]
    assert f"{settings.SITE_URL}/planes/{plan.pk}/#hitos" in mail.outbox[0].body
    assert _barrer(LUNES + timedelta(days=1), barrer) == []
    with time_machine.travel(_a_las_9(LUNES + timedelta(days=3)), tick=False):
        services.hito_cumplir(hito=licitacion, por=director, fecha=LUNES + timedelta(days=3))
    assert _barrer(LUNES + timedelta(days=7), barrer) == [
        ("director@zapallar.test", "Hito vencido: Convenio (Plan de temporada)")
    ]


def test_quien_prefiere_el_resumen_diario_lo_recibe_alli(
    plan, director, integrante, celery_eager, django_capture_on_commit_callbacks
):
    PreferenciaAvisos.objects.create(usuario=integrante, frecuencia=PreferenciaAvisos.Frecuencia.DIARIA)
    _actividad(plan, director, persona=integrante, termino=LUNES + timedelta(days=2))
    assert _barrer(LUNES, django_capture_on_commit_callbacks) == []
    assert Aviso.objects.get(plantilla="plan_actividad").diferido


def test_resumen_mensual_a_las_directoras_de_las_duenas(
    plan, org_zapallar, org_papudo_duena, director, integrante, celery_eager, django_capture_on_commit_callbacks
):
    barrer = django_capture_on_commit_callbacks
    with time_machine.travel(_a_las_9(LUNES), tick=False):
        atrasada = _actividad(plan, director, titulo="Cámaras", termino=LUNES + timedelta(days=10))
        services.avance_registrar(nodo=atrasada, por=director, fecha=LUNES, texto="x", porcentaje=Decimal(40))
        services.hito_agregar(plan=plan, por=director, titulo="Inauguración", fecha=date(2031, 7, 15))
        indicador = services.indicador_agregar(
            plan=plan, por=director, datos={"nombre": "Cámaras operando", "unidad": "cámaras"}, metas=[(2031, 12)]
        )
        services.medicion_registrar(indicador=indicador, por=director, anio=2031, valor=Decimal(8))
        plan_con_linea(org_zapallar, director, titulo="Borrador sin resumen", aprobar=False)
    junio = date(2031, 6, 1)
    recibidos = _barrer(junio, barrer, resumen_mensual_planes_task)
    asunto = "Resumen de junio de 2031: Plan de temporada (40 %, 1 atrasada)"
    assert recibidos == [("director@papudo.test", asunto), ("director@zapallar.test", asunto)]
    texto = mail.outbox[0].body
    assert "Avance del plan: 40 %" in texto and "Cámaras — venció el 22-05-2031, avance 40 %" in texto
    assert "15-07-2031: Inauguración" in texto
    assert "Cámaras operando: Último valor: 8 cámaras (2031). Meta 2031: 12 cámaras: no se cumple." in texto
    assert f"{settings.SITE_URL}/planes/{plan.pk}/" in texto
    assert _barrer(date(2031, 6, 2), barrer, resumen_mensual_planes_task) == []  # once a month
    assert len(_barrer(date(2031, 7, 1), barrer, resumen_mensual_planes_task)) == 2


@pytest.fixture
def org_papudo_duena(plan, director, dpa):
    papudo = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    miembro(papudo, "director@papudo.test", Membresia.Rol.DIRECTOR)
    miembro(papudo, "integrante@papudo.test", Membresia.Rol.INTEGRANTE)
    with time_machine.travel(_a_las_9(LUNES), tick=False):
        services.plan_editar(plan=plan, por=director, datos={}, duenas=[papudo])
    return papudo


def test_beat_programa_los_barridos():
    programa = _schedule()
    diario, mensual = programa["planes_recordatorios"], programa["planes_resumen_mensual"]
    assert diario["task"] == "planes.tasks.recordatorios_planes_task"
    assert mensual["task"] == "planes.tasks.resumen_mensual_planes_task"
    assert isinstance(diario["schedule"], crontab) and diario["schedule"].hour == {settings.AVISOS_RESUMEN_HORA}
    assert mensual["schedule"].day_of_month == {1} and mensual["schedule"].hour == {settings.AVISOS_RESUMEN_HORA}
