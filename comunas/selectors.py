"""Reads about accounts and organizations."""

from django.core.exceptions import ValidationError
from django.db.models import Count

from comunas.models import Comuna, Invitacion, Membresia, Organizacion, Provincia, SolicitudAcceso, Usuario


def clave_de_territorio(territorio):
    """ "c:05405" for a commune, "p:054" for a province: the value of the territory pickers."""
    return f"{'c' if isinstance(territorio, Comuna) else 'p'}:{territorio.codigo}"


def territorio_por_clave(clave):
    """The commune or province of a picker value; ValidationError when there is none."""
    nivel, _, codigo = (clave or "").partition(":")
    territorio = None
    if nivel == "c":
        territorio = Comuna.objects.select_related("provincia__region").filter(codigo=codigo).first()
    elif nivel == "p":
        territorio = Provincia.objects.select_related("region").filter(codigo=codigo).first()
    if territorio is None:
        raise ValidationError("Elija una comuna o provincia de la lista.")
    return territorio


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


def organizaciones_del_directorio():
    return Organizacion.objects.activas().con_territorio().annotate(integrantes=Count("membresias")).order_by("nombre")


def solicitudes_pendientes(*, tipo=None, organizacion=None):
    solicitudes = SolicitudAcceso.objects.filter(estado=SolicitudAcceso.Estado.PENDIENTE)
    if tipo:
        solicitudes = solicitudes.filter(tipo=tipo)
    if organizacion is not None:
        solicitudes = solicitudes.filter(organizacion=organizacion)
    return solicitudes.select_related(
        "usuario", "organizacion__comuna__provincia__region", "organizacion__provincia__region"
    ).order_by("creada")


def invitaciones_pendientes_de(organizacion):
    return organizacion.invitaciones.pendientes().select_related("invitada_por").order_by("email")


def invitacion_por_token(token):
    return Invitacion.objects.select_related("organizacion").filter(token_hash=Invitacion.huella(token)).first()


def cuenta_existe(email):
    return Usuario.objects.filter(email__iexact=email).exists()
