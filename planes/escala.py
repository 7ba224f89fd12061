"""National-scale action plans (manage.py sembrar_escala): plans comunales, intercommunal and institutional plans
of every organization, each with two ejes of five activities, milestones, an indicator with yearly targets,
dated progress and, once approved, its approvals and frozen versions. EXAMPLE DATA: fictitious.

Bulk paths (one insert per table and batch); the derived fields are computed by the services' own functions:
progress rolled up by weight (avance_del_arbol), the activity state a report gives, the version snapshot (foto).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from comunas.models import Organizacion
from planes.models import Aprobacion, Avance, Hito, IndicadorPlan, MetaAnual, Nodo, Plan, VersionPlan
from planes.services import avance_del_arbol, estados_asegurar, foto

PLANES = 5_000
EJES = 2
ACTIVIDADES_POR_EJE = 5
LOTE = 250  # plans per batch

EJES_TITULOS = (
    "Prevención situacional y recuperación de espacios públicos", "Prevención social con niños, niñas y jóvenes",
    "Atención y acompañamiento a víctimas", "Coordinación con las policías y la fiscalía",
    "Participación comunitaria y comités de seguridad", "Fiscalización y convivencia en el espacio público",
)  # fmt: skip
ACTIVIDADES = (
    "Instalar cámaras de televigilancia en accesos", "Recambiar luminarias en pasajes y paraderos",
    "Formar comités de seguridad vecinal", "Realizar marchas exploratorias con vecinas",
    "Implementar talleres de convivencia escolar", "Coordinar patrullajes preventivos mixtos",
    "Acompañar a víctimas de violencia intrafamiliar", "Fiscalizar el comercio ambulante en temporada",
    "Recuperar sitios eriazos con la comunidad", "Capacitar a operadores de la central de monitoreo",
    "Actualizar el diagnóstico con las cifras del año", "Presentar avances al consejo comunal",
)  # fmt: skip
ESTADOS = (
    [Plan.Estado.BORRADOR] * 5
    + [Plan.Estado.EN_CONSULTA] * 2
    + [Plan.Estado.APROBADO] * 2
    + [Plan.Estado.EN_EJECUCION] * 9
    + [Plan.Estado.CERRADO, Plan.Estado.SUSPENDIDO]
)
VISIBILIDADES = [Plan.Visibilidad.MESA] * 3 + [Plan.Visibilidad.PLATAFORMA] * 4
VISIBILIDADES += [Plan.Visibilidad.DUENAS, Plan.Visibilidad.PUBLICA]


def sembrar(*, rng, escala, plataforma):
    """PLANES × escala plans; returns their ids."""
    estados = estados_asegurar()
    terminado = next(e for e in estados if e.terminal and e.porcentaje == 100)
    total = max(1, round(PLANES * escala))
    hoy = timezone.localdate()
    ids = []
    for inicio in range(0, total, LOTE):
        ids += _lote(rng, min(LOTE, total - inicio), plataforma, hoy, terminado)
    return ids


def _plan(rng, plataforma, hoy):
    org = rng.choice(plataforma.organizaciones)
    comuna, provincia = plataforma.territorio[org.pk]
    duenas = [org]
    if rng.random() < 0.15:
        tipo = Plan.Tipo.INTERCOMUNAL
        duenas += rng.sample([o for o in plataforma.organizaciones if o.pk != org.pk], rng.randrange(1, 3))
    elif org.tipo == Organizacion.Tipo.DIRECCION_MUNICIPAL:
        tipo = Plan.Tipo.COMUNAL
    else:
        tipo = Plan.Tipo.INSTITUCIONAL
    anio = rng.randrange(2019, hoy.year + 1)
    estado = rng.choice(ESTADOS)
    territorio = comuna.nombre if comuna else provincia.nombre
    plan = Plan(
        tipo=tipo,
        titulo={
            Plan.Tipo.COMUNAL: f"Plan comunal de seguridad pública de {territorio} {anio}–{anio + 3}",
            Plan.Tipo.INTERCOMUNAL: f"Plan intercomunal de prevención {territorio} y vecinas {anio}",
            Plan.Tipo.INSTITUCIONAL: f"Plan de trabajo en seguridad pública de {territorio} {anio}",
        }[tipo],
        objetivo="Reducir los delitos priorizados en el diagnóstico y la percepción de inseguridad (ejemplo ficticio).",
        organizacion=org,
        anio_inicio=anio,
        anio_fin=anio + 3,
        territorios=[o.comuna_id or o.provincia_id for o in duenas],
        estado=estado,
        visibilidad=rng.choice(VISIBILIDADES),
        creado_por=plataforma.director(org),
    )
    return plan, duenas


def _lote(rng, n, plataforma, hoy, terminado):
    planes = [_plan(rng, plataforma, hoy) for _ in range(n)]
    creados = Plan.objects.bulk_create([p for p, _ in planes])
    Duena = Plan.duenas.through
    Duena.objects.bulk_create(
        Duena(plan_id=p.pk, organizacion_id=o.pk)
        for p, (_, duenas) in zip(creados, planes, strict=True)
        for o in duenas
    )
    ejes = []
    for plan in creados:
        for i, titulo in enumerate(rng.sample(EJES_TITULOS, EJES), start=1):
            ejes.append(Nodo(plan=plan, tipo=Nodo.Tipo.EJE, codigo=str(i), titulo=titulo, orden=i))
    ejes = Nodo.objects.bulk_create(ejes)
    actividades, informadas = [], []
    en_marcha = (Plan.Estado.EN_EJECUCION, Plan.Estado.CERRADO, Plan.Estado.SUSPENDIDO)
    duenas_de = {p.pk: d for p, (_, d) in zip(creados, planes, strict=True)}
    for eje in ejes:
        plan = eje.plan
        for j, titulo in enumerate(rng.sample(ACTIVIDADES, ACTIVIDADES_POR_EJE), start=1):
            responsable = rng.choice(duenas_de[plan.pk])
            inicio = date(plan.anio_inicio, rng.randrange(1, 13), 1)
            actividad = Nodo(
                plan=plan,
                padre=eje,
                tipo=Nodo.Tipo.ACTIVIDAD,
                codigo=f"{eje.codigo}.{j}",
                titulo=titulo,
                responsable=responsable,
                persona=plataforma.director(responsable) if rng.random() < 0.5 else None,
                inicio=inicio,
                termino=inicio + timedelta(days=rng.randrange(90, 3 * 365)),
                peso=Decimal(rng.randrange(1, 4)),
                presupuesto=rng.randrange(1, 60) * 1_000_000,
                financiamiento=rng.choice(("Presupuesto municipal", "Fondo Nacional de Seguridad Pública", "")),
                orden=eje.orden * 10 + j,
            )
            if plan.estado in en_marcha and actividad.inicio < hoy and rng.random() < 0.6:
                # A dated report sets the activity, as avance_registrar does: its percentage, and the terminal
                # state at 100 %.
                actividad.avance = Decimal(rng.choice((10, 25, 40, 50, 60, 75, 90, 100)))
                actividad.estado = terminado if actividad.avance >= 100 else None
                informadas.append(actividad)
            actividades.append(actividad)
    actividades = Nodo.objects.bulk_create(actividades, batch_size=2000)
    Avance.objects.bulk_create(
        (
            Avance(
                nodo=a,
                fecha=min(hoy, a.inicio + timedelta(days=rng.randrange(10, 200))),
                texto="Avance informado (ejemplo ficticio): se realizaron las acciones programadas del período.",
                porcentaje=a.avance,
                por=plataforma.director(a.responsable),
                organizacion=a.responsable,
            )
            for a in informadas
        ),
        batch_size=2000,
    )
    por_plan = {}
    for nodo in [*ejes, *actividades]:
        por_plan.setdefault(nodo.plan_id, []).append(nodo)
    for plan in creados:
        plan.avance = avance_del_arbol(por_plan[plan.pk])
    Nodo.objects.bulk_update(ejes, ["avance"], batch_size=2000)
    Plan.objects.bulk_update(creados, ["avance"], batch_size=2000)
    _hitos_e_indicadores(rng, creados, hoy)
    _aprobaciones(rng, creados, plataforma)
    return [p.pk for p in creados]


def _hitos_e_indicadores(rng, planes, hoy):
    hitos, indicadores = [], []
    for plan in planes:
        for k, titulo in enumerate(("Diagnóstico actualizado y validado", "Cuenta pública del plan")):
            fecha = date(plan.anio_inicio + k * 2, 6, 30)
            cumplido = fecha if fecha < hoy and rng.random() < 0.7 and plan.estado != Plan.Estado.BORRADOR else None
            hitos.append(Hito(plan=plan, titulo=titulo, fecha=fecha, cumplido_en=cumplido))
        indicadores.append(
            IndicadorPlan(
                plan=plan,
                nombre="Actividades ejecutadas según lo programado",
                tipo=IndicadorPlan.Tipo.PROCESO,
                unidad="%",
                linea_base=Decimal(0),
                linea_base_anio=plan.anio_inicio,
            )
        )
    Hito.objects.bulk_create(hitos, batch_size=2000)
    indicadores = IndicadorPlan.objects.bulk_create(indicadores, batch_size=2000)
    MetaAnual.objects.bulk_create(
        (
            MetaAnual(indicador=i, anio=i.plan.anio_inicio + k, valor=Decimal(25 * (k + 1)))
            for i in indicadores
            for k in range(4)
        ),
        batch_size=2000,
    )


def _aprobaciones(rng, planes, plataforma):
    """Approved plans (and those in execution, closed or suspended) carry their approvals, each with the version
    it froze (the snapshot aprobacion_registrar takes); a plan comunal: the consejo's opinion, then the concejo."""
    aprobados = [p for p in planes if p.estado not in (Plan.Estado.BORRADOR, Plan.Estado.EN_CONSULTA)]
    consultados = [p for p in planes if p.estado == Plan.Estado.EN_CONSULTA and p.tipo == Plan.Tipo.COMUNAL]
    versiones, aprobaciones = [], []
    prefetch_related_objects(
        [*consultados, *aprobados],
        Prefetch("nodos", Nodo.objects.select_related("responsable")),
        "hitos",
        Prefetch("indicadores", IndicadorPlan.objects.prefetch_related("metas")),
    )
    for plan in [*consultados, *aprobados]:
        director = plataforma.director(plan.organizacion)
        datos = foto(plan)
        fecha = date(plan.anio_inicio, 3, 15)
        pasos = [Aprobacion.Tipo.DIRECCION if plan.tipo != Plan.Tipo.COMUNAL else Aprobacion.Tipo.OPINION_CONSEJO]
        if plan.tipo == Plan.Tipo.COMUNAL and plan in aprobados:
            pasos.append(Aprobacion.Tipo.CONCEJO)
        for numero, tipo in enumerate(pasos, start=1):
            version = VersionPlan(plan=plan, numero=numero, datos=datos, por=director)
            versiones.append(version)
            aprobaciones.append(
                Aprobacion(
                    plan=plan,
                    tipo=tipo,
                    fecha=fecha + timedelta(days=20 * numero),
                    numero_acuerdo=f"Acuerdo n.º {rng.randrange(1, 400)}" if tipo == Aprobacion.Tipo.CONCEJO else "",
                    por=director,
                    version=version,
                )
            )
    VersionPlan.objects.bulk_create(versiones, batch_size=1000)
    Aprobacion.objects.bulk_create(aprobaciones, batch_size=2000)
