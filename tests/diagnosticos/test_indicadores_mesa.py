"""Comparing the territories of a mesa: the organizations with an accepted participation in one of the user's mesas."""

import pytest
from django.test import Client

from comunas.models import Comuna
from diagnosticos.models import Indicador
from mesa.models import Participacion
from tests.conftest import cliente_de, crear_organizacion
from tests.diagnosticos.test_indicadores_graficos import _indicadores
from tests.mesa.utiles import crear_mesa


@pytest.fixture
def mesa_con_santiago(org_zapallar, org_ajena, coordinador):
    """Zapallar hosts a mesa where Santiago accepted; Valparaíso (active) is invited but has not accepted."""
    mesa = crear_mesa(org_zapallar, coordinador)
    Participacion.objects.create(mesa=mesa, organizacion=org_ajena, estado=Participacion.Estado.ACEPTADA)
    valparaiso = crear_organizacion(comuna=Comuna.objects.get(codigo="05101"))
    Participacion.objects.create(mesa=mesa, organizacion=valparaiso, estado=Participacion.Estado.INVITADA)
    return mesa


def _comparar(usuario, **params):
    cliente = usuario if isinstance(usuario, Client) else cliente_de(usuario)
    return cliente.get("/indicadores/comparar/", {"categoria": "hurtos", "anio": "2024", **params})


def test_por_defecto_compara_los_territorios_de_su_primera_mesa(director, mesa_con_santiago):
    _indicadores(["05405", "13101", "05101", "05102"], [2024])
    html = _comparar(director).content.decode()
    assert "2 territorios con tasa" in html
    assert "Zapallar" in html and "Santiago" in html and ">Valparaíso</a>" not in html
    assert "Territorios de las organizaciones de una mesa" in html
    assert "(la mesa)" not in html


def test_la_plataforma_incluye_direcciones_fuera_de_la_mesa(director, mesa_con_santiago):
    _indicadores(["05405", "13101", "05101", "05102"], [2024])
    html = _comparar(director, ambito="plataforma").content.decode()
    assert "3 territorios con tasa" in html and ">Valparaíso</a>" in html
    assert "Territorios de todas las direcciones de la plataforma" in html


def test_una_mesa_que_no_ve_no_se_puede_elegir(director, mesa_con_santiago, dpa):
    from comunas.models import Membresia
    from tests.conftest import miembro

    otra_org = crear_organizacion(comuna=Comuna.objects.get(codigo="05102"))
    otro = miembro(otra_org, "otro@casablanca.test", Membresia.Rol.DIRECTOR)
    otra = crear_mesa(otra_org, otro, nombre="Mesa de Casablanca")
    _indicadores(["05405", "05102"], [2024])
    html = _comparar(director, ambito="mesa", mesa=str(otra.pk)).content.decode()
    assert "territorios con tasa" not in html and "Mesa de Casablanca" not in html


def test_sin_mesas_compara_la_plataforma(director, org_ajena):
    _indicadores(["05405", "13101"], [2024])
    html = _comparar(director).content.decode()
    assert "2 territorios con tasa" in html
    assert "Territorios de las organizaciones de una mesa" not in html  # no mesa to choose


def test_comparacion_de_una_mesa_con_consultas_fijas(
    director, mesa_con_santiago, django_assert_num_queries, django_assert_max_num_queries
):
    parametros = {"ambito": "mesa", "mesa": str(mesa_con_santiago.pk)}
    cliente = cliente_de(director)
    _indicadores(["05405"], [2024])
    with django_assert_max_num_queries(19) as pocas:
        _comparar(cliente, **parametros)
    Indicador.objects.all().delete()
    for i, comuna in enumerate(Comuna.objects.exclude(codigo__in=["05405", "13101"])[:20]):
        org = crear_organizacion(comuna=comuna, nombre=f"Dirección {i}")
        Participacion.objects.create(mesa=mesa_con_santiago, organizacion=org, estado=Participacion.Estado.ACEPTADA)
    _indicadores(list(Comuna.objects.values_list("codigo", flat=True)), [2024])
    with django_assert_num_queries(len(pocas)):
        respuesta = _comparar(cliente, **parametros)
    assert "22 territorios con tasa" in respuesta.content.decode()
