"""The consejo comunal in a real browser: Algarrobo's directorate creates its consejo comunal de seguridad pública,
registers Carabineros among its members, convenes a session, and convenes the monthly session proposed a month on."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from comunas.demo import CLAVE_DEMO
from comunas.models import Usuario
from mesa.consejo import dia_equivalente
from mesa.models import Mesa, Sesion
from nucleo.models import Aviso
from tests.conftest import codigo_totp, con_dos_factores
from tests.e2e.conftest import violaciones_graves

DIRECTOR = "director@algarrobo.example"


@pytest.fixture
def demo(e2e_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _campo(etiqueta):
    """A form field by its exact label, with or without the mark of a required field."""
    return re.compile(rf"^\s*{re.escape(etiqueta)}\s*\*?\s*$")


def _revisar(page, nombre):
    page.screenshot(path=f"var/pruebas/consejo-{nombre}.png", full_page=True)
    assert violaciones_graves(page) == [], nombre


def _convocar(page):
    """«Convocar» opens a confirmation page that says who will receive it; its button sends the convocatoria."""
    page.get_by_role("link", name="Convocar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convocar la sesión")
    page.get_by_role("button", name="Convocar y enviar las invitaciones").click()
    expect(page.get_by_text("Sesión convocada: las invitaciones se están enviando.")).to_be_visible()


def test_la_direccion_crea_su_consejo_y_convoca_la_sesion_mensual(live_server, page, demo):
    director = Usuario.objects.get(email=DIRECTOR)
    dispositivo = con_dos_factores(director).otp_device  # coordinating the consejo asks for the second step
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(DIRECTOR)
    page.get_by_label("Contraseña").fill(CLAVE_DEMO)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_label("Código de verificación").fill(codigo_totp(dispositivo))
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hola")

    # Create the commune's consejo from the list of mesas.
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Mesas").click()
    page.get_by_role("link", name="Crear el consejo comunal de Algarrobo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Crear el consejo comunal de Algarrobo")
    _revisar(page, "nuevo")
    page.get_by_label(_campo("Preside")).fill("Javiera Morales Silva")
    page.get_by_label("Cargo de quien preside").fill("Alcaldesa de Algarrobo")
    page.get_by_role("button", name="Crear el consejo").click()
    expect(page.get_by_text("Consejo comunal de seguridad pública de Algarrobo creado.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consejo comunal de seguridad pública de Algarrobo")
    expect(page.get_by_text("Javiera Morales Silva")).to_be_visible()

    # Its members by institution: Carabineros, without an account.
    page.get_by_role("link", name="Integrantes del consejo").click()
    page.get_by_label("Institución").select_option(label="Carabineros de Chile")
    page.get_by_label("Unidad o repartición").fill("Tenencia de Algarrobo")
    page.get_by_label(_campo("Nombre")).fill("Héctor Rivas Peña")
    page.get_by_label(_campo("Cargo")).fill("Teniente")
    page.get_by_role("button", name="Registrar").click()
    expect(page.get_by_text("Héctor Rivas Peña quedó registrado(a) como integrante del consejo.")).to_be_visible()
    _revisar(page, "integrantes")
    page.get_by_role("link", name="Volver al consejo").click()

    # The first session, with its agenda, convened.
    page.get_by_role("link", name="Nueva sesión").click()
    inicio = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    page.get_by_label(_campo("Inicio")).fill(inicio.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(_campo("Término")).fill((inicio + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Modalidad").select_option(label="Presencial")
    page.get_by_label("Lugar").fill("Salón del Concejo, Municipalidad de Algarrobo")
    page.get_by_role("button", name="Crear la sesión").click()
    expect(page.get_by_text("creada en borrador")).to_be_visible()
    page.get_by_role("link", name="Agregar un punto a la tabla").click()
    page.get_by_label(_campo("Título")).fill("Cuenta de Carabineros: delitos del mes")
    page.get_by_label(_campo("Expone")).fill("Tenencia de Algarrobo")
    page.get_by_label("Duración (minutos)").fill("20")
    page.get_by_role("button", name="Agregar").click()
    expect(page.get_by_text("10:00 – 10:20")).to_be_visible()
    _convocar(page)

    # The monthly session, proposed a month on: same weekday of the month, same time and place, same agenda.
    page.get_by_role("link", name="Consejo comunal de seguridad pública de Algarrobo").click()
    page.get_by_role("link", name="Proponer la próxima sesión (un mes después)").click()
    indice = inicio.year * 12 + inicio.month  # next month
    dia = dia_equivalente(inicio.date(), indice // 12, indice % 12 + 1)
    expect(page.get_by_label(_campo("Inicio"))).to_have_value(f"{dia:%Y-%m-%d}T10:00")
    expect(page.get_by_label("Lugar")).to_have_value("Salón del Concejo, Municipalidad de Algarrobo")
    expect(page.get_by_label("Copiar la tabla de la última sesión")).to_be_checked()
    _revisar(page, "proxima")
    page.get_by_role("button", name="Crear la sesión").click()
    expect(page.get_by_text("Sesión n.º 2 creada en borrador")).to_be_visible()
    expect(page.get_by_text("10:00 – 10:20 · 1. Cuenta de Carabineros: delitos del mes")).to_be_visible()
    _convocar(page)
    _revisar(page, "mensual-convocada")

    consejo = Mesa.objects.get(tipo=Mesa.Tipo.CONSEJO, comuna__nombre="Algarrobo")
    mensual = consejo.sesiones.get(numero=2)
    assert mensual.estado == Sesion.Estado.CONVOCADA and timezone.localdate(mensual.inicio) == dia
    assert Aviso.objects.filter(sesion=mensual, plantilla="sesion_convocada", para=DIRECTOR).exists()

    # The year at a glance, against the legal minimum.
    page.get_by_role("link", name="Consejo comunal de seguridad pública de Algarrobo").click()
    page.get_by_role("link", name="Sesiones del año").click()
    expect(page.get_by_text("Mínimo legal: una sesión al mes, 12 al año")).to_be_visible()
    _revisar(page, "anual")
