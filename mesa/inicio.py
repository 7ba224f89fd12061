"""The signed-in home page: the top layer assembles what concerns each person from every app below it."""

from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.utils import timezone

from comunas.access import miembro_requerido
from comunas.models import Membresia, Organizacion, SolicitudAcceso
from comunas.selectors import membresias_de, solicitudes_pendientes
from diagnosticos.models import Diagnostico
from mesa.access import mesas_visibles
from mesa.models import Acuerdo, Participacion, Respuesta, Sesion
from practicas.models import Practica


@miembro_requerido
def inicio(request):
    """Signed-in home: the user's organization and what concerns them."""
    membresias = membresias_de(request.user)
    pendientes = pendientes_de(request.user)
    return render(
        request,
        "mesa/inicio.html",
        {"membresias": membresias, "p": pendientes, "pendientes": pendientes["solicitudes_nuevas"]},
    )


def pendientes_de(user, limite=5):
    """What concerns this person on the home page, one query per panel whatever the amounts.

    Upcoming convened sessions of their mesas (with their own answer), their organizations' open
    acuerdos (overdue first), mesa invitations and join requests waiting for them as director(a),
    their organizations' drafts; for staff, the access requests to review.
    """
    membresias = list(membresias_de(user).filter(organizacion__estado=Organizacion.Estado.ACTIVA))
    orgs = [m.organizacion_id for m in membresias]
    dirige = [m.organizacion_id for m in membresias if m.rol == Membresia.Rol.DIRECTOR]
    escribe = [m.organizacion_id for m in membresias if m.rol != Membresia.Rol.LECTOR]
    # Staff see every mesa; here only those where they take part or coordinate concern them.
    suyas = mesas_visibles(user).filter(
        Q(participaciones__organizacion__in=orgs, participaciones__estado=Participacion.Estado.ACEPTADA)
        | Q(coordinadores=user)
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
        .select_related("organizacion", "acta__sesion__mesa", "actividad")
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
