"""Figures a director can trust: names checked against codes, measures and sources in the key, wide CEAD tables,
sums over the taxonomy tree, and bad files refused in Spanish (never a 500 or a worker stuck for minutes)."""

import io
import time
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comunas.models import Poblacion, Provincia
from comunas.taxonomia import Arbol
from diagnosticos import selectors as sel
from diagnosticos.models import Indicador
from diagnosticos.services import importacion_confirmar
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.diagnosticos.utiles import rechazo, subir, xlsx
from tests.practicas.utiles import taxonomia

LARGA = "codigo_territorio;territorio;categoria;anio;medida;origen;frecuencia\n"


def _mensajes(importacion):
    return [e["mensaje"] for e in importacion.errores]


@pytest.fixture
def provincial(dpa):
    """The director of Petorca's provincial delegation: may load the province and its communes."""
    from comunas.models import Membresia

    org = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    return miembro(org, "director@petorca.test", Membresia.Rol.DIRECTOR)


def test_el_nombre_debe_corresponder_al_codigo(director):
    importacion = subir(director, LARGA + "05405;Papudo;Hurtos;2024;;;3\n")
    assert _mensajes(importacion) == [
        "Fila 2, columna «Territorio»: el código 05405 es de Zapallar, no de «Papudo»; corrija el código o el nombre."
    ]


def test_nombre_sin_codigo_y_variantes_oficiales(admin):
    texto = (
        "codigo_territorio;territorio;categoria;anio;frecuencia\n"
        ";Llay-Llay;Hurtos;2024;5\n"
        ";Calera;Hurtos;2024;6\n"
        "05502;La Calera;Robo por sorpresa;2024;1\n"
        ";Provincia de Petorca;Hurtos;2024;40\n"
    )
    importacion = subir(admin, texto)
    assert importacion.errores == []
    importacion_confirmar(importacion=importacion, por=admin)
    assert set(Indicador.objects.values_list("territorio", flat=True)) == {"05703", "05502", "054"}


def test_denuncias_no_pisan_casos_policiales(director):
    importacion_confirmar(importacion=subir(director, LARGA + "05405;Zapallar;Hurtos;2024;;;30\n"), por=director)
    segunda = subir(director, LARGA + "05405;Zapallar;Hurtos;2024;Denuncias;Registros municipales;12\n")
    assert segunda.errores == []
    hecha = importacion_confirmar(importacion=segunda, por=director)
    assert (hecha.creados, hecha.actualizados) == (1, 0)
    valores = dict(Indicador.objects.values_list("medida", "frecuencia"))
    assert valores == {"casos_policiales": 30, "denuncias": 12}
    assert Indicador.objects.get(medida="denuncias").origen == "municipal"
    # Re-importing one measure updates only that one.
    tercera = subir(director, LARGA + "05405;Zapallar;Hurtos;2024;Denuncias;Registros municipales;15\n")
    assert importacion_confirmar(importacion=tercera, por=director).actualizados == 1
    assert dict(Indicador.objects.values_list("medida", "frecuencia")) == {"casos_policiales": 30, "denuncias": 15}


def test_otra_medida_con_su_nombre(director):
    importacion = subir(director, LARGA + "05405;Zapallar;Incivilidades;2024;Llamados al fono seguridad;;210\n")
    assert importacion.errores == []
    importacion_confirmar(importacion=importacion, por=director)
    indicador = Indicador.objects.get()
    assert (indicador.medida, indicador.medida_nombre, indicador.origen) == (
        "otra",
        "Llamados al fono seguridad",
        "cead",
    )


def test_tabla_ancha_por_familia_y_grupo_con_tasas(provincial):
    """A wide table as statistics come: one row per territory and category, one column per year."""
    for codigo, habitantes in (("05405", 8000), ("05403", 6000)):
        for anio in (2023, 2024):
            Poblacion.objects.create(comuna_id=codigo, anio=anio, habitantes=habitantes)
    filas = [
        ["Código", "Comuna", "Familia", "Grupo", "Subgrupo", "2023", "2024"],
        ["05405", "Zapallar", "Robos violentos", "Robos con violencia o intimidación", "", 10, 12],
        ["05405", "Zapallar", "Robos violentos", "Robo por sorpresa", "", 4, 2],
        ["05405", "Zapallar", "Delitos contra la propiedad no violentos", "Hurtos", "", 40, 48],
        ["05403", "Papudo", "Robos violentos", "Robos con violencia o intimidación", "", 3, 6],
        ["05403", "Papudo", "Delitos contra la propiedad no violentos", "", "", 30, None],
    ]
    importacion = subir(provincial, xlsx(filas))
    assert importacion.errores == [] and importacion.formato == "ancha"
    assert importacion_confirmar(importacion=importacion, por=provincial).creados == 9
    arbol = Arbol.vigente()
    robos = next(c for c in arbol.categorias if c.slug == "robos-violentos")
    resultado = sel.comparacion(categoria=robos, anio=2024, codigos=["05405", "05403"], arbol=arbol)
    # Robos violentos = the sum of its groups: Zapallar 12 + 2 = 14 cases → 175 per 100,000; Papudo 6 → 100.
    assert [(f["nombre"], f["frecuencia"], f["tasa"]) for f in resultado["filas"]] == [
        ("Zapallar", "14", "175,0"),
        ("Papudo", "6", "100,0"),
    ]
    propiedad = next(c for c in arbol.categorias if c.slug == "propiedad-no-violentos")
    filas = sel.comparacion(categoria=propiedad, anio=2023, codigos=["05405", "05403"], arbol=arbol)["filas"]
    assert {f["nombre"]: f["frecuencia"] for f in filas} == {"Papudo": "30", "Zapallar": "40"}  # own figure wins


def test_la_familia_debe_contener_al_grupo(director):
    filas = [["Código", "Familia", "Grupo", "2024"], ["05405", "Incivilidades", "Hurtos", 3]]
    assert _mensajes(subir(director, xlsx(filas))) == [
        "Fila 2, columna «Subgrupo»: «Hurtos» no pertenece a la familia «Incivilidades»."
    ]


def test_la_fila_de_ejemplo_de_la_plantilla_no_se_importa(director):
    taxonomia()
    plantilla = cliente_de(director).get("/indicadores/plantilla.csv").content.decode("utf-8")
    importacion = subir(director, plantilla.replace("\ufeff", ""))
    assert _mensajes(importacion) == [
        "Fila 2: es la fila de ejemplo de la plantilla: reemplácela por sus cifras o bórrela."
    ]


def test_celda_gigante_y_exponente_enorme_dan_mensajes_y_no_500(director):
    gigante = "codigo_territorio;categoria;anio;frecuencia;fuente\n05405;hurtos;2024;3;" + "x" * 200_000
    assert "una celda es demasiado larga" in rechazo(director, gigante)
    exponente = subir(director, "codigo_territorio;categoria;anio;tasa\n05405;hurtos;2024;1e999999999\n")
    assert _mensajes(exponente) == ["Fila 2, columna «Tasa por 100.000 habitantes»: «1e999999999» no es un número."]
    respuesta = cliente_de(director).post(
        "/indicadores/importar/",
        {"archivo": SimpleUploadedFile("i.csv", b"codigo_territorio;categoria;anio;tasa\n05405;hurtos;2024;9e99999\n")},
    )
    assert respuesta.status_code == 302  # to the preview, which lists the error


def _xlsx_con_textos(cuantos):
    """A small workbook whose shared strings table claims millions of strings (it compresses to almost nothing)."""
    base = io.BytesIO(xlsx([["codigo_territorio", "categoria", "anio", "frecuencia"]]).read())
    salida = io.BytesIO()
    with zipfile.ZipFile(base) as origen, zipfile.ZipFile(salida, "w", zipfile.ZIP_DEFLATED) as destino:
        for entrada in origen.infolist():
            if entrada.filename != "xl/sharedStrings.xml":
                destino.writestr(entrada, origen.read(entrada))
        textos = "".join(f"<si><t>{i % 10}</t></si>" for i in range(cuantos))
        destino.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{cuantos}" '
            f'uniqueCount="{cuantos}">{textos}</sst>',
        )
    return SimpleUploadedFile("bomba.xlsx", salida.getvalue())


def test_xlsx_con_millones_de_textos_se_rechaza_rapido_y_sin_memoria(director):
    archivo = _xlsx_con_textos(2_000_000)
    assert archivo.size < 2 * 1024 * 1024
    tracemalloc.start()
    inicio = time.monotonic()
    try:
        mensaje = rechazo(director, archivo)
        _, pico = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - inicio < 5
    assert pico < 64 * 1024 * 1024
    assert "textos distintos" in mensaje or "se expandiría" in mensaje  # refused before openpyxl parses it


def test_indicadores_en_la_clasificacion_anterior_continuan_la_serie(director):
    """A trend spans the change of classification through the crosswalk, and says so."""
    from comunas.models import Categoria

    taxonomia()
    vieja = Categoria.objects.get(taxonomia__version="CEAD 2015–2023", slug="robo-por-sorpresa")
    nueva = Categoria.objects.vigentes().get(slug="robo-por-sorpresa")
    Indicador.objects.create(territorio="05405", comuna_id="05405", categoria=vieja, anio=2022, tasa=Decimal(10))
    Indicador.objects.create(territorio="05405", comuna_id="05405", categoria=nueva, anio=2024, tasa=Decimal(20))
    anios, series = sel.tendencias("05405")
    robos = next(s for s in series if s.categoria.slug == "robos-violentos")
    assert anios == [2022, 2024] and robos.valores == [Decimal(10), Decimal(20)] and robos.empalmada
    assert "clasificación anterior" in robos.resumen
