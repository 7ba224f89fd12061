"""Visibility "miembros de una mesa": the organizations that share an accepted mesa with the author's."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from comunas.models import Comuna, Membresia
from mesa.models import Participacion
from practicas.access import practicas_visibles
from practicas.models import Practica
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa
from tests.practicas.test_busqueda import _leer
from tests.practicas.utiles import crear_practica, participar

pytestmark = pytest.mark.django_db


@pytest.fixture
def companera(org_zapallar, coordinador):
    """Algarrobo shares an accepted mesa with Zapallar; Santiago (ajeno) does not take part."""
    algarrobo = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    participar(crear_mesa(org_zapallar, coordinador), algarrobo)
    return miembro(algarrobo, "lector@algarrobo.test", Membresia.Rol.LECTOR, nombre="Lorena Algarrobo")


@pytest.fixture
def de_mesa(org_zapallar, director, companera, taxonomia):
    return crear_practica(org_zapallar, director, titulo="Solo para la mesa", estado="publicada", visibilidad="mesa")


def test_un_miembro_de_una_organizacion_de_la_mesa_la_ve(de_mesa, companera):
    cliente = cliente_de(companera)
    respuesta = cliente.get(f"/practicas/{de_mesa.pk}/")
    assert respuesta.status_code == 200 and "Visible para: Integrantes de una mesa" in respuesta.content.decode()
    assert "Solo para la mesa" in cliente.get("/practicas/").content.decode()
    assert "Solo para la mesa" in _leer(cliente.get("/practicas/exportar/")).decode("utf-8-sig")
    assert de_mesa in practicas_visibles(companera)


def test_una_organizacion_fuera_de_la_mesa_recibe_404(de_mesa, ajeno):
    cliente = cliente_de(ajeno)
    assert cliente.get(f"/practicas/{de_mesa.pk}/").status_code == 404
    assert cliente.get(f"/practicas/{de_mesa.pk}/imprimir/").status_code == 404
    assert "Solo para la mesa" not in cliente.get("/practicas/").content.decode()
    assert de_mesa not in practicas_visibles(ajeno)


def test_una_invitacion_no_aceptada_no_basta(de_mesa, org_ajena, ajeno):
    participar(de_mesa.organizacion.participaciones.get().mesa, org_ajena, estado=Participacion.Estado.INVITADA)
    assert cliente_de(ajeno).get(f"/practicas/{de_mesa.pk}/").status_code == 404


def test_sin_ingresar_se_pide_ingresar_como_en_la_plataforma(de_mesa):
    respuesta = Client().get(f"/practicas/{de_mesa.pk}/")
    assert respuesta.status_code == 302 and respuesta.url.startswith("/cuenta/ingresar/?next=")
    assert de_mesa not in practicas_visibles(AnonymousUser())
    assert "Solo para la mesa" not in Client().get("/practicas/").content.decode()


def test_el_formulario_ofrece_la_mesa_y_publica_con_ella(org_zapallar, director, companera, taxonomia):
    practica = crear_practica(org_zapallar, director)
    cliente = cliente_de(director)
    html = cliente.get(f"/practicas/{practica.pk}/publicar/").content.decode()
    assert "Integrantes de las mesas en que participa su organización (con su cuenta)" in html
    cliente.post(f"/practicas/{practica.pk}/publicar/", {"visibilidad": "mesa"})
    practica.refresh_from_db()
    assert (practica.estado, practica.visibilidad) == (Practica.Estado.PUBLICADA, Practica.Visibilidad.MESA)


def test_sin_mesa_compartida_no_se_publica_para_la_mesa(org_zapallar, director, taxonomia):
    practica = crear_practica(org_zapallar, director)
    respuesta = cliente_de(director).post(f"/practicas/{practica.pk}/publicar/", {"visibilidad": "mesa"})
    assert "Su organización aún no comparte una mesa con otras" in respuesta.content.decode()
    practica.refresh_from_db()
    assert practica.es_borrador
