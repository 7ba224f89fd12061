"""Issue 14 in a browser: an acuerdo of the mesa becomes an activity of an intercommunal plan; one commune posts
progress with evidence and the mesa's plans page shows the new percentage; another commune adapts the plan,
drops one activity with a reason, and the origin lists the adaptation; the plan's PDF downloads."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from comunas.models import Comuna, Membresia
from mesa import services as mesa_services
from mesa import services_actas
from mesa.models import Sesion
from planes.models import Nodo, Plan
from tests.conftest import CLAVE, crear_organizacion, miembro
from tests.e2e.conftest import violaciones_graves
from tests.mesa.utiles import crear_mesa, crear_sesion, plan_con_linea
from tests.practicas.utiles import taxonomia

CAPTURAS = Path(__file__).resolve().parents[2] / "var" / "pruebas"


@pytest.fixture
def mesa_con_plan(e2e_db):
    taxonomia()
    orgs, directores = {}, {}
    for codigo, nombre in (("05405", "zapallar"), ("05602", "algarrobo"), ("05801", "quilpue"), ("05804", "villa")):
        orgs[nombre] = crear_organizacion(comuna=Comuna.objects.get(codigo=codigo))
        directores[nombre] = miembro(
            orgs[nombre], f"director@{nombre}.test", Membresia.Rol.DIRECTOR, nombre=f"Director de {nombre}"
        )
    coordinadora = miembro(orgs["zapallar"], "coordinacion@zapallar.test", Membresia.Rol.INTEGRANTE)
    mesa = crear_mesa(orgs["zapallar"], coordinadora)
    for nombre in ("algarrobo", "quilpue", "villa"):
        participacion = mesa_services.mesa_invitar(mesa=mesa, organizacion=orgs[nombre], por=coordinadora)
        mesa_services.participacion_aceptar(participacion=participacion, por=directores[nombre])
    plan, linea = plan_con_linea(
        orgs["zapallar"],
        directores["zapallar"],
        titulo="Plan intercomunal del litoral",
        visibilidad="mesa",
        aprobar=False,
    )
    plan.duenas.add(orgs["algarrobo"], orgs["quilpue"])
    from planes import services as planes_services

    planes_services.nodo_agregar(
        plan=plan, por=directores["zapallar"], padre=linea, datos={"codigo": "1.1.1", "titulo": "Rondas nocturnas"}
    )
    planes_services.aprobacion_registrar(plan=plan, por=directores["zapallar"], tipo="mesa", fecha=date.today())
    sesion = crear_sesion(mesa, numero=1, estado=Sesion.Estado.CONVOCADA, dias=-3)
    mesa_services.asistencia_registrar(sesion=sesion, por=coordinadora, presentes=[directores["algarrobo"].pk])
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinadora)
    services_actas.acuerdo_agregar(
        acta=acta,
        por=coordinadora,
        descripcion="Instalar luminarias en la costanera de Algarrobo.",
        organizacion=orgs["algarrobo"],
        persona=directores["algarrobo"],
        plazo=date.today() + timedelta(days=60),
    )
    services_actas.acta_aprobar(acta=acta, por=coordinadora)
    services_actas.acta_publicar(acta=acta, por=coordinadora)
    return mesa, plan


def _ingresar(page, url, email):
    page.context.clear_cookies()
    page.goto(url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(CLAVE)
    page.get_by_role("button", name="Ingresar").click()


def _captura(page, nombre):
    CAPTURAS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURAS / f"planes-{nombre}.png"), full_page=True)


def test_de_un_acuerdo_a_un_plan_que_otra_comuna_adapta(live_server, page, mesa_con_plan, tmp_path):
    mesa, plan = mesa_con_plan

    # 1. Algarrobo's director turns the acuerdo into an activity of the intercommunal plan.
    _ingresar(page, live_server.url, "director@algarrobo.test")
    page.goto(live_server.url + "/mesas/acuerdos/")
    page.get_by_role("link", name="Convertir en actividad de un plan: Instalar luminarias").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Convertir el acuerdo en actividad de un plan")
    assert violaciones_graves(page) == []
    page.get_by_label("Plan y línea de acción").select_option(label="— Línea de acción: 1.1 Rondas")
    page.get_by_role("button", name="Convertir en actividad").click()
    actividad = Nodo.objects.get(titulo__startswith="Instalar luminarias")
    assert actividad.plan == plan and actividad.responsable.comuna_id == "05602"

    # 2. She posts progress with evidence on her activity.
    page.goto(live_server.url + f"/planes/{plan.pk}/")
    page.get_by_role("link", name="Informar avance de Instalar luminarias en la costanera de Algarrobo.").click()
    page.get_by_label("Qué se hizo").fill("Instaladas 8 de 16 luminarias LED.")
    page.get_by_label("Avance de la actividad (%)").fill("50")
    foto = tmp_path / "recepcion.pdf"
    foto.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Evidencia (fotos, actas, informes)").set_input_files(str(foto))
    page.get_by_role("button", name="Registrar avance").click()
    expect(page.get_by_text("Avance registrado en")).to_be_visible()
    _captura(page, "1-plan")
    assert violaciones_graves(page) == []
    plan.refresh_from_db()
    assert plan.avance == 25  # (0 + 50) / 2 activities of equal weight
    assert actividad.avances.get().adjuntos.get().nombre == "recepcion.pdf"

    # 3. The mesa's plans page shows the new percentage.
    page.goto(live_server.url + f"/mesas/{mesa.pk}/planes/")
    expect(page.get_by_role("row", name="Plan intercomunal del litoral").first).to_contain_text("25 %")
    assert violaciones_graves(page) == []

    # 4. Villa Alemana (not an owner) adapts the plan and drops an activity with its reason.
    _ingresar(page, live_server.url, "director@villa.test")
    page.goto(live_server.url + f"/planes/{plan.pk}/")
    page.get_by_role("link", name="Adaptar este plan").click()
    page.get_by_label("Título de su plan").fill("Plan de prevención de Villa Alemana")
    page.get_by_role("button", name="Crear mi adaptación").click()
    expect(page.get_by_text("Su adaptación está lista como borrador")).to_be_visible()
    adaptacion = Plan.objects.get(titulo="Plan de prevención de Villa Alemana")
    rondas = adaptacion.nodos.get(titulo="Rondas nocturnas")
    fila = page.locator(f"#nodo-{rondas.pk} + tr")
    fila.get_by_text("Adaptación de «Rondas nocturnas»").click()
    fila.get_by_label("Se descarta").check()
    fila.get_by_label("Qué cambia y por qué").fill("Villa Alemana ya tiene rondas del municipio.")
    fila.get_by_role("button", name="Guardar la adaptación de Rondas nocturnas").click()
    expect(page.get_by_text("«1.1.1 Rondas nocturnas»: se descarta.")).to_be_visible()
    _captura(page, "2-adaptacion")
    assert violaciones_graves(page) == []

    # 5. The origin lists the adaptation, side by side with the reason.
    page.goto(live_server.url + f"/planes/{plan.pk}/")
    expect(page.get_by_role("link", name="Plan de prevención de Villa Alemana", exact=True)).to_be_visible()
    page.get_by_role("link", name="Comparar con Plan de prevención de Villa Alemana").click()
    expect(page.get_by_role("row", name="Rondas nocturnas")).to_contain_text("Se descarta")
    expect(page.get_by_text("Villa Alemana ya tiene rondas del municipio.")).to_be_visible()
    _captura(page, "3-comparacion")
    assert violaciones_graves(page) == []

    # 6. The plan's PDF downloads.
    page.goto(live_server.url + f"/planes/{plan.pk}/")
    with page.expect_download() as descarga:
        page.get_by_role("link", name="Descargar PDF").click()
    ruta = tmp_path / "plan.pdf"
    descarga.value.save_as(ruta)
    assert ruta.read_bytes().startswith(b"%PDF")
