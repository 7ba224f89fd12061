"""Journey of issue 4: request access → admin approves → applicant sets a password → signs in → invites a
member who joins. Every new page passes axe; the e-mails' links are followed as the recipients would."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.conftest import CLAVE, codigo_totp, con_dos_factores, crear_usuario
from tests.e2e.conftest import violaciones_graves

CLAVE_DIRECTORA = "faro-costero-papudo-2026"
CLAVE_INVITADO = "muelle-papudo-ronda-2026"


@pytest.fixture
def admin_e2e(e2e_db):
    return con_dos_factores(crear_usuario("admin@mesa.test", nombre="Ada Administradora", is_staff=True))


def _enlace(live_server, para):
    correo = next(m for m in reversed(mail.outbox) if m.to == [para])
    return re.sub(r"^https?://[^/]+", live_server.url, re.search(r"https?://\S+", correo.body).group(0))


def _ingresar(page, url, email, clave):
    page.goto(url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(clave)
    page.get_by_role("button", name="Ingresar").click()


def _salir(page, nombre_corto):
    page.get_by_role("button", name=nombre_corto, exact=True).click()
    page.get_by_role("button", name="Cerrar sesión").click()


def test_una_direccion_nueva_llega_a_trabajar_en_la_plataforma(live_server, page, admin_e2e):
    # 1. The director asks from the landing page.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Solicitar acceso").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Solicitar acceso")
    page.get_by_label("Buscar comuna o provincia por nombre").fill("papudo")
    expect(page.get_by_label("Comuna o provincia de su organización")).to_have_value("c:05403")
    assert violaciones_graves(page) == []
    page.get_by_label("Nombre de la organización").fill("Dirección de Seguridad Pública de Papudo")
    page.get_by_label("Su nombre completo").fill("Paula Solicitante")
    page.get_by_label("Su cargo").fill("Directora de Seguridad Pública")
    page.get_by_label("Teléfono").fill("+56 9 5555 1234")
    page.get_by_label("Correo electrónico institucional").fill("directora@papudo.test")
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revise su correo")
    # Nothing reaches anyone until the applicant confirms her address from the one e-mail sent to it.
    page.goto(_enlace(live_server, "directora@papudo.test"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirme su solicitud")
    assert violaciones_graves(page) == []
    page.get_by_role("button", name="Confirmar mi solicitud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recibimos su solicitud")
    assert violaciones_graves(page) == []

    # 2. The platform admin approves it.
    _ingresar(page, live_server.url, "admin@mesa.test", CLAVE)
    page.get_by_label("Código de verificación").fill(codigo_totp(admin_e2e.otp_device))
    page.get_by_role("button", name="Verificar", exact=True).click()
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Solicitudes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Solicitudes pendientes")
    assert violaciones_graves(page) == []
    page.get_by_role("link", name="Revisar la solicitud de Paula Solicitante").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Solicitud de Paula Solicitante")
    assert violaciones_graves(page) == []
    page.get_by_role("button", name="Aprobar").click()
    expect(page.get_by_text("Solicitud aprobada")).to_be_visible()
    _salir(page, "Ada")

    # 3. The applicant sets a password from the e-mail, then signs in.
    page.goto(_enlace(live_server, "directora@papudo.test"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cree su contraseña")
    assert violaciones_graves(page) == []
    page.get_by_label(re.compile(r"^\s*Contraseña nueva\s*\*?\s*$")).fill(CLAVE_DIRECTORA)
    page.get_by_label("Contraseña nueva (confirmación)").fill(CLAVE_DIRECTORA)
    page.get_by_role("button", name="Guardar la contraseña").click()
    expect(page.get_by_text("Su contraseña quedó guardada")).to_be_visible()
    _ingresar(page, live_server.url, "directora@papudo.test", CLAVE_DIRECTORA)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Paula")

    # 4. She invites a member.
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Mi organización").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dirección de Seguridad Pública de Papudo")
    assert violaciones_graves(page) == []
    page.get_by_role("link", name="Invitar a una persona").click()
    assert violaciones_graves(page) == []
    page.get_by_label("Correo de la persona invitada").fill("analista@papudo.test")
    page.get_by_label("Rol").select_option("integrante")
    page.get_by_role("button", name="Enviar la invitación").click()
    expect(page.get_by_text("Invitación enviada a analista@papudo.test")).to_be_visible()
    expect(page.get_by_role("list", name="Invitaciones pendientes")).to_contain_text("analista@papudo.test")
    assert violaciones_graves(page) == []
    _salir(page, "Paula")

    # 5. The member opens the invitation, creates an account and lands in the team.
    page.goto(_enlace(live_server, "analista@papudo.test"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitación a Dirección de Seguridad Pública de Papudo")
    assert violaciones_graves(page) == []
    page.get_by_label("Su nombre completo").fill("Andrés Analista")
    page.get_by_label("Su cargo").fill("Analista territorial")
    page.get_by_label(re.compile(r"^\s*Contraseña\s*\*?\s*$")).fill(CLAVE_INVITADO)
    page.get_by_label("Repita la contraseña").fill(CLAVE_INVITADO)
    page.get_by_role("button", name="Crear mi cuenta y unirme").click()
    expect(page.get_by_text("Su cuenta quedó creada")).to_be_visible()
    page.get_by_label("Correo electrónico").fill("analista@papudo.test")
    page.get_by_label("Contraseña").fill(CLAVE_INVITADO)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dirección de Seguridad Pública de Papudo")
    equipo = page.get_by_role("table", name="Integrantes de Dirección de Seguridad Pública de Papudo")
    expect(equipo).to_contain_text("Andrés Analista")
    expect(equipo).to_contain_text("Paula Solicitante")
    assert violaciones_graves(page) == []
    page.screenshot(path="var/pruebas/incorporacion.png", full_page=True)
