"""First journey: the demo coordinator signs in by the visible Spanish labels; pages pass axe."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from comunas.demo import CLAVE_DEMO
from tests.e2e.conftest import violaciones_graves


def codigo_de_la_clave(secreto):
    """What the authenticator app shows for the base32 key written on the enrollment page."""
    from base64 import b32decode

    from django_otp.oath import totp

    clave = "".join(secreto.split()).upper()
    return f"{totp(b32decode(clave + '=' * (-len(clave) % 8))):06d}"


@pytest.fixture
def demo(e2e_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_la_coordinadora_ingresa_y_ve_su_inicio(live_server, page, demo):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lo que funciona en una comuna")
    assert violaciones_graves(page) == []

    page.get_by_role("link", name="Ingresar").first.click()
    expect(page.get_by_role("heading", name="Ingresar a Mesa")).to_be_visible()
    assert violaciones_graves(page) == []

    page.get_by_label("Correo electrónico").fill("coordinacion@zapallar.example")
    page.get_by_label("Contraseña").fill(CLAVE_DEMO)
    page.get_by_role("button", name="Ingresar").click()

    # Mesa coordinators must use two-step verification: at first sign-in she sets up her app, typing the
    # key shown on the page into it (here: computing the code from that key).
    expect(page.get_by_role("heading", name="Activar la verificación en dos pasos")).to_be_visible()
    assert violaciones_graves(page) == []
    secreto = page.locator("code.user-select-all").inner_text()
    page.get_by_label("Código de 6 dígitos").fill(codigo_de_la_clave(secreto))
    page.get_by_role("button", name="Activar").click()
    expect(page.get_by_role("heading", name="Sus códigos de recuperación")).to_be_visible()
    page.get_by_role("link", name="Ya los guardé, continuar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Carolina")
    expect(page.get_by_text("Dirección de Seguridad Pública de Zapallar").first).to_be_visible()
    nav = page.get_by_role("navigation", name="Navegación principal")
    for seccion in ("Prácticas", "Diagnósticos", "Mesas", "Mi organización"):
        expect(nav.get_by_role("link", name=seccion)).to_be_visible()
    assert violaciones_graves(page) == []
    page.screenshot(path="var/pruebas/inicio.png", full_page=True)


def test_un_error_de_ingreso_se_explica_y_se_puede_corregir(live_server, page, demo):
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill("coordinacion@zapallar.example")
    page.get_by_label("Contraseña").fill("equivocada")
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_text("El correo o la contraseña no son correctos")).to_be_visible()
    expect(page.get_by_label("Correo electrónico")).to_have_value("coordinacion@zapallar.example")
    page.get_by_label("Contraseña").fill(CLAVE_DEMO)
    page.get_by_role("button", name="Ingresar").click()
    # Signed in: a coordinator without an authenticator is taken to set it up before going on.
    expect(page).to_have_url(live_server.url + "/cuenta/seguridad/activar/?next=/inicio/")
