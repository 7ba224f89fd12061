"""Reads about accounts and organizations."""

from django.db import models
from django.db.models import Count

from comunas.access import diagnosticos_visibles
from comunas.models import Invitacion, Membresia, Organizacion, SolicitudAcceso, Usuario
from mesa.access import mesas_visibles
from mesa.models import Participacion
from practicas.access import practicas_visibles


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


def trabajo_de_organizacion(user, organizacion, limite=5):
    """The organization's latest practices and diagnoses and its mesas, each through its own gate: only what
    this user may see. A fixed number of queries (the three lists plus the gates' own)."""
    practicas = practicas_visibles(user).filter(organizacion=organizacion).order_by("-actualizada", "-pk")
    diagnosticos = (
        diagnosticos_visibles(user)
        .filter(organizacion=organizacion)
        .select_related("comuna", "provincia")
        .order_by("-anio_fin", "-pk")
    )
    mesas = mesas_visibles(user).filter(
        participaciones__organizacion=organizacion, participaciones__estado=Participacion.Estado.ACEPTADA
    )
    return {
        "practicas": list(practicas[:limite]),
        "diagnosticos": list(diagnosticos[:limite]),
        "mesas": list(mesas.order_by("nombre", "pk")[:limite]),
    }


def pendientes_de(user, limite=5):
    """What concerns this person on the home page, one query per panel whatever the amounts.

    Upcoming convened sessions of their mesas (with their own answer), their organizations' open
    acuerdos (overdue first), mesa invitations and join requests waiting for them as director(a),
    their organizations' drafts; for staff, the access requests to review.
    """
    from django.db.models import Prefetch
    from django.utils import timezone

    from comunas.models import Diagnostico
    from mesa.models import Acuerdo, Respuesta, Sesion
    from practicas.models import Practica

    membresias = list(membresias_de(user).filter(organizacion__estado=Organizacion.Estado.ACTIVA))
    orgs = [m.organizacion_id for m in membresias]
    dirige = [m.organizacion_id for m in membresias if m.rol == Membresia.Rol.DIRECTOR]
    escribe = [m.organizacion_id for m in membresias if m.rol != Membresia.Rol.LECTOR]
    # Staff see every mesa; here only those where they take part or coordinate concern them.
    suyas = mesas_visibles(user).filter(
        models.Q(participaciones__organizacion__in=orgs, participaciones__estado=Participacion.Estado.ACEPTADA)
        | models.Q(coordinadores=user)
    )
    sesiones = list(
        Sesion.objects.filter(mesa__in=suyas.values("pk"), estado=Sesion.Estado.CONVOCADA, fin__gte=timezone.now())
        .select_related("mesa")
        .prefetch_related(Prefetch("respuestas", Respuesta.objects.filter(usuario=user), to_attr="mi_respuesta"))
        .order_by("inicio")[:limite]
    )
    acuerdos = list(
        Acuerdo.objects.vigentes()
        .abiertos()
        .filter(organizacion__in=orgs)
        .select_related("organizacion", "acta__sesion__mesa")
        .order_by("plazo")[:limite]
    )
    return {
        "sesiones": sesiones,
        "acuerdos": acuerdos,
        "invitaciones_mesa": list(
            Participacion.objects.filter(organizacion__in=dirige, estado=Participacion.Estado.INVITADA)
            .select_related("mesa", "organizacion")
            .order_by("-invitada_en")[:limite]
        ),
        "solicitudes_unirse": list(
            SolicitudAcceso.objects.filter(
                organizacion__in=dirige,
                tipo=SolicitudAcceso.Tipo.UNIRSE,
                estado=SolicitudAcceso.Estado.PENDIENTE,
            )
            .select_related("usuario", "organizacion")
            .order_by("-creada")[:limite]
        ),
        "borradores_practicas": list(
            Practica.objects.filter(organizacion__in=escribe, estado=Practica.Estado.BORRADOR).order_by("-pk")[:limite]
        ),
        "borradores_diagnosticos": list(
            Diagnostico.objects.filter(organizacion__in=escribe, estado=Diagnostico.Estado.BORRADOR).order_by("-pk")[
                :limite
            ]
        ),
        "solicitudes_nuevas": solicitudes_pendientes(tipo=SolicitudAcceso.Tipo.NUEVA_ORGANIZACION).count()
        if user.is_staff
        else 0,
    }
