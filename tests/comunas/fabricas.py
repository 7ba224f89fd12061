"""Objects of the joining flows, made through the services (as the app makes them)."""

from comunas import services
from comunas.models import Comuna, Membresia

DATOS_SOLICITANTE = {
    "nombre_organizacion": "Dirección de Seguridad Pública de Papudo",
    "nombre": "Paula Solicitante",
    "cargo": "Directora de Seguridad Pública",
    "telefono": "+56 9 5555 1234",
    "mensaje": "Queremos sumarnos a la mesa.",
}


def solicitud_nueva(codigo="05403", email="directora@papudo.test", **datos):
    return services.solicitud_crear(
        territorio=Comuna.objects.get(codigo=codigo), email=email, **{**DATOS_SOLICITANTE, **datos}
    )


def solicitud_unirse(organizacion, email="nueva@zapallar.test"):
    return services.solicitud_crear(
        territorio=organizacion.territorio, email=email, **{**DATOS_SOLICITANTE, "nombre": "Nora Nueva"}
    )


def invitacion(organizacion, por, email="invitada@zapallar.test", rol=Membresia.Rol.INTEGRANTE):
    return services.invitacion_crear(organizacion=organizacion, email=email, rol=rol, por=por)


def objetos_de_acceso(org, director, lector):
    """Extra objects for the access matrix (tests/test_acceso.py)."""
    inv = invitacion(org, director)
    return {
        "solicitud_unirse": solicitud_unirse(org),
        "invitacion": inv,
        "token": inv.token,
        "membresia_lector": Membresia.objects.get(usuario=lector, organizacion=org),
    }
