"""Lists that grow with the country are read a page at a time (issue 17): diagnoses, other organizations' plans and
a mesa's sessions, with the shared pager."""

import pytest

from comunas.models import Comuna
from mesa.models import Sesion
from planes.models import Plan
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.diagnosticos.utiles import crear_diagnostico
from tests.mesa.utiles import crear_mesa, crear_sesion
from tests.planes.utiles import crear_plan

pytestmark = pytest.mark.django_db


def test_los_diagnosticos_de_a_30(director, org_zapallar):
    for i in range(31):
        crear_diagnostico(org_zapallar, director, titulo=f"Diagnóstico {i:02d}", publicar="plataforma")
    cliente = cliente_de(director)
    primera = cliente.get("/diagnosticos/").content.decode()
    assert primera.count("list-group-item-action") == 30 and "Página 1 de 2" in primera
    segunda = cliente.get("/diagnosticos/?pagina=2").content.decode()
    assert segunda.count("list-group-item-action") == 1 and 'aria-label="Páginas de diagnósticos"' in segunda


def test_los_planes_de_otras_organizaciones_de_a_30(director, org_zapallar):
    otra = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    su_director = miembro(otra, "director@algarrobo.test", "director")
    propio = crear_plan(org_zapallar, director, titulo="Plan propio")
    ajenos = [crear_plan(otra, su_director, titulo=f"Plan ajeno {i:02d}").pk for i in range(31)]
    Plan.objects.filter(pk__in=ajenos).update(estado=Plan.Estado.EN_EJECUCION)  # shared with the platform
    respuesta = cliente_de(director).get("/planes/")
    assert [p.pk for p in respuesta.context["tablero"]["planes"]] == [propio.pk]
    assert len(respuesta.context["otros"].object_list) == 30 and respuesta.context["otros"].paginator.count == 31
    assert "Páginas de planes de otras organizaciones" in respuesta.content.decode()
    assert len(cliente_de(director).get("/planes/?pagina=2").context["otros"].object_list) == 1


def test_las_sesiones_de_una_mesa_de_a_20_la_ultima_primero(org_zapallar, coordinador, director):
    mesa = crear_mesa(org_zapallar, coordinador)
    for numero in range(1, 22):
        crear_sesion(mesa, numero=numero, estado=Sesion.Estado.REALIZADA, dias=numero - 30)
    html = cliente_de(director).get(f"/mesas/{mesa.pk}/").content.decode()
    assert "n.º 21<" in html and "n.º 2<" in html and "n.º 1<" not in html and "Página 1 de 2" in html
    segunda = cliente_de(director).get(f"/mesas/{mesa.pk}/?pagina=2").content.decode()
    assert "n.º 1<" in segunda and "n.º 21" not in segunda
