"""Issue 12 in a browser: a wide table as the CEAD publishes it ("Robos violentos", "Delitos contra la propiedad
no violentos" by group and year) for the mesa's communes is imported, and the comparison shows them with rates,
by family and by group."""

from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from comunas.models import Comuna, Membresia, Poblacion, Provincia
from diagnosticos.models import Indicador
from mesa import services as mesa_services
from tests.conftest import CLAVE, crear_organizacion, miembro
from tests.e2e.conftest import violaciones_graves
from tests.practicas.utiles import taxonomia

CAPTURAS = Path(__file__).resolve().parents[2] / "var" / "pruebas"
POBLACION = {"05405": 8000, "05403": 6000, "05401": 36000}


@pytest.fixture
def mesa_de_petorca(e2e_db):
    taxonomia()
    provincial = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    jefa = miembro(provincial, "jefa@petorca.test", Membresia.Rol.DIRECTOR, nombre="Paula Provincial")
    coordinadora = miembro(provincial, "coordinacion@petorca.test", Membresia.Rol.INTEGRANTE)
    mesa = mesa_services.mesa_crear(nombre="Mesa provincial de Petorca", anfitriona=provincial, por=coordinadora)
    for codigo in ("05405", "05403"):
        org = crear_organizacion(comuna=Comuna.objects.get(codigo=codigo))
        director = miembro(org, f"director@{codigo}.test", Membresia.Rol.DIRECTOR)
        participacion = mesa_services.mesa_invitar(mesa=mesa, organizacion=org, por=coordinadora)
        mesa_services.participacion_aceptar(participacion=participacion, por=director)
    for codigo, habitantes in POBLACION.items():
        for anio in (2023, 2024):
            Poblacion.objects.create(comuna_id=codigo, anio=anio, habitantes=habitantes)
    return jefa


def _planilla_ancha(ruta):
    libro = Workbook()
    hoja = libro.active
    hoja.title = "indicadores"
    hoja.append(["Código", "Comuna", "Familia", "Grupo", "Subgrupo", "2023", "2024"])
    for codigo, nombre, robos, sorpresa, hurtos, habitados in (
        ("05405", "Zapallar", 10, 4, 40, 22),
        ("05403", "Papudo", 3, 1, 30, 9),
        ("05401", "La Ligua", 60, 25, 300, 80),
    ):
        hoja.append([codigo, nombre, "Robos violentos", "Robos con violencia o intimidación", "", robos, robos + 2])
        hoja.append([codigo, nombre, "Robos violentos", "Robo por sorpresa", "", sorpresa, sorpresa])
        hoja.append([codigo, nombre, "Delitos contra la propiedad no violentos", "Hurtos", "", hurtos, hurtos + 5])
        hoja.append(
            [
                codigo,
                nombre,
                "Delitos contra la propiedad no violentos",
                "Robos en lugares habitados y no habitados",
                "Robo en lugar habitado",
                habitados,
                habitados,
            ]
        )
    libro.save(ruta)


def test_una_tabla_ancha_del_cead_se_importa_y_se_compara_por_familia_y_grupo(
    live_server, page, mesa_de_petorca, tmp_path
):
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill("jefa@petorca.test")
    page.get_by_label("Contraseña").fill(CLAVE)
    page.get_by_role("button", name="Ingresar").click()

    page.goto(live_server.url + "/indicadores/importar/")
    ruta = tmp_path / "cead-petorca.xlsx"
    _planilla_ancha(ruta)
    page.get_by_label("Archivo de indicadores (CSV o Excel)").set_input_files(str(ruta))
    page.get_by_role("button", name="Revisar el archivo").click()
    expect(page.get_by_text("tabla ancha (una fila por territorio y categoría")).to_be_visible()
    expect(page.get_by_role("status").last).to_contain_text("Al confirmar se crearán 24 indicadores")
    assert violaciones_graves(page) == []
    page.get_by_role("button", name="Confirmar la importación").click()
    expect(page.get_by_text("Importación lista: 24 indicadores nuevos y 0 actualizados.")).to_be_visible()
    assert Indicador.objects.filter(medida="casos_policiales", origen="cead").count() == 24

    # The family: the sum of its groups, with rates, over the mesa's communes.
    page.goto(live_server.url + "/indicadores/comparar/")
    page.get_by_label("Categoría (familia, grupo o subgrupo)").select_option(value="robos-violentos")
    page.get_by_label("Año").select_option("2024")
    page.get_by_label("Territorios", exact=True).select_option(value="mesa")
    page.get_by_role("button", name="Comparar").click()
    expect(page.get_by_role("heading", name="Robos violentos, 2024")).to_be_visible()
    # Zapallar: 12 + 4 = 16 cases → 200 per 100,000; Papudo: 5 + 1 = 6 → 100. La Ligua is not in the mesa.
    expect(page.get_by_role("row", name="Zapallar")).to_contain_text("200,0")
    expect(page.get_by_role("row", name="Papudo")).to_contain_text("100,0")
    expect(page.get_by_role("rowheader", name="La Ligua")).to_have_count(0)
    CAPTURAS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURAS / "cead-1-familia.png"), full_page=True)
    assert violaciones_graves(page) == []

    # A group of the other family.
    page.get_by_label("Categoría (familia, grupo o subgrupo)").select_option(value="hurtos")
    page.get_by_role("button", name="Comparar").click()
    expect(page.get_by_role("heading", name="Delitos contra la propiedad no violentos › Hurtos, 2024")).to_be_visible()
    expect(page.get_by_role("row", name="Papudo")).to_contain_text("583,3")  # 35 / 6.000 × 100.000
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(CAPTURAS / "cead-2-grupo-telefono.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
