"""Diagnoses visible to the members of a mesa: organizations sharing an accepted mesa with the author's."""

import pytest

from comunas.models import Comuna, Membresia
from diagnosticos.models import Diagnostico
from mesa.models import Participacion
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.diagnosticos.utiles import crear_diagnostico
from tests.mesa.utiles import crear_mesa


@pytest.fixture
def en_la_mesa(org_zapallar, org_ajena, coordinador):
    """Zapallar hosts a mesa where Santiago (org_ajena) accepted; Valparaíso was invited and has not accepted."""
    mesa = crear_mesa(org_zapallar, coordinador)
    Participacion.objects.create(mesa=mesa, organizacion=org_ajena, estado=Participacion.Estado.ACEPTADA)
    valparaiso = crear_organizacion(comuna=Comuna.objects.get(codigo="05101"))
    Participacion.objects.create(mesa=mesa, organizacion=valparaiso, estado=Participacion.Estado.INVITADA)
    return miembro(valparaiso, "director@valparaiso.test", Membresia.Rol.DIRECTOR)


@pytest.fixture
def de_la_mesa(org_zapallar, director):
    return crear_diagnostico(org_zapallar, director, publicar=Diagnostico.Visibilidad.MESA, titulo="Solo para la mesa")


def test_integrante_de_otra_organizacion_de_la_mesa_lo_ve(ajeno, en_la_mesa, de_la_mesa):
    cliente = cliente_de(ajeno)
    assert cliente.get(f"/diagnosticos/{de_la_mesa.pk}/").status_code == 200
    assert "Solo para la mesa" in cliente.get("/diagnosticos/").content.decode()


def test_quien_no_comparte_una_mesa_aceptada_recibe_404(en_la_mesa, de_la_mesa):
    invitada_sin_aceptar = cliente_de(en_la_mesa)
    assert invitada_sin_aceptar.get(f"/diagnosticos/{de_la_mesa.pk}/").status_code == 404
    assert invitada_sin_aceptar.get(f"/diagnosticos/{de_la_mesa.pk}/imprimir/").status_code == 404
    assert "Solo para la mesa" not in invitada_sin_aceptar.get("/diagnosticos/").content.decode()


def test_sin_mesa_compartida_es_404_y_anonimo_va_a_ingresar(ajeno, de_la_mesa):
    assert cliente_de(ajeno).get(f"/diagnosticos/{de_la_mesa.pk}/").status_code == 404
    assert cliente_de(None).get(f"/diagnosticos/{de_la_mesa.pk}/").status_code == 302


def test_la_organizacion_autora_y_el_staff_lo_ven(lector, admin, de_la_mesa):
    assert cliente_de(lector).get(f"/diagnosticos/{de_la_mesa.pk}/").status_code == 200
    assert cliente_de(admin).get(f"/diagnosticos/{de_la_mesa.pk}/").status_code == 200


def test_publicar_para_la_mesa_desde_el_formulario(director, org_zapallar):
    borrador = crear_diagnostico(org_zapallar, director)
    cliente = cliente_de(director)
    assert 'value="mesa"' in cliente.get(f"/diagnosticos/{borrador.pk}/").content.decode()
    cliente.post(f"/diagnosticos/{borrador.pk}/publicar/", {"visibilidad": "mesa"})
    borrador.refresh_from_db()
    assert borrador.estado == Diagnostico.Estado.PUBLICADO and borrador.visibilidad == Diagnostico.Visibilidad.MESA
