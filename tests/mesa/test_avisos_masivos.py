"""A convocatoria as a mass notice: short rows in the request, written by the worker with each person's RSVP links
and .ics (never stored), progress on the session page, and re-sending failed notices from the delivery page."""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import formats, timezone
from icalendar import Calendar

from comunas.models import Membresia
from mesa import services
from mesa.models import Sesion
from nucleo.models import Aviso
from tests.conftest import cliente_de, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador, director, integrante, lector):
    return crear_mesa(org_zapallar, coordinador)


def _convocar(cliente, sesion, capturar):
    with capturar() as arranques:
        respuesta = cliente.post(f"/mesas/sesiones/{sesion.pk}/convocar/", follow=True)
    return respuesta, arranques


def test_la_convocatoria_no_redacta_ni_guarda_enlaces(mesa, coordinador, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa, puntos=2)
    cliente = cliente_de(coordinador)
    respuesta, arranques = _convocar(cliente, sesion, django_capture_on_commit_callbacks)
    assert respuesta.status_code == 200 and len(arranques) == 1  # one start for the whole fan-out
    filas = list(Aviso.objects.filter(sesion=sesion))
    assert len(filas) == 4 and all(a.al_enviar and a.texto == a.html == "" and a.adjuntos == [] for a in filas)
    assert "/mesas/rsvp/" not in json.dumps([a.contexto for a in filas])
    html = cliente.get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert "Enviando a 4 personas: 0 de 4 avisos enviados" in html

    arranques[0]()  # what the worker does
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.para for a in filas)
    mensaje = next(m for m in mail.outbox if m.to == ["director@zapallar.test"])
    fecha = formats.date_format(timezone.localtime(sesion.inicio), "D d-m H:i")
    assert mensaje.subject == f"Sesión {fecha} · {mesa}"  # the date first, seen on a phone
    assert "Hola, Rodrigo Director" in mensaje.body and "Punto 2" in mensaje.body
    enlace = re.search(r"Asistiré: (\S+)", mensaje.body).group(1)
    [parte] = [p for p in mensaje.message().walk() if p.get_content_type() == "text/calendar"]
    [evento] = Calendar.from_ical(parte.get_content()).events
    assert str(evento["ATTENDEE"]) == "mailto:director@zapallar.test"
    assert evento["ATTENDEE"].params["CN"] == "Rodrigo Director"
    enviados = list(Aviso.objects.filter(sesion=sesion))
    assert {a.estado for a in enviados} == {"enviado"} and all(a.asunto.startswith("Sesión") for a in enviados)
    guardado = json.dumps([[a.texto, a.html, a.adjuntos, a.contexto] for a in enviados])
    assert enlace.rsplit("/", 2)[-2] not in guardado  # the signed token rests nowhere
    assert "Enviando a" not in cliente.get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert cliente_de(None).get(enlace.removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_la_convocatoria_crece_sin_consultas_ni_redaccion(mesa, coordinador, django_assert_max_num_queries):
    for i in range(60):
        miembro(mesa.anfitriona, f"persona{i}@zapallar.test", Membresia.Rol.LECTOR)
    sesion = crear_sesion(mesa, puntos=3)
    # 13 whatever the number of members: the session, the members, the guests, one insert each…
    with django_assert_max_num_queries(13):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    assert Aviso.objects.filter(sesion=sesion, al_enviar=True).count() == 64


def test_la_actualizacion_y_la_cancelacion_se_redactan_al_enviar(
    mesa, coordinador, celery_eager, django_capture_on_commit_callbacks
):
    sesion = crear_sesion(mesa)
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    mail.outbox.clear()
    antes = sesion.inicio
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_editar(
            sesion=sesion, por=coordinador, inicio=antes + timedelta(days=1), fin=sesion.fin + timedelta(days=1)
        )
    actualizacion = next(m for m in mail.outbox if m.to == ["director@zapallar.test"])
    # The previous date travels as a date in the stored context and is written at send time.
    assert f"Antes: {formats.date_format(timezone.localtime(antes), 'l j \\d\\e F \\d\\e Y, H:i')}" in (
        actualizacion.body
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_cancelar(sesion=sesion, por=coordinador, motivo="Emergencia comunal")
    cancelacion = next(m for m in mail.outbox if m.to == ["director@zapallar.test"])
    assert "Emergencia comunal" in cancelacion.body and "/mesas/rsvp/" not in cancelacion.body
    [parte] = [p for p in cancelacion.message().walk() if p.get_content_type() == "text/calendar"]
    assert parte.get_param("method") == "CANCEL"


# --- Re-sending from the delivery page ---------------------------------------------------------------------


def _fallidos(sesion):
    avisos = services._avisar_sesion(sesion, plantilla="sesion_convocada", causa="convocatoria", metodo="REQUEST")
    Aviso.objects.filter(pk__in=[a.pk for a in avisos]).update(
        estado="fallido",
        intentos=10,
        error="No se pudo entregar tras 10 intentos. Último problema: No se pudo conectar con el servidor de correo.",
    )
    return avisos


def test_la_pagina_de_entrega_explica_y_ofrece_reenviar(mesa, coordinador):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    _fallidos(sesion)
    html = cliente_de(coordinador).get(f"/mesas/{mesa.pk}/avisos/").content.decode()
    assert "Último problema: No se pudo conectar con el servidor de correo." in html
    assert "Sesión n.º 1: 4 avisos fallidos o por revisar." in html
    assert html.count('name="aviso"') == 4 and html.count('name="sesion"') == 1


def test_reenviar_uno_y_luego_los_de_la_sesion(
    mesa, coordinador, org_zapallar, celery_eager, django_capture_on_commit_callbacks
):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    primero, *resto = _fallidos(sesion)
    cliente = cliente_de(coordinador)
    url = f"/mesas/{mesa.pk}/avisos/reenviar/"
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente.post(url, {"aviso": primero.pk}, follow=True)
    assert "1 aviso vuelve a enviarse." in respuesta.content.decode()
    assert [m.to for m in mail.outbox] == [[primero.para]]
    assert Aviso.objects.get(pk=primero.pk).estado == "enviado"

    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente.post(url, {"sesion": sesion.pk}, follow=True)
    assert "3 avisos vuelven a enviarse." in respuesta.content.decode()
    assert len(mail.outbox) == 4 and set(Aviso.objects.values_list("estado", flat=True)) == {"enviado"}
    respuesta = cliente.post(url, {"sesion": sesion.pk}, follow=True)
    assert "No había avisos fallidos que reenviar." in respuesta.content.decode()


def test_no_se_reenvia_lo_de_otra_mesa(mesa, coordinador, org_zapallar):
    otra = crear_mesa(org_zapallar, coordinador, nombre="Otra mesa")
    [ajeno, *_] = _fallidos(crear_sesion(otra, estado=Sesion.Estado.CONVOCADA))
    respuesta = cliente_de(coordinador).post(f"/mesas/{mesa.pk}/avisos/reenviar/", {"aviso": ajeno.pk}, follow=True)
    assert "No había avisos fallidos que reenviar." in respuesta.content.decode()
    assert Aviso.objects.get(pk=ajeno.pk).estado == "fallido"
