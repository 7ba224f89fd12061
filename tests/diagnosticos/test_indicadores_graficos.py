"""Charts: trends of a territory, comparison of territories (fixed queries over 346 communes × 5 years)."""

import re
from decimal import Decimal

import pytest

from comunas.models import Comuna
from diagnosticos.graficos import cifra
from diagnosticos.models import Indicador
from diagnosticos.services import VERSION_INDICADORES
from nucleo.cache import version_nueva
from tests.conftest import cliente_de
from tests.diagnosticos.utiles import categoria


def _indicadores(codigos, anios, slug="hurtos", tasa=lambda i, anio: Decimal(100 + i * 10 + anio - 2020)):
    cat = categoria(slug)
    version_nueva(VERSION_INDICADORES)  # figures written here, not by an import: say so (nucleo.cache)
    Indicador.objects.bulk_create(
        Indicador(
            territorio=c, comuna_id=c, categoria=cat, anio=a, frecuencia=10 + i, tasa=tasa(i, a), fuente="Ejemplo"
        )
        for i, c in enumerate(codigos)
        for a in anios
    )


def test_cifras_en_notacion_chilena():
    assert cifra(Decimal("1234567.891"), 2) == "1.234.567,89"
    assert cifra(None) == "—"


def test_tendencias_de_una_comuna_con_grafico_tabla_y_resumen(director):
    _indicadores(["05405"], range(2020, 2025), tasa=lambda i, a: Decimal({2020: 200, 2024: 150}.get(a, 180)))
    html = cliente_de(director).get("/indicadores/05405/").content.decode()
    assert "Tendencias de Zapallar" in html
    assert '<svg class="grafico img-fluid d-block"' in html and 'role="img"' in html and "<polyline" in html
    # By family first (a family without its own figure is the sum of what it holds), then open it by group.
    familia = "Delitos contra la propiedad no violentos: de 200,0 por 100.000 habitantes en 2020 a 150,0 en 2024"
    assert familia in html and "Ver por grupo" in html
    html = cliente_de(director).get("/indicadores/05405/?categoria=propiedad-no-violentos").content.decode()
    assert "Hurtos: de 200,0 por 100.000 habitantes en 2020 a 150,0 en 2024 (bajó 25,0 %)." in html
    assert '<th scope="row">2022</th>' in html and "180,0" in html
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "style=" not in svg  # CSP: no inline styles
    assert not re.search(r' (x|y|cx|cy|width)="[^"]*\d,\d', svg)  # coordinates never localized ("12,5")


def test_tendencias_sin_datos(director):
    assert "Aún no hay indicadores anuales" in cliente_de(director).get("/indicadores/05405/").content.decode()


def test_territorio_inexistente(director):
    assert cliente_de(director).get("/indicadores/99999/").status_code == 404


def test_comparacion_de_la_plataforma_destaca_la_propia(director, org_ajena):
    _indicadores(["05405", "13101", "05101"], [2024])
    html = cliente_de(director).get("/indicadores/comparar/?categoria=hurtos&anio=2024").content.decode()
    # Default: the territories of the directorates on the platform (Zapallar and Santiago), not Valparaíso.
    assert "Zapallar" in html and "Santiago" in html and ">Valparaíso</a>" not in html
    assert "Zapallar ocupa el lugar 2 de 2." in html
    assert 'font-weight="bold"' in html
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert not re.search(r' (x|y|width)="[^"]*\d,\d', svg)


def test_comparacion_de_una_region_y_de_una_seleccion(director):
    _indicadores(["05405", "05101", "13101"], [2024])
    cliente = cliente_de(director)
    region = cliente.get("/indicadores/comparar/?categoria=hurtos&anio=2024&ambito=region&region=05").content.decode()
    assert "2 territorios con tasa" in region and ">Santiago</a>" not in region
    seleccion = cliente.get("/indicadores/comparar/?categoria=hurtos&anio=2024&territorio=13101").content.decode()
    assert "1 territorios con tasa" in seleccion


@pytest.mark.parametrize("ambito", ["pais", "plataforma"])
def test_comparacion_de_346_comunas_y_cinco_anios_con_consultas_fijas(
    director, ambito, django_assert_num_queries, django_assert_max_num_queries
):
    url = f"/indicadores/comparar/?categoria=hurtos&anio=2024&ambito={ambito}"
    cliente = cliente_de(director)
    _indicadores(["05405", "05101"], range(2020, 2025))
    with django_assert_max_num_queries(19) as pocas:
        cliente.get(url)
    Indicador.objects.all().delete()
    codigos = list(Comuna.objects.values_list("codigo", flat=True))
    assert len(codigos) == 346
    _indicadores(codigos, range(2020, 2025))
    with django_assert_num_queries(len(pocas)):
        respuesta = cliente.get(url)
    if ambito == "pais":
        assert "346 territorios con tasa" in respuesta.content.decode()
