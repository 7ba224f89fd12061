import pytest
from django.core.management import call_command

from comunas.demo import CLAVE_DEMO
from comunas.models import Invitacion, Membresia, Organizacion, SolicitudAcceso, Usuario

pytestmark = pytest.mark.django_db


def _foto():
    return (
        sorted(Usuario.objects.values_list("email", "password", "is_staff")),
        sorted(Organizacion.objects.values_list("nombre", "comuna_id", "provincia_id", "estado")),
        sorted(Membresia.objects.values_list("usuario__email", "organizacion__nombre", "rol")),
        sorted(SolicitudAcceso.objects.values_list("usuario__email", "estado")),
        sorted(Invitacion.objects.values_list("email", "token_hash", "expira")),
    )


def test_demo_crea_la_mesa_de_zapallar_y_es_idempotente(capsys):
    call_command("demo")
    salida = capsys.readouterr().out
    primera = _foto()
    call_command("demo")
    assert _foto() == primera

    activas = Organizacion.objects.activas()
    comunas = set(activas.exclude(comuna=None).values_list("comuna__nombre", flat=True))
    provincias = set(Organizacion.objects.exclude(provincia=None).values_list("provincia__nombre", flat=True))
    assert comunas == {"Zapallar", "Algarrobo", "Cartagena", "Santo Domingo", "Quilpué", "Villa Alemana"}
    assert provincias == {"Petorca", "Quillota", "Valparaíso"}
    assert list(Organizacion.objects.exclude(estado="activa").values_list("comuna__nombre", "estado")) == [
        ("Papudo", "pendiente")
    ]
    assert SolicitudAcceso.objects.get(estado="pendiente").usuario.email == "directora@papudo.example"
    assert Membresia.objects.filter(organizacion__comuna__nombre="Quilpué").count() == 3
    assert Invitacion.objects.filter(aceptada_en=None, revocada_en=None).count() == 1
    for org in Organizacion.objects.all():
        assert org.membresias.filter(rol=Membresia.Rol.DIRECTOR).count() == 1

    coordinadora = Usuario.objects.get(email="coordinacion@zapallar.example")
    assert coordinadora.membresias.get().organizacion.comuna.nombre == "Zapallar"
    admin = Usuario.objects.get(email="admin@mesa.example")
    assert admin.is_staff and admin.check_password(CLAVE_DEMO)

    assert CLAVE_DEMO in salida
    for email in Usuario.objects.values_list("email", flat=True):
        assert email in salida
