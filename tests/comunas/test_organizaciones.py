import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from comunas.models import Comuna, Membresia, Organizacion, Provincia, Usuario
from tests.conftest import crear_organizacion

pytestmark = pytest.mark.django_db


def _org(**territorio):
    return Organizacion(nombre="Dirección X", email_contacto="x@muni.example", **territorio)


def test_organizacion_de_una_comuna_o_de_una_provincia(dpa):
    comunal = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    provincial = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    assert comunal.territorio.nombre == "Algarrobo" and not comunal.es_provincial
    assert provincial.territorio.nombre == "Petorca" and provincial.es_provincial
    assert comunal.region.codigo == provincial.region.codigo == "05"


@pytest.mark.parametrize("caso", ["ambas", "ninguna"])
def test_la_base_de_datos_rechaza_ambas_o_ninguna(dpa, caso):
    territorio = {"ambas": {"comuna_id": "05405", "provincia_id": "054"}, "ninguna": {}}[caso]
    with pytest.raises(IntegrityError), transaction.atomic():
        _org(**territorio).save()
    assert Organizacion.objects.count() == 0


def test_la_validacion_explica_el_error_en_espanol(dpa):
    with pytest.raises(ValidationError) as error:
        _org(comuna_id="05405", provincia_id="054").full_clean()
    assert "una comuna o a una provincia" in str(error.value)


def test_una_sola_direccion_por_comuna(dpa):
    crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))
    for estado in ("activa", "suspendida"):
        with pytest.raises(IntegrityError), transaction.atomic():
            _org(comuna_id="05405", estado=estado).save()
    assert Organizacion.objects.filter(comuna_id="05405").count() == 1
    # A pending request does not hold the commune (several may wait; the admin approves one).
    _org(comuna_id="05405").save()
    _org(comuna_id="05405", estado="rechazada").save()
    assert Organizacion.objects.filter(comuna_id="05405").count() == 3


def test_estado_por_defecto_pendiente(dpa):
    org = _org(comuna_id="05603")
    org.save()
    assert org.estado == Organizacion.Estado.PENDIENTE
    assert list(Organizacion.objects.activas()) == []


def test_membresia_unica_por_persona_y_organizacion(director, org_zapallar):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membresia.objects.create(usuario=director, organizacion=org_zapallar, rol=Membresia.Rol.INTEGRANTE)


def test_usuario_ingresa_por_correo_sin_distinguir_mayusculas(db):
    usuario = Usuario.objects.create_user(email="Ana.Perez@Muni.Example", password="x" * 12, nombre="Ana Pérez")
    assert usuario.email == "ana.perez@muni.example"
    assert Usuario.objects.get_by_natural_key("ANA.PEREZ@muni.example") == usuario
    assert usuario.get_short_name() == "Ana"


def test_las_contrasenas_usan_argon2(db, settings):
    from mesa import settings as produccion  # the suite runs with a fast hasher; production's list is this one

    settings.PASSWORD_HASHERS = produccion.PASSWORD_HASHERS
    usuario = Usuario.objects.create_user(email="a@b.example", password="una-clave-larga-1", nombre="A")
    assert usuario.password.startswith("argon2")


# --- Kinds of organization (comunas 0011) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("territorio", "tipo"),
    [
        ({"comuna_id": "05405"}, Organizacion.Tipo.DIRECCION_MUNICIPAL),
        ({"provincia_id": "054"}, Organizacion.Tipo.DELEGACION_PROVINCIAL),
        ({"provincia_id": "051"}, Organizacion.Tipo.DELEGACION_REGIONAL),  # Valparaíso holds the regional capital
        ({"provincia_id": "161"}, Organizacion.Tipo.DELEGACION_REGIONAL),  # Diguillín: Chillán
    ],
)
def test_sin_tipo_recibe_el_de_su_territorio(dpa, territorio, tipo):
    org = _org(**territorio)
    org.save()
    assert org.tipo == tipo


@pytest.mark.parametrize(
    ("datos", "mensaje"),
    [
        ({"tipo": "delegacion_provincial", "provincia_id": "051"}, "provincia sin capital regional"),
        ({"tipo": "delegacion_regional", "provincia_id": "054"}, "provincia sin capital regional"),
        ({"tipo": "municipal", "provincia_id": "054"}, "Una dirección municipal es de una comuna"),
        ({"tipo": "institucion", "comuna_id": "05405"}, "lleva el nombre de la institución"),
    ],
)
def test_el_tipo_debe_calzar_con_el_territorio(dpa, datos, mensaje):
    with pytest.raises(ValidationError) as error:
        _org(**datos).full_clean()
    assert mensaje in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        _org(**datos).save()


def test_una_institucion_convive_con_la_direccion_de_su_comuna(dpa):
    crear_organizacion(comuna=Comuna.objects.get(codigo="05405"))
    for nombre in ("Carabineros de Chile", "PDI"):
        crear_organizacion(
            comuna=Comuna.objects.get(codigo="05405"), tipo=Organizacion.Tipo.INSTITUCION, institucion=nombre
        )
    assert Organizacion.objects.filter(comuna_id="05405", estado="activa").count() == 3


def test_una_sola_delegacion_por_provincia(dpa):
    crear_organizacion(provincia=Provincia.objects.get(codigo="051"))
    with pytest.raises(IntegrityError), transaction.atomic():
        _org(provincia_id="051", estado="suspendida").save()
    _org(provincia_id="051").save()  # a pending request holds nothing
    assert Organizacion.objects.filter(provincia_id="051").count() == 2
