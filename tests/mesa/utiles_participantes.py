"""A mesa of three organizations (Zapallar hosts; Petorca and Algarrobo accepted) for the guests, subrogantes and
quorum tests, and the helpers they share."""

import re
from urllib.parse import urlsplit

from django.core import mail
from icalendar import Calendar

from comunas.models import Comuna, Membresia, Provincia
from mesa import services
from tests.conftest import crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa

CARABINEROS = {
    "nombre": "Sargento Paula Cáceres Rivas",
    "institucion": "Carabineros de Chile — 2ª Comisaría de Zapallar",
    "cargo": "Encargada de integración comunitaria",
    "email": "paula.caceres@carabineros.example",
}


def mesa_de_tres(org_zapallar, coordinador):
    """Returns (mesa, director de Petorca, directora de Algarrobo)."""
    mesa = crear_mesa(org_zapallar, coordinador)
    petorca = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    algarrobo = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    for org in (petorca, algarrobo):
        services.mesa_invitar(mesa=mesa, organizacion=org, por=coordinador)
        services.participacion_aceptar(participacion=mesa.participaciones.get(organizacion=org), por=coordinador)
    pedro = miembro(petorca, "director@petorca.test", Membresia.Rol.DIRECTOR, nombre="Pedro Provincial")
    ana = miembro(algarrobo, "directora@algarrobo.test", Membresia.Rol.DIRECTOR, nombre="Ana Algarrobo")
    return mesa, pedro, ana


def correos_a(email):
    return [m for m in mail.outbox if m.to == [email]]


def enlace(mensaje, etiqueta="Asistiré"):
    """The path of the answer link labelled `etiqueta` in the e-mail's text."""
    return urlsplit(re.search(rf"^{etiqueta}: (\S+)$", mensaje.body, re.M).group(1)).path


def ics(mensaje):
    [parte] = [p for p in mensaje.message().walk() if p.get_content_type() == "text/calendar"]
    return parte.get_param("method"), Calendar.from_ical(parte.get_content())
