"""The signed-in home shows what concerns the person: sessions to answer, open acuerdos, pending decisions."""

import pytest

from mesa.models import Respuesta
from tests.conftest import cliente_de
from tests.mesa.utiles import crear_sesion, mesa_del_elenco

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa_con_trabajo(org_zapallar, coordinador, director):
    return mesa_del_elenco(org_zapallar, coordinador, director)  # with a published acta and its acuerdo


def test_el_inicio_muestra_sesiones_por_responder_y_acuerdos(director, mesa_con_trabajo):
    html = cliente_de(director).get("/inicio/").content.decode()
    assert "Lo que le concierne" in html
    assert "Próximas sesiones" in html
    assert "Aún no responde si asistirá" in html
    assert f"/mesas/sesiones/{mesa_con_trabajo['sesion'].pk}/" in html
    assert "Acuerdos abiertos de su organización" in html
    assert "Compartir el protocolo." in html


def test_el_inicio_muestra_la_respuesta_dada(director, mesa_con_trabajo):
    Respuesta.objects.create(sesion=mesa_con_trabajo["sesion"], usuario=director, opcion="asistire")
    html = cliente_de(director).get("/inicio/").content.decode()
    assert "Su respuesta: Asistiré" in html


def test_quien_no_participa_no_ve_sesiones_ajenas(ajeno, mesa_con_trabajo):
    html = cliente_de(ajeno).get("/inicio/").content.decode()
    assert "Próximas sesiones" not in html
    assert "Compartir el protocolo." not in html


def test_el_inicio_no_crece_en_consultas(director, mesa_con_trabajo, django_assert_max_num_queries):
    client = cliente_de(director)
    client.get("/inicio/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as antes:
        client.get("/inicio/")
    for numero in range(10, 16):
        crear_sesion(mesa_con_trabajo["mesa"], numero=numero, estado="convocada", dias=numero)
    with django_assert_max_num_queries(len(antes)):
        client.get("/inicio/")
