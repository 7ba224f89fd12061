"""A director's first week (issue 15), in a real browser and by the labels people read:

1. every link of an e-mail reaches the running site (SITE_URL is the live server's address, as `make run` sets it);
2. after importing a year without population the preview warns, «Comparar» opens on the latest year with rates
   and the trend keeps its unit;
3. an action is offered only when it can succeed: no «Registrar asistencia» before the session starts, and a
   convened session is not moved into the past (nothing is sent);
and, on a 390 px phone, no page of the main journeys scrolls sideways.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import formats, timezone
from playwright.sync_api import expect

from comunas.models import Categoria, Comuna, Membresia, Poblacion, Usuario
from diagnosticos.models import Indicador
from mesa import services as mesa_services
from mesa.models import Sesion
from nucleo.models import Aviso
from tests.conftest import CLAVE, codigo_totp, con_dos_factores, crear_organizacion, crear_usuario, miembro
from tests.e2e.conftest import violaciones_graves
from tests.mesa.utiles import crear_mesa, crear_sesion
from tests.practicas.utiles import taxonomia


def _ingresar(page, url, email, clave=CLAVE, dispositivo=None):
    page.goto(url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(clave)
    page.get_by_role("button", name="Ingresar").click()
    if dispositivo is not None:
        page.get_by_label("Código de verificación").fill(codigo_totp(dispositivo))
        page.get_by_role("button", name="Verificar", exact=True).click()


@pytest.fixture
def mesa_de_zapallar(e2e_db):
    """Zapallar hosts a mesa run by its coordinator (two-step verification); the next session is a draft with
    one agenda item, in a week."""
    zapallar = crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))
    coordinadora = con_dos_factores(
        miembro(zapallar, "coordinacion@zapallar.test", Membresia.Rol.INTEGRANTE, nombre="Carolina Coordinadora")
    )
    director = miembro(zapallar, "director@zapallar.test", Membresia.Rol.DIRECTOR, nombre="Rodrigo Director")
    mesa = crear_mesa(zapallar, coordinadora)
    sesion = crear_sesion(mesa, numero=1, dias=7)
    return coordinadora, director, sesion


# --- 1. E-mail links ------------------------------------------------------------------------------------------------


def _enlaces(correo):
    html = next(contenido for contenido, tipo in correo.alternatives if tipo == "text/html")
    return re.findall(r"https?://[^\s<>\"]+", correo.body), re.findall(r'href="(https?://[^"]+)"', html)


def test_cada_enlace_de_los_correos_llega_al_sitio_en_marcha(live_server, page, settings, mesa_de_zapallar):
    settings.SITE_URL = live_server.url  # what `make run PORT=…` does: the port it serves on
    coordinadora, director, sesion = mesa_de_zapallar
    mesa_services.sesion_convocar(sesion=sesion, por=coordinadora)
    fecha = formats.date_format(timezone.localtime(sesion.inicio), "D d-m H:i")
    convocatoria = next(
        m for m in mail.outbox if m.to == [director.email] and m.subject == f"Sesión {fecha} · {sesion.mesa}"
    )
    texto, html = _enlaces(convocatoria)
    assert texto and html
    assert all(enlace.startswith(live_server.url + "/") for enlace in texto + html), texto + html

    # The RSVP link, opened as it comes in the e-mail: one button confirms.
    page.goto(re.search(r"Asistiré: (\S+)", convocatoria.body).group(1))
    page.get_by_role("button", name="Confirmar: asistiré").click()
    expect(page.get_by_text("Registramos su respuesta")).to_be_visible()
    assert violaciones_graves(page) == []

    # «Detalle de la sesión»: after signing in, the session itself.
    page.goto(re.search(r"Detalle de la sesión: (\S+)", convocatoria.body).group(1))
    page.get_by_label("Correo electrónico").fill(director.email)
    page.get_by_label("Contraseña").fill(CLAVE)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"n.º {sesion.numero}")
    assert urlsplit(page.url).path == f"/mesas/sesiones/{sesion.pk}/"
    page.context.clear_cookies()

    # The approval of a new directorate: «Cree su contraseña» from the e-mail's link.
    from comunas import services as comunas_services
    from tests.comunas.fabricas import solicitud_nueva

    admin = crear_usuario("admin@mesa.test", nombre="Ada Administradora", is_staff=True)
    solicitud = solicitud_nueva()
    comunas_services.solicitud_aprobar(solicitud=solicitud, por=admin, rol=Membresia.Rol.DIRECTOR)
    aprobada = next(m for m in reversed(mail.outbox) if m.to == ["directora@papudo.test"])
    texto, html = _enlaces(aprobada)
    assert all(enlace.startswith(live_server.url + "/") for enlace in texto + html), texto + html
    page.goto(texto[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Cree su contraseña")


# --- 2. A year without population -------------------------------------------------------------------------------


@pytest.fixture
def cifras_de_zapallar(e2e_db):
    taxonomia()
    zapallar = crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))
    crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    director = miembro(zapallar, "director@zapallar.test", Membresia.Rol.DIRECTOR, nombre="Rodrigo Director")
    for anio in (2023, 2024):  # 2025 has no population yet
        Poblacion.objects.create(comuna_id="05405", anio=anio, habitantes=7600 + 50 * (anio - 2023))
    hurtos = Categoria.objects.get(slug="hurtos", taxonomia__vigente=True)
    Indicador.objects.create(
        territorio="05602", comuna_id="05602", categoria=hurtos, anio=2024, frecuencia=150, tasa=937
    )
    return director


def test_un_anio_sin_poblacion_avisa_y_no_vacia_los_graficos(live_server, page, cifras_de_zapallar, tmp_path):
    _ingresar(page, live_server.url, cifras_de_zapallar.email)
    page.goto(live_server.url + "/indicadores/importar/")
    archivo = tmp_path / "zapallar.csv"
    archivo.write_text(
        "Código del territorio;Territorio;Categoría;Año;Casos\n"
        "05405;Zapallar;Hurtos;2023;130\n05405;Zapallar;Hurtos;2024;121\n05405;Zapallar;Hurtos;2025;118\n",
        encoding="utf-8",
    )
    page.get_by_label("Archivo de indicadores (CSV o Excel)").set_input_files(str(archivo))
    page.get_by_role("button", name="Revisar el archivo").click()
    antes = page.get_by_role("status").filter(has_text="Antes de confirmar")
    expect(antes).to_contain_text("2025: sin población registrada para Zapallar")
    assert violaciones_graves(page) == []
    page.get_by_role("button", name="Confirmar la importación").click()
    expect(page.get_by_text("Confirmada: 3 indicadores nuevos")).to_be_visible()

    # «Comparar» opens on 2024, the latest year with rates, and draws it.
    page.get_by_role("link", name="Comparar territorios").click()
    expect(page.get_by_label("Año")).to_have_value("2024")
    expect(page.get_by_text("Zapallar ocupa el lugar")).to_be_visible()
    expect(page.locator("svg.grafico")).to_be_visible()
    assert "No hay tasas" not in page.content()

    # The trend keeps rates per 100,000 and says which year has none.
    page.goto(live_server.url + "/indicadores/05405/?categoria=propiedad-no-violentos")
    tarjeta = page.get_by_role("region", name=re.compile(r"^Hurtos"))
    expect(tarjeta.get_by_role("heading")).to_have_text("Hurtos (por 100.000 habitantes)")
    expect(tarjeta).to_contain_text("Sin tasa en 2025: falta la población de ese año")
    tarjeta.get_by_text("Ver los datos").click()
    expect(tarjeta.get_by_role("row", name="2025")).to_contain_text("sin dato")
    assert violaciones_graves(page) == []


# --- 3. Actions only when they can succeed ------------------------------------------------------------------------


def test_solo_se_ofrece_lo_que_se_puede_hacer(live_server, page, mesa_de_zapallar):
    coordinadora, _, sesion = mesa_de_zapallar
    mesa_services.sesion_convocar(sesion=sesion, por=coordinadora)
    enviados = Aviso.objects.count()
    _ingresar(page, live_server.url, coordinadora.email, dispositivo=coordinadora.otp_device)
    page.goto(f"{live_server.url}/mesas/sesiones/{sesion.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Convocada")
    expect(page.get_by_role("link", name="Registrar asistencia")).to_have_count(0)
    expect(page.get_by_text("La asistencia se registra desde el inicio de la sesión.")).to_be_visible()

    # Moving the convened session to yesterday is refused on the form, before anything goes out.
    page.get_by_role("link", name="Editar fecha y lugar").click()
    ayer = timezone.localtime() - timedelta(days=1)
    page.get_by_label("Inicio").first.fill(ayer.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Término").fill(ayer.strftime("%Y-%m-%dT12:00"))
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("La sesión no puede empezar en el pasado")).to_be_visible()
    assert violaciones_graves(page) == []
    assert Aviso.objects.count() == enviados
    assert Sesion.objects.get(pk=sesion.pk).inicio == sesion.inicio


# --- A 390 px phone: nothing scrolls sideways -----------------------------------------------------------------------


@pytest.fixture
def demo(e2e_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _recorrido():
    """The main journeys' pages of the demo, by the objects the demo creates: those every member opens, and those
    only the coordinator (of the mesa and of Zapallar's consejo comunal) opens."""
    from diagnosticos.models import Diagnostico
    from mesa.models import Acta, Mesa
    from planes.models import Plan
    from practicas.models import Practica

    mesa = Mesa.objects.get(tipo=Mesa.Tipo.MESA)
    sesion = mesa.sesiones.order_by("numero").last()
    consejo = Mesa.objects.get(tipo=Mesa.Tipo.CONSEJO)
    sesion_consejo = consejo.sesiones.order_by("numero").last()
    acta = Acta.objects.filter(sesion__mesa=mesa).order_by("sesion__numero").first()
    diagnostico = Diagnostico.objects.filter(estado="publicado").order_by("pk").first()
    return [
        "/inicio/",
        "/practicas/",
        f"/practicas/{Practica.objects.publicadas().order_by('pk').first().pk}/",
        "/practicas/nueva/",
        "/diagnosticos/",
        f"/diagnosticos/{diagnostico.pk}/",
        "/indicadores/",
        "/indicadores/05405/",
        "/indicadores/comparar/",
        "/indicadores/importar/",
        "/planes/",
        f"/planes/{Plan.objects.order_by('pk').first().pk}/",
        "/mesas/",
        f"/mesas/{mesa.pk}/",
        f"/mesas/sesiones/{sesion.pk}/",
        f"/mesas/sesiones/{acta.sesion_id}/acta/",
        "/mesas/acuerdos/",
        f"/mesas/{mesa.pk}/acuerdos/",
        f"/mesas/{mesa.pk}/planes/",
        "/organizacion/",
        "/cuenta/seguridad/",
    ], [
        f"/mesas/sesiones/{sesion.pk}/invitados/",
        f"/mesas/{consejo.pk}/",
        f"/mesas/{consejo.pk}/integrantes/",
        f"/mesas/{consejo.pk}/anual/",
        f"/mesas/sesiones/{sesion_consejo.pk}/",
        f"/mesas/sesiones/{sesion_consejo.pk}/acta/",
    ]


def _desborde(page):
    """How many pixels the page is wider than the phone, and the widest elements that cause it."""
    return page.evaluate(
        """() => {
            const ancho = document.documentElement.clientWidth;
            const exceso = document.documentElement.scrollWidth - ancho;
            const culpables = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > ancho + 1 && !e.closest('.table-responsive'))
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.'));
            return {exceso, culpables};
        }"""
    )


def test_en_un_telefono_ninguna_pagina_se_desplaza_hacia_el_lado(live_server, browser, demo):
    from comunas.demo import CLAVE_DEMO, COORDINADORA

    coordinadora = con_dos_factores(Usuario.objects.get(email=COORDINADORA[0]))
    todos, coordinacion = _recorrido()
    telefono = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="es-CL", timezone_id="America/Santiago", is_mobile=True
    )
    page = telefono.new_page()
    desbordes = {}
    for email, dispositivo in ((COORDINADORA[0], coordinadora.otp_device), ("director@quilpue.example", None)):
        _ingresar(page, live_server.url, email, CLAVE_DEMO, dispositivo)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hola")
        for url in todos + (coordinacion if email == COORDINADORA[0] else []):
            respuesta = page.goto(live_server.url + url)
            assert respuesta.status == 200, (email, url)
            medida = _desborde(page)
            if medida["exceso"] > 0:
                desbordes[f"{email} {url}"] = medida
        page.context.clear_cookies()
    telefono.close()
    assert not desbordes, "Páginas que se desplazan hacia el lado a 390 px:\n" + "\n".join(
        f"{k}: {v['exceso']} px de más; {', '.join(v['culpables'])}" for k, v in sorted(desbordes.items())
    )
