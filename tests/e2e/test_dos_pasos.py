"""Journey: the demo admin must set up two-step verification at first sign-in, then is asked for the code."""

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from comunas.demo import ADMIN, CLAVE_DEMO
from tests.conftest import codigo_totp
from tests.e2e.conftest import violaciones_graves


@pytest.fixture
def demo(e2e_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def ingresar(page, url):
    page.goto(url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(ADMIN[0])
    page.get_by_label("Contraseña").fill(CLAVE_DEMO)
    page.get_by_role("button", name="Ingresar").click()


def test_el_admin_activa_la_verificacion_y_luego_se_la_piden(live_server, page, demo):
    ingresar(page, live_server.url)
    expect(page.get_by_role("heading", name="Activar la verificación en dos pasos")).to_be_visible()
    expect(page.get_by_role("img", name="Código QR para agregar Mesa a su aplicación de autenticación")).to_be_visible()
    assert violaciones_graves(page) == []

    dispositivo = TOTPDevice.objects.get(user__email=ADMIN[0], confirmed=False)
    page.get_by_label("Código de 6 dígitos").fill(codigo_totp(dispositivo))
    page.get_by_role("button", name="Activar").click()
    expect(page.get_by_role("heading", name="Sus códigos de recuperación")).to_be_visible()
    expect(page.get_by_role("list", name="Códigos de recuperación").get_by_role("listitem")).to_have_count(10)
    assert violaciones_graves(page) == []
    page.get_by_role("link", name="Ya los guardé, continuar").click()
    expect(page).to_have_url(live_server.url + "/inicio/")

    # Next time, after the password comes the code (a recovery code here: the app's code was just used).
    page.get_by_role("button", name="Administración", exact=True).click()  # the user menu
    page.get_by_role("button", name="Cerrar sesión").click()
    ingresar(page, live_server.url)
    expect(page.get_by_role("heading", name="Verificación en dos pasos")).to_be_visible()
    assert violaciones_graves(page) == []
    recuperacion = dispositivo.user.staticdevice_set.get().token_set.first().token
    page.get_by_label("Código de verificación").fill(recuperacion.upper())
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page).to_have_url(live_server.url + "/inicio/")
    expect(page.get_by_text("Usó un código de recuperación; le quedan 9.")).to_be_visible()
