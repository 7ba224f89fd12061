"""The acta's steps in a real browser, by their Spanish labels: circulating says who gets it and until when they may
comment; approving with a comment still open lists it and needs the box "Apruebo con comentarios abiertos";
publishing says who gets the PDF; an acta goes on the next session's agenda and is approved there."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import formats, timezone
from playwright.sync_api import expect

from comunas.models import Comuna, Membresia
from mesa import services, services_actas
from mesa.models import Acta, Sesion
from tests.conftest import CLAVE, codigo_totp, con_dos_factores, crear_organizacion, miembro
from tests.e2e.conftest import violaciones_graves
from tests.mesa.utiles import crear_mesa, crear_sesion

CAPTURAS = Path(__file__).resolve().parents[2] / "var" / "pruebas"


@pytest.fixture
def acta(e2e_db):
    """A held session of a Zapallar mesa with a draft acta; Algarrobo takes part. The coordinator has two-step
    verification, as coordinators must."""
    zapallar = crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))
    algarrobo = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    coordinadora = con_dos_factores(
        miembro(zapallar, "coordinacion@zapallar.test", Membresia.Rol.INTEGRANTE, nombre="Carolina Fuentes")
    )
    directora = miembro(algarrobo, "director@algarrobo.test", Membresia.Rol.DIRECTOR, nombre="Patricia Navarro")
    miembro(zapallar, "analista@zapallar.test", Membresia.Rol.INTEGRANTE, nombre="Ignacio Rojas")
    mesa = crear_mesa(zapallar, coordinadora)
    participacion = services.mesa_invitar(mesa=mesa, organizacion=algarrobo, por=coordinadora)
    services.participacion_aceptar(participacion=participacion, por=directora)
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1, puntos=2)
    services.asistencia_registrar(sesion=sesion, por=coordinadora, presentes=[coordinadora.pk, directora.pk])
    return services_actas.acta_redactar(sesion=sesion, por=coordinadora)


def _ingresar_como_coordinadora(page, url, acta):
    coordinadora = acta.sesion.mesa.coordinadores.get()
    page.goto(url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(coordinadora.email)
    page.get_by_label("Contraseña").fill(CLAVE)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_label("Código de verificación").fill(codigo_totp(coordinadora.totpdevice_set.get()))
    page.get_by_role("button", name="Verificar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hola")


def _revisar(page, nombre):
    CAPTURAS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURAS / f"acta-{nombre}.png"), full_page=True)
    assert violaciones_graves(page) == [], nombre


def test_circular_aprobar_con_comentarios_abiertos_y_publicar(live_server, page, acta):
    _ingresar_como_coordinadora(page, live_server.url, acta)
    page.goto(f"{live_server.url}/mesas/sesiones/{acta.sesion_id}/acta/")

    # Circulating: the page says who gets the e-mail and proposes a deadline a week ahead, which she changes.
    page.get_by_role("link", name="Circular para comentarios").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Circular el acta para comentarios")
    expect(page.get_by_text("Se enviará un correo a 3 personas de 2 organizaciones")).to_be_visible()
    page.get_by_text("Ver quiénes lo reciben").click()
    expect(page.get_by_text("Patricia Navarro")).to_be_visible()
    plazo = page.get_by_label("Comentarios hasta el")
    hoy = timezone.localdate()
    expect(plazo).to_have_value((hoy + timedelta(days=7)).isoformat())
    _revisar(page, "circular")
    assert Acta.objects.get(pk=acta.pk).estado == Acta.Estado.BORRADOR  # nothing sent yet
    plazo.fill((hoy + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Circular para comentarios").click()
    expect(page.get_by_text("Acta enviada a los miembros para sus comentarios, hasta el")).to_be_visible()
    expect(page.get_by_text("los miembros pueden comentar hasta el")).to_be_visible()
    assert Acta.objects.get(pk=acta.pk).plazo_comentarios == hoy + timedelta(days=10)

    # A member comments; the coordinator tries to approve: the open comment is shown and must be acknowledged.
    directora = acta.sesion.mesa.participaciones.exclude(organizacion=acta.sesion.mesa.anfitriona).get()
    autora = directora.organizacion.membresias.get().usuario
    services_actas.acta_comentar(
        acta=Acta.objects.get(pk=acta.pk), por=autora, texto="Falta la cifra de Algarrobo en el punto 2."
    )
    page.reload()
    page.get_by_role("link", name="Aprobar el acta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aprobar el acta")
    expect(page.get_by_role("heading", name="1 comentario abierto")).to_be_visible()
    expect(page.get_by_text("Falta la cifra de Algarrobo en el punto 2.")).to_be_visible()
    expect(page.get_by_label("Por la coordinación, hoy")).to_be_checked()
    _revisar(page, "aprobar-con-comentarios")
    page.get_by_role("button", name="Aprobar el acta").click()
    expect(page.get_by_text("Marque esta casilla para aprobar el acta con comentarios abiertos.")).to_be_visible()
    assert Acta.objects.get(pk=acta.pk).estado == Acta.Estado.EN_REVISION
    page.get_by_label("Apruebo con comentarios abiertos").check()
    page.get_by_role("button", name="Aprobar el acta").click()
    expect(page.get_by_text("Acta aprobada. Ya puede publicarla.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Aprobada por la coordinación el \w+ \d+ de \w+ de \d{4}"))).to_be_visible()

    # Publishing: who gets the PDF, who may read it.
    page.get_by_role("link", name="Publicar el acta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publicar el acta")
    expect(page.get_by_text("Se enviará un correo a 3 personas de 2 organizaciones")).to_be_visible()
    expect(page.get_by_text("queda disponible para descargar a todos los miembros")).to_be_visible()
    _revisar(page, "publicar")
    page.get_by_role("button", name="Publicar el acta").click()
    expect(page.get_by_text("Acta publicada: los miembros reciben el aviso con el PDF adjunto.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publicada")
    _revisar(page, "publicada")


def test_el_acta_se_aprueba_en_la_sesion_siguiente(live_server, page, acta):
    mesa = acta.sesion.mesa
    coordinadora = mesa.coordinadores.get()
    services_actas.acta_circular(acta=acta, por=coordinadora)
    inicio = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=20)
    siguiente = Sesion.objects.create(
        mesa=mesa, numero=2, inicio=inicio, fin=inicio + timedelta(hours=2), lugar="Salón municipal"
    )
    _ingresar_como_coordinadora(page, live_server.url, acta)
    page.goto(f"{live_server.url}/mesas/sesiones/{acta.sesion_id}/acta/")
    expect(page.get_by_role("heading", name="Aprobación en la próxima sesión")).to_be_visible()
    _revisar(page, "proxima-sesion")
    page.get_by_role("button", name="Poner en la tabla de la próxima sesión").click()
    expect(page.get_by_text("El acta quedó como primer punto de la tabla de la próxima sesión")).to_be_visible()
    primer_punto = page.get_by_role("region", name="Tabla", exact=True).get_by_role("listitem").first
    expect(primer_punto).to_contain_text("1. Aprobación del acta anterior (sesión n.º 1)")
    expect(page.get_by_role("link", name="Leer el acta a aprobar")).to_be_visible()
    services.sesion_convocar(sesion=siguiente, por=coordinadora)

    # During that session, the coordinator approves it there.
    with time_machine.travel(inicio + timedelta(minutes=5)):
        page.reload()
        page.get_by_role("link", name="Aprobar el acta en esta sesión").click()
        expect(page.get_by_label(re.compile(r"En la sesión del .+ \(n\.º 2\)"))).to_be_checked()
        _revisar(page, "aprobar-en-sesion")
        page.get_by_role("button", name="Aprobar el acta").click()
        expect(page.get_by_text("Acta aprobada. Ya puede publicarla.")).to_be_visible()
        dia = formats.date_format(timezone.localtime(inicio), "l j \\d\\e F \\d\\e Y")
        expect(page.get_by_text(f"Aprobada en la sesión del {dia}")).to_be_visible()
    assert Acta.objects.get(pk=acta.pk).aprobada_en_sesion == siguiente
