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


def test_check_deploy_en_produccion_solo_deja_la_advertencia_documentada():
    """`check --deploy` with production settings: only HSTS preload (W021), justified in the README."""
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
    )
    resultado = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=RAIZ,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    salida = resultado.stdout + resultado.stderr
    assert resultado.returncode == 0, salida
    avisos = sorted(set(re.findall(r"\((\w+\.[EW]\d+)\)", salida)))
    assert avisos == ["security.W021"], salida
