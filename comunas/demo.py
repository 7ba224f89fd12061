"""Demo data for the territory and accounts: the founding case of the Zapallar mesa (shared/DOMAIN.md).

Idempotent: rows are looked up by natural keys and created only when missing; nothing existing is changed.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from comunas import taxonomia
from comunas.dpa import cargar_dpa
from comunas.models import Comuna, Invitacion, Membresia, Organizacion, Provincia, Region, SolicitudAcceso, Usuario

CLAVE_DEMO = "mesa-demo-2026"

# (nivel, código CUT, organización, correo de la organización, correo del director(a), nombre, cargo). Each
# organization gets the kind its territory implies (Organizacion.tipo_del_territorio).
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
    # Valparaíso holds the regional capital: the Delegación Presidencial Regional acts for its province.
    (
        "provincia",
        "051",
        "Seguridad Pública — Delegación Presidencial Regional de Valparaíso",
        "seguridad@prov-valparaiso.example",
        "director@prov-valparaiso.example",
        "Claudia Muñoz Pérez",
        "Jefa de Seguridad Pública regional",
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

# Teams of two or three in some directorates: (correo del director(a) de la organización, correo, nombre, cargo, rol)
EQUIPOS = [
    ("director@quilpue.example", "analista@quilpue.example", "Tomás Reyes Godoy", "Analista territorial", "integrante"),
    (
        "director@quilpue.example",
        "prevencion@quilpue.example",
        "Daniela Soto Pizarro",
        "Encargada de prevención",
        "lector",
    ),
    (
        "director@algarrobo.example",
        "analista@algarrobo.example",
        "Ignacia Pino Vera",
        "Analista de datos",
        "integrante",
    ),
    (
        "director@prov-petorca.example",
        "apoyo@prov-petorca.example",
        "Matías Lagos Ortiz",
        "Profesional de apoyo",
        "lector",
    ),
]
# A directorate waiting for approval (the admin's "Solicitudes pendientes" page is not empty).
PENDIENTE = {
    "comuna_id": "05403",
    "nombre": "Dirección de Seguridad Pública de Papudo",
    "email_contacto": "seguridad@papudo.example",
    "solicitante": ("directora@papudo.example", "Francisca Morales Tapia", "Directora de Seguridad Pública"),
    "mensaje": "Somos vecinos de Zapallar y queremos sumarnos a la mesa provincial.",
}
# An invitation sent by Zapallar and not yet accepted (its link is unknown: only the hash of a random token).
INVITACION = ("director@zapallar.example", "fiscalizacion@zapallar.example", "integrante")


def _usuario(email, nombre, cargo, **extra):
    usuario, creado = Usuario.objects.get_or_create(email=email, defaults={"nombre": nombre, "cargo": cargo, **extra})
    if creado:
        usuario.set_password(CLAVE_DEMO)
        usuario.save(update_fields=["password"])
    return usuario


@transaction.atomic
def cargar():
    """Creates what is missing; returns the demo accounts as (rol, correo, organización) rows."""
    # The territory and the CEAD taxonomy come with the migrations; a database emptied since (a flush) gets them back.
    if not Comuna.objects.exists():
        cargar_dpa(Region, Provincia, Comuna)
    taxonomia.asegurar()
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
    cuentas += _equipos()
    cuentas.append(_solicitud_pendiente())
    _invitacion_pendiente()
    return cuentas


def _equipos():
    cuentas = []
    for email_director, email, nombre, cargo, rol in EQUIPOS:
        org = Organizacion.objects.get(membresias__usuario__email=email_director)
        persona = _usuario(email, nombre, cargo)
        Membresia.objects.get_or_create(usuario=persona, organizacion=org, defaults={"rol": rol})
        cuentas.append((Membresia.Rol(rol).label, persona.email, org.nombre))
    return cuentas


def _solicitud_pendiente():
    email, nombre, cargo = PENDIENTE["solicitante"]
    org, creada = Organizacion.objects.get_or_create(
        comuna_id=PENDIENTE["comuna_id"],
        defaults={"nombre": PENDIENTE["nombre"], "email_contacto": PENDIENTE["email_contacto"]},
    )
    solicitante, nuevo = Usuario.objects.get_or_create(
        email=email, defaults={"nombre": nombre, "cargo": cargo, "is_active": False}
    )
    if nuevo:
        solicitante.set_unusable_password()
        solicitante.save(update_fields=["password"])
    if creada:
        Membresia.objects.create(usuario=solicitante, organizacion=org, rol=Membresia.Rol.DIRECTOR)
        SolicitudAcceso.objects.create(
            tipo=SolicitudAcceso.Tipo.NUEVA_ORGANIZACION,
            usuario=solicitante,
            organizacion=org,
            mensaje=PENDIENTE["mensaje"],
        )
    return ("Solicitud pendiente (sin contraseña)", solicitante.email, org.nombre)


def _invitacion_pendiente():
    email_director, email, rol = INVITACION
    director = Usuario.objects.get(email=email_director)
    org = director.membresias.get().organizacion
    if not Invitacion.objects.filter(organizacion=org, email=email).exists():
        Invitacion.objects.create(
            organizacion=org,
            email=email,
            rol=rol,
            invitada_por=director,
            token_hash=Invitacion.huella(secrets.token_urlsafe(32)),
            expira=timezone.now() + Invitacion.VIGENCIA - timedelta(days=1),
        )
