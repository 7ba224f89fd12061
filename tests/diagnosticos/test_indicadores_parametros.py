"""Indicator pages with malformed or hostile query parameters: a clear answer (400/404), never a 500."""

import pytest

from tests.conftest import cliente_de
from tests.diagnosticos.utiles import categoria


@pytest.mark.parametrize("codigo", ["a/b", "99999", "abc", "05405\n", "٠٥٤٠٥", "0" * 50, "%00"])
def test_elegir_un_territorio_invalido_muestra_un_error(director, codigo):
    respuesta = cliente_de(director).get("/indicadores/", {"territorio": codigo})
    assert respuesta.status_code == 400
    assert "Ese territorio no existe" in respuesta.content.decode()


def test_elegir_un_territorio_valido_lleva_a_sus_tendencias(director):
    respuesta = cliente_de(director).get("/indicadores/", {"territorio": "05405"})
    assert respuesta.status_code == 302 and respuesta["Location"] == "/indicadores/05405/"


@pytest.mark.parametrize("codigo", ["\r\nX:y", "99999", "05405\x00", "x" * 300, "a/b"])
def test_exportar_un_territorio_invalido_es_404(director, codigo):
    assert cliente_de(director).get("/indicadores/exportar.csv", {"territorio": codigo}).status_code == 404


def test_exportar_un_territorio_valido(director):
    respuesta = cliente_de(director).get("/indicadores/exportar.csv", {"territorio": "05405"})
    assert respuesta.status_code == 200
    assert 'filename="indicadores-05405-' in respuesta["Content-Disposition"]


@pytest.mark.parametrize("formato", ["foo", "html", "csv.exe", "XLSX"])
def test_plantilla_en_otro_formato_es_404(director, formato):
    assert cliente_de(director).get(f"/indicadores/plantilla.{formato}").status_code == 404


def test_plantilla_csv(director):
    respuesta = cliente_de(director).get("/indicadores/plantilla.csv")
    assert respuesta.status_code == 200 and respuesta["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(
    "parametros",
    [
        {"anio": "xx"},
        {"anio": "99999"},
        {"anio": str(2**70)},
        {"anio": "-1"},
        {"categoria": "zz"},
        {"categoria": "hurtos\x00"},
        {"ambito": "zz"},
        {"ambito": "region", "region": "zz\x00"},
        {"ambito": "mesa", "mesa": "abc"},
        {"ambito": "mesa", "mesa": str(2**70)},
        {"territorio": ["a/b", "\x00", "9" * 300]},
        {"page": "abc"},
    ],
)
def test_comparar_con_parametros_basura_no_falla(director, parametros):
    categoria("hurtos")
    respuesta = cliente_de(director).get("/indicadores/comparar/", parametros)
    assert respuesta.status_code == 200


@pytest.mark.parametrize("ruta", ["/indicadores/%00/", "/indicadores/a%0d%0ab/", "/indicadores/" + "9" * 300 + "/"])
def test_tendencias_de_un_codigo_basura_es_404(director, ruta):
    assert cliente_de(director).get(ruta).status_code == 404


@pytest.mark.parametrize("parametros", [{"page": "abc"}, {"page": str(2**70)}, {"anio": "xx"}, {"categoria": "zz"}])
def test_listas_de_diagnosticos_con_parametros_basura(director, parametros):
    assert cliente_de(director).get("/diagnosticos/", parametros).status_code == 200
    assert cliente_de(director).get("/indicadores/05405/", parametros).status_code == 200
