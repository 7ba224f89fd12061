"""Demo data for the territory and accounts: the founding case of the Zapallar mesa (shared/DOMAIN.md).

Idempotent: rows are looked up by natural keys and created only when missing; nothing existing is changed.
"""

from django.db import transaction

from comunas.models import Membresia, Organizacion, Usuario

CLAVE_DEMO = "mesa-demo-2026"

# (nivel, código CUT, organización, correo de la organización, correo del director(a), nombre, cargo)
DIRECCIONES = [
    (
        "comuna",
        "05405",
        "Dirección de Seguridad Pública de Zapallar",
        "seguridad@zapallar.example",
        "director@zapallar.example",
        "Rodrigo Valenzuela Soto",
        "Director de Seguridad Pública",
    ),
    (
        "provincia",
        "054",
        "Seguridad Pública — Delegación Presidencial Provincial de Petorca",
        "seguridad@prov-petorca.example",
        "director@prov-petorca.example",
        "Marcela Ibáñez Rojas",
        "Jefa de Seguridad Pública provincial",
    ),
    (
        "provincia",
        "055",
        "Seguridad Pública — Delegación Presidencial Provincial de Quillota",
        "seguridad@prov-quillota.example",
        "director@prov-quillota.example",
        "Felipe Araya Contreras",
        "Jefe de Seguridad Pública provincial",
    ),
    (
        "provincia",
        "051",
        "Seguridad Pública — Delegación Presidencial Provincial de Valparaíso",
        "seguridad@prov-valparaiso.example",
        "director@prov-valparaiso.example",
        "Claudia Muñoz Pérez",
        "Jefa de Seguridad Pública provincial",
    ),
    (
        "comuna",
        "05602",
        "Dirección de Seguridad Pública de Algarrobo",
        "seguridad@algarrobo.example",
        "director@algarrobo.example",
        "Patricio Navarro Lagos",
        "Director de Seguridad Pública",
    ),
    (
        "comuna",
        "05603",
        "Dirección de Seguridad Pública de Cartagena",
        "seguridad@cartagena.example",
        "director@cartagena.example",
        "Verónica Salinas Díaz",
        "Directora de Seguridad Pública",
    ),
    (
        "comuna",
        "05606",
        "Dirección de Seguridad Pública de Santo Domingo",
        "seguridad@santodomingo.example",
        "director@santodomingo.example",
        "Andrés Figueroa Núñez",
        "Director de Seguridad Pública",
    ),
    (
        "comuna",
        "05801",
        "Dirección de Seguridad Pública de Quilpué",
        "seguridad@quilpue.example",
        "director@quilpue.example",
        "Javiera Castillo Morales",
        "Directora de Seguridad Pública",
    ),
    (
        "comuna",
        "05804",
        "Dirección de Seguridad Pública de Villa Alemana",
        "seguridad@villaalemana.example",
        "director@villaalemana.example",
        "Gonzalo Herrera Vidal",
        "Director de Seguridad Pública",
    ),
]

COORDINADORA = (
    "coordinacion@zapallar.example",
    "Carolina Fuentes Reyes",
    "Coordinadora de la mesa de buenas prácticas",
)
ADMIN = ("admin@mesa.example", "Administración Mesa", "Administración de la plataforma")


def _usuario(email, nombre, cargo, **extra):
    usuario, creado = Usuario.objects.get_or_create(email=email, defaults={"nombre": nombre, "cargo": cargo, **extra})
    if creado:
        usuario.set_password(CLAVE_DEMO)
        usuario.save(update_fields=["password"])
    return usuario


@transaction.atomic
def cargar():
    """Creates what is missing; returns the demo accounts as (rol, correo, organización) rows."""
    cuentas = []
    admin = _usuario(*ADMIN, is_staff=True, is_superuser=True)
    cuentas.append(("Administración de la plataforma", admin.email, "—"))
    zapallar = None
    for nivel, codigo, nombre_org, correo_org, email, nombre, cargo in DIRECCIONES:
        territorio = {"comuna_id": codigo} if nivel == "comuna" else {"provincia_id": codigo}
        org, _ = Organizacion.objects.get_or_create(
            **territorio,
            defaults={"nombre": nombre_org, "email_contacto": correo_org, "estado": Organizacion.Estado.ACTIVA},
        )
        director = _usuario(email, nombre, cargo)
        Membresia.objects.get_or_create(usuario=director, organizacion=org, defaults={"rol": Membresia.Rol.DIRECTOR})
        cuentas.append(("Director(a)", director.email, org.nombre))
        zapallar = zapallar or org
    coordinadora = _usuario(*COORDINADORA)
    Membresia.objects.get_or_create(
        usuario=coordinadora, organizacion=zapallar, defaults={"rol": Membresia.Rol.INTEGRANTE}
    )
    cuentas.insert(1, ("Coordinación de la mesa", coordinadora.email, zapallar.nombre))
    return cuentas
