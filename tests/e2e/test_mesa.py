"""The session cycle in a real browser: the demo coordinator creates and convenes a session, a director answers
from the e-mail's link (one confirmation button), and the coordinator records attendance and publishes the acta."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from comunas.demo import CLAVE_DEMO, COORDINADORA
from comunas.models import Usuario
from mesa.models import Respuesta
from nucleo.models import Aviso
from tests.conftest import codigo_totp, con_dos_factores
from tests.e2e.conftest import violaciones_graves

DIRECTOR = "director@algarrobo.example"


@pytest.fixture
def demo(e2e_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _revisar(page, nombre):
    page.screenshot(path=f"var/pruebas/mesa-{nombre}.png", full_page=True)
    assert violaciones_graves(page) == [], nombre


def test_ciclo_de_una_sesion(live_server, page, demo, django_capture_on_commit_callbacks):
    dispositivo = con_dos_factores(Usuario.objects.get(email=COORDINADORA[0])).otp_device
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(COORDINADORA[0])
    page.get_by_label("Contraseña").fill(CLAVE_DEMO)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_label("Código de verificación").fill(codigo_totp(dispositivo))
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Carolina")

    # Create the session: it starts in a few minutes (so its attendance can be taken in this test).
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Mesas").click()
    page.get_by_role("link", name="Mesa de buenas prácticas en seguridad pública").click()
    _revisar(page, "mesa")
    page.get_by_role("link", name="Nueva sesión").click()
    inicio = timezone.localtime(timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
    page.get_by_label("Tipo").select_option(label="Extraordinaria")
    page.get_by_label("Inicio").first.fill(inicio.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Término").fill((inicio + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Modalidad").select_option(label="Presencial")
    page.get_by_label("Lugar").fill("Sala de reuniones, Dirección de Seguridad Pública de Zapallar")
    page.get_by_role("button", name="Crear la sesión").click()
    expect(page.get_by_text("creada en borrador")).to_be_visible()
    page.get_by_role("link", name="Agregar un punto a la tabla").click()
    page.get_by_label("Título").fill("Plan de verano: incivilidades en el borde costero")
    page.get_by_label("Duración (minutos)").fill("30")
    page.get_by_role("button", name="Agregar").click()
    expect(page.get_by_text("Punto agregado a la tabla.")).to_be_visible()
    page.get_by_role("link", name="Convocar", exact=True).click()  # a confirmation page says to whom it goes
    expect(page.get_by_text("Qué pasará")).to_be_visible()
    page.get_by_role("button", name="Convocar y enviar las invitaciones").click()
    expect(page.get_by_text("Sesión convocada: las invitaciones se están enviando.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convocada")
    _revisar(page, "sesion-convocada")
    sesion_url = page.url

    # The director answers from the link in the e-mail stored for her (no sign-in needed).
    aviso = Aviso.objects.get(para=DIRECTOR, plantilla="sesion_convocada", sesion__numero=3)
    # The stored notice keeps no secret links: they are written into the message when it is sent.
    enviado = next(m for m in mail.outbox if m.extra_headers["Message-ID"] == aviso.message_id)
    enlace = re.search(r"Asistiré: (\S+)", enviado.body).group(1)
    director = page.context.browser.new_context(locale="es-CL", timezone_id="America/Santiago", bypass_csp=True)
    correo = director.new_page()
    correo.goto(live_server.url + urlsplit(enlace).path)
    _revisar(correo, "rsvp")
    assert not Respuesta.objects.filter(
        usuario__email=DIRECTOR, sesion=aviso.objeto
    ).exists()  # opening is not answering
    correo.get_by_role("button", name="Confirmar: asistiré").click()
    expect(correo.get_by_text("Registramos su respuesta")).to_be_visible()
    _revisar(correo, "rsvp-registrada")
    director.close()
    assert Respuesta.objects.get(usuario__email=DIRECTOR, sesion=aviso.objeto).opcion == "asistire"

    # Once the session has started, the coordinator records attendance and writes the acta.
    with time_machine.travel(inicio + timedelta(minutes=5)):
        page.goto(sesion_url)
        page.get_by_role("link", name="Registrar asistencia").click()
        expect(page.get_by_label(re.compile(r"Patricio Navarro Lagos"))).to_be_checked()  # answered "asistiré"
        page.get_by_label(re.compile(r"Carolina Fuentes Reyes")).check()
        _revisar(page, "asistencia")
        page.get_by_role("button", name="Guardar la asistencia").click()
        expect(page.get_by_text("Asistencia registrada")).to_be_visible()

        page.get_by_role("button", name="Redactar el acta").click()
        page.get_by_label("Introducción").fill("Sesión extraordinaria para preparar la temporada de verano.")
        page.get_by_label(re.compile(r"Plan de verano")).fill("Algarrobo y Zapallar coordinarán rondas mixtas.")
        page.get_by_role("button", name="Guardar el acta").click()
        expect(page.get_by_text("Acta guardada.")).to_be_visible()
        page.get_by_role("link", name="Registrar un acuerdo").click()
        page.get_by_label("Acuerdo").first.fill("Calendario común de rondas para enero.")
        page.get_by_label("Organización responsable").select_option(label="Dirección de Seguridad Pública de Algarrobo")
        page.get_by_label("Plazo").fill((inicio + timedelta(days=30)).strftime("%Y-%m-%d"))
        page.get_by_role("button", name="Registrar el acuerdo").click()
        expect(page.get_by_role("cell", name="Calendario común de rondas para enero.")).to_be_visible()
        page.get_by_role("link", name="Aprobar el acta").click()  # a confirmation step: what happens, then approve
        page.get_by_role("button", name="Aprobar el acta").click()
        expect(page.get_by_text("Acta aprobada.")).to_be_visible()
        page.get_by_role("link", name="Publicar el acta").click()  # says who gets the PDF, then publishes
        page.get_by_role("button", name="Publicar el acta").click()
        expect(page.get_by_text("Acta publicada")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Publicada")
        expect(page.get_by_text("Patricio Navarro Lagos")).to_be_visible()  # attendance, filled in
        _revisar(page, "acta-publicada")

        pdf = page.request.get(live_server.url + urlsplit(page.url).path.replace("acta/", "acta.pdf"))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert Aviso.objects.filter(plantilla="acta_publicada", para=DIRECTOR).exists()
