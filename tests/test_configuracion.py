"""Settings behave as documented: production refuses to start without its required values."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

RAIZ = Path(__file__).resolve().parent.parent


def _cargar_settings(**entorno):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env.update(entorno)
    return subprocess.run(
        [sys.executable, "-c", "import mesa.settings as s; print(s.DATABASES['default']['ENGINE'])"],
        cwd=RAIZ,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_produccion_exige_secret_key():
    resultado = _cargar_settings(ALLOWED_HOSTS="mesa.example.cl")
    assert resultado.returncode != 0
    assert "SECRET_KEY es obligatorio" in resultado.stderr


def test_produccion_exige_allowed_hosts():
    resultado = _cargar_settings(SECRET_KEY="x" * 50)
    assert resultado.returncode != 0
    assert "ALLOWED_HOSTS es obligatorio" in resultado.stderr


def test_produccion_exige_email_url():
    resultado = _cargar_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="mesa.example.cl", EMAIL_URL="")
    assert resultado.returncode != 0
    assert "EMAIL_URL es obligatorio" in resultado.stderr


def test_sin_entorno_usa_sqlite_y_broker_de_archivos():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL"}}
    env["DEBUG"] = "1"
    resultado = subprocess.run(
        [
            sys.executable,
            "-c",
            "import mesa.settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL,"
            " s.MAILERS['default']['BACKEND'])",
        ],
        cwd=RAIZ,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resultado.returncode == 0, resultado.stderr
    assert resultado.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://localhost//",
        "django.core.mail.backends.filebased.EmailBackend",
    ]


@pytest.mark.parametrize(
    ("url", "backend", "opciones"),
    [
        (
            "smtp://usuario:cl%40ve@smtp.example:587?tls=1",
            "smtp.EmailBackend",
            {"host": "smtp.example", "port": 587, "username": "usuario", "password": "cl@ve", "use_tls": True},
        ),
        ("smtps://smtp.example", "smtp.EmailBackend", {"use_ssl": True, "use_tls": False}),
        ("file:///tmp/correo", "filebased.EmailBackend", {"file_path": "/tmp/correo"}),
    ],
)
def test_email_url(url, backend, opciones):
    from mesa.settings import _mailer_from_url

    mailer = _mailer_from_url(url)
    assert mailer["BACKEND"].endswith(backend)
    assert opciones.items() <= mailer["OPTIONS"].items()


def test_idioma_zona_y_hash():
    assert settings.LANGUAGE_CODE == "es-cl"
    assert settings.TIME_ZONE == "America/Santiago"
    assert settings.USE_TZ is True
    from mesa import settings as produccion  # the module as production reads it (tests swap in a fast hasher)

    assert produccion.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_las_pruebas_corren_sobre_postgresql_y_redis():
    """`make test` points the suite at PostgreSQL and Redis; a run on SQLite is not the real thing."""
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("sin DATABASE_URL: corrida local fuera de make test")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


def _check_deploy(**entorno):
    """`manage.py check --deploy --fail-level WARNING` with production settings (as `make check-deploy` in CI)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 30 + "-una-clave-larga-y-aleatoria-para-la-prueba-de-despliegue",
        ALLOWED_HOSTS="mesa.ejemplo.cl",
        EMAIL_URL="smtp://mesa:clave@smtp.ejemplo.cl:587?tls=1",
        **entorno,
    )
    resultado = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=RAIZ,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    salida = resultado.stdout + resultado.stderr
    return resultado.returncode, sorted(set(re.findall(r"\((\w+\.[EW]\d+)\)", salida))), salida


def test_check_deploy_en_produccion_pasa_sin_advertencias():
    """With the documented defaults (HSTS preload on), not even a warning: CI runs it at WARNING level."""
    codigo, avisos, salida = _check_deploy()
    assert (codigo, avisos) == (0, []), salida


def test_sin_hsts_preload_check_deploy_falla_con_w021():
    """SECURE_HSTS_PRELOAD=0 is the documented opt-out for a domain that cannot be preloaded; the check says so."""
    codigo, avisos, salida = _check_deploy(SECURE_HSTS_PRELOAD="0")
    assert codigo != 0 and avisos == ["security.W021"], salida


def _auditoria_falsa(tmp_path, informe, codigo=0):
    """Runs .ci/auditar_dependencias.py with a stand-in pip-audit that writes `informe` (or nothing)."""
    bin_ = tmp_path / "bin"
    bin_.mkdir(parents=True)
    (bin_ / "python").symlink_to(sys.executable)
    escribir = (
        f"import json,sys; a=sys.argv; open(a[a.index('--output')+1],'w').write(json.dumps({informe!r}))"
        if informe is not None
        else "import sys; print('ConnectionError: sin red', file=sys.stderr)"
    )
    falso = bin_ / "pip-audit"
    falso.write_text(f"#!{sys.executable}\n{escribir}\nraise SystemExit({codigo})\n")
    falso.chmod(0o755)
    return subprocess.run(
        [str(bin_ / "python"), str(RAIZ / ".ci" / "auditar_dependencias.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_audit_no_calla_cuando_no_pudo_auditar(tmp_path):
    """pip-audit prints "No known vulnerabilities found" and exits 0 when its database answered for nothing."""
    omitidas = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found and could not be audited"}]}
    resultado = _auditoria_falsa(tmp_path, omitidas)
    assert resultado.returncode == 2
    assert "AUDITORÍA NO REALIZADA" in resultado.stdout and "no respondió por 1 de 1 dependencias" in resultado.stdout


def test_make_audit_sin_base_de_datos_alcanzable(tmp_path):
    resultado = _auditoria_falsa(tmp_path, None, codigo=1)
    assert resultado.returncode == 2
    assert "AUDITORÍA NO REALIZADA" in resultado.stdout and "ConnectionError: sin red" in resultado.stdout


def test_make_audit_completa(tmp_path):
    limpia = {"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}
    resultado = _auditoria_falsa(tmp_path, limpia)
    assert resultado.returncode == 0
    assert "Auditoría completa (pypi): 1 dependencias, ninguna vulnerabilidad conocida." in resultado.stdout
    vulnerable = {"dependencies": [{"name": "django", "version": "6.1.3",
                                    "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["6.1.4"]}]}]}  # fmt: skip
    resultado = _auditoria_falsa(tmp_path / "otra", vulnerable)
    assert resultado.returncode == 1
    assert "django 6.1.3: PYSEC-0000-1 (corregida en: 6.1.4)" in resultado.stdout


def test_nada_en_ingles_en_selectores_ni_en_la_administracion(client, admin):
    """Django 6.1's blank choice label and the third-party admin entries read in Spanish (locale/es)."""
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    with translation.override("es-cl"):
        assert str(BLANK_CHOICE_LABEL) == "- Elija una opción -"
    from tests.conftest import cliente_de

    html = cliente_de(admin).get("/admin/").content.decode()
    for ingles in ("Access attempts", "TOTP devices", "Static devices", "Select an option"):
        assert ingles not in html
    assert "Intentos de acceso" in html and "Autenticadores" in html


def test_el_ics_no_trae_comentarios_en_ingles():
    import datetime
    import zoneinfo

    from icalendar import Event

    from mesa.calendario import calendario

    evento = Event()
    evento.add("uid", "x@mesa")
    santiago = zoneinfo.ZoneInfo("America/Santiago")
    evento.add("dtstart", datetime.datetime(2027, 3, 4, 10, tzinfo=santiago))
    ics = calendario([evento])
    assert "BEGIN:VTIMEZONE" in ics and "only works" not in ics
    assert "Zona horaria válida del 01-01-2026 al 01-01-2029." in ics
