"""The personal calendar feed, the mesa's notices page and inviting an organization to the mesa."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from comunas.models import Comuna, Membresia
from mesa.calendario import uid_de
from mesa.models import CalendarioPersonal, Participacion, Sesion
from nucleo.models import Aviso
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


def _token(cliente):
    cliente.post("/mesas/calendario/", {"accion": "generar"})
    html = cliente.get("/mesas/calendario/").content.decode()
    return re.search(r"/mesas/calendario/([\w-]+)\.ics", html).group(1)


def test_feed_personal_con_token_secreto(mesa, director, ajeno):
    convocada = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    borrador = crear_sesion(mesa, numero=2)
    cliente = cliente_de(director)
    token = _token(cliente)
    guardado = CalendarioPersonal.objects.get(usuario=director)
    assert guardado.token_hash == CalendarioPersonal.huella(token) and token not in guardado.token_hash
    assert token not in cliente.get("/mesas/calendario/").content.decode()  # shown only once

    feed = cliente_de(None).get(f"/mesas/calendario/{token}.ics")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    uids = {str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert uids == {uid_de(convocada)}  # drafts are not in the feed
    assert uid_de(borrador) not in uids
    assert (
        Calendar.from_ical(cliente_de(None).get(f"/mesas/calendario/{_token(cliente_de(ajeno))}.ics").content).walk(
            "VEVENT"
        )
        == []
    )  # someone else's mesas are not in hers

    nuevo = _token(cliente)  # regenerate: the old link dies
    assert cliente_de(None).get(f"/mesas/calendario/{token}.ics").status_code == 404
    assert cliente_de(None).get(f"/mesas/calendario/{nuevo}.ics").status_code == 200
    cliente.post("/mesas/calendario/", {"accion": "revocar"})
    assert cliente_de(None).get(f"/mesas/calendario/{nuevo}.ics").status_code == 404


def test_la_sesion_ofrece_agregar_al_calendario(mesa, director):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    html = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert f"/mesas/sesiones/{sesion.pk}/calendario.ics" in html and "Agregar a mi calendario" in html


def _avisos(mesa, sesion, cuantos, estado=Aviso.Estado.ENVIADO):
    inicio = Aviso.objects.count()
    Aviso.objects.bulk_create(
        Aviso(
            clave=f"prueba:{inicio + i}",
            para=f"p{inicio + i}@zapallar.test",
            plantilla="aviso_generico",
            asunto=f"Aviso {inicio + i}",
            texto="x",
            message_id=f"<{inicio + i}@x>",
            estado=estado,
            objeto=sesion,
        )
        for i in range(cuantos)
    )


def test_pagina_de_avisos_de_la_mesa(mesa, coordinador, director, org_zapallar):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    _avisos(mesa, sesion, 3)
    _avisos(mesa, sesion, 2, estado=Aviso.Estado.FALLIDO)
    otra = crear_sesion(crear_mesa(org_zapallar, coordinador, nombre="Otra mesa"), estado=Sesion.Estado.CONVOCADA)
    _avisos(None, otra, 4)
    cliente = cliente_de(coordinador)
    html = cliente.get(f"/mesas/{mesa.pk}/").content.decode()
    assert f"/mesas/{mesa.pk}/avisos/" in html
    html = cliente.get(f"/mesas/{mesa.pk}/avisos/").content.decode()
    assert html.count("<tr>") == 1 + 5  # header + this mesa's notices only
    fallidos = cliente.get(f"/mesas/{mesa.pk}/avisos/?estado=fallido").content.decode()
    assert fallidos.count("<tr>") == 1 + 2 and "Fallido" in fallidos
    assert cliente_de(director).get(f"/mesas/{mesa.pk}/avisos/").status_code == 403


def test_pagina_de_avisos_pagina_y_no_crece_en_consultas(mesa, coordinador):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    cliente = cliente_de(coordinador)
    _avisos(mesa, sesion, 5)
    with CaptureQueriesContext(connection) as pocas:
        cliente.get(f"/mesas/{mesa.pk}/avisos/")
    _avisos(mesa, sesion, 55)
    with CaptureQueriesContext(connection) as muchas:
        html = cliente.get(f"/mesas/{mesa.pk}/avisos/").content.decode()
    assert len(muchas) == len(pocas)
    assert "Página 1 de 2" in html
    assert "Página 2 de 2" in cliente.get(f"/mesas/{mesa.pk}/avisos/?pagina=2").content.decode()


def test_la_coordinacion_invita_y_la_direccion_acepta(
    mesa, coordinador, celery_eager, django_capture_on_commit_callbacks
):
    papudo = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    directora = miembro(papudo, "directora@papudo.test", Membresia.Rol.DIRECTOR, nombre="Paula Papudo")
    cliente = cliente_de(coordinador)
    assert "Invitar a una organización" in cliente.get(f"/mesas/{mesa.pk}/").content.decode()
    formulario = cliente.get(f"/mesas/{mesa.pk}/invitar/").content.decode()
    assert papudo.nombre in formulario and mesa.anfitriona.nombre not in formulario.split("<select")[1]
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente.post(f"/mesas/{mesa.pk}/invitar/", {"organizacion": papudo.pk}, follow=True)
    assert "fue invitada" in respuesta.content.decode()
    participacion = Participacion.objects.get(organizacion=papudo)
    assert participacion.estado == Participacion.Estado.INVITADA
    [correo] = mail.outbox
    assert correo.to == ["directora@papudo.test"] and correo.subject == f"Invitación a la {mesa}"

    cliente_directora = cliente_de(directora)
    assert "Aceptar la invitación" in cliente_directora.get("/mesas/").content.decode()
    cliente_directora.post(f"/mesas/participaciones/{participacion.pk}/aceptar/")
    participacion.refresh_from_db()
    assert participacion.estado == Participacion.Estado.ACEPTADA
    assert mesa.nombre in cliente_directora.get("/mesas/").content.decode()
