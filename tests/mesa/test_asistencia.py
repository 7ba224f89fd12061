"""Attendance per person and per organization, recorded by the coordination once the session started."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from mesa import services
from mesa.models import Asistencia, Respuesta, Sesion
from tests.conftest import cliente_de
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def sesion(org_zapallar, coordinador, director, integrante, lector):
    return crear_sesion(crear_mesa(org_zapallar, coordinador), estado=Sesion.Estado.CONVOCADA, dias=1)


def test_no_antes_de_empezar(sesion, coordinador):
    with pytest.raises(ValidationError, match="ya empezó"):
        services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[])


def test_la_coordinacion_registra_la_asistencia(sesion, coordinador, director, integrante, lector):
    Respuesta.objects.create(sesion=sesion, usuario=director, opcion=Respuesta.Opcion.ASISTIRE)
    url = f"/mesas/sesiones/{sesion.pk}/asistencia/"
    with time_machine.travel(sesion.inicio + timedelta(minutes=30), tick=False):
        cliente = cliente_de(coordinador)  # signed in then: sessions last 12 hours
        formulario = cliente.get(url).content.decode()
        assert f'value="{director.pk}"' in formulario and "checked" in formulario  # said yes: pre-marked
        respuesta = cliente.post(url, {"presentes": [director.pk, integrante.pk]}, follow=True)
    assert "Asistencia registrada" in respuesta.content.decode()
    sesion.refresh_from_db()
    assert sesion.estado == Sesion.Estado.REALIZADA
    presentes = set(Asistencia.objects.filter(presente=True).values_list("usuario__email", flat=True))
    assert presentes == {"director@zapallar.test", "integrante@zapallar.test"}
    assert Asistencia.objects.filter(presente=False).count() == 2  # lector and the coordinator
    assert services.asistencia_por_organizacion(sesion) == [(sesion.mesa.anfitriona.nombre, 2, 4)]
    assert "2 de 4" in cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()


def test_solo_la_coordinacion(sesion, director):
    with time_machine.travel(sesion.inicio + timedelta(minutes=30), tick=False):
        assert cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/asistencia/").status_code == 403
