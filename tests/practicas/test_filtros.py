"""Filters from the URL never break the library nor its CSV export: what does not fit is ignored."""

import datetime

import pytest
from django.test import Client

from practicas.selectors import Filtros
from tests.conftest import cliente_de
from tests.practicas.test_busqueda import _leer
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db

INVALIDOS = [
    "anio=99999",  # "year out of range" in the date lookup
    "anio=1899",
    "anio=2101",
    "anio=%C2%B2",  # "²": isdigit() is true, int() refuses it
    "anio=%D9%A3",  # an Arabic-Indic digit: int() accepts it, the filter must not
    "anio=-5",
    "organizacion=%C2%B2",
    "organizacion=99999999999999999999999",  # OverflowError in a bigint column
    "organizacion=0",
    "pagina=abc",
    "pagina=99999999999999999999",
    "orden=xyz",
    "orden=relevancia",  # without a search there is nothing to rank by
    "territorio=garbage",
    "territorio=%C2%B2%C2%B2",
    "territorio=123456",
    "categoria=garbage",
    "categoria=hur%00tos",  # PostgreSQL refuses NUL characters in a literal
    "q=c%C3%A1maras%00",
    "calificacion=xyz",
]


@pytest.fixture
def publicadas(org_zapallar, director, taxonomia):
    crear_practica(org_zapallar, director, titulo="Cámaras en los accesos", estado="publicada", visibilidad="publica",
                   periodo_inicio=datetime.date(2024, 3, 1))  # fmt: skip
    crear_practica(org_zapallar, director, titulo="Ferias libres seguras", estado="publicada", visibilidad="publica")


@pytest.mark.parametrize("consulta", INVALIDOS)
@pytest.mark.parametrize("ruta", ["/practicas/", "/practicas/exportar/"])
def test_un_filtro_invalido_se_ignora_en_la_lista_y_en_el_csv(publicadas, director, ruta, consulta):
    for cliente in (cliente_de(director), Client()):
        respuesta = cliente.get(f"{ruta}?{consulta}")
        assert respuesta.status_code == 200, consulta
        if consulta.split("=")[0] not in ("categoria", "q"):  # those still filter, by what is left of them
            assert "Ferias libres seguras" in _leer(respuesta).decode("utf-8-sig"), consulta


@pytest.mark.parametrize(
    ("get", "esperado"),
    [
        ({"anio": "99999"}, None),
        ({"anio": "²"}, None),
        ({"anio": " 2024 "}, 2024),
        ({"anio": "1900"}, 1900),
        ({"anio": "2100"}, 2100),
        ({"anio": "2101"}, None),
        ({"organizacion": "²"}, None),
        ({"organizacion": "99999999999999999999999"}, None),
        ({"organizacion": "1234567890"}, None),
        ({"organizacion": "123456789"}, 123456789),
    ],
)
def test_los_enteros_se_leen_estrictamente(get, esperado):
    filtros = Filtros.de_get(get)
    assert (filtros.anio if "anio" in get else filtros.organizacion) == esperado


def test_territorio_y_textos_saneados():
    assert Filtros.de_get({"territorio": "²²"}).territorio == ""
    assert Filtros.de_get({"territorio": "05405"}).territorio == "05405"
    assert Filtros.de_get({"categoria": "hur\x00tos", "q": "a\x00b"}).categoria == "hurtos"
    assert Filtros.de_get({"q": "a\x00b"}).q == "ab"


def test_un_anio_valido_sigue_filtrando(publicadas, director):
    html = cliente_de(director).get("/practicas/?anio=2024").content.decode()
    assert "Cámaras en los accesos" in html and "Ferias libres seguras" not in html
    csv = _leer(cliente_de(director).get("/practicas/exportar/?anio=2024")).decode("utf-8-sig")
    assert "Cámaras en los accesos" in csv and "Ferias libres seguras" not in csv
