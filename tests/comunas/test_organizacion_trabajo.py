"""The organization profile lists its practices, diagnoses and mesas, each filtered through its own gate."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comunas.models import Membresia
from diagnosticos.models import Diagnostico
from mesa.models import Mesa, Participacion
from tests.conftest import cliente_de, miembro
from tests.diagnosticos.utiles import crear_diagnostico
from tests.mesa.utiles import crear_mesa
from tests.practicas.utiles import crear_practica


@pytest.fixture
def santiago(org_ajena, ajeno):
    crear_practica(org_ajena, ajeno, titulo="Ronda preventiva", estado="publicada")
    crear_practica(org_ajena, ajeno, titulo="Borrador secreto")
    crear_diagnostico(org_ajena, ajeno, titulo="Diagnóstico de Santiago", publicar=Diagnostico.Visibilidad.PLATAFORMA)
    crear_diagnostico(org_ajena, ajeno, titulo="Diagnóstico en borrador")
    crear_diagnostico(org_ajena, ajeno, titulo="Diagnóstico para su mesa", publicar=Diagnostico.Visibilidad.MESA)
    coordina = miembro(org_ajena, "coordinacion@santiago.test", Membresia.Rol.INTEGRANTE)
    crear_mesa(org_ajena, coordina, nombre="Mesa metropolitana")  # ajeno does not coordinate (no 2FA here)
    return org_ajena


def test_otra_organizacion_ve_solo_lo_que_sus_puertas_permiten(director, santiago):
    html = cliente_de(director).get(f"/organizaciones/{santiago.pk}/").content.decode()
    assert "Ronda preventiva" in html and "Diagnóstico de Santiago" in html
    assert "Borrador secreto" not in html and "Diagnóstico en borrador" not in html
    assert "Diagnóstico para su mesa" not in html  # no mesa shared
    assert "Mesa metropolitana" not in html and "No participa en mesas que pueda ver." in html


def test_sus_integrantes_ven_borradores_y_mesas(ajeno, santiago):
    html = cliente_de(ajeno).get(f"/organizaciones/{santiago.pk}/").content.decode()
    assert "Borrador secreto" in html and "Diagnóstico en borrador" in html
    assert "Diagnóstico para su mesa" in html and "Mesa metropolitana" in html


def test_quien_comparte_la_mesa_la_ve(director, org_zapallar, santiago):
    mesa = Mesa.objects.get(nombre="Mesa metropolitana")
    Participacion.objects.create(mesa=mesa, organizacion=org_zapallar, estado=Participacion.Estado.ACEPTADA)
    html = cliente_de(director).get(f"/organizaciones/{santiago.pk}/").content.decode()
    assert "Mesa metropolitana" in html and "Diagnóstico para su mesa" in html


def test_perfil_con_consultas_fijas(director, org_zapallar, org_ajena, ajeno, django_assert_num_queries):
    cliente = cliente_de(director)
    url = f"/organizaciones/{org_ajena.pk}/"

    def agregar(n):
        for i in range(n):
            crear_practica(org_ajena, ajeno, titulo=f"Práctica {n}-{i}", estado="publicada")
            crear_diagnostico(org_ajena, ajeno, titulo=f"Diagnóstico {n}-{i}", publicar="plataforma")
            mesa = crear_mesa(org_ajena, ajeno, nombre=f"Mesa {n}-{i}")
            Participacion.objects.create(mesa=mesa, organizacion=org_zapallar, estado=Participacion.Estado.ACEPTADA)

    agregar(1)
    cliente.get(url)  # warm up (session)
    with CaptureQueriesContext(connection) as una:
        cliente.get(url)
    agregar(6)
    with django_assert_num_queries(len(una)):
        html = cliente.get(url).content.decode()
    assert "Práctica 6-5" in html and "Diagnóstico 6-5" in html and "Mesa 6-0" in html
