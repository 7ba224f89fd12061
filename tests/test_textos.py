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
from pathlib import Path

import pytest

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
