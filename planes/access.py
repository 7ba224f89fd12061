"""The access gate for action plans: every view gets its plans through here.

borrador   only the owner organizations' members (any role) and staff; 404 for everyone else.
otherwise  visibilidad "duenas": only the owners; "mesa": the members of the organizations that share an
           accepted mesa with any owner; "plataforma": every platform member; "publica": anyone.
need="editar"  (structure, states, approvals, indicators): a director(a) or integrante of an owner
               organization, or staff. Lectores and other organizations read (403 on writing).
need="avanzar" (post progress on an activity): who may edit, or a director(a)/integrante of the activity's
               responsible organization (a partner carrying out one activity of someone else's plan).
need="adaptar" ("Adaptar este plan"): a director(a) or integrante of an active organization that does not
               own the plan (it becomes the owner of the copy).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from comunas.access import ROLES_QUE_EDITAN, documentos_visibles, es_staff, roles_activos, ve_documento
from planes.models import Nodo, Plan

NIVELES = ("ver", "editar", "adaptar")


def planes_visibles(user, roles=None):
    publicado = ~Q(estado=Plan.Estado.BORRADOR)
    return documentos_visibles(Plan.objects.all(), user, roles, publicado=publicado, organizacion="duenas__id")


def planes_propios(roles):
    """The plans owned by the person's own organizations: always visible to them, whatever their state or visibility
    (the "propios" term of comunas.access.documentos_visibles), so no visibility filter is needed here."""
    return Plan.objects.filter(pk__in=Plan.objects.filter(duenas__in=list(roles)).values("pk"))


def duenas_de(plan):
    return {o.pk for o in plan.duenas.all()}


def puede_editar(user, plan, roles):
    return es_staff(user) or any(roles.get(o) in ROLES_QUE_EDITAN for o in duenas_de(plan))


def organizaciones_que_adaptan(user, plan, roles):
    """Ids of the user's organizations that may adapt this plan (not already owners)."""
    duenas = duenas_de(plan)
    return [o for o, rol in roles.items() if rol in ROLES_QUE_EDITAN and o not in duenas]


def puede_avanzar(user, nodo, roles, *, plan):
    return puede_editar(user, plan, roles) or roles.get(nodo.responsable_id) in ROLES_QUE_EDITAN


NEGADO = {
    "editar": "Solo las organizaciones responsables del plan lo modifican.",
    "adaptar": "Solo un(a) director(a) o integrante de otra organización puede adaptar este plan.",
}


def get_plan_for(user, pk, need="ver"):
    """Returns (plan, roles) or raises Http404 (not visible) / PermissionDenied (wrong role)."""
    if need not in NIVELES:
        raise ValueError(f"nivel de acceso desconocido: {need}")
    try:
        plan = Plan.objects.select_related("organizacion").prefetch_related("duenas").get(pk=pk)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe ese plan.") from None
    roles = roles_activos(user)
    if not ve_documento(user, plan, roles, publicado=not plan.es_borrador, duenas=duenas_de(plan)):
        raise Http404("No existe ese plan.")
    if need == "editar" and not puede_editar(user, plan, roles):
        raise PermissionDenied(NEGADO["editar"])
    if need == "adaptar" and not organizaciones_que_adaptan(user, plan, roles):
        raise PermissionDenied(NEGADO["adaptar"])
    return plan, roles


def get_nodo_for(user, pk, need="ver"):
    """A node through its plan's gate; need="avanzar" also lets the activity's responsible organization in."""
    try:
        nodo = Nodo.objects.select_related("plan", "responsable").get(pk=pk)
    except (Nodo.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe ese elemento del plan.") from None
    plan, roles = get_plan_for(user, nodo.plan_id, "editar" if need == "editar" else "ver")
    if need == "avanzar" and not puede_avanzar(user, nodo, roles, plan=plan):
        raise PermissionDenied("Solo las organizaciones responsables informan avances de esta actividad.")
    nodo.plan = plan
    return nodo, roles
