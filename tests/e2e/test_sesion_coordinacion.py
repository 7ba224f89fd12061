"""The coordinator's session page in a real browser: Convocar asks first (to whom, and warns of an empty agenda),
the page fits a 390 px phone with its RSVP summary line, and "Recordar a quienes no han respondido" reaches
exactly them, once."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from comunas.demo import CLAVE_DEMO, COORDINADORA
from comunas.models import Usuario
from mesa.demo import NOMBRE
from mesa.models import Respuesta, Sesion
from mesa.selectors import convocados, convocados_por_organizacion, sin_respuesta
from nucleo import services as nucleo_services
from nucleo.models import Aviso
from tests.conftest import codigo_totp, con_dos_factores
from tests.e2e.conftest import violaciones_graves

TELEFONO = {"width": 390, "height": 844}


@pytest.fixture
def demo(e2e_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _ingresar(page, live_server):
    dispositivo = con_dos_factores(Usuario.objects.get(email=COORDINADORA[0])).otp_device
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(COORDINADORA[0])
    page.get_by_label("Contraseña").fill(CLAVE_DEMO)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_label("Código de verificación").fill(codigo_totp(dispositivo))
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Carolina")


def _sin_desplazamiento_lateral(page, nombre):
    ancho = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert ancho[0] <= ancho[1], f"{nombre}: la página se desplaza hacia el lado ({ancho[0]} > {ancho[1]} px)"


def _revisar(page, nombre):
    page.screenshot(path=f"var/pruebas/sesion-{nombre}.png", full_page=True)
    assert violaciones_graves(page) == [], nombre


def test_convocar_pide_confirmacion_y_advierte_la_tabla_vacia(live_server, page, demo):
    _ingresar(page, live_server)
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Mesas").click()
    page.get_by_role("link", name=NOMBRE).click()
    page.get_by_role("link", name="Nueva sesión").click()
    inicio = timezone.localtime(timezone.now() + timedelta(days=20)).replace(hour=10, minute=0)
    page.get_by_label("Inicio").first.fill(inicio.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Término").fill((inicio + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Modalidad").select_option(label="Presencial")
    page.get_by_label("Lugar").fill("Salón del Concejo, Municipalidad de Zapallar")
    page.get_by_role("button", name="Crear la sesión").click()
    expect(page.get_by_text("creada en borrador")).to_be_visible()
    sesion = Sesion.objects.get(mesa__nombre=NOMBRE, numero=3)

    # Empty agenda: the page says so, and offers no button that would e-mail everyone.
    page.get_by_role("link", name="Convocar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Convocar la sesión ordinaria n\.º 3"))
    expect(page.get_by_role("alert")).to_contain_text("La tabla está vacía.")
    expect(page.get_by_role("button", name="Convocar y enviar las invitaciones")).to_have_count(0)
    _revisar(page, "convocar-tabla-vacia")
    page.get_by_role("alert").get_by_role("link", name="Agregar un punto a la tabla").click()
    page.get_by_label("Título").fill("Balance de la temporada de verano")
    page.get_by_role("button", name="Agregar").click()
    expect(page.get_by_text("Punto agregado a la tabla.")).to_be_visible()

    # With an agenda: who will receive it, organization by organization; nothing is sent by looking.
    page.get_by_role("link", name="Convocar", exact=True).click()
    destinatarios = convocados_por_organizacion(sesion)
    personas, organizaciones = destinatarios["personas"], destinatarios["organizaciones"]
    expect(page.get_by_text(f"{personas} personas")).to_be_visible()
    expect(page.get_by_text(f"de {len(organizaciones)} organizaciones")).to_be_visible()
    for organizacion in organizaciones:
        expect(page.get_by_role("listitem").filter(has_text=organizacion.nombre)).to_contain_text(
            f"{organizacion.nombre}: {organizacion.personas} persona"
        )
    expect(page.get_by_text("La tabla está vacía.")).to_have_count(0)
    _revisar(page, "convocar-confirmacion")
    assert not Aviso.objects.filter(sesion=sesion).exists()
    page.get_by_role("button", name="Convocar y enviar las invitaciones").click()
    expect(page.get_by_text("Sesión convocada: las invitaciones se están enviando.")).to_be_visible()
    assert Aviso.objects.filter(sesion=sesion, plantilla="sesion_convocada").count() == personas


def test_la_pagina_de_la_sesion_cabe_en_un_telefono(live_server, page, demo):
    _ingresar(page, live_server)
    proxima = Sesion.objects.get(mesa__nombre=NOMBRE, numero=2)
    personas = list(convocados(proxima))
    Respuesta.objects.create(sesion=proxima, usuario=personas[0], opcion=Respuesta.Opcion.ASISTIRE)
    Respuesta.objects.create(sesion=proxima, usuario=personas[1], opcion=Respuesta.Opcion.NO_ASISTIRE)
    page.set_viewport_size(TELEFONO)

    page.goto(f"{live_server.url}/mesas/sesiones/{proxima.pk}/")
    resumen = f"1 asistirá · 1 no · {len(personas) - 2} sin respuesta"
    expect(page.get_by_text(resumen, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Recordar a quienes no han respondido")).to_be_visible()
    _sin_desplazamiento_lateral(page, "sesión convocada")
    page.screenshot(path="var/pruebas/sesion-telefono-plegada.png", full_page=True)
    # The detail is folded; unfolded, its tables stack instead of scrolling sideways.
    detalle = page.get_by_text("Ver quién respondió, por organización")
    expect(page.get_by_role("cell", name=personas[0].nombre)).to_be_hidden()
    detalle.click()
    expect(page.get_by_role("cell", name=personas[0].nombre).first).to_be_visible()
    page.get_by_text(re.compile(r"^Ver cada aviso")).click()
    _sin_desplazamiento_lateral(page, "sesión convocada, con el detalle abierto")
    _revisar(page, "telefono-convocada")

    # The other pages of the coordinator's session journey.
    primera = Sesion.objects.get(mesa__nombre=NOMBRE, numero=1)
    for ruta, nombre in [
        (f"/mesas/sesiones/{primera.pk}/", "sesión realizada"),
        (f"/mesas/sesiones/{proxima.pk}/editar/", "editar la sesión"),
        (f"/mesas/sesiones/{proxima.pk}/cancelar/", "cancelar la sesión"),
        (f"/mesas/sesiones/{proxima.pk}/tabla/", "agregar un punto"),
        (f"/mesas/{proxima.mesa_id}/", "la mesa"),
    ]:
        page.goto(live_server.url + ruta)
        for resumen in page.locator("details > summary").all():
            resumen.click()
        _sin_desplazamiento_lateral(page, nombre)


def test_recordar_a_quienes_no_han_respondido(live_server, page, demo):
    proxima = Sesion.objects.get(mesa__nombre=NOMBRE, numero=2)
    personas = list(convocados(proxima))
    for persona, opcion in zip(personas[:3], ["asistire", "no_asistire", "tal_vez"], strict=True):
        Respuesta.objects.create(sesion=proxima, usuario=persona, opcion=opcion)
    pendientes = sorted(sin_respuesta(proxima).values_list("email", flat=True))
    assert len(pendientes) == len(personas) - 3
    _ingresar(page, live_server)
    page.set_viewport_size(TELEFONO)
    page.goto(f"{live_server.url}/mesas/sesiones/{proxima.pk}/")
    mail.outbox.clear()

    page.get_by_role("button", name="Recordar a quienes no han respondido").click()
    enviado = f"Recordatorio enviado a {len(pendientes)} personas que no han respondido."
    expect(page.get_by_text(enviado)).to_be_visible()
    ultimo = re.compile(r"Último recordatorio a quienes no habían respondido: .*, por Carolina")
    expect(page.get_by_text(ultimo)).to_be_visible()
    avisos = Aviso.objects.filter(sesion=proxima, plantilla="sesion_pendientes")
    assert sorted(avisos.values_list("para", flat=True)) == pendientes
    nucleo_services.avisos_enviar()  # whatever the worker has not sent yet
    recibidos = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("¿Asistirá?"))
    assert recibidos == pendientes
    assert all(m.reply_to == [f"{COORDINADORA[1]} <{COORDINADORA[0]}>"] for m in mail.outbox)

    # A second click, the same day: refused, with the reason and when it will be possible.
    page.get_by_role("button", name="Recordar a quienes no han respondido").click()
    rechazo = re.compile(r"Ya se envió un recordatorio el .*podrá enviar otro desde el")
    expect(page.get_by_text(rechazo)).to_be_visible()
    assert avisos.count() == len(pendientes)
    _revisar(page, "recordatorio-rechazado")
