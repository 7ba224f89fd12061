"""The fixed cast of the house style: admin, coordinador, director, integrante, lector, ajeno, anonimo."""

import pytest
from django.test import Client

from comunas.models import Comuna, Membresia, Organizacion, Provincia, Region, Usuario

CLAVE = "clave-de-prueba-2026"


def pytest_configure(config):
    from django.conf import settings

    # Production uses hashed, compressed static files built by collectstatic; tests read the sources.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    # Argon2 (production) costs over a second per user on these machines; tests only need *a* hasher.
    # tests/test_configuracion.py checks that production keeps Argon2 first.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate limits count in the cache: each test starts from zero (never Redis, whose counters outlive a run).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_sesion_verificada, dispatch_uid="pruebas_sesion_verificada")


def _sesion_verificada(sender, request, user, **kwargs):
    # django-otp marks the session verified when the login request carries the user; the test client's
    # force_login passes a bare request, so a user prepared by con_dos_factores is marked here.
    dispositivo = getattr(user, "otp_device", None)
    if dispositivo is not None:
        from django_otp import DEVICE_ID_SESSION_KEY

        request.session[DEVICE_ID_SESSION_KEY] = dispositivo.persistent_id


def con_dos_factores(usuario):
    """A confirmed authenticator app for the user. `force_login` with the returned object leaves the session
    verified, as after the second step of sign-in; the same user fetched again from the database is not."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    usuario.otp_device = TOTPDevice.objects.create(user=usuario, name="Teléfono de prueba", confirmed=True)
    return usuario


def codigo_totp(dispositivo):
    """The 6-digit code the authenticator app would show right now."""
    from django_otp.oath import totp

    return f"{totp(dispositivo.bin_key, dispositivo.step, dispositivo.t0, dispositivo.digits, dispositivo.drift):06d}"


def crear_usuario(email, nombre="Persona de Prueba", **extra):
    return Usuario.objects.create_user(email=email, password=CLAVE, nombre=nombre, **extra)


def crear_organizacion(*, comuna=None, provincia=None, nombre=None, **extra):
    territorio = comuna or provincia
    return Organizacion.objects.create(
        nombre=nombre or f"Dirección de Seguridad Pública de {territorio.nombre}",
        comuna=comuna,
        provincia=provincia,
        email_contacto=f"seguridad-{territorio.codigo}@muni.example",
        estado=extra.pop("estado", Organizacion.Estado.ACTIVA),
        **extra,
    )


def miembro(organizacion, email, rol, **extra):
    usuario = crear_usuario(email, **extra)
    Membresia.objects.create(usuario=usuario, organizacion=organizacion, rol=rol)
    return usuario


@pytest.fixture(autouse=True)
def _cache_vacia():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _archivos_temporales(settings, tmp_path_factory):
    """Stored files (attachments, the PDF kept when an acta is approved) go to a temporary folder, never var/."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _avisos_en_el_proceso(request, monkeypatch):
    """Every e-mail is a notice (nucleo.Aviso) sent by a Celery task: tests run that task in-process when it is
    enqueued (on commit: `django_capture_on_commit_callbacks(execute=True)`), so mail lands in mail.outbox.
    The reliability tests use a real worker instead."""
    if request.node.get_closest_marker("fiabilidad"):
        return
    from mesa.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture
def celery_eager(monkeypatch):
    """Tasks run in the test process when enqueued (on commit, with django_capture_on_commit_callbacks)."""
    from mesa.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture
def dpa(db):
    """The territory as loaded by the data migration (also after a transactional flush)."""
    from comunas.dpa import cargar_dpa

    cargar_dpa(Region, Provincia, Comuna)


@pytest.fixture
def org_zapallar(dpa):
    return crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))


@pytest.fixture
def org_ajena(dpa):
    return crear_organizacion(comuna=Comuna.objects.get(codigo="13101"))


@pytest.fixture
def admin(db):
    """Platform admins must use two-step verification; this one has it, and signs in verified."""
    return con_dos_factores(
        crear_usuario("admin@mesa.test", nombre="Ada Administradora", is_staff=True, is_superuser=True)
    )


@pytest.fixture
def director(org_zapallar):
    return miembro(org_zapallar, "director@zapallar.test", Membresia.Rol.DIRECTOR, nombre="Rodrigo Director")


@pytest.fixture
def coordinador(org_zapallar):
    # Mesa coordinators must use two-step verification: this one has it, and signs in verified.
    usuario = miembro(
        org_zapallar, "coordinacion@zapallar.test", Membresia.Rol.INTEGRANTE, nombre="Carolina Coordinadora"
    )
    return con_dos_factores(usuario)


@pytest.fixture
def integrante(org_zapallar):
    return miembro(org_zapallar, "integrante@zapallar.test", Membresia.Rol.INTEGRANTE, nombre="Ignacio Integrante")


@pytest.fixture
def lector(org_zapallar):
    return miembro(org_zapallar, "lector@zapallar.test", Membresia.Rol.LECTOR, nombre="Laura Lectora")


@pytest.fixture
def ajeno(org_ajena):
    return miembro(org_ajena, "director@santiago.test", Membresia.Rol.DIRECTOR, nombre="Alberto Ajeno")


@pytest.fixture
def anonimo():
    return None


def cliente_de(usuario):
    client = Client()
    if usuario is not None:
        client.force_login(usuario)
    return client
