"""A big indicator upload is confirmed by a worker (issue 17): the page shows its progress, polled from a small JSON;
the person may leave and come back; all or nothing still holds."""

from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comunas.models import Membresia
from diagnosticos import services
from diagnosticos.models import ImportacionIndicadores, Indicador
from tests.conftest import cliente_de
from tests.diagnosticos.utiles import subir

pytestmark = pytest.mark.django_db

CABECERA = "codigo_territorio;categoria;anio;trimestre;mes;frecuencia;tasa;fuente\n"
TRES = (
    CABECERA + "05405;hurtos;2022;;;90;1200;CEAD\n05405;hurtos;2023;;;95;1250;CEAD\n05405;hurtos;2024;;;98;1300;CEAD\n"
)


@pytest.fixture
def grande(settings):
    """Uploads of more than two rows count as big here."""
    settings.IMPORTACION_FILAS_EN_LINEA = 2


def _url(importacion, sufijo=""):
    return f"/indicadores/importar/{importacion.pk}/{sufijo}"


def test_confirmar_una_grande_la_deja_a_un_worker_y_la_pagina_muestra_el_avance(director, grande):
    importacion = subir(director, TRES)
    cliente = cliente_de(director)
    respuesta = cliente.post(_url(importacion), follow=True)
    html = respuesta.content.decode()
    assert "Confirmando la importación: puede seguir trabajando y volver a esta página." in html
    assert "0 de 3 filas (0 %)" in html and 'max="3"' in html and "js/avance-importacion.js" in html
    importacion.refresh_from_db()
    assert importacion.estado == "confirmando" and importacion.por_escribir == 3
    assert not Indicador.objects.exists()  # the worker has not run: nothing written yet
    estado = cliente.get(_url(importacion, "estado.json")).json()
    assert estado == {"estado": "confirmando", "escritas": 0, "por_escribir": 3, "porcentaje": 0}
    segunda = cliente.post(_url(importacion), follow=True).content.decode()
    assert "Esta importación ya se está confirmando" in segunda  # a second click does not enqueue it again


def test_el_worker_la_confirma_y_al_volver_se_ve_el_resultado(director, grande, django_capture_on_commit_callbacks):
    importacion = subir(director, TRES)
    cliente = cliente_de(director)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs here (eager), as a worker would
        cliente.post(_url(importacion))
    assert Indicador.objects.filter(territorio="05405").count() == 3
    estado = cliente.get(_url(importacion, "estado.json")).json()
    assert estado == {"estado": "confirmada", "escritas": 3, "por_escribir": 3, "porcentaje": 100}
    html = cliente.get(_url(importacion)).content.decode()
    assert "Confirmada: 3 indicadores nuevos y 0 actualizados." in html and "avance-importacion.js" not in html


def test_una_pequena_se_confirma_en_la_misma_peticion(director, settings):
    settings.IMPORTACION_FILAS_EN_LINEA = 3
    importacion = subir(director, TRES)
    html = cliente_de(director).post(_url(importacion), follow=True).content.decode()
    assert "Importación lista: 3 indicadores nuevos y 0 actualizados." in html
    assert Indicador.objects.count() == 3


def test_el_estado_no_lee_las_filas_revisadas(director, grande):
    importacion = subir(director, TRES)
    services.importacion_encolar(importacion=importacion, por=director)
    with CaptureQueriesContext(connection) as consultas:
        assert cliente_de(director).get(_url(importacion, "estado.json")).status_code == 200
    lectura = next(q["sql"] for q in consultas.captured_queries if "comunas_importacionindicadores" in q["sql"])
    assert '"filas"' not in lectura and '"errores"' not in lectura


def test_si_perdio_el_permiso_se_detiene_sin_escribir_y_lo_dice(director, grande, org_zapallar):
    importacion = subir(director, TRES)
    services.importacion_encolar(importacion=importacion, por=director)
    Membresia.objects.filter(usuario=director).update(rol=Membresia.Rol.LECTOR)
    services.importacion_procesar(importacion_id=importacion.pk)
    importacion.refresh_from_db()
    assert importacion.estado == "pendiente" and importacion.escritas == 0
    assert importacion.error == "Solo el director(a) o integrantes de una dirección pueden cargar indicadores."
    assert not Indicador.objects.exists()


def test_un_aviso_repetido_del_worker_no_escribe_dos_veces(director, grande):
    importacion = subir(director, TRES)
    services.importacion_encolar(importacion=importacion, por=director)
    services.importacion_procesar(importacion_id=importacion.pk)
    services.importacion_procesar(importacion_id=importacion.pk)  # the task delivered again
    importacion.refresh_from_db()
    assert (importacion.estado, importacion.creados, Indicador.objects.count()) == ("confirmada", 3, 3)


def test_una_confirmacion_que_no_termino_vuelve_a_estar_por_confirmar(director, grande):
    importacion = subir(director, TRES)
    services.importacion_encolar(importacion=importacion, por=director)
    ImportacionIndicadores.objects.filter(pk=importacion.pk).update(encolada_en=timezone.now() - timedelta(hours=2))
    assert services.importaciones_reanudar(antes_de=timezone.now() - timedelta(hours=1)) == 1
    html = cliente_de(director).get(_url(importacion)).content.decode()
    assert "La confirmación no terminó y no se guardó nada: confírmela de nuevo." in html
    assert "Confirmar la importación" in html


@pytest.mark.django_db(transaction=True)
def test_el_avance_se_ve_desde_fuera_mientras_las_cifras_esperan_el_commit(director, grande, monkeypatch):
    """Seen from another connection (the page polling) before the worker's transaction commits: the progress is
    there, the indicators are not (all or nothing)."""
    monkeypatch.setattr(services, "LOTE_ESCRITURA", 2)
    importacion = subir(director, TRES)
    vistos = []
    version_nueva = services.version_nueva

    def mirar_desde_fuera(nombre):  # called at the end of the writing, inside the worker's transaction
        otra = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with otra.cursor() as cursor:
                cursor.execute("SELECT escritas FROM comunas_importacionindicadores WHERE id = %s", [importacion.pk])
                escritas = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM comunas_indicador")
                vistos.append((escritas, cursor.fetchone()[0]))
        finally:
            otra.close()
        version_nueva(nombre)

    monkeypatch.setattr(services, "version_nueva", mirar_desde_fuera)
    services.importacion_encolar(importacion=importacion, por=director)  # committed: the (eager) worker runs now
    assert vistos == [(3, 0)]
    assert Indicador.objects.count() == 3
