"""Journey of issue 6: a director uploads a spreadsheet of indicators, fixes the reported errors, confirms, and
sees the trend chart and the comparison with the other territories. Screenshots go to var/pruebas/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from comunas.models import Comuna, Membresia, Poblacion
from diagnosticos.models import Indicador
from tests.conftest import CLAVE, crear_organizacion, miembro
from tests.e2e.conftest import violaciones_graves
from tests.practicas.utiles import taxonomia

CAPTURAS = Path(__file__).resolve().parents[2] / "var" / "pruebas"
CABECERA = "codigo_territorio;territorio;categoria;anio;frecuencia;tasa;fuente\n"


@pytest.fixture
def escenario(e2e_db):
    taxonomia()  # e2e flushes the database: reload the taxonomy as the data migration did
    zapallar = crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))
    algarrobo = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    director = miembro(zapallar, "director@zapallar.test", Membresia.Rol.DIRECTOR, nombre="Rodrigo Director")
    for anio in range(2020, 2025):
        Poblacion.objects.create(comuna_id="05405", anio=anio, habitantes=7500 + 50 * (anio - 2020))
    from comunas.models import Categoria

    hurtos = Categoria.objects.get(slug="hurtos", taxonomia__vigente=True)
    Indicador.objects.create(
        territorio="05602", comuna_id="05602", categoria=hurtos, anio=2024, frecuencia=150, tasa="1050.5"
    )
    return director, algarrobo


def _captura(page, nombre):
    CAPTURAS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURAS / f"diagnosticos-{nombre}.png"), full_page=True)


def _subir(page, ruta):
    page.get_by_label("Archivo de indicadores (CSV o Excel)").set_input_files(str(ruta))
    page.get_by_role("button", name="Revisar el archivo").click()


def test_un_director_carga_sus_cifras_y_las_compara(live_server, page, escenario, tmp_path):
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill("director@zapallar.test")
    page.get_by_label("Contraseña").fill(CLAVE)
    page.get_by_role("button", name="Ingresar").click()

    # 1. From the diagnoses page to the upload form.
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Diagnósticos").click()
    page.get_by_role("link", name="Cargar indicadores", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cargar indicadores desde una planilla")
    assert violaciones_graves(page) == []

    # 2. A spreadsheet with mistakes: every one is reported by row and column, nothing is saved.
    con_errores = tmp_path / "zapallar.csv"
    filas = [f"05405;Zapallar;Hurtos;{anio};{80 + anio - 2020};;CEAD" for anio in range(2020, 2024)]
    filas += ["05405;Zapallar;Hurtos;2024;noventa;;CEAD", "13101;Santiago;Hurtos;2024;900;;CEAD"]
    con_errores.write_text(CABECERA + "\n".join(filas) + "\n", encoding="latin-1")
    _subir(page, con_errores)
    expect(page.get_by_role("heading", name="El archivo tiene errores; no se guardó nada")).to_be_visible()
    errores = page.locator("#errores li")
    expect(errores).to_have_count(2)
    expect(errores.nth(0)).to_have_text("Fila 6, columna «Casos»: «noventa» no es un número.")
    expect(errores.nth(1)).to_contain_text("Fila 7, columna «Código del territorio»: su organización no puede cargar")
    _captura(page, "1-errores")
    assert violaciones_graves(page) == []
    assert Indicador.objects.filter(territorio="05405").count() == 0

    # 3. Fixed file: the preview says what will be created; confirming writes it.
    page.get_by_role("link", name="Subir el archivo corregido").click()
    corregido = tmp_path / "zapallar-corregido.csv"
    corregido.write_text(CABECERA + "\n".join(filas[:4] + ["05405;Zapallar;Hurtos;2024;90;;CEAD"]) + "\n")
    _subir(page, corregido)
    expect(page.get_by_role("status")).to_contain_text("Al confirmar se crearán 5 indicadores y se actualizarán 0")
    expect(page.get_by_role("cell", name="1.066,67 (calculada)")).to_be_visible()  # 80 / 7.500 × 100.000
    _captura(page, "2-vista-previa")
    assert violaciones_graves(page) == []
    page.get_by_role("button", name="Confirmar la importación").click()
    expect(page.get_by_text("Importación lista: 5 indicadores nuevos y 0 actualizados.")).to_be_visible()
    assert Indicador.objects.filter(territorio="05405").count() == 5

    # 4. The trend chart of the commune, with its table and summary.
    page.get_by_role("link", name="Ver los gráficos").click()
    expect(page.get_by_label("Territorio")).to_have_value("05405")
    page.get_by_role("button", name="Ver tendencias").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tendencias de Zapallar")
    expect(page.get_by_role("img", name="Delitos contra la propiedad no violentos")).to_be_visible()
    page.get_by_role("link", name="Ver por grupo (Delitos contra la propiedad no violentos)").click()
    expect(page.get_by_role("img", name="Hurtos")).to_be_visible()
    expect(page.locator("#grafico-hurtos-resumen")).to_have_text(
        re.compile("^Hurtos: de 1.066,7 por 100.000 habitantes en 2020 a 1.168,8 en 2024")
    )
    _captura(page, "3-tendencias")
    assert violaciones_graves(page) == []

    # 5. The comparison with the other territories of the platform.
    page.get_by_role("link", name="Comparar con otros territorios").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparar territorios")
    expect(page.get_by_role("img", name="Tasa por 100.000 habitantes")).to_be_visible()
    expect(page.locator("#comparacion-resumen")).to_contain_text("Zapallar ocupa el lugar 1 de 2.")
    expect(page.get_by_role("rowheader", name="Algarrobo")).to_be_visible()
    _captura(page, "4-comparacion")
    assert violaciones_graves(page) == []


def test_un_director_escribe_y_publica_su_diagnostico_con_practicas_recomendadas(live_server, page, escenario):
    from tests.practicas.utiles import crear_practica

    director, algarrobo = escenario
    autora = miembro(algarrobo, "directora@algarrobo.test", Membresia.Rol.DIRECTOR)
    crear_practica(algarrobo, autora, titulo="Patrullaje preventivo en el borde costero", estado="publicada")
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill("director@zapallar.test")
    page.get_by_label("Contraseña").fill(CLAVE)
    page.get_by_role("button", name="Ingresar").click()

    page.goto(live_server.url + "/diagnosticos/")
    page.get_by_role("link", name="Nuevo diagnóstico").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nuevo diagnóstico")
    assert violaciones_graves(page) == []
    page.get_by_label("Título").fill("Diagnóstico comunal de Zapallar 2024")
    page.get_by_label("Año de inicio").fill("2023")
    page.get_by_label("Año de término").fill("2024")
    page.get_by_label("Contexto del territorio").fill("Comuna costera con población flotante en verano.")
    primero = page.get_by_role("group", name="Problema 1", exact=True)
    primero.get_by_label("Categoría (o la más cercana)").select_option(label="\u2003Hurtos")
    primero.get_by_label("Por qué se prioriza").fill("Alza de hurtos en temporada estival.")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Diagnóstico guardado como borrador.")).to_be_visible()

    page.get_by_label("Todas las organizaciones de la plataforma").check()
    page.get_by_role("button", name="Publicar").click()
    expect(page.get_by_text("Diagnóstico publicado.")).to_be_visible()
    expect(page.get_by_role("link", name="Patrullaje preventivo en el borde costero")).to_be_visible()
    recomendada = page.get_by_role("listitem").filter(has_text="Patrullaje preventivo en el borde costero").last
    expect(recomendada).to_contain_text("Misma región")  # Algarrobo: same region, another province
    _captura(page, "5-diagnostico")
    assert violaciones_graves(page) == []

    page.get_by_role("link", name="Versión para imprimir").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnóstico comunal de Zapallar 2024")
    _captura(page, "6-imprimir")
    assert violaciones_graves(page) == []
