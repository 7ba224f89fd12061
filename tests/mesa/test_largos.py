"""Long texts of the mesa have limits (issue 11, item 5): acta sections and introduction, comments, acuerdos,
a mesa's description and scope, the reason of a cancellation. Forms and services refuse past them in Spanish."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from mesa import services, services_actas
from mesa.models import Acta, Sesion
from tests.conftest import cliente_de
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def acta(mesa, coordinador, director):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1, puntos=1)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[director.pk])
    return services_actas.acta_redactar(sesion=sesion, por=coordinador)


def test_una_seccion_del_acta_demasiado_larga_se_rechaza_en_la_pagina(acta, coordinador):
    seccion = acta.secciones.get()
    url = f"/mesas/sesiones/{acta.sesion_id}/acta/editar/"
    respuesta = cliente_de(coordinador).post(url, {"resumen": "Breve.", f"seccion_{seccion.pk}": "x" * 20_001})
    assert respuesta.status_code == 200
    pagina = respuesta.content.decode()
    assert "Asegúrese de que este valor tenga menos de 20000 caracteres (tiene 20001)." in pagina
    assert 'maxlength="20000"' in pagina
    seccion.refresh_from_db()
    assert seccion.texto == ""


def test_los_servicios_del_acta_exigen_los_largos(acta, coordinador, director, org_zapallar):
    seccion = acta.secciones.get()
    with pytest.raises(ValidationError) as error:
        services_actas.acta_guardar(acta=acta, por=coordinador, resumen="Bien.", textos={seccion.pk: "x" * 20_001})
    assert error.value.message_dict == {
        f"seccion_{seccion.pk}": [f"«{seccion.titulo}» admite hasta 20.000 caracteres; tiene 20.001."]
    }
    with pytest.raises(ValidationError, match="«Introducción» admite hasta 10.000 caracteres; tiene 10.001."):
        services_actas.acta_guardar(acta=acta, por=coordinador, resumen="r" * 10_001, textos={})
    acta.refresh_from_db()
    assert acta.resumen == "" and acta.secciones.get().texto == ""
    with pytest.raises(ValidationError, match="«Acuerdo» admite hasta 2.000 caracteres; tiene 2.001."):
        services_actas.acuerdo_agregar(
            acta=acta, por=coordinador, descripcion="a" * 2001, organizacion=org_zapallar, plazo=date(2031, 1, 1)
        )
    services_actas.acta_circular(acta=acta, por=coordinador)
    acta = Acta.objects.get(pk=acta.pk)
    with pytest.raises(ValidationError, match="«Comentario» admite hasta 4.000 caracteres; tiene 4.001."):
        services_actas.acta_comentar(acta=acta, por=director, texto="c" * 4001)
    assert not acta.comentarios.exists() and not acta.acuerdos.exists()


def test_la_mesa_y_la_cancelacion_exigen_los_largos(mesa, coordinador, org_zapallar):
    with pytest.raises(ValidationError, match="«Descripción» admite hasta 5.000 caracteres; tiene 5.001."):
        services.mesa_crear(nombre="Otra", anfitriona=org_zapallar, por=coordinador, descripcion="d" * 5001)
    with pytest.raises(ValidationError, match="«Alcance» admite hasta 5.000 caracteres"):
        services.mesa_editar(mesa=mesa, por=coordinador, nombre=mesa.nombre, alcance="a" * 5001,
                             coordinadores=[coordinador])  # fmt: skip
    sesion = crear_sesion(mesa)
    with pytest.raises(ValidationError, match="«Motivo» admite hasta 2.000 caracteres; tiene 2.001."):
        services.sesion_cancelar(sesion=sesion, por=coordinador, motivo="m" * 2001)
    sesion.refresh_from_db()
    assert sesion.estado == Sesion.Estado.BORRADOR
    respuesta = cliente_de(coordinador).post(f"/mesas/sesiones/{sesion.pk}/cancelar/", {"motivo": "m" * 2001})
    assert "Asegúrese de que este valor tenga menos de 2000 caracteres (tiene 2001)." in respuesta.content.decode()
