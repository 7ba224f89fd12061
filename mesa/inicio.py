"""The signed-in home page: the top layer assembles what concerns each person from every app below it."""

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from comunas import services as comunas_services
from comunas.access import miembro_requerido
from comunas.models import Invitacion, Membresia, Organizacion, SolicitudAcceso
from comunas.selectors import membresias_de, solicitudes_pendientes
from diagnosticos.models import Diagnostico, ImportacionIndicadores
from mesa.access import mesas_visibles
from mesa.models import Acta, Acuerdo, Mesa, Participacion, Respuesta, Sesion
from planes.models import Plan
from practicas.models import Practica


@miembro_requerido
def inicio(request):
    """Signed-in home: the user's organization and roles, their first steps, and what concerns them."""
    membresias = list(membresias_de(request.user))
    pendientes = pendientes_de(request.user, membresias=membresias)
    contexto = {
        "membresias": membresias,
        "p": pendientes,
        "pendientes": pendientes["solicitudes_nuevas"],
        "primeros_pasos": primeros_pasos(membresias),
    }
    return render(request, "mesa/inicio.html", contexto)


@require_POST
@miembro_requerido
def primeros_pasos_ocultar(request):
    """ "Ocultar la lista": the person hides the first steps of one of their organizations."""
    if comunas_services.primeros_pasos_ocultar(usuario=request.user, organizacion_id=request.POST.get("organizacion")):
        messages.success(request, "Listo: ya no verá los primeros pasos de esa organización.")
    else:
        messages.error(request, "No encontramos esa lista de primeros pasos.")
    return redirect("inicio")


# --- First steps of a new directorate ---------------------------------------------------------------------


@dataclass(frozen=True)
class Paso:
    titulo: str
    detalle: str
    url: str
    hecho: bool
    estado: str = ""  # what is under way, when not done (e.g. "Solicitud enviada")


def primeros_pasos(membresias):
    """[(organizacion, [Paso])] for each active organization the person directs whose list is neither hidden nor
    complete: profile, team, a mesa, a practice, a diagnosis or indicators, the plan. Computed from the data, in
    one query whatever the number of organizations or documents."""
    dirige = {
        m.organizacion_id: m
        for m in membresias
        if m.rol == Membresia.Rol.DIRECTOR
        and m.organizacion.estado == Organizacion.Estado.ACTIVA
        and m.primeros_pasos_ocultos_en is None
    }
    if not dirige:
        return []
    org = OuterRef("pk")
    participa = Participacion.objects.filter(organizacion=org)
    filas = Organizacion.objects.filter(pk__in=dirige).annotate(
        equipo=Count("membresias", distinct=True),
        invito=Exists(Invitacion.objects.filter(organizacion=org)),
        en_mesa=Exists(participa.filter(estado=Participacion.Estado.ACEPTADA)),
        pide_mesa=Exists(participa.filter(estado__in=[Participacion.Estado.SOLICITADA, Participacion.Estado.INVITADA])),
        practica=Exists(Practica.objects.filter(organizacion=org, estado=Practica.Estado.PUBLICADA)),
        practica_borrador=Exists(Practica.objects.filter(organizacion=org, estado=Practica.Estado.BORRADOR)),
        diagnostico=Exists(Diagnostico.objects.filter(organizacion=org, estado=Diagnostico.Estado.PUBLICADO)),
        indicadores=Exists(
            ImportacionIndicadores.objects.filter(
                estado=ImportacionIndicadores.Estado.CONFIRMADA, usuario__membresias__organizacion=org
            )
        ),
        plan=Exists(Plan.objects.filter(duenas=org)),
        plan_comunal=Exists(Plan.objects.filter(duenas=org, tipo=Plan.Tipo.COMUNAL)),
    )
    listas = []
    for fila in filas.order_by("nombre"):
        pasos = _pasos(fila)
        if not all(p.hecho for p in pasos):
            listas.append((fila, pasos, sum(p.hecho for p in pasos)))
    return listas


def _pasos(o):
    municipal = o.tipo == Organizacion.Tipo.DIRECCION_MUNICIPAL
    return [
        Paso(
            "Complete el perfil de su organización",
            "Teléfono y dirección, para que las demás direcciones puedan contactarla.",
            reverse("organizacion_editar", args=[o.pk]),
            bool(o.telefono and o.direccion),
        ),
        Paso(
            "Invite a su equipo",
            "Sume a quienes trabajan con usted, como integrantes o lectores.",
            reverse("invitacion_crear", args=[o.pk]),
            o.equipo > 1 or o.invito,
        ),
        Paso(
            "Únase a una mesa",
            "Pida unirse a una mesa abierta o acepte una invitación.",
            reverse("mesas"),
            o.en_mesa,
            "Solicitud o invitación pendiente" if o.pide_mesa else "",
        ),
        Paso(
            "Comparta una práctica",
            "Publique una experiencia de su territorio para que otras comunas la repliquen.",
            reverse("practicas:nueva"),
            o.practica,
            "Tiene un borrador sin publicar" if o.practica_borrador else "",
        ),
        Paso(
            "Suba un diagnóstico o sus indicadores",
            "Publique el diagnóstico de su territorio o cargue sus cifras de delitos.",
            reverse("diagnosticos:diagnostico_nuevo"),
            o.diagnostico or o.indicadores,
        ),
        Paso(
            "Cree el plan comunal de seguridad pública" if municipal else "Cree un plan de acción",
            "Objetivos, líneas de acción, actividades e indicadores, con su avance.",
            reverse("planes:plan_nuevo"),
            o.plan_comunal if municipal else o.plan,
        ),
    ]


# --- What concerns the person ---------------------------------------------------------------------------


def pendientes_de(user, limite=5, membresias=None):
    """What concerns this person on the home page, one query per panel whatever the amounts.

    Upcoming convened sessions of their mesas (with their own answer), their organizations' open
    acuerdos (overdue first), mesa invitations and join requests waiting for them as director(a),
    their organizations' drafts; what they coordinate (coordinacion_de); for staff, the access requests to
    review.
    """
    membresias = membresias if membresias is not None else list(membresias_de(user))
    membresias = [m for m in membresias if m.organizacion.estado == Organizacion.Estado.ACTIVA]
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
        "coordinacion": coordinacion_de(user, orgs, limite=limite),
    }


def coordinacion_de(user, orgs, limite=5):
    """The work of the mesas this person coordinates (appointed, and still a member: mesa.access.puede_coordinar),
    for the home page: sessions to convene, convened ones with people who have not answered, sessions to close
    (attendance, acta to draft, circulate or approve), overdue acuerdos, and requests to join. A fixed number of
    queries whatever the amounts (one when they coordinate nothing). None when they coordinate no mesa."""
    ahora = timezone.now()
    proxima = Sesion.objects.filter(
        mesa=OuterRef("pk"), estado__in=[Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA], fin__gte=ahora
    )
    mesas = Mesa.objects.filter(coordinadores=user).annotate(con_proxima=Exists(proxima))
    if not user.is_staff:
        mesas = mesas.filter(
            pk__in=Participacion.objects.filter(organizacion__in=orgs, estado=Participacion.Estado.ACEPTADA).values(
                "mesa_id"
            )
        )
    mesas = list(mesas.order_by("nombre", "pk"))
    if not mesas:
        return None
    ids = [m.pk for m in mesas]
    por_convocar = list(
        Sesion.objects.filter(mesa__in=ids, estado=Sesion.Estado.BORRADOR)
        .select_related("mesa")
        .order_by("inicio")[:limite]
    )
    convocadas = list(
        Sesion.objects.filter(mesa__in=ids, estado=Sesion.Estado.CONVOCADA, fin__gte=ahora)
        .select_related("mesa")
        .order_by("inicio")[:limite]
    )
    _contar_respuestas(convocadas)
    por_cerrar = list(
        Sesion.objects.filter(mesa__in=ids)
        .filter(
            Q(estado=Sesion.Estado.CONVOCADA, fin__lt=ahora)
            | Q(estado=Sesion.Estado.REALIZADA, acta__isnull=True)
            | Q(estado=Sesion.Estado.REALIZADA, acta__estado__in=[Acta.Estado.BORRADOR, Acta.Estado.EN_REVISION])
        )
        .select_related("mesa", "acta")
        .annotate(comentarios=Count("acta__comentarios"))
        .order_by("inicio")[:limite]
    )
    vencidos = Acuerdo.objects.vigentes().vencidos().filter(acta__sesion__mesa__in=ids)
    solicitudes = Participacion.objects.filter(mesa__in=ids, estado=Participacion.Estado.SOLICITADA)
    return {
        "mesas": mesas,
        "sin_proxima": [m for m in mesas if not m.con_proxima],
        "por_convocar": por_convocar,
        "convocadas": [s for s in convocadas if s.sin_respuesta],
        "por_cerrar": por_cerrar,
        "vencidos": list(
            vencidos.select_related("organizacion", "acta__sesion__mesa", "actividad").order_by("plazo", "pk")[:limite]
        ),
        "vencidos_total": vencidos.count(),
        "solicitudes": list(solicitudes.select_related("mesa", "organizacion").order_by("invitada_en")[:limite]),
    }


def _contar_respuestas(sesiones):
    """Sets convocados, asistiran, no_asistiran, tal_vez and sin_respuesta on each convened session: two queries
    whatever the number of sessions or people. Convened: the active members of the active organizations that take
    part (mesa.selectors.convocados); only their answers count."""
    if not sesiones:
        return
    convocados = dict(
        Membresia.objects.filter(
            usuario__is_active=True,
            organizacion__estado=Organizacion.Estado.ACTIVA,
            organizacion__participaciones__estado=Participacion.Estado.ACEPTADA,
            organizacion__participaciones__mesa__in={s.mesa_id for s in sesiones},
        )
        .values_list("organizacion__participaciones__mesa")
        .annotate(n=Count("usuario", distinct=True))
        .order_by()
    )
    respuestas = {}
    filas = (
        Respuesta.objects.filter(
            sesion__in=[s.pk for s in sesiones],
            usuario__is_active=True,
            usuario__membresias__organizacion__estado=Organizacion.Estado.ACTIVA,
            usuario__membresias__organizacion__participaciones__estado=Participacion.Estado.ACEPTADA,
            usuario__membresias__organizacion__participaciones__mesa=F("sesion__mesa"),
        )
        .values_list("sesion", "opcion")
        .annotate(n=Count("usuario", distinct=True))
        .order_by()
    )
    for sesion_id, opcion, n in filas:
        respuestas.setdefault(sesion_id, {})[opcion] = n
    for sesion in sesiones:
        propias = respuestas.get(sesion.pk, {})
        sesion.convocados = convocados.get(sesion.mesa_id, 0)
        sesion.asistiran = propias.get(Respuesta.Opcion.ASISTIRE, 0)
        sesion.no_asistiran = propias.get(Respuesta.Opcion.NO_ASISTIRE, 0)
        sesion.tal_vez = propias.get(Respuesta.Opcion.TAL_VEZ, 0)
        sesion.sin_respuesta = max(sesion.convocados - sesion.asistiran - sesion.no_asistiran - sesion.tal_vez, 0)
