"""Issue 17 in a browser: a big indicator upload is confirmed by a worker; the page shows its progress and, when the
worker is done, the result, without the person doing anything."""

import pytest
from playwright.sync_api import expect

from comunas.models import Comuna, Membresia
from diagnosticos import services, tasks
from tests.conftest import CLAVE, crear_organizacion, miembro
from tests.e2e.conftest import violaciones_graves
from tests.practicas.utiles import taxonomia

CSV = "codigo_territorio;categoria;anio;frecuencia;tasa;fuente\n" + "".join(
    f"05405;hurtos;{anio};{90 + i};{1200 + i};CEAD\n" for i, anio in enumerate((2022, 2023, 2024))
)


@pytest.fixture
def directora(e2e_db, settings):
    settings.IMPORTACION_FILAS_EN_LINEA = 2  # three rows count as a big upload here
    taxonomia()
    zapallar = crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))
    return miembro(zapallar, "directora@zapallar.test", Membresia.Rol.DIRECTOR, nombre="Daniela Directora")


def test_una_importacion_grande_muestra_su_avance_y_su_resultado(live_server, page, directora, tmp_path, monkeypatch):
    encoladas = []  # the worker is this test: it runs the task when it chooses
    monkeypatch.setattr(tasks.importacion_confirmar_task, "delay_on_commit", encoladas.append)
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill("directora@zapallar.test")
    page.get_by_label("Contraseña").fill(CLAVE)
    page.get_by_role("button", name="Ingresar").click()

    archivo = tmp_path / "hurtos.csv"
    archivo.write_text(CSV, encoding="utf-8")
    page.goto(live_server.url + "/indicadores/importar/")
    page.get_by_label("Archivo de indicadores (CSV o Excel)").set_input_files(str(archivo))
    page.get_by_role("button", name="Revisar el archivo").click()
    page.get_by_role("button", name="Confirmar la importación").click()

    expect(page.get_by_role("heading", name="Confirmando la importación")).to_be_visible()
    expect(
        page.get_by_text("Confirmando la importación: puede seguir trabajando y volver a esta página.")
    ).to_be_visible()
    expect(page.get_by_label("Filas guardadas")).to_be_visible()
    expect(page.get_by_text("0 de 3 filas (0 %).")).to_be_visible()
    assert violaciones_graves(page) == []

    services.importacion_procesar(importacion_id=encoladas[0])  # the worker writes the rows
    expect(page.get_by_text("Confirmada: 3 indicadores nuevos y 0 actualizados.")).to_be_visible(timeout=15_000)
