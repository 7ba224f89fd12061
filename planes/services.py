"""Writes of action plans: create and edit the plan and its tree, report progress (rolled up by weight on every
write), milestones, indicators, state changes and approvals (each freezes a version), and adaptation."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from comunas.access import ROLES_QUE_EDITAN, roles_activos
from comunas.models import Organizacion
from nucleo.adjuntos import adjuntos_guardar
from nucleo.versiones import a_json, versionar
from planes.models import (
    Aprobacion,
    Avance,
    EstadoActividad,
    Hito,
    IndicadorPlan,
    Medicion,
    MetaAnual,
    Nodo,
    Plan,
)

CAMPOS_PLAN = ["tipo", "titulo", "objetivo", "anio_inicio", "anio_fin", "territorios", "diagnostico", "visibilidad"]
CAMPOS_NODO = [
    "tipo",
    "codigo",
    "titulo",
    "descripcion",
    "responsable",
    "persona",
    "socios",
    "inicio",
    "termino",
    "peso",
    "presupuesto",
    "financiamiento",
]
CAMPOS_INDICADOR = [
    "nombre",
    "tipo",
    "formula",
    "unidad",
    "sentido",
    "linea_base",
    "linea_base_anio",
    "linea_base_fuente",
    "serie_categoria",
    "serie_medida",
    "serie_territorio",
    "nodo",
]
ESTADOS_POR_DEFECTO = [
    ("No iniciada", 0, False),
    ("En preparación", 10, False),
    ("En curso", 50, False),
    ("Casi terminada", 90, False),
    ("Terminada", 100, True),
    ("Suspendida", 0, True),
]
MAX_ADJUNTOS_POR_AVANCE = 10
# Which state may follow which (borrador → en consulta → aprobado → en ejecución → cerrado or suspendido).
TRANSICIONES = {
    Plan.Estado.BORRADOR: {Plan.Estado.EN_CONSULTA, Plan.Estado.APROBADO},
    Plan.Estado.EN_CONSULTA: {Plan.Estado.BORRADOR, Plan.Estado.APROBADO},
    Plan.Estado.APROBADO: {Plan.Estado.EN_EJECUCION, Plan.Estado.SUSPENDIDO},
    Plan.Estado.EN_EJECUCION: {Plan.Estado.CERRADO, Plan.Estado.SUSPENDIDO},
    Plan.Estado.SUSPENDIDO: {Plan.Estado.EN_EJECUCION, Plan.Estado.CERRADO},
    Plan.Estado.CERRADO: set(),
}


def estados_asegurar():
    """The default catalogue of activity states, created when missing (the admin may add or rename states)."""
    if not EstadoActividad.objects.exists():
        EstadoActividad.objects.bulk_create(
            EstadoActividad(nombre=n, porcentaje=p, terminal=t, orden=i)
            for i, (n, p, t) in enumerate(ESTADOS_POR_DEFECTO)
        )
    return list(EstadoActividad.objects.all())


def _exigir_editar(plan, por):
    if por.is_staff:
        return
    roles = roles_activos(por)
    if not any(roles.get(o) in ROLES_QUE_EDITAN for o in plan.duenas.values_list("pk", flat=True)):
        raise PermissionDenied("Solo las organizaciones responsables del plan lo modifican.")


def _validar_periodo(datos):
    if datos["anio_fin"] < datos["anio_inicio"]:
        raise ValidationError({"anio_fin": "El año de término no puede ser anterior al de inicio."})
    if datos.get("tipo") == Plan.Tipo.COMUNAL and datos["anio_fin"] - datos["anio_inicio"] > 3:
        raise ValidationError({"anio_fin": "Un plan comunal dura cuatro años (Ley 20.965, art. 104 F)."})


def _asignar(objeto, datos, campos):
    desconocidos = set(datos) - set(campos)
    if desconocidos:
        raise ValueError(f"campos desconocidos: {sorted(desconocidos)}")
    for campo, valor in datos.items():
        setattr(objeto, campo, valor)


@transaction.atomic
def plan_crear(*, organizacion, por, datos, duenas=(), problemas=()):
    """A draft plan led by `organizacion` (an active one), owned with `duenas` (an intercommunal plan)."""
    organizacion = Organizacion.objects.get(pk=organizacion.pk)
    if not organizacion.activa:
        raise ValidationError("La organización no está activa.")
    _validar_periodo(datos)
    plan = Plan(organizacion=organizacion, creado_por=por)
    _asignar(plan, datos, CAMPOS_PLAN)
    if plan.diagnostico_id:
        plan.diagnostico_version = (
            plan.diagnostico.versiones.order_by("-numero").values_list("numero", flat=True).first()
        )
    plan.full_clean(exclude=["duenas", "problemas"])
    plan.save()
    plan.duenas.set({organizacion.pk, *(o.pk for o in duenas)})
    plan.problemas.set(problemas)
    estados_asegurar()
    return plan


@transaction.atomic
def plan_editar(*, plan, por, datos, duenas=None, problemas=None):
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _exigir_editar(plan, por)
    if plan.estado in (Plan.Estado.CERRADO,):
        raise ValidationError("Un plan cerrado ya no se modifica.")
    _asignar(plan, datos, CAMPOS_PLAN)
    _validar_periodo({"anio_inicio": plan.anio_inicio, "anio_fin": plan.anio_fin, "tipo": plan.tipo})
    plan.save()
    if duenas is not None:
        plan.duenas.set({plan.organizacion_id, *(o.pk for o in duenas)})
    if problemas is not None:
        plan.problemas.set(problemas)
    return plan


# --- The tree and its progress --------------------------------------------------------------------------------


def _centesimas(valor):
    return Decimal(valor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def avance_del_arbol(nodos):
    """Rolls progress up a plan's tree by weight, in memory: a node with children becomes the weighted mean of its
    children (dropped nodes of an adaptation don't count). Returns the plan's progress, the weighted mean of its
    top nodes. `nodos`: every node of one plan (pk, padre_id, peso, avance, adaptacion)."""
    hijos = {}
    for nodo in nodos:
        hijos.setdefault(nodo.padre_id, []).append(nodo)

    def calcular(nodo):
        vivos = [h for h in hijos.get(nodo.pk, []) if not h.descartado]
        if not vivos:
            return nodo.avance
        for hijo in vivos:
            hijo.avance = calcular(hijo)
        total = sum(h.peso for h in vivos)
        return _centesimas(sum(h.avance * h.peso for h in vivos) / total) if total else Decimal(0)

    raices = [n for n in hijos.get(None, []) if not n.descartado]
    for raiz in raices:
        raiz.avance = calcular(raiz)
    total = sum(r.peso for r in raices)
    return _centesimas(sum(r.avance * r.peso for r in raices) / total) if total else Decimal(0)


def avance_recalcular(plan):
    """Rolls progress up the tree by weight (avance_del_arbol) and stores it. One read, two writes."""
    nodos = list(Nodo.objects.filter(plan=plan).only("pk", "padre_id", "peso", "avance", "adaptacion"))
    plan.avance = avance_del_arbol(nodos)
    Nodo.objects.bulk_update(nodos, ["avance"], batch_size=1000)
    Plan.objects.filter(pk=plan.pk).update(avance=plan.avance, actualizado=timezone.now())
    return plan.avance


@transaction.atomic
def nodo_agregar(*, plan, por, datos, padre=None):
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _exigir_editar(plan, por)
    if padre is not None and padre.plan_id != plan.pk:
        raise ValidationError("El elemento superior es de otro plan.")
    nodo = Nodo(plan=plan, padre=padre, orden=Nodo.objects.filter(plan=plan).count() + 1)
    _asignar(nodo, datos, CAMPOS_NODO)
    nodo.full_clean(exclude=["plan", "padre", "problemas", "practicas", "estado", "origen"])
    nodo.save()
    avance_recalcular(plan)
    return nodo


@transaction.atomic
def nodo_editar(*, nodo, por, datos, problemas=None, practicas=None):
    plan = Plan.objects.select_for_update().get(pk=nodo.plan_id)
    _exigir_editar(plan, por)
    nodo = Nodo.objects.get(pk=nodo.pk)
    _asignar(nodo, datos, CAMPOS_NODO)
    nodo.full_clean(exclude=["plan", "padre", "problemas", "practicas", "estado", "origen"])
    nodo.save()
    if problemas is not None:
        nodo.problemas.set(problemas)
    if practicas is not None:
        nodo.practicas.set(practicas)
    avance_recalcular(plan)
    return nodo


@transaction.atomic
def nodo_quitar(*, nodo, por):
    plan = Plan.objects.select_for_update().get(pk=nodo.plan_id)
    _exigir_editar(plan, por)
    if Avance.objects.filter(nodo__in=_subarbol(nodo)).exists():
        raise ValidationError("Tiene avances informados: márquelo como suspendido en vez de quitarlo.")
    nodo.delete()
    avance_recalcular(plan)


def _subarbol(nodo):
    ids, pendientes = [], [nodo.pk]
    while pendientes:
        ids.extend(pendientes)
        pendientes = list(Nodo.objects.filter(padre_id__in=pendientes).values_list("pk", flat=True))
    return ids


@transaction.atomic
def avance_registrar(*, nodo, por, fecha, texto, porcentaje=None, estado=None, archivos=(), organizacion=None):
    """A dated progress report with its evidence. The activity takes the reported percentage, or the state's
    default one, and the plan's progress is recomputed. The gate (planes.access.get_nodo_for) checked the role."""
    plan = Plan.objects.select_for_update().get(pk=nodo.plan_id)
    if plan.estado in (Plan.Estado.BORRADOR, Plan.Estado.CERRADO):
        raise ValidationError("Los avances se informan cuando el plan está aprobado o en ejecución.")
    nodo = Nodo.objects.get(pk=nodo.pk)
    if nodo.hijos.exists():
        raise ValidationError("Informe el avance en sus actividades: el de este elemento se calcula de ellas.")
    if fecha > timezone.localdate():
        raise ValidationError({"fecha": "La fecha del avance no puede ser futura."})
    if porcentaje is None and estado is None:
        raise ValidationError("Indique el porcentaje de avance o el estado de la actividad.")
    if porcentaje is not None and not 0 <= porcentaje <= 100:
        raise ValidationError({"porcentaje": "El avance va de 0 a 100 %."})
    avance = Avance.objects.create(
        nodo=nodo,
        fecha=fecha,
        texto=texto.strip()[:4000],
        porcentaje=porcentaje,
        estado=estado,
        por=por,
        organizacion=organizacion,
    )
    if archivos:
        adjuntos_guardar(
            relacion=avance.adjuntos,
            archivos=archivos,
            por=por,
            maximo=MAX_ADJUNTOS_POR_AVANCE,
            demasiados=f"Un avance admite hasta {MAX_ADJUNTOS_POR_AVANCE} archivos de evidencia.",
        )
    if not Avance.objects.filter(nodo=nodo, fecha__gt=fecha).exists():  # the latest report sets the activity
        nodo.avance = porcentaje if porcentaje is not None else Decimal(estado.porcentaje)
        if estado is not None:
            nodo.estado = estado
        elif nodo.avance >= 100:
            nodo.estado = EstadoActividad.objects.filter(terminal=True, porcentaje=100).first()
        nodo.save(update_fields=["avance", "estado"])
    if plan.estado == Plan.Estado.APROBADO:
        Plan.objects.filter(pk=plan.pk).update(estado=Plan.Estado.EN_EJECUCION)
    avance_recalcular(plan)
    return avance


# --- Milestones and indicators ----------------------------------------------------------------------------------


@transaction.atomic
def hito_agregar(*, plan, por, titulo, fecha, nodo=None):
    _exigir_editar(plan, por)
    return Hito.objects.create(plan=plan, nodo=nodo, titulo=titulo.strip()[:250], fecha=fecha)


@transaction.atomic
def hito_cumplir(*, hito, por, fecha, evidencia=""):
    _exigir_editar(hito.plan, por)
    if fecha > timezone.localdate():
        raise ValidationError({"fecha": "No se marca cumplido un hito en una fecha futura."})
    hito.cumplido_en, hito.evidencia = fecha, evidencia.strip()[:2000]
    hito.save(update_fields=["cumplido_en", "evidencia"])
    return hito


@transaction.atomic
def indicador_agregar(*, plan, por, datos, metas=()):
    """An indicator with its yearly targets ([(año, valor)]). An impact indicator may follow a series."""
    _exigir_editar(plan, por)
    indicador = IndicadorPlan(plan=plan, orden=plan.indicadores.count() + 1)
    _asignar(indicador, datos, CAMPOS_INDICADOR)
    if indicador.serie_categoria_id and not indicador.serie_territorio:
        indicador.serie_territorio = (plan.territorios or [""])[0]
    if indicador.serie_categoria_id and not indicador.serie_medida:
        indicador.serie_medida = "casos_policiales"
    indicador.full_clean(exclude=["plan", "nodo", "serie_categoria"])
    indicador.save()
    metas_fijar(indicador=indicador, metas=metas, plan=plan)
    return indicador


def metas_fijar(*, indicador, metas, plan):
    for anio, valor in metas:
        if not plan.anio_inicio <= anio <= plan.anio_fin:
            raise ValidationError(f"La meta de {anio} está fuera del período del plan ({plan.periodo}).")
        MetaAnual.objects.update_or_create(indicador=indicador, anio=anio, defaults={"valor": valor})


@transaction.atomic
def medicion_registrar(*, indicador, por, anio, valor, evidencia=""):
    _exigir_editar(indicador.plan, por)
    if indicador.sigue_serie:
        raise ValidationError("Este indicador sigue una serie de indicadores: sus valores se cargan solos.")
    if anio > timezone.localdate().year:
        raise ValidationError({"anio": "No se registra una medición de un año futuro."})
    medicion, _ = Medicion.objects.update_or_create(
        indicador=indicador, anio=anio, defaults={"valor": valor, "evidencia": evidencia.strip()[:2000], "por": por}
    )
    return medicion


# --- States, approvals and versions -------------------------------------------------------------------------------


def foto(plan):
    """The JSON snapshot kept for every approved version: the plan, its tree, milestones and indicators. Reads
    what a bulk load prefetched (nodos with their responsable, hitos, indicadores with their metas) when it did."""
    if "nodos" in getattr(plan, "_prefetched_objects_cache", {}):
        nodos = sorted(plan.nodos.all(), key=lambda n: (n.orden, n.pk))
    else:
        nodos = plan.nodos.select_related("responsable").order_by("orden", "pk")
    return {
        "titulo": plan.titulo,
        "tipo": plan.tipo,
        "objetivo": plan.objetivo,
        "periodo": [plan.anio_inicio, plan.anio_fin],
        "territorios": plan.territorios,
        "estado": plan.estado,
        "avance": a_json(plan.avance),
        "nodos": [
            {
                "id": n.pk,
                "padre": n.padre_id,
                "tipo": n.tipo,
                "codigo": n.codigo,
                "titulo": n.titulo,
                "responsable": n.responsable.nombre if n.responsable else "",
                "inicio": a_json(n.inicio),
                "termino": a_json(n.termino),
                "peso": a_json(n.peso),
                "presupuesto": n.presupuesto,
                "avance": a_json(n.avance),
                "adaptacion": n.adaptacion,
            }
            for n in nodos
        ],
        "hitos": [{"titulo": h.titulo, "fecha": a_json(h.fecha)} for h in plan.hitos.all()],
        "indicadores": [
            {
                "nombre": i.nombre,
                "tipo": i.tipo,
                "unidad": i.unidad,
                "linea_base": a_json(i.linea_base),
                "metas": {m.anio: a_json(m.valor) for m in i.metas.all()},
            }
            for i in (
                plan.indicadores.all()
                if "indicadores" in getattr(plan, "_prefetched_objects_cache", {})
                else plan.indicadores.prefetch_related("metas")
            )
        ],
    }


@transaction.atomic
def plan_cambiar_estado(*, plan, por, estado):
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _exigir_editar(plan, por)
    if estado not in TRANSICIONES[plan.estado]:
        raise ValidationError(
            f"Un plan «{plan.get_estado_display().lower()}» no pasa a «{Plan.Estado(estado).label.lower()}»."
        )
    if estado == Plan.Estado.APROBADO:
        raise ValidationError("Registre la aprobación (quién, cuándo y con qué acuerdo) para aprobar el plan.")
    if estado == Plan.Estado.EN_CONSULTA and not plan.nodos.exists():
        raise ValidationError("Agregue al menos un eje o actividad antes de ponerlo en consulta.")
    plan.estado = estado
    plan.save(update_fields=["estado", "actualizado"])
    return plan


@transaction.atomic
def aprobacion_registrar(*, plan, por, tipo, fecha, numero_acuerdo="", observaciones=""):
    """Records an approval and freezes the version it approves. For a plan comunal the consejo gives its
    opinion (the plan stays in consulta) and the concejo approves it; other plans are approved by their mesa
    or directorate."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _exigir_editar(plan, por)
    if plan.estado not in (Plan.Estado.BORRADOR, Plan.Estado.EN_CONSULTA):
        raise ValidationError("Ya está aprobado: para una actualización anual, vuelva a ponerlo en consulta.")
    if fecha > timezone.localdate():
        raise ValidationError({"fecha": "La fecha de la aprobación no puede ser futura."})
    if not plan.nodos.exists():
        raise ValidationError("Un plan sin ejes ni actividades no se aprueba.")
    if plan.tipo == Plan.Tipo.COMUNAL:
        if tipo not in (Aprobacion.Tipo.OPINION_CONSEJO, Aprobacion.Tipo.CONCEJO):
            raise ValidationError("Un plan comunal lo opina el consejo y lo aprueba el concejo municipal.")
        if tipo == Aprobacion.Tipo.CONCEJO and not numero_acuerdo.strip():
            raise ValidationError({"numero_acuerdo": "Indique el número del acuerdo del concejo."})
        if tipo == Aprobacion.Tipo.CONCEJO and not plan.aprobaciones.filter(tipo=Aprobacion.Tipo.OPINION_CONSEJO):
            raise ValidationError("Primero registre la opinión del consejo comunal de seguridad pública.")
    version = versionar(plan.versiones, datos=foto(plan), por=por)
    aprobacion = Aprobacion.objects.create(
        plan=plan,
        tipo=tipo,
        fecha=fecha,
        numero_acuerdo=numero_acuerdo.strip()[:60],
        observaciones=observaciones.strip()[:2000],
        por=por,
        version=version,
    )
    if tipo == Aprobacion.Tipo.OPINION_CONSEJO:
        plan.estado = Plan.Estado.EN_CONSULTA
    else:
        plan.estado = Plan.Estado.APROBADO
    plan.save(update_fields=["estado", "actualizado"])
    return aprobacion


# --- Adaptation ---------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_adaptar(*, origen, organizacion, por, titulo=None):
    """ "Adaptar este plan": a draft copy for `organizacion` with the whole tree, milestones and indicators; each
    node remembers the one it comes from and starts as kept ("se mantiene")."""
    if organizacion.pk in set(origen.duenas.values_list("pk", flat=True)):
        raise ValidationError("Su organización ya es responsable de este plan.")
    hoy = timezone.localdate()
    plan = Plan.objects.create(
        tipo=origen.tipo if origen.tipo != Plan.Tipo.INTERCOMUNAL else Plan.Tipo.COMUNAL,
        titulo=(titulo or f"{origen.titulo} — adaptación de {organizacion.nombre}")[:200],
        objetivo=origen.objetivo,
        organizacion=organizacion,
        anio_inicio=max(origen.anio_inicio, hoy.year),
        anio_fin=max(origen.anio_fin, hoy.year),
        territorios=[organizacion.comuna_id or organizacion.provincia_id],
        visibilidad=origen.visibilidad,
        origen=origen,
        replicacion=origen.replicacion,
        creado_por=por,
    )
    plan.duenas.set([organizacion.pk])
    copias = {}  # origin node pk → copy; the tree is copied level by level so each parent exists first
    pendientes = list(origen.nodos.filter(padre=None).order_by("orden", "pk"))
    while pendientes:
        siguiente = []
        for nodo in pendientes:
            copia = Nodo.objects.create(
                plan=plan,
                padre=copias.get(nodo.padre_id),
                **{c: getattr(nodo, c) for c in CAMPOS_NODO if c not in ("responsable", "persona")},
                responsable=organizacion,
                orden=nodo.orden,
                origen=nodo,
                adaptacion=Nodo.Adaptacion.MANTENIDO,
            )
            copia.practicas.set(nodo.practicas.all())
            copias[nodo.pk] = copia
            siguiente.extend(nodo.hijos.order_by("orden", "pk"))
        pendientes = siguiente
    for hito in origen.hitos.all():
        Hito.objects.create(plan=plan, nodo=copias.get(hito.nodo_id), titulo=hito.titulo, fecha=hito.fecha)
    for indicador in origen.indicadores.prefetch_related("metas"):
        copia = IndicadorPlan.objects.create(
            plan=plan,
            nodo=copias.get(indicador.nodo_id),
            **{c: getattr(indicador, c) for c in CAMPOS_INDICADOR if c != "nodo"},
            orden=indicador.orden,
        )
        if copia.serie_territorio:
            copia.serie_territorio = plan.territorios[0] or ""
            copia.save(update_fields=["serie_territorio"])
        MetaAnual.objects.bulk_create(
            MetaAnual(indicador=copia, anio=m.anio, valor=m.valor) for m in indicador.metas.all()
        )
    return plan


@transaction.atomic
def nodo_adaptar(*, nodo, por, adaptacion, motivo=""):
    """Marks a node of an adaptation as kept, changed (with what and why) or dropped (with why)."""
    plan = Plan.objects.select_for_update().get(pk=nodo.plan_id)
    _exigir_editar(plan, por)
    if nodo.origen_id is None:
        raise ValidationError("Este elemento no viene de otro plan.")
    if adaptacion not in (Nodo.Adaptacion.MANTENIDO, Nodo.Adaptacion.CAMBIADO, Nodo.Adaptacion.DESCARTADO):
        raise ValidationError("Elija si se mantiene, se cambia o se descarta.")
    if adaptacion != Nodo.Adaptacion.MANTENIDO and not motivo.strip():
        raise ValidationError({"adaptacion_motivo": "Explique qué cambia y por qué (o por qué se descarta)."})
    if adaptacion == Nodo.Adaptacion.DESCARTADO:  # what hangs from a dropped node is dropped with it
        Nodo.objects.filter(pk__in=_subarbol(nodo)).update(adaptacion=adaptacion)
    nodo.adaptacion, nodo.adaptacion_motivo = adaptacion, motivo.strip()[:2000]
    nodo.save(update_fields=["adaptacion", "adaptacion_motivo"])
    avance_recalcular(plan)
    return nodo


@transaction.atomic
def plan_desde_replicacion(*, replicacion, por):
    """A draft plan for the organization replicating a practice: the practice's summary as objective, one eje
    with an activity per line of the practice's activities (its own organization responsible), linked to the
    practice and to the replication (the same lineage "Adaptar este plan" keeps). The gate checked the role."""
    practica, organizacion = replicacion.practica, replicacion.organizacion
    hoy = timezone.localdate()
    plan = plan_crear(
        organizacion=organizacion,
        por=por,
        datos={
            "tipo": Plan.Tipo.INSTITUCIONAL,
            "titulo": f"Réplica de «{practica.titulo}»"[:200],
            "objetivo": (practica.resumen or practica.titulo)[:4000],
            "anio_inicio": hoy.year,
            "anio_fin": hoy.year + 1,
            "territorios": [organizacion.comuna_id or organizacion.provincia_id],
            "visibilidad": Plan.Visibilidad.MESA,
        },
    )
    Plan.objects.filter(pk=plan.pk).update(replicacion=replicacion)
    plan.replicacion = replicacion
    eje = Nodo.objects.create(plan=plan, tipo=Nodo.Tipo.EJE, codigo="1", titulo=practica.titulo[:250], orden=1)
    eje.practicas.add(practica)
    lineas = [linea.strip(" -•*\t") for linea in (practica.actividades or "").splitlines()]
    lineas = [linea for linea in lineas if linea][:30] or ["Adaptar y poner en marcha la práctica"]
    Nodo.objects.bulk_create(
        Nodo(plan=plan, padre=eje, codigo=f"1.{i}", titulo=texto[:250], responsable=organizacion, orden=1 + i)
        for i, texto in enumerate(lineas, start=1)
    )
    return plan
