"""Journey of issue 5: a director writes and publishes a practice with an attachment; a director of another
commune finds it by an accent-free search and replicates it; the origin shows the replica's outcome beside
its own; that director asks a question there and the authors get a notice. Every page passes axe; screenshots go
to var/pruebas/."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from comunas.models import Comuna
from nucleo.models import Aviso
from tests.conftest import CLAVE, crear_organizacion, miembro
from tests.e2e.conftest import violaciones_graves
from tests.practicas.utiles import PDF_MINIMO, taxonomia


@pytest.fixture
def dos_comunas(e2e_db):
    taxonomia()  # the transactional flush removed the data migration's taxonomy
    zapallar = crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))
    algarrobo = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    miembro(zapallar, "directora@zapallar.test", "director", nombre="Zoila Zapallar")
    miembro(algarrobo, "director@algarrobo.test", "director", nombre="Andrés Algarrobo")
    return zapallar, algarrobo


def _ingresar(page, url, email):
    page.goto(url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(CLAVE)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hola")


def _sin_violaciones(page, nombre):
    page.screenshot(path=f"var/pruebas/practicas-{nombre}.png", full_page=True)
    assert violaciones_graves(page) == [], nombre


def test_publicar_encontrar_y_replicar_una_practica(live_server, page, dos_comunas, tmp_path):
    _, algarrobo = dos_comunas
    url = live_server.url

    # 1. Zapallar writes the practice, attaches its report and publishes it.
    _ingresar(page, url, "directora@zapallar.test")
    page.get_by_role("navigation", name="Navegación principal").get_by_role("link", name="Prácticas").click()
    page.get_by_role("link", name="Registrar una práctica").click()
    page.get_by_label("Título").fill("Red de cámaras de televigilancia en accesos")
    page.get_by_label("Resumen").fill("Cámaras con lectura de patentes en los **cuatro accesos** de la comuna.")
    page.get_by_label("Hurtos", exact=True).check()
    page.locator("#id_resultados-0-indicador").fill("Denuncias por hurto")
    page.locator("#id_resultados-0-linea_base").fill("120")
    page.locator("#id_resultados-0-resultado").fill("90")
    page.get_by_label("Autoevaluación: ¿qué tan probada está la práctica en general?").select_option(
        label="Prometedora"
    )
    _sin_violaciones(page, "1-formulario")
    page.get_by_role("button", name="Guardar borrador").click()
    expect(page.get_by_text("Borrador guardado.")).to_be_visible()

    informe = tmp_path / "Informe de resultados.pdf"
    informe.write_bytes(PDF_MINIMO)
    page.get_by_label("Archivos para adjuntar").set_input_files(str(informe))
    page.get_by_role("button", name="Subir archivos").click()
    expect(page.get_by_text("Archivos adjuntados: Informe de resultados.pdf.")).to_be_visible()
    page.locator("#adjuntos").screenshot(path="var/pruebas/practicas-2-adjuntos-seccion.png")
    _sin_violaciones(page, "2-adjuntos")

    page.get_by_role("link", name="Publicar…").click()
    page.get_by_label("Todas las organizaciones de la plataforma (con su cuenta)").check()
    page.get_by_role("button", name="Publicar").click()
    expect(page.get_by_text("Práctica publicada.")).to_be_visible()
    expect(page.get_by_role("link", name="Informe de resultados.pdf")).to_be_visible()
    origen = page.url
    page.context.clear_cookies()

    # 2. Algarrobo finds it without typing accents and replicates it.
    _ingresar(page, url, "director@algarrobo.test")
    page.goto(url + "/practicas/")
    page.get_by_label("Buscar", exact=True).fill("camaras televigilancia")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("heading", name="1 práctica publicada para «camaras televigilancia»")).to_be_visible()
    expect(page.locator(".fragmento mark").first).to_have_text("Cámaras")
    _sin_violaciones(page, "3-busqueda")
    page.get_by_role("link", name="Red de cámaras de televigilancia en accesos").click()
    _sin_violaciones(page, "4-detalle-antes")
    page.get_by_role("link", name="Replicar en mi comuna").click()
    expect(page.locator("#id_resultados-0-indicador")).to_have_value("Denuncias por hurto")
    page.get_by_label("Estado").select_option(label="En curso")
    page.get_by_label("Fecha de inicio").fill("2025-03-01")
    page.get_by_label("Adaptaciones").fill("Seis cámaras en el acceso norte, con monitoreo compartido.")
    page.locator("#id_resultados-0-linea_base").fill("80")
    page.locator("#id_resultados-0-resultado").fill("52")
    _sin_violaciones(page, "5-replicar")
    page.get_by_role("button", name="Registrar la réplica").click()
    expect(page.get_by_text("Réplica registrada.")).to_be_visible()
    _sin_violaciones(page, "6-replica")
    page.get_by_role("link", name="Red de cámaras de televigilancia en accesos").click()  # the breadcrumb
    page.get_by_role("link", name="Versión para imprimir o guardar como PDF").click()
    expect(page.get_by_text("«Guardar como PDF»")).to_be_visible()
    _sin_violaciones(page, "8-imprimir")

    # 3. The origin shows the replica's outcome beside its own, indicator by indicator.
    page.goto(origen)
    fila = page.locator("table.comparacion tbody tr", has_text="Denuncias por hurto")
    expect(fila.locator("td").nth(0)).to_have_text("120 → 90")
    expect(fila.locator("td").nth(1)).to_contain_text("80 → 52")
    expect(page.locator("table.comparacion thead")).to_contain_text(algarrobo.nombre)
    _sin_violaciones(page, "7-origen-con-replica")

    # 4. Algarrobo asks the authors a question there; Zapallar's team gets a notice.
    page.get_by_label("Pregunta", exact=True).check()
    page.get_by_label("Su pregunta o comentario").fill("¿Cuánto costó la **mantención** anual de las cámaras?")
    page.get_by_role("button", name="Publicar", exact=True).click()
    expect(page.get_by_text("El equipo que registró la práctica recibirá un aviso.")).to_be_visible()
    expect(page.locator("#comentarios strong", has_text="mantención")).to_be_visible()
    _sin_violaciones(page, "9-pregunta")
    aviso = Aviso.objects.get(plantilla="practica_comentario")
    assert aviso.para == "directora@zapallar.test"
    assert aviso.asunto == "Mesa: nueva pregunta en «Red de cámaras de televigilancia en accesos»"
    enviado = next(m for m in mail.outbox if m.extra_headers["Message-ID"] == aviso.message_id)
    assert "Andrés Algarrobo" in enviado.body and "hizo una pregunta" in enviado.body
