"""Reads about accounts and organizations."""

from comunas.models import Membresia, Organizacion


def membresias_de(usuario):
    if not usuario.is_authenticated:
        return Membresia.objects.none()
    return (
        Membresia.objects.filter(usuario=usuario)
        .select_related("organizacion__comuna__provincia__region", "organizacion__provincia__region")
        .order_by("organizacion__nombre")
    )


def membresia_principal(usuario):
    """The membership the UI shows as "Mi organización": the first active one, else the first."""
    membresias = list(membresias_de(usuario))
    activas = [m for m in membresias if m.organizacion.estado == Organizacion.Estado.ACTIVA]
    return (activas or membresias or [None])[0]


def equipo_de(organizacion):
    return organizacion.membresias.select_related("usuario").order_by("rol", "usuario__nombre")
