"""Guests, subrogantes and quorum in a real browser: the demo coordinator invites a Carabineros officer to a session,
the officer confirms from the e-mail's link without an account, a director names a colleague as subrogante, the
coordinator marks both present, the quorum shows as met, and the acta's PDF lists both."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import formats, timezone
from playwright.sync_api import expect

from comunas.demo import CLAVE_DEMO, COORDINADORA
from comunas.models import Usuario
from mesa import services
from mesa.demo import NOMBRE
from mesa.models import InvitadoSesion, Mesa, Sesion
from tests.conftest import codigo_totp, con_dos_factores
from tests.e2e.conftest import violaciones_graves
from tests.pdf_texto import texto_de_pdf

CARABINERO = "Teniente Rodrigo Salas Mella"
INSTITUCION = "Carabineros de Chile — 2ª Comisaría de Zapallar"
CORREO = "rodrigo.salas@carabineros.example"
DIRECTOR = "director@algarrobo.example"  # Patricio Navarro Lagos, of Algarrobo
COLEGA = "Ignacia Pino Vera"  # his analyst


@pytest.fixture
def sesion(e2e_db):
    """The demo, and a session of its mesa convened to start in half an hour (so attendance can be taken here)."""
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    coordinadora = Usuario.objects.get(email=COORDINADORA[0])
    mesa = Mesa.objects.get(nombre=NOMBRE)
    inicio = (timezone.now() + timedelta(minutes=30)).replace(second=0, microsecond=0)
    sesion = services.sesion_crear(
        mesa=mesa,
        por=coordinadora,
        inicio=inicio,
        fin=inicio + timedelta(hours=2),
        tipo=Sesion.Tipo.EXTRAORDINARIA,
        lugar="Salón del Concejo, Municipalidad de Zapallar",
    )
    services.punto_agregar(sesion=sesion, por=coordinadora, titulo="Seguridad en el borde costero en temporada alta")
    return services.sesion_convocar(sesion=sesion, por=coordinadora)


def _revisar(page, nombre):
    page.screenshot(path=f"var/pruebas/invitados-{nombre}.png", full_page=True)
    assert violaciones_graves(page) == [], nombre


def _contexto(page):
    return page.context.browser.new_context(locale="es-CL", timezone_id="America/Santiago", bypass_csp=True)


def _ingresar(page, url, email):
    page.goto(url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(CLAVE_DEMO)
    page.get_by_role("button", name="Ingresar").click()


def test_invitado_subrogante_quorum_y_acta(live_server, page, sesion):
    sesion_url = f"{live_server.url}/mesas/sesiones/{sesion.pk}/"
    dispositivo = con_dos_factores(Usuario.objects.get(email=COORDINADORA[0])).otp_device
    _ingresar(page, live_server.url, COORDINADORA[0])
    page.get_by_label("Código de verificación").fill(codigo_totp(dispositivo))
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Carolina")

    # The coordinator invites a Carabineros officer: the session is convened, so the convocatoria goes at once.
    page.goto(sesion_url)
    page.get_by_role("link", name="Invitar a personas externas").click()
    page.get_by_label("Nombre").fill(CARABINERO)
    page.get_by_label("Institución").fill(INSTITUCION)
    page.get_by_label("Cargo (opcional)").fill("Jefe de la Oficina de Integración Comunitaria")
    page.get_by_label("Correo electrónico").fill(CORREO)
    page.get_by_role("button", name="Invitar").click()
    expect(page.get_by_text("quedó invitado(a). Se le envió la convocatoria por correo.")).to_be_visible()
    expect(page.get_by_role("cell", name=CORREO)).to_be_visible()
    _revisar(page, "lista")

    # The officer opens the e-mail's link in a browser of his own, without an account, and confirms.
    [enviado] = [m for m in mail.outbox if m.to == [CORREO]]
    fecha = formats.date_format(timezone.localtime(sesion.inicio), "D d-m H:i")
    assert enviado.subject == f"Sesión {fecha} · {sesion.mesa}"  # the date first, as a phone shows it
    assert f"{sesion}\nFecha: " in enviado.body  # «Sesión extraordinaria n.º 3 de …», then its date
    enlace = re.search(r"^Asistiré: (\S+)$", enviado.body, re.M).group(1)
    carabinero = _contexto(page)
    correo = carabinero.new_page()
    correo.goto(live_server.url + urlsplit(enlace).path)
    expect(correo.get_by_text(f"Invitado(a): {CARABINERO} — {INSTITUCION}")).to_be_visible()
    _revisar(correo, "rsvp")
    correo.get_by_role("button", name="Confirmar: asistiré").click()
    expect(correo.get_by_text("Registramos su respuesta")).to_be_visible()
    correo.goto(sesion_url)  # the link opened nothing else: the session's page asks to sign in
    expect(correo.get_by_role("button", name="Ingresar")).to_be_visible()
    carabinero.close()
    assert InvitadoSesion.objects.get(email=CORREO).respuesta == "asistire"

    # Algarrobo's director will not come: he names his analyst as subrogante.
    director = _contexto(page)
    suya = director.new_page()
    _ingresar(suya, live_server.url, DIRECTOR)
    expect(suya.get_by_role("heading", level=1)).to_have_text("Hola, Patricio")
    suya.goto(sesion_url)
    suya.get_by_role("link", name="Designar un(a) subrogante").click()
    suya.get_by_label("Un(a) colega de la organización").select_option(label=f"{COLEGA} (analista@algarrobo.example)")
    _revisar(suya, "subrogante")
    suya.get_by_role("button", name="Designar").click()
    expect(suya.get_by_text(f"{COLEGA} subrogará a Patricio Navarro Lagos en esta sesión")).to_be_visible()
    expect(suya.get_by_text("su respuesta queda como «Asistirá por subrogante»")).to_be_visible()
    director.close()

    # Once the session has started, the coordinator records attendance: the guest (he said he would come), the
    # subrogante (Algarrobo), herself (Zapallar) and the directors of Petorca, Cartagena and Santo Domingo: five of
    # the nine member organizations, the demo's absolute majority (a guest is not a member organization).
    with time_machine.travel(sesion.inicio + timedelta(minutes=5)):
        page.goto(sesion_url)
        page.get_by_role("link", name="Registrar asistencia").click()
        expect(page.get_by_label(f"{CARABINERO} — {INSTITUCION}")).to_be_checked()
        page.get_by_label(re.compile(rf"{COLEGA} .* en representación de Patricio Navarro Lagos")).check()
        for persona in ("Carolina Fuentes Reyes", "Marcela Ibáñez Rojas", "Verónica Salinas Díaz", "Andrés Figueroa"):
            page.get_by_label(re.compile(persona)).check()
        _revisar(page, "asistencia")
        page.get_by_role("button", name="Guardar la asistencia").click()
        expect(page.get_by_text("Asistencia registrada")).to_be_visible()
        expect(
            page.get_by_text("Quórum: 5 de 9 organizaciones presentes — alcanzado (mínimo 5, mayoría absoluta).")
        ).to_be_visible()
        expect(page.get_by_text(f"{COLEGA} en representación de Patricio Navarro Lagos")).to_be_visible()
        _revisar(page, "sesion-realizada")

        page.get_by_role("button", name="Redactar el acta").click()
        page.get_by_role("button", name="Guardar el acta").click()
        expect(page.get_by_text("Acta guardada.")).to_be_visible()
        asistencia = page.get_by_role("region", name="Asistencia")
        expect(asistencia.get_by_text(INSTITUCION)).to_be_visible()
        expect(asistencia.get_by_text(f"{COLEGA} en representación de Patricio Navarro Lagos")).to_be_visible()
        _revisar(page, "acta")

        pdf = page.request.get(f"{live_server.url}/mesas/sesiones/{sesion.pk}/acta.pdf")
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    texto = texto_de_pdf(pdf.body())
    assert f"Invitados — {INSTITUCION}: {CARABINERO}, Jefe de la Oficina de Integración Comunitaria" in texto
    assert f"{COLEGA} en representación de Patricio Navarro Lagos" in texto
    assert "Quórum: 5 de 9 organizaciones presentes — alcanzado (mínimo 5, mayoría absoluta)." in texto
