"""The access gate for mesas and their sessions: every view gets its objects through here.

    need="ver"        members of the host or of an organization that accepted the invitation (any role),
                      and staff. A draft session only those who coordinate.
    need="coordinar"  the mesa's coordinators, and staff. Coordinating needs, besides the appointment, an active
                      membership in an active organization that takes part in the mesa: whoever leaves it (removed
                      from the team, even in the admin, or the organization suspended) stops coordinating at
                      once, here, whatever rows remain (mesa.services.coordinacion_terminar also ends them).
    need="responder"  (sessions) whoever is convened to it: the members of the participating organizations.
                      Naming a subrogante (get_sesion_para_subrogar): whoever is convened, and the coordination.
                      A session's guests have no account: their signed links are their only key (to their answer).
    need="comentar"   (actas) the coordination and the members convened to its session.
    need="actualizar" (acuerdos) the coordination and a director(a) or integrante of the responsible organization;
                      the same people turn an acuerdo into an activity of a plan they may edit (planes.access).

Outsiders get 404 (they may not know the mesa exists); a member without the role gets 403. A mesa open to requests
(Mesa.acepta_solicitudes) is listed, name, host and description only, to the directorates outside it, which may ask
to join (mesas_abiertas, mesa_para_unirse); it opens to them once the coordination accepts.
"""

from email.headerregistry import Address

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from comunas.access import (
    documentos_visibles_para_todos,
    es_staff,
    organizaciones_activas,
    organizaciones_que_editan,
    puede,
    rol_en,
    roles_activos,
)
from comunas.models import Membresia, Organizacion, Usuario
from diagnosticos.access import diagnosticos_visibles
from diagnosticos.models import Diagnostico
from mesa.models import Acta, Acuerdo, InvitadoSesion, Mesa, Participacion, PuntoTabla, Sesion, Subrogacion
from mesa.selectors import convocados
from planes.access import planes_visibles
from planes.models import Nodo, Plan
from practicas.access import practicas_visibles
from practicas.models import Practica

NIVELES = ("ver", "coordinar")
NIVELES_SESION = ("ver", "coordinar", "responder")
NIVELES_ACTA = ("ver", "coordinar", "comentar")
NIVELES_ACUERDO = ("ver", "actualizar")


def mesas_visibles(user):
    if not user.is_authenticated:
        return Mesa.objects.none()
    if user.is_staff:
        return Mesa.objects.all()
    # Being a coordinator opens nothing by itself: a coordinator sees the mesa through her organization.
    orgs = organizaciones_activas(user)
    participa = Q(participaciones__organizacion__in=orgs, participaciones__estado=Participacion.Estado.ACEPTADA)
    visibles = Mesa.objects.filter(participa | Q(anfitriona__in=orgs)).values("pk")
    return Mesa.objects.filter(pk__in=visibles)


def miembros_de_la_mesa(mesa):
    """Active people with a membership in an active organization that takes part in the mesa (accepted): who
    may be appointed to coordinate it, and who keeps coordinating it."""
    orgs = mesa.participaciones.filter(
        estado=Participacion.Estado.ACEPTADA, organizacion__estado=Organizacion.Estado.ACTIVA
    ).values("organizacion_id")
    return Usuario.objects.filter(is_active=True, membresias__organizacion__in=orgs).distinct()


def coordinadores_vigentes(mesa):
    """The appointed coordinators who still belong to the mesa (miembros_de_la_mesa)."""
    return mesa.coordinadores.filter(pk__in=miembros_de_la_mesa(mesa).values("pk"))


def direcciones_de_coordinacion(mesa):
    """Where answers to the mesa's e-mails go (Reply-To): its current coordinators, else the host's contact
    address; never the platform's no-reply sender. ["Nombre <correo>", …]"""
    direcciones = [
        str(Address(display_name=u.nombre, addr_spec=u.email)) for u in coordinadores_vigentes(mesa).order_by("pk")
    ]
    return direcciones or [mesa.anfitriona.email_contacto]


def organizador_de(sesion):
    """(nombre, correo) of the ORGANIZER of the session's invitations, an address that receives the replies of
    calendar programs: whoever convened it while she coordinates the mesa, else its first current coordinator,
    else the host's contact address."""
    vigentes = list(coordinadores_vigentes(sesion.mesa).order_by("pk"))
    persona = next((u for u in vigentes if u.pk == sesion.convocada_por_id), vigentes[0] if vigentes else None)
    if persona is not None:
        return persona.nombre or persona.email, persona.email
    return f"Coordinación de {sesion.mesa}", sesion.mesa.anfitriona.email_contacto


def puede_coordinar(user, mesa):
    if not user.is_authenticated:
        return False
    return user.is_staff or coordinadores_vigentes(mesa).filter(pk=user.pk).exists()


def _exigir(need, niveles=NIVELES):
    if need not in niveles:
        raise ValueError(f"nivel de acceso desconocido: {need}")


def organizaciones_que_crean_mesas(user):
    """Where the user may host a new mesa: any active organization for staff, else the active ones they direct."""
    if not user.is_authenticated:
        return Organizacion.objects.none()
    activas = Organizacion.objects.filter(estado=Organizacion.Estado.ACTIVA)
    if user.is_staff:
        return activas
    return activas.filter(membresias__usuario=user, membresias__rol=Membresia.Rol.DIRECTOR).distinct()


def exigir_crear_mesa(user):
    """Staff, or the director(a) of an active organization (which becomes the host): 403 for everyone else."""
    if not organizaciones_que_crean_mesas(user).exists():
        raise PermissionDenied("Solo la dirección de una organización activa o la administración crea mesas.")


def invitaciones_por_aceptar(user):
    """Invitations to mesas that this user, as director(a) of an active organization, may accept or decline."""
    if not user.is_authenticated:
        return Participacion.objects.none()
    dirige = Membresia.objects.filter(
        usuario=user, rol=Membresia.Rol.DIRECTOR, organizacion__estado=Organizacion.Estado.ACTIVA
    ).values("organizacion_id")
    return Participacion.objects.filter(organizacion__in=dirige, estado=Participacion.Estado.INVITADA).select_related(
        "mesa__anfitriona", "organizacion"
    )


def organizaciones_que_actualizan_acuerdos(user):
    """Ids of the active organizations where the user may update the acuerdos it is responsible for."""
    return set(organizaciones_que_editan(user))


def acuerdos_de_mis_organizaciones(user):
    """The binding acuerdos (of approved actas) owned by the user's active organizations."""
    return (
        Acuerdo.objects.vigentes()
        .filter(organizacion__in=organizaciones_activas(user))
        .select_related("organizacion", "persona", "acta__sesion__mesa", "actividad__plan")
        .order_by("plazo", "pk")
    )


def puede_actualizar_acuerdo(user, acuerdo):
    if puede_coordinar(user, acuerdo.acta.sesion.mesa):
        return True
    return acuerdo.organizacion_id in organizaciones_que_actualizan_acuerdos(user)


def get_mesa_for(user, pk, need="ver"):
    """Returns the mesa or raises Http404 (not visible) / PermissionDenied (cannot coordinate)."""
    _exigir(need)
    try:
        mesa = mesas_visibles(user).select_related("anfitriona").get(pk=pk)
    except (Mesa.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa mesa.") from None
    if need == "coordinar" and not puede_coordinar(user, mesa):
        raise PermissionDenied("Solo la coordinación de la mesa puede hacer esto.")
    return mesa


def get_sesion_for(user, pk, need="ver"):
    """Returns the session (with its mesa) under the same rule; a draft is invisible to non-coordinators.
    need="responder": only whoever is convened (staff and coordinators from outside get 403)."""
    _exigir(need, NIVELES_SESION)
    try:
        sesion = Sesion.objects.select_related("mesa__anfitriona").get(pk=pk)
    except (Sesion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa sesión.") from None
    get_mesa_for(user, sesion.mesa_id, need="ver")
    coordina = puede_coordinar(user, sesion.mesa)
    if sesion.estado == Sesion.Estado.BORRADOR and not coordina:
        raise Http404("No existe esa sesión.")
    if need == "coordinar" and not coordina:
        raise PermissionDenied("Solo la coordinación de la mesa puede hacer esto.")
    if need == "responder" and not _convocado(user, sesion):
        raise PermissionDenied("Usted no está convocado(a) a esta sesión.")
    return sesion


def _convocado(user, sesion):
    return convocados(sesion).filter(pk=user.pk).exists()


def puede_comentar_acta(user, acta):
    """The coordination and the members convened to the acta's session."""
    return puede_coordinar(user, acta.sesion.mesa) or _convocado(user, acta.sesion)


def get_punto_for(user, pk, need="coordinar"):
    """An agenda item, through its session's gate."""
    try:
        punto = PuntoTabla.objects.get(pk=pk)
    except (PuntoTabla.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe ese punto de la tabla.") from None
    punto.sesion = get_sesion_for(user, punto.sesion_id, need=need)
    return punto


def get_invitado_for(user, pk):
    """A guest of a session, to withdraw: the coordination, through its session's gate."""
    try:
        invitado = InvitadoSesion.objects.get(pk=pk)
    except (InvitadoSesion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa persona invitada.") from None
    invitado.sesion = get_sesion_for(user, invitado.sesion_id, need="coordinar")
    return invitado


def get_sesion_para_subrogar(user, pk):
    """A session where this person may name a subrogante: whoever is convened (for themself) and the coordination
    (for any convened member). Others who see the session get 403."""
    sesion = get_sesion_for(user, pk)
    if not (puede_coordinar(user, sesion.mesa) or _convocado(user, sesion)):
        raise PermissionDenied("Solo los miembros convocados designan un(a) subrogante.")
    return sesion


def get_subrogacion_for(user, pk):
    """A designation, to remove: the member who named it, or the coordination. Others who see the session: 403."""
    try:
        subrogacion = Subrogacion.objects.select_related("titular", "subrogante", "invitado").get(pk=pk)
    except (Subrogacion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa designación.") from None
    subrogacion.sesion = get_sesion_for(user, subrogacion.sesion_id)
    if user.pk != subrogacion.titular_id and not puede_coordinar(user, subrogacion.sesion.mesa):
        raise PermissionDenied("Solo el miembro que la designó o la coordinación quita esta designación.")
    return subrogacion


def get_participacion_for(user, pk):
    """An invitation of an organization to a mesa (or its request to join), to see, accept or decline: its
    director(a), or staff. Someone outside that organization gets 404 (they may not know about the invitation);
    another role in it, 403."""
    try:
        participacion = Participacion.objects.select_related("mesa", "organizacion").get(pk=pk)
    except (Participacion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa invitación.") from None
    if user.is_staff:
        return participacion
    rol = rol_en(user, participacion.organizacion)
    if rol is None:
        raise Http404("No existe esa invitación.")
    if not puede(user, participacion.organizacion, "editar", rol=rol):
        raise PermissionDenied("Solo la dirección de la organización acepta la invitación.")
    return participacion


def get_solicitud_de_mesa_for(user, pk):
    """A request of an organization to join a mesa (or any row of its participations), to accept or reject: the
    mesa's coordination and staff. Outsiders get 404; a member of the mesa who does not coordinate it, 403."""
    try:
        participacion = Participacion.objects.select_related("mesa", "organizacion").get(pk=pk)
    except (Participacion.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa solicitud.") from None
    get_mesa_for(user, participacion.mesa_id, need="coordinar")
    return participacion


def mesas_abiertas(user):
    """The mesas open to requests that this platform member does not see yet (none of their organizations takes
    part): listed in "Mesas" with their host, so that a director(a) may ask to join. Nothing for staff (they see
    every mesa) nor for someone without an active organization."""
    if not user.is_authenticated or user.is_staff or not organizaciones_activas(user):
        return Mesa.objects.none()
    return Mesa.objects.filter(acepta_solicitudes=True, tipo=Mesa.Tipo.MESA).exclude(
        pk__in=mesas_visibles(user).values("pk")
    )


def organizaciones_que_dirige(user):
    """The active organizations this user directs (who asks to join a mesa, or answers its invitation)."""
    if not user.is_authenticated:
        return Organizacion.objects.none()
    return Organizacion.objects.filter(
        estado=Organizacion.Estado.ACTIVA, membresias__usuario=user, membresias__rol=Membresia.Rol.DIRECTOR
    )


def mesa_para_unirse(user, pk):
    """(mesa, organizaciones, visible) for "Pedir unirse": the mesa, the organizations this user directs that may
    ask to join it (active, with no invitation, request or place in it; a rejected one may ask again), and whether
    the user already sees the mesa. 404 for a mesa they do not see that takes no requests; 403 for someone who
    directs no active organization and does not see the mesa."""
    try:
        mesa = Mesa.objects.select_related("anfitriona").get(pk=pk)
    except (Mesa.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe esa mesa.") from None
    visible = mesas_visibles(user).filter(pk=mesa.pk).exists()
    if not visible and not mesa.acepta_solicitudes:
        raise Http404("No existe esa mesa.")
    dirige = list(organizaciones_que_dirige(user).order_by("nombre"))
    if not dirige and not visible:
        raise PermissionDenied("Solo la dirección de una organización activa pide unirse a una mesa.")
    ocupadas = set(
        mesa.participaciones.exclude(estado=Participacion.Estado.RECHAZADA).values_list("organizacion_id", flat=True)
    )
    return mesa, [o for o in dirige if o.pk not in ocupadas], visible


def get_acta_for(user, sesion_pk, need="ver"):
    """The acta of a session. A draft (borrador) is only for the coordination; once circulated, every
    member sees it. A session without an acta is a 404. need="comentar": the coordination and the members
    convened to the session."""
    _exigir(need, NIVELES_ACTA)
    sesion = get_sesion_for(user, sesion_pk, need="ver" if need == "comentar" else need)
    try:
        acta = Acta.objects.select_related("sesion__mesa__anfitriona", "aprobada_en_sesion").get(sesion=sesion)
    except Acta.DoesNotExist:
        raise Http404("Esta sesión aún no tiene acta.") from None
    if acta.estado == Acta.Estado.BORRADOR and not puede_coordinar(user, sesion.mesa):
        raise Http404("Esta sesión aún no tiene acta.")
    if need == "comentar" and not puede_comentar_acta(user, acta):
        raise PermissionDenied("Solo los miembros de la mesa comentan el acta.")
    return acta


def get_acuerdo_for(user, pk, need="ver"):
    """An acuerdo, for whoever sees its mesa; need="actualizar": the coordination, or a director(a) or
    integrante of the responsible organization (a lector, or another organization, gets 403)."""
    _exigir(need, NIVELES_ACUERDO)
    try:
        acuerdo = Acuerdo.objects.select_related("acta__sesion__mesa", "organizacion").get(pk=pk)
    except (Acuerdo.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe ese acuerdo.") from None
    get_mesa_for(user, acuerdo.acta.sesion.mesa_id)
    if acuerdo.acta.estado == Acta.Estado.BORRADOR and not puede_coordinar(user, acuerdo.acta.sesion.mesa):
        raise Http404("No existe ese acuerdo.")
    if need == "actualizar" and not puede_actualizar_acuerdo(user, acuerdo):
        raise PermissionDenied("Solo la organización responsable o la coordinación actualizan este acuerdo.")
    return acuerdo


# --- What an agenda item may link, and who sees the link -----------------------------------------------
# An item is read by every member (the session page, the e-mails): it links only what all of them may see, and
# a link that some reader may not see (the document changed visibility, or was archived) is not shown to them.


def _organizaciones_de(mesa):
    return mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).values_list("organizacion_id", flat=True)


def practicas_enlazables(mesa):
    publicada = Q(estado=Practica.Estado.PUBLICADA)
    return documentos_visibles_para_todos(Practica.objects.all(), _organizaciones_de(mesa), publicado=publicada)


def diagnosticos_enlazables(mesa):
    publicado = Q(estado=Diagnostico.Estado.PUBLICADO)
    return documentos_visibles_para_todos(Diagnostico.objects.all(), _organizaciones_de(mesa), publicado=publicado)


def marcar_enlaces(puntos, *, user=None, mesa=None):
    """Sets punto.ver_practica and punto.ver_diagnostico on each item: whether its link may be shown — to `user`
    (the session page), or, given `mesa` instead (an e-mail: one text for all), whether every member may see
    it. A fixed number of queries whatever the number of items. Templates show a link only when it is set."""
    practicas = {p.practica_id for p in puntos if p.practica_id}
    diagnosticos = {p.diagnostico_id for p in puntos if p.diagnostico_id}
    roles = roles_activos(user) if user is not None and (practicas or diagnosticos) else None

    def cuales(ids, para_user, para_mesa):
        if not ids:
            return set()
        visibles = para_user(user, roles) if user is not None else para_mesa(mesa)
        return set(visibles.filter(pk__in=ids).values_list("pk", flat=True))

    practicas = cuales(practicas, practicas_visibles, practicas_enlazables)
    diagnosticos = cuales(diagnosticos, diagnosticos_visibles, diagnosticos_enlazables)
    for punto in puntos:
        punto.ver_practica = punto.practica_id in practicas
        punto.ver_diagnostico = punto.diagnostico_id in diagnosticos
    return puntos


def mesas_de_organizacion(user, organizacion, limite=5):
    """The mesas where the organization takes part that this user may see (its profile page)."""
    mesas = mesas_visibles(user).filter(
        participaciones__organizacion=organizacion, participaciones__estado=Participacion.Estado.ACEPTADA
    )
    return list(mesas.order_by("nombre", "pk")[:limite])


def mesas_para_comparar(user):
    """The mesas whose communes this user may compare indicators across (diagnosticos.grupos)."""
    return mesas_visibles(user).order_by("creada", "pk")


# --- Plans seen from the mesa ----------------------------------------------------------------------------


def planes_para_la_tabla(mesa):
    """The plans every member of the mesa may see, for an agenda item: published (not drafts) and public, for the
    whole platform, or for the mesas of an owner that takes part in this one (planes.access's rule, read for a
    whole mesa rather than for one person)."""
    participantes = mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).values("organizacion_id")
    return (
        Plan.objects.exclude(estado=Plan.Estado.BORRADOR)
        .filter(
            Q(visibilidad__in=[Plan.Visibilidad.PUBLICA, Plan.Visibilidad.PLATAFORMA])
            | Q(visibilidad=Plan.Visibilidad.MESA, duenas__in=participantes)
        )
        .distinct()
        .order_by("titulo", "pk")
    )


def lineas_que_edita(user, roles=None):
    """Where this person may put an acuerdo as an activity: the ejes and líneas de acción (not dropped) of the
    plans they may edit (planes.access.puede_editar: an owner's director(a) or integrante, or staff), except
    closed ones. Two queries at most (roles, nodes)."""
    nodos = Nodo.objects.filter(tipo__in=[Nodo.Tipo.EJE, Nodo.Tipo.LINEA]).exclude(plan__estado=Plan.Estado.CERRADO)
    if not es_staff(user):
        nodos = nodos.filter(plan__duenas__in=organizaciones_que_editan(user, roles))
    return list(
        nodos.exclude(adaptacion=Nodo.Adaptacion.DESCARTADO)
        .select_related("plan")
        .distinct()
        .order_by("plan__titulo", "plan_id", "orden", "pk")
    )


def planes_que_ve(user, plan_ids):
    """Which of these plans this person may open (to link an activity's plan only for whoever may see it). No query
    when there are none."""
    plan_ids = {p for p in plan_ids if p}
    if not plan_ids:
        return set()
    return set(planes_visibles(user, roles_activos(user)).filter(pk__in=plan_ids).values_list("pk", flat=True))
