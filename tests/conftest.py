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
    return crear_usuario("admin@mesa.test", nombre="Ada Administradora", is_staff=True, is_superuser=True)


@pytest.fixture
def director(org_zapallar):
    return miembro(org_zapallar, "director@zapallar.test", Membresia.Rol.DIRECTOR, nombre="Rodrigo Director")


@pytest.fixture
def coordinador(org_zapallar):
    return miembro(org_zapallar, "coordinacion@zapallar.test", Membresia.Rol.INTEGRANTE, nombre="Carolina Coordinadora")


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
