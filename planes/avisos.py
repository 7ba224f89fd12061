"""Notices about action plans, through the outbox (nucleo.avisos): reminders of activities and milestones due soon
or late, and each plan's monthly summary for its owners' directors.

Beat runs the sweeps on a static schedule (mesa/celery.py → planes/tasks.py); they pick what is due from the
database. The keys make them idempotent, so a sweep may run any number of times:

    activity due within 7 days   plan_actividad:<nodo>:por_vencer:<término>:<persona>        once per deadline
    activity past its deadline   plan_actividad:<nodo>:atrasada:<término>:<semana ISO>:<persona>   once a week
    milestone within 7 days      plan_hito:<hito>:proximo:<fecha>:<persona>                  once per date
    milestone missed             plan_hito:<hito>:vencido:<fecha>:<semana ISO>:<persona>      once a week
    monthly summary              plan_resumen:<plan>:<año-mes>:<persona>                     once a month

A new deadline (the plan moved it) is a new state and gets its own reminder. Only plans approved or in execution
send anything; finished (100 %) or closed-state (suspended, finished) activities and met milestones never do.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from comunas.models import Membresia, Organizacion
from nucleo.avisos import avisos_crear
from planes.models import Hito, Nodo, Plan
from planes.selectors import arbol_del_plan, atrasos, tarjetas_de_indicadores

DIAS_AVISO = 7
MESES_HITOS = 3  # the monthly summary lists the milestones of the next three months
ESTADOS_CON_AVISOS = (Plan.Estado.APROBADO, Plan.Estado.EN_EJECUCION)


def _url(ruta):
    return f"{settings.SITE_URL}{ruta}"


def _semana(hoy):
    anio, semana, _ = hoy.isocalendar()
    return f"{anio}-W{semana:02d}"


def directores_de(organizacion_ids):
    """{organizacion_id: [active directors]} of the active organizations among these (one query)."""
    directores = {}
    membresias = (
        Membresia.objects.filter(
            organizacion_id__in=set(organizacion_ids),
            organizacion__estado=Organizacion.Estado.ACTIVA,
            rol=Membresia.Rol.DIRECTOR,
            usuario__is_active=True,
        )
        .select_related("usuario")
        .order_by("usuario_id")
    )
    for membresia in membresias:
        directores.setdefault(membresia.organizacion_id, []).append(membresia.usuario)
    return directores


def _mensajes(plantilla, clave, contexto, personas):
    """One message per person for nucleo.avisos.avisos_crear; the person ends the key."""
    return [{"para": p, "plantilla": plantilla, "contexto": contexto, "clave": f"{clave}:{p.pk}"} for p in personas]


def _unicos(personas):
    return list({p.pk: p for p in personas}.values())


def _de_las_duenas(plan, directores):
    return _unicos(p for o in plan.duenas.all() for p in directores.get(o.pk, []))


def _responsables(nodo, directores):
    """Who answers for an activity: its person, else the directors of its responsible organization, else (no one
    named) the directors of the plan's owners."""
    if nodo.persona is not None and nodo.persona.is_active:
        return [nodo.persona]
    if nodo.responsable_id is not None and directores.get(nodo.responsable_id):
        return directores[nodo.responsable_id]
    return _de_las_duenas(nodo.plan, directores)


def actividades_por_avisar(hoy):
    """Leaf activities with a deadline up to DIAS_AVISO days ahead (or past), unfinished, of live plans."""
    return (
        Nodo.objects.filter(
            plan__estado__in=ESTADOS_CON_AVISOS,
            termino__isnull=False,
            termino__lte=hoy + timedelta(days=DIAS_AVISO),
            avance__lt=100,
            hijos__isnull=True,
        )
        .exclude(adaptacion=Nodo.Adaptacion.DESCARTADO)
        .filter(Q(estado__isnull=True) | Q(estado__terminal=False))
        .select_related("plan", "persona", "responsable")
        .prefetch_related("plan__duenas")
        .order_by("plan_id", "termino", "pk")
    )


def hitos_por_avisar(hoy):
    """Unmet milestones up to DIAS_AVISO days ahead (or missed) of live plans."""
    return (
        Hito.objects.filter(
            plan__estado__in=ESTADOS_CON_AVISOS,
            cumplido_en__isnull=True,
            fecha__lte=hoy + timedelta(days=DIAS_AVISO),
        )
        .select_related("plan", "nodo")
        .prefetch_related("plan__duenas")
        .order_by("plan_id", "fecha", "pk")
    )


def recordatorios_planes_enviar(*, ahora=None):
    """Beat's daily sweep of activities and milestones due within a week or late: one notice per item, state and
    person (see the keys above). Non-essential: whoever chose the daily digest gets them there. A fixed number of
    queries per plan with something due (one fan-out each). Returns the notices (existing ones included)."""
    hoy = timezone.localdate(ahora or timezone.now())
    semana = _semana(hoy)
    actividades = list(actividades_por_avisar(hoy))
    hitos = list(hitos_por_avisar(hoy))
    organizaciones = {n.responsable_id for n in actividades if n.responsable_id}
    for objeto in (*actividades, *hitos):
        organizaciones |= {o.pk for o in objeto.plan.duenas.all()}
    directores = directores_de(organizaciones)

    def version(fecha):  # the deadline; while late, also the ISO week (a late item is recalled once a week)
        return f"{fecha:%Y%m%d}:{semana}" if fecha < hoy else f"{fecha:%Y%m%d}"

    por_plan = {}
    for nodo in actividades:
        atrasada = nodo.termino < hoy
        clave = f"plan_actividad:{nodo.pk}:{'atrasada' if atrasada else 'por_vencer'}:{version(nodo.termino)}"
        contexto = {
            "nodo": nodo,
            "plan": nodo.plan,
            "atrasada": atrasada,
            "dias": abs((nodo.termino - hoy).days),
            "url_actividad": _url(f"{nodo.plan.get_absolute_url()}#nodo-{nodo.pk}"),
            "url_avance": _url(reverse("planes:avance_nuevo", args=[nodo.pk])),
        }
        personas = _responsables(nodo, directores)
        por_plan.setdefault(nodo.plan, []).extend(_mensajes("plan_actividad", clave, contexto, personas))
    for hito in hitos:
        vencido = hito.fecha < hoy
        clave = f"plan_hito:{hito.pk}:{'vencido' if vencido else 'proximo'}:{version(hito.fecha)}"
        contexto = {
            "hito": hito,
            "plan": hito.plan,
            "vencido": vencido,
            "dias": abs((hito.fecha - hoy).days),
            "url_hitos": _url(f"{hito.plan.get_absolute_url()}#hitos"),
        }
        personas = _de_las_duenas(hito.plan, directores)
        por_plan.setdefault(hito.plan, []).extend(_mensajes("plan_hito", clave, contexto, personas))
    creados = []
    for plan, mensajes in por_plan.items():
        creados += avisos_crear(mensajes=mensajes, esencial=False, sobre=plan)
    return creados


def resumen_del_plan(plan, hoy):
    """What a director reads once a month: progress, late activities, missed and coming milestones, indicators
    against their targets."""
    filas = arbol_del_plan(plan, hoy)
    hitos = list(plan.hitos.all())
    atrasadas, vencidos = atrasos(filas, hitos, hoy)
    hasta = hoy + timedelta(days=31 * MESES_HITOS)
    return {
        "plan": plan,
        "atrasadas": [f.nodo for f in atrasadas],
        "hitos_vencidos": vencidos,
        "hitos_proximos": [h for h in hitos if h.cumplido_en is None and hoy <= h.fecha <= hasta],
        "actividades": sum(1 for f in filas if f.hoja and not f.nodo.descartado),
        "terminadas": sum(1 for f in filas if f.hoja and not f.nodo.descartado and f.nodo.avance >= 100),
        "tarjetas": tarjetas_de_indicadores(plan),
        "url_plan": _url(plan.get_absolute_url()),
    }


def resumen_mensual_planes_enviar(*, ahora=None):
    """Beat's monthly summary (first day of the month): one notice per live plan and director of its owners. The
    key carries the month, so any later run that month sends nothing new. Returns the notices."""
    hoy = timezone.localdate(ahora or timezone.now())
    planes = list(Plan.objects.filter(estado__in=ESTADOS_CON_AVISOS).prefetch_related("duenas").order_by("pk"))
    directores = directores_de({o.pk for p in planes for o in p.duenas.all()})
    mes = f"{hoy:%Y-%m}"
    creados = []
    for plan in planes:
        personas = _de_las_duenas(plan, directores)
        if not personas:
            continue
        contexto = {**resumen_del_plan(plan, hoy), "mes": hoy}
        mensajes = _mensajes("plan_resumen_mensual", f"plan_resumen:{plan.pk}:{mes}", contexto, personas)
        creados += avisos_crear(mensajes=mensajes, esencial=False, sobre=plan)
    return creados
