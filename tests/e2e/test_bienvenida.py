"""A new directorate's first week in a real browser (issue 15, item 6): just approved, Papudo's director sees her
"Primeros pasos", finds the demo mesa in "Mesas" and asks to join; the coordinator accepts from the mesa page and
Papudo gets the convocatoria of the session already convened. An invitation is declined from its page."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from comunas import services as comunas_services
from comunas.demo import ADMIN, CLAVE_DEMO, COORDINADORA, PENDIENTE
from comunas.models import Comuna, Membresia, SolicitudAcceso, Usuario
from mesa.demo import NOMBRE as MESA
from mesa.models import Participacion, Sesion
from nucleo.models import Aviso
from tests.conftest import codigo_totp, con_dos_factores, crear_organizacion, miembro
from tests.e2e.conftest import violaciones_graves

PAPUDO = PENDIENTE["solicitante"][0]
LA_LIGUA = "director@laligua.test"


@pytest.fixture
def demo(e2e_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _revisar(page, nombre):
    page.screenshot(path=f"var/pruebas/bienvenida-{nombre}.png", full_page=True)
    assert violaciones_graves(page) == [], nombre


def _ingresar(browser, live_server, email, dispositivo=None):
    contexto = browser.new_context(locale="es-CL", timezone_id="America/Santiago", bypass_csp=True)
    page = contexto.new_page()
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(CLAVE_DEMO)
    page.get_by_role("button", name="Ingresar").click()
    if dispositivo is not None:
        page.get_by_label("Código de verificación").fill(codigo_totp(dispositivo))
        page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hola")
    return page


def _aprobar_papudo():
    """The platform admin approves Papudo's pending request (the approval journey has its own test); the new
    director(a) sets her password."""
    solicitud = SolicitudAcceso.objects.get(usuario__email=PAPUDO, estado=SolicitudAcceso.Estado.PENDIENTE)
    comunas_services.solicitud_aprobar(solicitud=solicitud, por=Usuario.objects.get(email=ADMIN[0]))
    directora = Usuario.objects.get(email=PAPUDO)
    directora.set_password(CLAVE_DEMO)
    directora.save(update_fields=["password"])
    return solicitud.organizacion


def test_una_direccion_nueva_pide_unirse_y_recibe_la_convocatoria(live_server, browser, demo):
    papudo = _aprobar_papudo()
    convocada = Sesion.objects.get(mesa__nombre=MESA, estado=Sesion.Estado.CONVOCADA, numero=2)

    # 1. Papudo's director: first steps on the home page, then the open mesa and "Pedir unirse".
    page = _ingresar(browser, live_server, PAPUDO)
    expect(page.get_by_role("heading", name="Primeros pasos")).to_be_visible()
    expect(page.get_by_text("0 de 6 listos")).to_be_visible()
    expect(page.get_by_role("link", name="Únase a una mesa")).to_be_visible()
    _revisar(page, "primeros-pasos")
    page.get_by_role("link", name="Únase a una mesa").click()
    expect(page.get_by_role("heading", name="Mesas abiertas a nuevas organizaciones")).to_be_visible()
    expect(page.get_by_role("heading", name=MESA)).to_be_visible()
    _revisar(page, "mesas-abiertas")
    page.get_by_role("link", name="Pedir unirse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pedir unirse a {MESA}")
    _revisar(page, "pedir-unirse")
    page.get_by_label("Mensaje para la coordinación (opcional)").fill("Somos vecinos de Zapallar y queremos sumarnos.")
    page.get_by_role("button", name="Enviar la solicitud").click()
    expect(page.get_by_text("Solicitud enviada. La coordinación")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Solicitud enviada el \d"))).to_be_visible()
    solicitud = Participacion.objects.get(organizacion=papudo, mesa__nombre=MESA)
    assert solicitud.estado == Participacion.Estado.SOLICITADA
    assert any(m.to == [COORDINADORA[0]] and "pide unirse" in m.subject for m in mail.outbox)
    assert not Aviso.objects.filter(para=PAPUDO, plantilla="sesion_convocada").exists()

    # 2. The coordinator sees the request on her home page and accepts it from the mesa page.
    dispositivo = con_dos_factores(Usuario.objects.get(email=COORDINADORA[0])).otp_device
    coordinacion = _ingresar(browser, live_server, COORDINADORA[0], dispositivo)
    expect(coordinacion.get_by_role("heading", name="Su coordinación")).to_be_visible()
    expect(coordinacion.get_by_role("heading", name="Solicitudes para unirse")).to_be_visible()
    _revisar(coordinacion, "inicio-coordinacion")
    coordinacion.get_by_role("link", name=MESA).first.click()
    expect(coordinacion.get_by_role("heading", name="Solicitudes pendientes")).to_be_visible()
    expect(coordinacion.get_by_text("Somos vecinos de Zapallar y queremos sumarnos.")).to_be_visible()
    _revisar(coordinacion, "solicitudes-pendientes")
    coordinacion.get_by_role("button", name=f"Aceptar la solicitud de {papudo.nombre}").click()
    expect(coordinacion.get_by_text(f"{papudo.nombre} ahora participa en la mesa")).to_be_visible()

    # 3. Papudo gets the convocatoria of the session convened before it joined (with its .ics), and the answer.
    aviso = Aviso.objects.get(para=PAPUDO, plantilla="sesion_convocada")
    assert aviso.objeto == convocada and aviso.estado == Aviso.Estado.ENVIADO
    enviado = next(m for m in mail.outbox if m.extra_headers["Message-ID"] == aviso.message_id)
    assert any(a.get_content_type() == "text/calendar" for a in enviado.message().walk())
    assert any(m.to == [PAPUDO] and "ya participa" in m.subject for m in mail.outbox)
    page.goto(live_server.url + "/inicio/")
    expect(page.get_by_role("link", name=re.compile(rf"{MESA} · sesión 2"))).to_be_visible()


def test_una_invitacion_se_rechaza_desde_su_pagina(live_server, browser, demo):
    la_ligua = crear_organizacion(comuna=Comuna.objects.get(codigo="05401"))
    director = miembro(la_ligua, LA_LIGUA, Membresia.Rol.DIRECTOR, nombre="Luis Ligua")
    director.set_password(CLAVE_DEMO)
    director.save(update_fields=["password"])

    # The coordinator invites La Ligua from the mesa page.
    dispositivo = con_dos_factores(Usuario.objects.get(email=COORDINADORA[0])).otp_device
    coordinacion = _ingresar(browser, live_server, COORDINADORA[0], dispositivo)
    coordinacion.goto(live_server.url + "/mesas/")
    coordinacion.get_by_role("link", name=MESA).click()
    coordinacion.get_by_role("link", name="Invitar a una organización").click()
    coordinacion.get_by_label("Organización").select_option(label=la_ligua.nombre)
    coordinacion.get_by_role("button", name="Invitar").click()
    expect(coordinacion.get_by_text("fue invitada")).to_be_visible()

    # La Ligua's director opens the invitation from his home page and declines it, saying why.
    page = _ingresar(browser, live_server, LA_LIGUA)
    page.get_by_role("link", name=f"Invitación de {MESA}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invitación a {MESA}")
    expect(page.get_by_role("heading", name="Próximas sesiones")).to_be_visible()
    expect(page.get_by_text("Dirección de Seguridad Pública de Algarrobo")).to_be_visible()  # a member
    expect(page.get_by_role("button", name="Aceptar")).to_be_visible()
    _revisar(page, "invitacion")
    page.get_by_label("Motivo (opcional)").fill("Participamos en la mesa provincial de Petorca.")
    page.get_by_role("button", name="Rechazar").click()
    expect(page.get_by_text("Invitación rechazada.")).to_be_visible()

    invitacion = Participacion.objects.get(organizacion=la_ligua)
    assert invitacion.estado == Participacion.Estado.RECHAZADA
    assert invitacion.motivo_rechazo == "Participamos en la mesa provincial de Petorca."
    aviso = Aviso.objects.get(para=COORDINADORA[0], plantilla="mesa_invitacion_respuesta")
    enviado = next(m for m in mail.outbox if m.extra_headers["Message-ID"] == aviso.message_id)
    assert "rechazó la invitación" in enviado.subject and "Participamos en la mesa provincial" in enviado.body
    coordinacion.reload()
    expect(coordinacion.get_by_text("No aceptó la invitación")).to_be_visible()
