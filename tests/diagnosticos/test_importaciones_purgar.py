"""Uploads of indicators previewed but never confirmed are purged by beat; confirmed ones are the history."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from diagnosticos.models import ImportacionIndicadores, Indicador
from diagnosticos.services import importacion_confirmar, importaciones_purgar
from diagnosticos.tasks import importaciones_purgar_task
from tests.conftest import cliente_de
from tests.diagnosticos.utiles import subir

FILA = "codigo_territorio;categoria;anio;frecuencia\n05405;hurtos;{anio};12\n"
AHORA = timezone.make_aware(timezone.datetime(2031, 3, 10, 12, 0))


def _subida(director, *, horas_atras, anio=2024):
    with time_machine.travel(AHORA - timedelta(hours=horas_atras), tick=False):
        return subir(director, FILA.format(anio=anio))


def test_la_tarea_borra_lo_no_confirmado_antiguo_y_guarda_lo_reciente_y_lo_confirmado(director, settings):
    settings.IMPORTACIONES_RETENCION_HORAS = 24
    _subida(director, horas_atras=25)
    reciente = _subida(director, horas_atras=23)
    confirmada = _subida(director, horas_atras=24 * 30, anio=2023)
    with time_machine.travel(AHORA - timedelta(days=29), tick=False):
        importacion_confirmar(importacion=confirmada, por=director)

    with time_machine.travel(AHORA, tick=False):
        importaciones_purgar_task()

    assert set(ImportacionIndicadores.objects.values_list("pk", flat=True)) == {reciente.pk, confirmada.pk}
    assert Indicador.objects.get().importacion_id == confirmada.pk  # the history still links to its upload


def test_el_servicio_respeta_el_umbral_y_cuenta_lo_borrado(director):
    _subida(director, horas_atras=48)
    _subida(director, horas_atras=30, anio=2023)
    justo = _subida(director, horas_atras=24, anio=2022)

    assert importaciones_purgar(antes_de=AHORA - timedelta(hours=24)) == 2
    assert list(ImportacionIndicadores.objects.values_list("pk", flat=True)) == [justo.pk]
    assert importaciones_purgar(antes_de=AHORA - timedelta(hours=24)) == 0


def test_una_subida_con_errores_tambien_se_purga(director):
    with time_machine.travel(AHORA - timedelta(hours=25), tick=False):
        con_errores = subir(director, FILA.format(anio="20x4"))
    assert con_errores.errores

    assert importaciones_purgar(antes_de=AHORA - timedelta(hours=24)) == 1
    assert not ImportacionIndicadores.objects.exists()


def test_abrir_la_vista_previa_de_una_subida_purgada_da_404(director):
    antigua = _subida(director, horas_atras=25)
    cliente = cliente_de(director)
    assert cliente.get(f"/indicadores/importar/{antigua.pk}/").status_code == 200
    importaciones_purgar(antes_de=AHORA - timedelta(hours=24))

    assert cliente.get(f"/indicadores/importar/{antigua.pk}/").status_code == 404
    assert cliente.post(f"/indicadores/importar/{antigua.pk}/").status_code == 404


def test_la_tarea_esta_en_el_calendario_de_beat():
    from mesa.celery import app

    app.finalize()
    entrada = app.conf.beat_schedule["importaciones_purgar"]
    assert entrada["task"] == "diagnosticos.tasks.importaciones_purgar_task"
    assert entrada["task"] in app.tasks  # autodiscovered: beat sends a name a worker knows
    assert entrada["schedule"].hour == set(range(24))  # hourly
    assert len(entrada["schedule"].minute) == 1
