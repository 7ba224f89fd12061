"""Nothing English anywhere a user can reach, one way of writing dates and counts, plain words (issue 15).

- `make run` (the demo people try) serves the Spanish error pages: it runs with the Makefile's environment.
- The URL walk: every named GET page of the project, as staff, a director and an anonymous visitor, with
  the cast's objects, must show no English leftover in its visible text.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import cliente_de
from tests.test_acceso import REGLAS, esperado_de
from tests.test_acceso import elenco as elenco  # noqa: F401 — the cast's fixture, used by the URL walk

RAIZ = Path(__file__).resolve().parent.parent

# The variables `make run` decides; the test process has its own (tests/entorno.py), which must not leak in.
_DE_MAKE_RUN = re.compile(
    r"^(DEBUG|SITE_URL|ALLOWED_HOSTS|EMAIL_URL|SECRET_KEY|SECURE_\w+|SESSION_\w+|CSRF_\w+|DATABASE_URL|"
    r"CELERY_BROKER_URL|MESA_VAR_DIR|STATIC_ROOT|MEDIA_ROOT|MAKEFLAGS|MFLAGS|MAKELEVEL|DJANGO_ALLOW_ASYNC_UNSAFE)$"
)


def _puerto_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _entorno_de_make_run(puerto, var):
    """The environment `make run` serves with (Makefile, target entorno-run), on a scratch var/ folder."""
    base = {k: v for k, v in os.environ.items() if not _DE_MAKE_RUN.match(k)}
    # A given key keeps the test from writing var/clave-local in the checkout (`?=` in the Makefile).
    base["SECRET_KEY"] = "clave-de-la-prueba-de-make-run"
    salida = subprocess.run(
        ["make", "-s", "--no-print-directory", "entorno-run", f"PORT={puerto}"],
        cwd=RAIZ,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    entorno = dict(linea.split("=", 1) for linea in salida.splitlines() if "=" in linea)
    assert entorno["SITE_URL"] == f"http://127.0.0.1:{puerto}"
    return {**base, **entorno, "MESA_VAR_DIR": str(var), "STATIC_ROOT": str(var / "static")}


def _pedir(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 — a local http URL built here
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


@pytest.fixture
def servidor_de_make_run(tmp_path):
    """runserver as the Procfile starts it, with `make run`'s settings and its static files collected."""
    puerto = _puerto_libre()
    entorno = _entorno_de_make_run(puerto, tmp_path)
    manage = [sys.executable, "manage.py"]
    for orden in (["migrate", "--noinput", "--verbosity", "0"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        subprocess.run([*manage, *orden], cwd=RAIZ, env=entorno, check=True, timeout=300, capture_output=True)
    proceso = subprocess.Popen(  # noqa: S603
        [*manage, "runserver", f"127.0.0.1:{puerto}", "--noreload"],
        cwd=RAIZ,
        env=entorno,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{puerto}"
    try:
        limite = time.monotonic() + 60
        while time.monotonic() < limite:
            try:
                with socket.create_connection(("127.0.0.1", puerto), timeout=1):
                    break
            except OSError:
                assert proceso.poll() is None, proceso.stderr.read().decode()
                time.sleep(0.2)
        yield base
    finally:
        proceso.terminate()
        proceso.wait(timeout=20)


def test_make_run_sirve_las_paginas_de_error_en_castellano(servidor_de_make_run):
    base = servidor_de_make_run
    codigo, _, html = _pedir(f"{base}/esta-pagina-no-existe/")
    assert codigo == 404
    assert "No encontramos esa página" in html
    assert "Page not found" not in html and "Django" not in html

    # The demo works over plain http: its static files are served (hashed) and the sign-in cookie is not https-only.
    codigo, cabeceras, html = _pedir(f"{base}/cuenta/ingresar/")
    assert codigo == 200
    assert "Secure" not in cabeceras.get("Set-Cookie", "")
    assert "Strict-Transport-Security" not in cabeceras
    hoja = re.search(r'href="(/static/css/mesa\.[0-9a-f]+\.css)"', html)
    assert hoja, "la hoja de estilos no se sirve con su huella (collectstatic)"
    assert _pedir(base + hoja.group(1))[0] == 200


# --- The URL walk -------------------------------------------------------------------------------------------------

# English a user must never read. Words, matched whole and case-sensitive where Spanish shares a lowercase form.
_INGLES = re.compile(
    r"Select an option|This field|\brequired\b|Page not found|\bForbidden\b|Server Error|Not Found|"
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|"
    r"\b(?:Submit|Save|Search|None|Next|Previous|Delete|Cancel|Loading|Download|Upload|Currently|Change|Clear|"
    r"Browse|Choose|Yes|True|False|null|undefined|NaN|Enter a valid|Ensure this|Add another|Show|Hide|Close|"
    r"Home|Log in|Log out|Sign in|Sign out|Password|Username|Email address|Back|Edit|Filter|Sort by|Page \d+|"
    r"Access attempts|TOTP devices|Static devices|Groups|Users|User Agent|IP Address|Attempt|Expires|Logout|"
    r"Failed|Locked|Not set|Run|Filter by|Pagination|results?|Welcome|View site|Recent actions|Add|History)\b"
)
_NO_VISIBLES = {"script", "style", "template", "head"}


class _TextoVisible(HTMLParser):
    """The text a person reads on a page: element text (not scripts or styles) and the attributes read aloud or
    shown in place of text (placeholders, labels of buttons, titles, alt texts)."""

    ATRIBUTOS = {"placeholder", "aria-label", "title", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.partes = []
        self._oculto = 0

    def handle_starttag(self, tag, attrs):
        if tag in _NO_VISIBLES:
            self._oculto += 1
        datos = dict(attrs)
        self.partes += [v for k, v in attrs if k in self.ATRIBUTOS and v]
        if tag == "input" and datos.get("type") in {"submit", "button", "reset"} and datos.get("value"):
            self.partes.append(datos["value"])

    def handle_endtag(self, tag):
        if tag in _NO_VISIBLES and self._oculto:
            self._oculto -= 1

    def handle_data(self, data):
        if not self._oculto and data.strip():
            self.partes.append(data.strip())


def texto_visible(html):
    lector = _TextoVisible()
    lector.feed(html)
    return re.sub(r"\s+", " ", " ".join(lector.partes))


def ingles_en(respuesta):
    """The English leftovers of a response (HTML: its visible text; CSV and iCal: all of it)."""
    tipo = respuesta.get("Content-Type", "")
    if tipo.startswith("text/html"):
        texto = texto_visible(respuesta.content.decode())
    elif tipo.startswith(("text/csv", "text/calendar", "text/plain")):
        texto = b"".join(respuesta.streaming_content if respuesta.streaming else [respuesta.content]).decode()
    else:
        return []
    return sorted({m.group(0) for m in _INGLES.finditer(texto)})


def test_el_detector_encuentra_ingles_solo_en_el_texto_visible():
    html = (
        '<html><head><title>Mesa</title><style>.Search{}</style></head><body class="Next">'
        '<p>Guardar</p><select><option value="">- Select an option -</option></select>'
        '<input placeholder="Search…"><script>var None = null;</script><p>miércoles 16 de diciembre</p></body></html>'
    )
    from django.http import HttpResponse

    assert ingles_en(HttpResponse(html)) == ["Search", "Select an option"]


# Who walks: staff, a director, the mesa's coordinator, a director of another organization (the only one who may
# replicate or adapt) and an anonymous visitor; each page with every one of them the access matrix lets in.
CAMINANTES = ("admin", "director", "coordinador", "ajeno", "anonimo")


def _paginas_de_admin():
    from django.contrib import admin
    from django.urls import reverse

    paginas = ["/admin/"]
    for modelo in admin.site._registry:
        info = f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}"
        paginas.append(reverse(f"{info}_changelist"))
        paginas.append(reverse(f"{info}_add"))  # 403 where rows are only written by the application
        if primero := modelo._default_manager.order_by("pk").first():
            paginas.append(reverse(f"{info}_change", args=[primero.pk]))
    return paginas


@pytest.mark.django_db
def test_ninguna_pagina_del_recorrido_tiene_restos_en_ingles(elenco):
    personas, objetos = elenco
    hallazgos = {}
    for quien in CAMINANTES:
        cliente = cliente_de(personas[quien])
        for nombre in sorted(REGLAS):
            if esperado_de(nombre)[quien] != 200:
                continue
            url = REGLAS[nombre][0](objetos)
            respuesta = cliente.get(url)
            assert respuesta.status_code == 200, (quien, url)
            if encontrado := ingles_en(respuesta):
                hallazgos[f"{quien} {url}"] = encontrado
        for url in ("/esta-pagina-no-existe/",):
            if encontrado := ingles_en(cliente.get(url)):
                hallazgos[f"{quien} {url}"] = encontrado
    admin = cliente_de(personas["admin"])
    admin.raise_request_exception = False
    for url in _paginas_de_admin():
        respuesta = admin.get(url)
        if respuesta.status_code not in (200, 403):
            hallazgos[f"admin {url}"] = respuesta.status_code
        elif encontrado := ingles_en(respuesta):
            hallazgos[f"admin {url}"] = encontrado
    assert not hallazgos, "Restos en inglés:\n" + "\n".join(f"{k}: {v}" for k, v in sorted(hallazgos.items()))


# --- Figures: a chart keeps its unit, counts have no decimals -------------------------------------------------------


def _hurtos(anios):
    from diagnosticos.models import Indicador
    from tests.diagnosticos.utiles import categoria

    cat = categoria("hurtos")
    Indicador.objects.bulk_create(
        Indicador(territorio="05405", comuna_id="05405", categoria=cat, anio=a, frecuencia=f, tasa=t, fuente="Ejemplo")
        for a, (f, t) in anios.items()
    )


@pytest.mark.django_db
def test_un_anio_sin_poblacion_no_cambia_la_unidad_del_grafico(director):
    from decimal import Decimal

    _hurtos({2023: (1394, Decimal("201.5")), 2024: (1402, Decimal("199.0")), 2025: (1450, None)})
    html = cliente_de(director).get("/indicadores/05405/?categoria=propiedad-no-violentos").content.decode()
    texto = texto_visible(html)
    assert "Hurtos (por 100.000 habitantes)" in texto
    assert "Sin tasa en 2025: falta la población de ese año" in texto
    assert "2025 sin dato" in texto  # the table says it, the chart has no point there
    assert "casos" not in texto.split("Hurtos (por 100.000 habitantes)", 1)[1].split("Ver los datos", 1)[0]


@pytest.mark.django_db
def test_los_casos_se_cuentan_sin_decimales(director):
    _hurtos({2024: (1394, None), 2025: (1402, None)})
    html = cliente_de(director).get("/indicadores/05405/?categoria=propiedad-no-violentos").content.decode()
    texto = texto_visible(html)
    assert "Hurtos (casos)" in texto
    assert "de 1.394 casos en 2024 a 1.402 en 2025" in texto
    assert "1.394,0" not in texto and "2024 1.394" in texto


# --- One way of writing dates, counts and names -------------------------------------------------------------------


def test_fechas_en_el_texto_y_en_las_tablas():
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from django.template import engines
    from django.utils import translation

    sesion = datetime(2026, 12, 16, 13, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Santiago (summer time)
    plantilla = engines["django"].from_string(
        "{{ s|fecha_larga }} | {{ s|dia_largo }} | {{ s|fecha_corta }} | {{ s|fecha_hora_corta }} | "
        "{{ d|fecha_larga }} | {{ d }} | {{ n|cantidad }} | {{ nada|fecha_larga }}"
    )
    with translation.override("es-cl"):
        texto = plantilla.render({"s": sesion, "d": date(2030, 1, 31), "n": 1394.0, "nada": None})
    assert texto == (
        "miércoles 16 de diciembre de 2026, 10:00 | miércoles 16 de diciembre de 2026 | 16-12-2026 | 16-12-2026 10:00"
        " | jueves 31 de enero de 2030 | jueves 31 de enero de 2030 | 1.394 | "
    )


@pytest.mark.parametrize(
    ("nombre", "preposicion", "esperado"),
    [
        ("Mesa de buenas prácticas en seguridad pública", "de", "de la Mesa de buenas prácticas en seguridad pública"),
        ("Consejo comunal de seguridad de Zapallar", "de", "del Consejo comunal de seguridad de Zapallar"),
        ("Consejo comunal de Papudo", "a", "al Consejo comunal de Papudo"),
        ("Red intercomunal del litoral", "", "la Red intercomunal del litoral"),
        ("La Mesa del Aconcagua", "de", "de la Mesa del Aconcagua"),
        ("Litoral Central", "de", "de la mesa «Litoral Central»"),
    ],
)
def test_el_nombre_de_una_mesa_en_una_oracion_lleva_su_articulo(nombre, preposicion, esperado):
    from nucleo.formato import con_articulo

    assert con_articulo(nombre, preposicion) == esperado


# --- The practice form in steps, in plain words --------------------------------------------------------------------


def _formulario_vacio(org):
    datos = {
        "organizacion": str(org.pk),
        "resultados-TOTAL_FORMS": "2",
        "resultados-INITIAL_FORMS": "0",
        "resultados-MIN_NUM_FORMS": "0",
        "resultados-MAX_NUM_FORMS": "1000",
    }
    return datos


@pytest.mark.django_db
def test_el_formulario_de_practica_va_en_cuatro_pasos_con_palabras_simples(director, org_zapallar):
    from tests.practicas.utiles import taxonomia

    taxonomia()
    html = cliente_de(director).get("/practicas/nueva/").content.decode()
    texto = texto_visible(html)
    for paso in ("1. Qué problema aborda", "2. Qué se hizo", "3. Resultados y evidencia", "4. Adjuntos y publicación"):
        assert paso in texto
    assert texto.count("Sin empezar") == 4
    assert "Admite Markdown" not in texto and texto.count("Cómo dar formato a los textos") == 1
    assert "¿Funcionó? ¿Cuánto cambió?" in texto and "¿Cómo se comparó?" in texto
    # The framework's names appear only inside the «¿Qué es esto?» explanations.
    fuera_de_explicaciones = texto_visible(re.sub(r"<details.*?</details>", "", html, flags=re.S))
    assert "EMMIE" not in fuera_de_explicaciones and "Maryland" not in fuera_de_explicaciones
    assert "1 — evidencia débil" not in texto and "Débil" in texto


@pytest.mark.django_db
def test_guardar_y_seguir_lleva_al_paso_siguiente_y_dice_lo_que_falta(director, org_zapallar):
    from practicas.models import Practica
    from tests.practicas.utiles import taxonomia

    taxonomia()
    cliente = cliente_de(director)
    datos = {**_formulario_vacio(org_zapallar), "titulo": "Ferias seguras", "actividades": "Rondas.", "siguiente": "3"}
    respuesta = cliente.post("/practicas/nueva/", datos)
    practica = Practica.objects.get(titulo="Ferias seguras")
    assert respuesta.status_code == 302 and respuesta["Location"] == f"/practicas/{practica.pk}/editar/#paso-3"
    texto = texto_visible(cliente.get(respuesta["Location"]).content.decode())
    assert "1. Qué problema aborda Para publicar falta el resumen y un problema que aborda" in texto
    assert "2. Qué se hizo 1 de 6 respondidos" in texto
    assert "3. Resultados y evidencia Para publicar falta un resultado medido y la autoevaluación" in texto


@pytest.mark.django_db
def test_un_error_no_pierde_lo_escrito_y_lleva_al_campo(director, org_zapallar):
    from practicas.models import Practica
    from tests.practicas.utiles import taxonomia

    taxonomia()
    datos = {**_formulario_vacio(org_zapallar), "titulo": "", "actividades": "Rondas mixtas en la costanera."}
    respuesta = cliente_de(director).post("/practicas/nueva/", {**datos, "contacto_email": "no-es-correo"})
    html = respuesta.content.decode()
    assert respuesta.status_code == 200 and not Practica.objects.exists()
    assert "Rondas mixtas en la costanera." in html  # kept
    texto = texto_visible(html)
    assert "No se pudo guardar. Revise lo marcado: lo que escribió se conserva." in texto
    assert '<a href="#id_titulo">Paso 1, título</a>' in html
    assert '<a href="#id_contacto_email">Paso 4, correo de contacto</a>' in html
    assert "Ingrese una dirección de correo electrónico válida." in texto
    assert "1. Qué problema aborda Revise 1 campo" in texto


# --- The demo, crawled: real content in the one way of writing ----------------------------------------------------

_MES_CON_MAYUSCULA = re.compile(
    r"\b\d{1,2} de (?:Enero|Febrero|Marzo|Abril|Mayo|Junio|Julio|Agosto|Septiembre|Octubre|Noviembre|Diciembre)\b"
)
_OTRAS_FORMAS = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b[ap]\.\s?m\.|\d,0 casos")
_NO_SEGUIR = re.compile(r"^/(cuenta/salir|admin|static|mesas/rsvp)|\.(pdf|xlsx)$|/(adjuntos|evidencias)/\d+/$")


def _enlaces_internos(html):
    return {
        urlsplit_path(href)
        for href in re.findall(r'<a\b[^>]*\bhref="([^"#]+)', html)
        if href.startswith("/") and not _NO_SEGUIR.search(urlsplit_path(href))
    }


def urlsplit_path(href):
    from urllib.parse import urlsplit

    partes = urlsplit(href.replace("&amp;", "&"))
    return partes.path + (f"?{partes.query}" if partes.query else "")


def _recorrer(cliente, inicio="/inicio/", tope=300, por_patron=3):
    """The pages reachable by links from the home page (a breadth-first walk: one query string per path, a few
    pages of each kind, e.g. three practices), with what is wrong in each."""
    vistas, cola, rutas, patrones, hallazgos = set(), [inicio], set(), {}, {}
    while cola and len(vistas) < tope:
        url = cola.pop(0)
        ruta = url.split("?", 1)[0]
        patron = re.sub(r"\d+", "N", ruta)
        if url in vistas or (ruta in rutas and "?" in url) or patrones.get(patron, 0) >= por_patron:
            continue
        vistas.add(url)
        rutas.add(ruta)
        patrones[patron] = patrones.get(patron, 0) + 1
        respuesta = cliente.get(url)
        if respuesta.status_code in (301, 302):
            continue
        if respuesta.status_code != 200:
            hallazgos[url] = respuesta.status_code
            continue
        problemas = ingles_en(respuesta)
        if respuesta.get("Content-Type", "").startswith("text/html"):
            html = respuesta.content.decode()
            texto = texto_visible(html)
            problemas += sorted(set(_MES_CON_MAYUSCULA.findall(texto)) | set(_OTRAS_FORMAS.findall(texto)))
            cola += sorted(_enlaces_internos(html) - vistas)
        if problemas:
            hallazgos[url] = problemas
    return vistas, hallazgos


@pytest.mark.django_db
def test_la_demo_recorrida_por_enlaces_no_tiene_ingles_ni_otras_formas_de_fecha():
    from django.core.management import call_command

    from comunas.demo import COORDINADORA
    from comunas.models import Usuario
    from tests.conftest import con_dos_factores

    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    hallazgos, total = {}, 0
    for email in (COORDINADORA[0], "director@quilpue.example", "admin@mesa.example"):
        usuario = Usuario.objects.get(email=email)
        if email != "director@quilpue.example":
            usuario = con_dos_factores(usuario)  # coordinators and staff sign in with their second step
        vistas, encontrados = _recorrer(cliente_de(usuario))
        total += len(vistas)
        hallazgos |= {f"{email} {url}": v for url, v in encontrados.items()}
    assert total > 250
    assert not hallazgos, "\n".join(f"{k}: {v}" for k, v in sorted(hallazgos.items()))
