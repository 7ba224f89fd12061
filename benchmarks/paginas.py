"""Benchmark at national scale (make bench): every main page under load, against a no-op page in the same run.

1. The scale database (ESCALA_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/mesa_escala): created when
   missing, migrated, and filled with `manage.py sembrar_escala` when it has no organizations.
2. gunicorn (GUNICORN_WORKERS sync workers, 2) on a free loopback port, production settings (DEBUG off, hashed
   static files collected to a temporary folder) plus BENCH=1, which serves /salud/noop/: a signed-in page that
   does nothing, the yardstick.
3. CLIENTES (4) threads, each request signed in as one role (director, coordinación with two-step verification,
   platform administration), run a fixed shuffled list of requests (REPETICIONES per page, the no-op three
   times as often), bounded by MAX_SEGUNDOS; each response is read to the end (a streamed CSV too: its first
   byte and its last are both recorded).
4. Prints requests/s, p50, p95, and each page's p95 as a ratio to the no-op's beside its target (4×, search 6×);
   writes bench/RESULTS.md; then runs benchmarks/avisos.py (notices per second) unless SIN_AVISOS=1.

    .venv/bin/python benchmarks/paginas.py        # or: make bench
"""

import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

BASE = os.environ.get("ESCALA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mesa_escala")
BROKER = os.environ.get("ESCALA_BROKER_URL", "redis://127.0.0.1:6379/12")
WORKERS = int(os.environ.get("GUNICORN_WORKERS", "2"))
CLIENTES = int(os.environ.get("CLIENTES", "4"))
REPETICIONES = int(os.environ.get("REPETICIONES", "30"))
MAX_SEGUNDOS = int(os.environ.get("MAX_SEGUNDOS", "420"))
ESCALA = os.environ.get("ESCALA", "1.0")
SEMILLA = os.environ.get("SEMILLA", "2026")
CARPETA = Path(tempfile.mkdtemp(prefix="mesa-bench-paginas-"))
RESULTADOS = RAIZ / "bench" / "RESULTS.md"
ACCESO = CARPETA / "acceso.log"  # gunicorn's access log: request id, microseconds in the worker, status


def puerto_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PUERTO = puerto_libre()
ENTORNO = {
    "DJANGO_SETTINGS_MODULE": "mesa.settings",
    "DATABASE_URL": BASE,
    "CELERY_BROKER_URL": BROKER,
    "DEBUG": "0",
    "BENCH": "1",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": f"http://127.0.0.1:{PUERTO}",
    "EMAIL_URL": "console://",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "STATIC_ROOT": str(CARPETA / "static"),
    "MESA_VAR_DIR": str(CARPETA / "var"),
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENTORNO)

# (name, role, URL template, kind): kind "busqueda" has the 6× target, "csv" is a download (time to the last byte),
# "noop" the yardstick. Roles: director(a) of the host of the first mesa, its coordinator, the platform's admin;
# None: no session (the calendar feed's token is the credential).
PAGINAS = [
    ("No-op con sesión (referencia)", "director", "/salud/noop/", "noop"),
    ("Biblioteca de prácticas", "director", "/practicas/", "pagina"),
    ("Búsqueda «cámaras»", "director", "/practicas/?q=c%C3%A1maras", "busqueda"),
    ("Búsqueda «camara»", "director", "/practicas/?q=camara", "busqueda"),
    ("Prácticas, página 500", "director", "/practicas/?pagina=500", "pagina"),
    ("Biblioteca (administración)", "admin", "/practicas/", "pagina"),
    ("Diagnósticos", "director", "/diagnosticos/", "pagina"),
    ("Diagnósticos (administración)", "admin", "/diagnosticos/", "pagina"),
    ("CSV de una búsqueda", "director", "/practicas/exportar/?q=camara", "csv"),
    ("CSV de todas las prácticas", "admin", "/practicas/exportar/", "csv"),
    ("CSV de todos los indicadores", "director", "/indicadores/exportar.csv", "csv"),
    ("CSV de acuerdos de una mesa", "coordinador", "/mesas/{mesa}/acuerdos/?formato=csv", "csv"),
    ("Inicio", "director", "/inicio/", "pagina"),
    ("Inicio (coordinación)", "coordinador", "/inicio/", "pagina"),
    ("Página de la mesa", "coordinador", "/mesas/{mesa}/", "pagina"),
    ("Acuerdos de la mesa", "director", "/mesas/{mesa}/acuerdos/", "pagina"),
    ("Comparación del país", "director", "/indicadores/comparar/?ambito=pais", "pagina"),
    ("Tendencias de una comuna", "director", "/indicadores/{comuna}/", "pagina"),
    ("Planes", "director", "/planes/", "pagina"),
    ("Planes (administración)", "admin", "/planes/", "pagina"),
    ("Página de un plan", "director", "/planes/{plan}/", "pagina"),
    ("Planes de la mesa", "coordinador", "/mesas/{mesa}/planes/", "pagina"),
    ("Calendario iCal", None, "/mesas/calendario/{token}.ics", "pagina"),
]
OBJETIVO = {"pagina": 4, "csv": 4, "busqueda": 6}


def correr(argumentos, **kwargs):
    return subprocess.run(argumentos, cwd=RAIZ, env=os.environ, check=True, **kwargs)  # noqa: S603 (our commands)


def preparar_base():
    """Creates, migrates and (when empty) seeds the scale database; returns the seconds the seeding took."""
    import psycopg

    partes = urlsplit(BASE)
    nombre = partes.path.lstrip("/")
    servidor = BASE.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(servidor, autocommit=True) as conexion:
        if not conexion.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nombre]).fetchone():
            conexion.execute(f'CREATE DATABASE "{nombre}"')
    correr([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"])
    with psycopg.connect(BASE) as conexion:
        vacia = not conexion.execute("SELECT EXISTS (SELECT 1 FROM comunas_organizacion)").fetchone()[0]
    if not vacia:
        return None
    print("La base de escala está vacía: sembrar_escala (unos minutos)…", flush=True)
    inicio = time.monotonic()
    correr([sys.executable, "manage.py", "sembrar_escala", "--semilla", SEMILLA, "--escala", ESCALA])
    return time.monotonic() - inicio


def sesiones_y_objetos():
    """Signed-in sessions (stored in the database, as after signing in; verified for those with an authenticator),
    the calendar token, and the objects the URLs name."""
    import django

    django.setup()
    from django.contrib.auth.signals import user_logged_in
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from comunas.escala import ADMIN_EMAIL
    from comunas.models import Membresia, Usuario
    from mesa.models import Mesa
    from mesa.services_actas import calendario_generar
    from planes.models import Plan

    mesa = Mesa.objects.select_related("anfitriona").order_by("pk").first()
    director = Usuario.objects.get(membresias__organizacion=mesa.anfitriona, membresias__rol=Membresia.Rol.DIRECTOR)
    coordinador = mesa.coordinadores.order_by("pk").first()
    admin = Usuario.objects.get(email=ADMIN_EMAIL)
    plan = (
        Plan.objects.filter(duenas=mesa.anfitriona, estado=Plan.Estado.EN_EJECUCION).order_by("pk").first()
        or Plan.objects.filter(duenas=mesa.anfitriona).order_by("pk").first()
    )

    def verificar(sender, request, user, **kwargs):
        dispositivo = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if dispositivo is not None:
            request.session[DEVICE_ID_SESSION_KEY] = dispositivo.persistent_id

    user_logged_in.connect(verificar, dispatch_uid="benchmark_paginas")
    cookies = {}
    for rol, usuario in (("director", director), ("coordinador", coordinador), ("admin", admin)):
        cliente = Client()
        cliente.force_login(usuario, backend="django.contrib.auth.backends.ModelBackend")
        cookies[rol] = f"sessionid={cliente.cookies['sessionid'].value}"
    objetos = {
        "mesa": mesa.pk,
        "plan": plan.pk,
        "comuna": mesa.anfitriona.comuna_id,
        "token": calendario_generar(usuario=director),
    }
    return cookies, objetos


def iniciar_gunicorn():
    correr([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"])
    registro = open(CARPETA / "gunicorn.log", "wb")  # noqa: SIM115
    proceso = subprocess.Popen(  # noqa: S603 (our own command)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mesa.wsgi:application",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{PUERTO}",
            "--timeout",
            "120",
            "--access-logfile",
            str(ACCESO),
            "--access-logformat",
            "%({x-bench}i)s %(D)s %(s)s",
        ],  # fmt: skip
        cwd=RAIZ,
        env=os.environ,
        stdout=registro,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    registro.close()
    limite = time.monotonic() + 60
    while time.monotonic() < limite:
        try:
            with socket.create_connection(("127.0.0.1", PUERTO), timeout=1):
                return proceso
        except OSError:
            time.sleep(0.2)
    detener(proceso)
    raise SystemExit("gunicorn no respondió en 60 s:\n" + (CARPETA / "gunicorn.log").read_text())


def rss_maximo(proceso):
    """Peak resident memory (MB) of each gunicorn worker (children of the master), from /proc."""
    picos = []
    for estado in Path("/proc").glob("[0-9]*/status"):
        try:
            campos = dict(linea.split(":", 1) for linea in estado.read_text().splitlines() if ":" in linea)
        except OSError:
            continue
        if campos.get("PPid", "").strip() == str(proceso.pid) and "VmHWM" in campos:
            picos.append(int(campos["VmHWM"].split()[0]) // 1024)
    return sorted(picos)


def detener(proceso):
    if proceso.poll() is None:
        os.killpg(proceso.pid, signal.SIGTERM)
        try:
            proceso.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proceso.pid, signal.SIGKILL)


def pedir(url, cookie, ident="-"):
    """(status, seconds to the first byte of the body, seconds to the last, bytes), as the client sees them."""
    conexion = http.client.HTTPConnection("127.0.0.1", PUERTO, timeout=300)
    inicio = time.perf_counter()
    conexion.request("GET", url, headers={"X-Bench": ident, **({"Cookie": cookie} if cookie else {})})
    respuesta = conexion.getresponse()
    primero = respuesta.read(1)
    ttfb = time.perf_counter() - inicio
    total = len(primero)
    while trozo := respuesta.read(65536):
        total += len(trozo)
    fin = time.perf_counter() - inicio
    conexion.close()
    return respuesta.status, ttfb, fin, total


def percentil(valores, p):
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, max(0, round(p / 100 * len(ordenados) + 0.5) - 1))]


def medir(cookies, objetos):
    urls = {nombre: (rol, plantilla.format(**objetos), tipo) for nombre, rol, plantilla, tipo in PAGINAS}
    # Warm-up: every page once (a worker's first request loads templates and opens its connection).
    for nombre, (rol, url, _) in urls.items():
        for _ in range(WORKERS):
            estado, *_ = pedir(url, cookies.get(rol))
            if estado != 200:
                raise SystemExit(f"{nombre}: {url} respondió {estado}")
    trabajo = [n for n, (_, _, tipo) in urls.items() for _ in range(REPETICIONES * (3 if tipo == "noop" else 1))]
    random.Random(int(SEMILLA)).shuffle(trabajo)  # noqa: S311 — an order, not a secret
    trabajo = [(i, nombre) for i, nombre in enumerate(trabajo)]
    medidas = {n: [] for n in urls}
    errores = []
    candado = threading.Lock()
    limite = time.monotonic() + MAX_SEGUNDOS

    def cliente():
        while time.monotonic() < limite:
            with candado:
                if not trabajo:
                    return
                ident, nombre = trabajo.pop()
            rol, url, _ = urls[nombre]
            estado, ttfb, fin, bytes_ = pedir(url, cookies.get(rol), str(ident))
            with candado:
                if estado != 200:
                    errores.append((nombre, estado))
                medidas[nombre].append((ident, ttfb, fin, bytes_))

    inicio = time.monotonic()
    hilos = [threading.Thread(target=cliente) for _ in range(CLIENTES)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    segundos = time.monotonic() - inicio
    time.sleep(1)  # gunicorn writes its access log line after the response
    servidor = {}
    for linea in ACCESO.read_text().splitlines():
        partes = linea.split()
        if len(partes) == 3 and partes[0].isdigit():
            servidor[int(partes[0])] = int(partes[1]) / 1_000_000
    # (seconds in the worker, client's seconds to the first byte, to the last, bytes) per request
    medidas = {n: [(servidor.get(i, fin), ttfb, fin, b) for i, ttfb, fin, b in m] for n, m in medidas.items()}
    return medidas, segundos, errores, len(trabajo)


def _ms(segundos):
    return f"{segundos * 1000:,.0f}".replace(",", ".")


def informe(medidas, segundos, errores, pendientes, siembra, memoria):
    """The table: per page, p50 and p95 of the time it held a worker (gunicorn's own measure, from the request to
    its last byte: what the page costs, without the wait for a free worker) and of what the client waited (that
    wait included, as a load tool reports it), each p95 as a ratio to the no-op's of the same run. A page is judged
    by its worker time; a download, sent as it is written, by its first byte."""
    from django.db import connection

    noop = medidas[PAGINAS[0][0]]
    p95_noop_cliente = percentil([fin for _, _, fin, _ in noop], 95)
    p95_noop_worker = percentil([w for w, _, _, _ in noop], 95)
    total = sum(len(m) for m in medidas.values())
    filas, cumplen, cumplen_cliente, objetivos = [], 0, 0, 0
    for nombre, _, _, tipo in PAGINAS:
        m = medidas[nombre]
        if not m:
            continue
        trabajo = [w for w, _, _, _ in m]
        cliente = [fin for _, _, fin, _ in m]
        primer_byte = percentil([t for _, t, _, _ in m], 95)
        razon_worker = percentil(trabajo, 95) / p95_noop_worker
        razon_cliente = (primer_byte if tipo == "csv" else percentil(cliente, 95)) / p95_noop_cliente
        juzgada = razon_cliente if tipo == "csv" else razon_worker
        objetivo = OBJETIVO.get(tipo)
        if objetivo is not None:
            objetivos += 1
            cumplen += juzgada <= objetivo
            cumplen_cliente += razon_cliente <= objetivo
        marca = (lambda r: f"**{r:.1f}×**") if objetivo is not None else (lambda r: f"{r:.1f}×")
        filas.append(
            f"| {nombre} | {len(m)} | {_ms(percentil(trabajo, 50))} | {_ms(percentil(trabajo, 95))} | "
            f"{_ms(percentil(cliente, 50))} | {_ms(percentil(cliente, 95))} | "
            f"{_ms(primer_byte) if tipo == 'csv' else ''} | {statistics.mean(b for _, _, _, b in m) / 1024:,.0f} | "
            f"{f'{razon_worker:.1f}×' if tipo == 'csv' else marca(razon_worker)} | "
            f"{marca(razon_cliente) if tipo == 'csv' else f'{razon_cliente:.1f}×'} | "
            f"{'—' if objetivo is None else f'≤ {objetivo}×'} | "
            f"{'—' if objetivo is None else ('sí' if juzgada <= objetivo else '**no**')} |"
        )
    todas = [fin for m in medidas.values() for _, _, fin, _ in m]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM comunas_organizacion), (SELECT count(*) FROM practicas_practica), "
            "(SELECT count(*) FROM comunas_indicador), (SELECT count(*) FROM mesa_sesion), "
            "(SELECT count(*) FROM mesa_acuerdo), (SELECT count(*) FROM mesa_aviso), "
            "(SELECT count(*) FROM planes_plan), (SELECT count(*) FROM planes_nodo WHERE tipo = 'actividad')"
        )
        datos = [f"{n:,}".replace(",", ".") for n in cursor.fetchone()]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=RAIZ, capture_output=True, text=True)  # noqa: S607
    carga = os.getloadavg()
    lineas = [
        "# Rendimiento a escala nacional (make bench)",
        "",
        f"{datetime.now():%Y-%m-%d %H:%M}, commit {commit.stdout.strip() or '?'}, {os.cpu_count()} CPU, carga "
        f"{carga[0]:.1f} / {carga[1]:.1f} / {carga[2]:.1f} (1, 5 y 15 min) al terminar. Base: {datos[0]} "
        f"organizaciones, {datos[1]} prácticas, {datos[2]} indicadores, {datos[3]} sesiones, {datos[4]} acuerdos, "
        f"{datos[5]} avisos, {datos[6]} planes con {datos[7]} actividades."
        + (f" Sembrada en esta corrida en {siembra:.0f} s." if siembra else ""),
        f"gunicorn con {WORKERS} workers sync, {CLIENTES} clientes concurrentes con sesión, {REPETICIONES} "
        f"peticiones por página (el no-op, {3 * REPETICIONES}), en un orden aleatorio fijo.",
        "",
        f"**{total} peticiones en {segundos:.1f} s: {total / segundos:.1f} peticiones/s; lo que esperó el cliente: "
        f"p50 {_ms(percentil(todas, 50))} ms, p95 {_ms(percentil(todas, 95))} ms. Cumplen su objetivo {cumplen} de "
        f"{objetivos} (las páginas por tiempo de worker, las descargas por su primer byte); por lo que esperó el "
        f"cliente, {cumplen_cliente} de {objetivos}.**"
        + (f" Quedaron {pendientes} peticiones sin hacer (límite de {MAX_SEGUNDOS} s)." if pendientes else "")
        + (f" Respuestas que no fueron 200: {errores[:10]}." if errores else "")
        + (f" Memoria máxima (RSS) de cada worker: {', '.join(f'{m} MB' for m in memoria)}." if memoria else ""),
        "",
        "Milisegundos. «Worker»: lo que la página ocupó un worker, medido por gunicorn desde la petición hasta su "
        "último byte: su costo, sin la cola. «Cliente»: lo que esperó el cliente, incluida la espera de un worker "
        "libre (con 4 clientes y 2 workers casi siempre hay cola), como lo informa una herramienta de carga. Cada p95 "
        "se divide por el del no-op de la misma corrida; en negrita, la razón que se juzga (objetivo 4×; búsquedas, "
        "6×): el tiempo de worker de una página; de una descarga, que se envía mientras se escribe, su primer byte "
        "(del cliente, contra el p95 del cliente del no-op). Su tiempo de worker es el de la descarga completa.",
        "",
        "| página | n | worker p50 | worker p95 | cliente p50 | cliente p95 | primer byte p95 | KB | p95 ÷ no-op "
        "(worker) | p95 ÷ no-op (cliente) | objetivo | cumple |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *filas,
        "",
    ]
    return "\n".join(lineas)


def avisos():
    """benchmarks/avisos.py against the same PostgreSQL (its own throw-away database); its last line is JSON."""
    entorno = {k: v for k, v in os.environ.items() if k not in ENTORNO or k == "DATABASE_URL"}
    salida = subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, "benchmarks/avisos.py"], cwd=RAIZ, env=entorno, capture_output=True, text=True, timeout=900
    )
    if salida.returncode != 0:
        return f"El benchmark de avisos falló:\n\n```\n{salida.stdout[-2000:]}{salida.stderr[-2000:]}\n```\n"
    datos = json.loads(salida.stdout.strip().splitlines()[-1])
    por_segundo = datos["destinatarios"] / datos["segundos_hasta_el_ultimo"]
    personas = f"{datos['destinatarios']:,}".replace(",", ".")
    return (
        f"## Avisos (benchmarks/avisos.py)\n\nConvocatoria a {personas} personas: la petición "
        f"{datos['segundos_request']:.2f} s, la última entrega a los {datos['segundos_hasta_el_ultimo']:.1f} s: "
        f"**{por_segundo:.0f} avisos/s**; {datos['perdidos']} perdidos, {datos['duplicados']} duplicados.\n"
    )


def main():
    inicio = time.monotonic()
    siembra = preparar_base()
    cookies, objetos = sesiones_y_objetos()
    gunicorn = iniciar_gunicorn()
    try:
        medidas, segundos, errores, pendientes = medir(cookies, objetos)
        memoria = rss_maximo(gunicorn)
    finally:
        detener(gunicorn)
    texto = informe(medidas, segundos, errores, pendientes, siembra, memoria)
    print(texto, flush=True)
    if os.environ.get("SIN_AVISOS") != "1":
        print("Benchmark de avisos…", flush=True)
        parte = avisos()
        print(parte)
        texto += "\n" + parte
    texto += f"\nDuración total de make bench: {time.monotonic() - inicio:.0f} s.\n"
    RESULTADOS.parent.mkdir(exist_ok=True)
    RESULTADOS.write_text(texto, encoding="utf-8")
    print(f"Escrito en {RESULTADOS.relative_to(RAIZ)}")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(CARPETA, ignore_errors=True)
