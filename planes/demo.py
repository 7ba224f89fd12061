"""Demo action plans (example data, fictitious figures) for the organizations of comunas/demo.py.

- Zapallar's plan comunal de seguridad pública 2024–2027: three ejes, five lines, ten activities with owners, dates,
  budgets and progress, two milestones, three indicators (process, with measurements; result; and impact, following
  the demo series of robos en lugar habitado of Zapallar, with its baseline and yearly targets), the consejo's
  opinion and the concejo's approval with its acuerdo number.
- The mesa's intercommunal plan for the summer season, owned by Zapallar, Algarrobo and the Petorca province. It is
  born from the acuerdos of the mesa's first session: planes knows nothing of mesas, so `cargar` leaves its draft
  (ejes, lines, its own activities) and the mesa's demo (mesa.demo.cargar_planes, the top layer) turns the acuerdos
  into its activities and then calls `cargar_ejecucion`: the mesa approves the plan, progress is reported with
  dates, and Quilpué adapts it (one activity dropped, one changed, each with its reason).

Idempotent: a plan is looked up by its lead organization and title, and each later step only runs when its result
is missing (the approval, the progress reports, the adaptation).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comunas.models import Categoria, Membresia, Organizacion, Usuario
from diagnosticos.models import Diagnostico, Indicador
from planes import services
from planes.models import Aprobacion, Nodo, Plan
from practicas.models import Practica

AVISO = "Ejemplo de demostración: el plan, sus cifras y sus avances son ficticios.\n\n"
ZAPALLAR, ALGARROBO, PETORCA, QUILPUE = (
    "director@zapallar.example",
    "director@algarrobo.example",
    "director@prov-petorca.example",
    "director@quilpue.example",
)
COORDINADORA = "coordinacion@zapallar.example"

# --- Zapallar's plan comunal ---------------------------------------------------------------------------------------

TITULO_COMUNAL = "Plan comunal de seguridad pública de Zapallar 2024–2027"
OBJETIVO_COMUNAL = (
    "Reducir los robos en viviendas —en especial en las segundas viviendas que quedan vacías fuera de temporada— y "
    "las incivilidades en el espacio público durante el verano, junto a la comunidad, Carabineros y la PDI."
)
SOCIOS = "Carabineros (3.ª Comisaría de La Ligua), PDI, juntas de vecinos"
# Ejes and lines: (código, título); activities: (código, título, director(a) de la organización responsable,
# correo de la persona responsable, inicio, término, presupuesto, financiamiento, [(fecha, %, texto)], práctica)
# fmt: off
EJES = [
    ("1", "Prevención situacional de robos en viviendas"),
    ("2", "Convivencia e incivilidades en temporada estival"),
    ("3", "Participación y gestión del plan"),
]
LINEAS = [
    ("1.1", "Vigilancia de segundas viviendas"),
    ("1.2", "Iluminación y recuperación de espacios públicos"),
    ("2.1", "Consumo de alcohol y ruidos molestos"),
    ("2.2", "Mediación comunitaria"),
    ("3.1", "Coordinación y seguimiento"),
]
ACTIVIDADES = [
    ("1.1.1", "Programa de vigilancia vacacional: inscripción de viviendas y rondas", ZAPALLAR, ZAPALLAR,
     date(2024, 3, 1), date(2027, 12, 31), 18_000_000, "Municipal",
     [(date(2024, 12, 20), 25, "312 viviendas inscritas; rondas nocturnas en Cachagua y Maitencillo."),
      (date(2025, 12, 15), 55, "Segunda temporada con rondas diarias y aviso a los propietarios por correo.")], None),
    ("1.1.2", "Cámaras de televigilancia en los accesos de Cachagua y Maitencillo", ZAPALLAR, COORDINADORA,
     date(2024, 6, 1), date(2025, 12, 31), 96_000_000, "FNSP",
     [(date(2025, 5, 30), 60, "Ocho de doce cámaras instaladas."),
      (date(2025, 11, 20), 100, "Doce cámaras operando, conectadas a la central municipal.")],
     "Red de cámaras de televigilancia en accesos a Zapallar"),
    ("1.2.1", "Recambio de luminarias LED en pasajes de Zapallar centro", ZAPALLAR, ZAPALLAR,
     date(2024, 9, 1), date(2026, 6, 30), 45_000_000, "GORE Valparaíso",
     [(date(2025, 10, 10), 60, "180 de 300 luminarias cambiadas; el resto espera la segunda cuota del GORE.")], None),
    ("1.2.2", "Recuperación de la plaza de Catapilco con la junta de vecinos", ZAPALLAR, COORDINADORA,
     date(2025, 3, 1), date(2027, 3, 31), 30_000_000, "FNSP",
     [(date(2025, 12, 1), 30, "Diseño participativo aprobado en asamblea; licitación publicada.")], None),
    ("2.1.1", "Fiscalización conjunta del consumo de alcohol en playas", PETORCA, PETORCA,
     date(2024, 12, 15), date(2027, 3, 15), 6_000_000, "Municipal",
     [(date(2025, 3, 10), 50, "Dos temporadas de rondas mixtas de inspectores municipales y Carabineros.")],
     "Temporada de verano segura: patrullaje mixto en playas"),
    ("2.1.2", "Campaña «Verano tranquilo en Zapallar»", ZAPALLAR, COORDINADORA,
     date(2024, 12, 1), date(2025, 2, 28), 4_500_000, "Municipal",
     [(date(2025, 3, 5), 100, "Campaña en radios locales, redes y puntos de información en la costanera.")], None),
    ("2.2.1", "Oficina de mediación vecinal", ZAPALLAR, ZAPALLAR,
     date(2025, 1, 1), date(2027, 12, 31), 24_000_000, "Municipal",
     [(date(2025, 9, 30), 20, "Mediadora contratada; 14 casos de ruidos molestos y deslindes atendidos.")], None),
    ("3.1.1", "Sesiones mensuales del consejo comunal de seguridad pública", ZAPALLAR, ZAPALLAR,
     date(2024, 1, 1), date(2027, 12, 31), None, "",
     [(date(2025, 12, 20), 50, "24 sesiones realizadas con acta publicada.")], None),
    ("3.1.2", "Encuesta comunal de percepción de seguridad", ZAPALLAR, COORDINADORA,
     date(2025, 4, 1), date(2025, 6, 30), 3_000_000, "Municipal",
     [(date(2025, 7, 15), 100, "612 encuestas en los cuatro sectores de la comuna.")], None),
    ("3.1.3", "Cuenta pública anual del plan ante el concejo municipal", ZAPALLAR, ZAPALLAR,
     date(2024, 1, 1), date(2027, 12, 31), None, "",
     [(date(2025, 12, 20), 50, "Cuentas públicas de 2024 y 2025 presentadas.")], None),
]
# (título, fecha, cumplido el, evidencia)
HITOS_COMUNAL = [
    ("Central municipal de televigilancia en funcionamiento", date(2025, 12, 31), date(2025, 11, 20),
     "Acta de recepción conforme de las doce cámaras."),
    ("Actualización anual del plan aprobada por el concejo municipal", date(2026, 12, 15), None, ""),
]
# fmt: on
SERIE = "robo-en-lugar-habitado"
LINEA_BASE_ANIO = 2023
FUENTE_SERIE = "Indicadores de ejemplo de la plataforma (no son cifras del CEAD)"

# --- The mesa's intercommunal plan ------------------------------------------------------------------------------------

TITULO_INTERCOMUNAL = "Plan intercomunal de prevención en temporada estival"
OBJETIVO_INTERCOMUNAL = (
    "Coordinar entre las comunas del litoral y la provincia de Petorca la prevención de incivilidades y robos en la "
    "temporada estival, con información y protocolos comunes (nace de los acuerdos de la primera sesión de la mesa)."
)
# Its own activities (the acuerdos of the mesa's first session are added under these lines by mesa.demo), with
# dates relative to today: (código, título, director(a) de la organización responsable, días de inicio y término)
EJES_INTERCOMUNAL = [("1", "Información y diagnósticos comunes"), ("2", "Prevención en el borde costero")]
LINEAS_INTERCOMUNAL = [
    ("1.1", "Información compartida entre las comunas"),
    ("2.1", "Rondas preventivas mixtas"),
    ("2.2", "Convivencia en espacios públicos"),
]
ACTIVIDADES_INTERCOMUNAL = [
    ("2.1.1", "Rondas mixtas con Carabineros en fines de semana largos de verano", ALGARROBO, 6, 106),
    ("2.2.1", "Campaña de convivencia y consumo responsable de alcohol en playas", ZAPALLAR, 16, 96),
    ("2.2.2", "Fiscalización conjunta del comercio ambulante en temporada", PETORCA, 16, 106),
]
# Progress reported after the approval: código → (días desde hoy, %, director(a) que informa, texto). The codes
# 1.1.1, 1.1.2 and 2.1.2 are the activities born from the acuerdos (mesa.demo.LINEA_DE_ACUERDO).
AVANCES_INTERCOMUNAL = {
    "2.1.2": (-6, 100, ALGARROBO, "Protocolo de rondas compartido con la mesa y guardado en la carpeta común."),
    "1.1.1": (-3, 40, PETORCA, "Cifras de Cabildo, La Ligua y Papudo consolidadas; faltan Petorca y Zapallar."),
    "2.1.1": (-2, 25, ALGARROBO, "Calendario de rondas acordado con la 3.ª Comisaría para enero y febrero."),
    "2.2.1": (-1, 10, ZAPALLAR, "Piezas gráficas en diseño con los equipos de comunicaciones de las tres comunas."),
}
HITO_INTERCOMUNAL = ("Primer informe intercomunal de incivilidades ante la mesa", 5, "1.1.1")
TITULO_ADAPTACION = "Plan de prevención en temporada estival — adaptación de Quilpué"
# código → (adaptación, motivo, nuevo título or None)
ADAPTACIONES = {
    "2.1.1": (
        Nodo.Adaptacion.DESCARTADO,
        "Quilpué no tiene borde costero; sus rondas mixtas con Carabineros ya están en el plan comunal.",
        None,
    ),
    "2.2.1": (
        Nodo.Adaptacion.CAMBIADO,
        "En Quilpué el consumo de alcohol en la vía pública se concentra en ferias libres y plazas, no en playas.",
        "Campaña de convivencia y consumo responsable de alcohol en ferias libres y plazas del centro",
    ),
}


def _usuario(email):
    return Usuario.objects.get(email=email)


def _org(email_director):
    return Organizacion.objects.get(membresias__usuario__email=email_director, membresias__rol=Membresia.Rol.DIRECTOR)


def _arbol(plan, por, ejes, lineas):
    nodos = {}
    for codigo, titulo in ejes:
        nodos[codigo] = services.nodo_agregar(
            plan=plan, por=por, datos={"tipo": Nodo.Tipo.EJE, "codigo": codigo, "titulo": titulo}
        )
    for codigo, titulo in lineas:
        nodos[codigo] = services.nodo_agregar(
            plan=plan,
            por=por,
            padre=nodos[codigo.rsplit(".", 1)[0]],
            datos={"tipo": Nodo.Tipo.LINEA, "codigo": codigo, "titulo": titulo},
        )
    return nodos


def _plan_comunal():
    director = _usuario(ZAPALLAR)
    zapallar = _org(ZAPALLAR)
    diagnostico = Diagnostico.objects.filter(organizacion=zapallar, estado=Diagnostico.Estado.PUBLICADO).first()
    datos = {
        "tipo": Plan.Tipo.COMUNAL,
        "titulo": TITULO_COMUNAL,
        "objetivo": AVISO + OBJETIVO_COMUNAL,
        "anio_inicio": 2024,
        "anio_fin": 2027,
        "territorios": [zapallar.comuna_id],
        "diagnostico": diagnostico,
        "visibilidad": Plan.Visibilidad.PUBLICA,
    }
    problemas = list(diagnostico.problemas.all()) if diagnostico else []
    plan = services.plan_crear(organizacion=zapallar, por=director, datos=datos, problemas=problemas)
    nodos = _arbol(plan, director, EJES, LINEAS)
    actividades = {}
    for codigo, titulo, responsable, persona, inicio, termino, presupuesto, fuente, avances, practica in ACTIVIDADES:
        datos = {
            "codigo": codigo,
            "titulo": titulo,
            "responsable": _org(responsable),
            "persona": _usuario(persona),
            "socios": SOCIOS,
            "inicio": inicio,
            "termino": termino,
            "presupuesto": presupuesto,
            "financiamiento": fuente,
        }
        nodo = services.nodo_agregar(plan=plan, por=director, padre=nodos[codigo.rsplit(".", 1)[0]], datos=datos)
        practicas = Practica.objects.filter(titulo=practica, organizacion=zapallar) if practica else []
        if practicas:
            services.nodo_editar(nodo=nodo, por=director, datos={}, practicas=practicas)
        actividades[codigo] = (nodo, avances)
    hitos = [
        (services.hito_agregar(plan=plan, por=director, titulo=titulo, fecha=fecha), cumplido, evidencia)
        for titulo, fecha, cumplido, evidencia in HITOS_COMUNAL
    ]
    _indicadores_comunal(plan, director, nodos, actividades)
    services.aprobacion_registrar(
        plan=plan,
        por=director,
        tipo=Aprobacion.Tipo.OPINION_CONSEJO,
        fecha=date(2023, 12, 12),
        numero_acuerdo="Sesión ordinaria n.º 12",
        observaciones="El consejo comunal de seguridad pública revisó el plan y sugirió sumar la encuesta comunal.",
    )
    services.aprobacion_registrar(
        plan=plan,
        por=director,
        tipo=Aprobacion.Tipo.CONCEJO,
        fecha=date(2024, 1, 9),
        numero_acuerdo="Acuerdo n.º 4/2024",
        observaciones="Aprobado por unanimidad en la sesión ordinaria n.º 2 del concejo municipal.",
    )
    for nodo, avances in actividades.values():
        for fecha, porcentaje, texto in avances:
            services.avance_registrar(
                nodo=nodo,
                por=nodo.persona,
                fecha=fecha,
                texto=texto,
                porcentaje=Decimal(porcentaje),
                organizacion=nodo.responsable,
            )
    for hito, cumplido, evidencia in hitos:
        if cumplido:
            services.hito_cumplir(hito=hito, por=director, fecha=cumplido, evidencia=evidencia)
    return plan


def _indicadores_comunal(plan, director, nodos, actividades):
    proceso = services.indicador_agregar(
        plan=plan,
        por=director,
        datos={
            "nombre": "Viviendas inscritas en el programa de vigilancia vacacional",
            "tipo": "proceso",
            "formula": "Viviendas con inscripción vigente al 31 de diciembre",
            "unidad": "viviendas",
            "linea_base": Decimal(0),
            "linea_base_anio": LINEA_BASE_ANIO,
            "linea_base_fuente": "Registro municipal",
            "nodo": actividades["1.1.1"][0],
        },
        metas=[(2024, Decimal(150)), (2025, Decimal(300)), (2026, Decimal(400)), (2027, Decimal(450))],
    )
    for anio, valor in ((2024, 162), (2025, 281)):
        services.medicion_registrar(
            indicador=proceso, por=director, anio=anio, valor=Decimal(valor), evidencia=f"Registro municipal {anio}"
        )
    resultado = services.indicador_agregar(
        plan=plan,
        por=director,
        datos={
            "nombre": "Vecinos que se sienten seguros en su barrio",
            "tipo": "resultado",
            "formula": "Personas que responden «seguro» o «muy seguro» / personas encuestadas × 100",
            "unidad": "%",
            "linea_base": Decimal(41),
            "linea_base_anio": LINEA_BASE_ANIO,
            "linea_base_fuente": "Encuesta comunal de percepción de seguridad (ficticia)",
            "nodo": nodos["3.1"],
        },
        metas=[(2025, Decimal(45)), (2027, Decimal(50))],
    )
    services.medicion_registrar(
        indicador=resultado, por=director, anio=2025, valor=Decimal(46), evidencia="Encuesta comunal 2025"
    )
    categoria = Categoria.objects.vigentes().filter(slug=SERIE).first()
    if categoria is None:
        return
    base = (
        Indicador.objects.anuales()
        .filter(territorio="05405", categoria=categoria, anio=LINEA_BASE_ANIO, medida=Indicador.Medida.CASOS_POLICIALES)
        .values_list("tasa", flat=True)
        .first()
    )
    metas = []
    if base is not None:
        metas = [(anio, (base * factor).quantize(Decimal("0.01"))) for anio, factor in _BAJADAS]
    services.indicador_agregar(
        plan=plan,
        por=director,
        datos={
            "nombre": "Robos en lugar habitado (casos policiales por 100.000 habitantes)",
            "tipo": "impacto",
            "formula": "Casos policiales de robo en lugar habitado / población × 100.000",
            "unidad": "por 100.000 hab.",
            "sentido": "baja",
            "linea_base": base,
            "linea_base_anio": LINEA_BASE_ANIO if base is not None else None,
            "linea_base_fuente": FUENTE_SERIE,
            "serie_categoria": categoria,
            "serie_medida": Indicador.Medida.CASOS_POLICIALES,
            "serie_territorio": "05405",
            "nodo": nodos["1"],
        },
        metas=metas,
    )


_BAJADAS = [(2024, Decimal("0.95")), (2025, Decimal("0.90")), (2026, Decimal("0.85")), (2027, Decimal("0.80"))]


def _plan_intercomunal():
    """The draft: ejes, lines and its own activities, owned by Zapallar (lead), Algarrobo and Petorca."""
    director = _usuario(ZAPALLAR)
    hoy = timezone.localdate()
    duenas = [_org(ALGARROBO), _org(PETORCA)]
    zapallar = _org(ZAPALLAR)
    datos = {
        "tipo": Plan.Tipo.INTERCOMUNAL,
        "titulo": TITULO_INTERCOMUNAL,
        "objetivo": AVISO + OBJETIVO_INTERCOMUNAL,
        "anio_inicio": hoy.year,
        "anio_fin": hoy.year + 1,
        "territorios": [o.comuna_id or o.provincia_id for o in (zapallar, *duenas)],
        "diagnostico": None,
        "visibilidad": Plan.Visibilidad.MESA,
    }
    plan = services.plan_crear(organizacion=zapallar, por=director, datos=datos, duenas=duenas)
    nodos = _arbol(plan, director, EJES_INTERCOMUNAL, LINEAS_INTERCOMUNAL)
    for codigo, titulo, responsable, inicio, termino in ACTIVIDADES_INTERCOMUNAL:
        datos = {
            "codigo": codigo,
            "titulo": titulo,
            "responsable": _org(responsable),
            "persona": _usuario(responsable),
            "inicio": hoy + timedelta(days=inicio - 14),
            "termino": hoy + timedelta(days=termino - 14),
        }
        services.nodo_agregar(plan=plan, por=director, padre=nodos[codigo.rsplit(".", 1)[0]], datos=datos)
    services.indicador_agregar(
        plan=plan,
        por=director,
        datos={
            "nombre": "Comunas de la mesa que usan el formato común de diagnóstico",
            "tipo": "proceso",
            "unidad": "organizaciones",
            "linea_base": Decimal(0),
            "linea_base_anio": hoy.year,
            "linea_base_fuente": "Registro de la coordinación de la mesa",
            "nodo": nodos["1.1"],
        },
        metas=[(hoy.year + 1, Decimal(9))],
    )
    return plan


@transaction.atomic
def cargar():
    """Creates what is missing of Zapallar's plan comunal and the intercommunal plan's draft; returns both plans."""
    services.estados_asegurar()
    zapallar = _org(ZAPALLAR)
    comunal = Plan.objects.filter(organizacion=zapallar, titulo=TITULO_COMUNAL).first() or _plan_comunal()
    intercomunal = (
        Plan.objects.filter(organizacion=zapallar, titulo=TITULO_INTERCOMUNAL).first() or _plan_intercomunal()
    )
    return comunal, intercomunal


def plan_intercomunal():
    return Plan.objects.filter(organizacion=_org(ZAPALLAR), titulo=TITULO_INTERCOMUNAL).first()


@transaction.atomic
def cargar_ejecucion():
    """After the mesa's acuerdos became activities (mesa.demo.cargar_planes): the mesa approves the intercommunal
    plan, its progress is reported with dates, a milestone is set, and Quilpué adapts it. Returns the plan."""
    plan = plan_intercomunal()
    if plan is None:
        return None
    hoy = timezone.localdate()
    director = _usuario(ZAPALLAR)
    por_codigo = {n.codigo: n for n in plan.nodos.all()}
    if not plan.aprobaciones.exists():
        services.aprobacion_registrar(
            plan=plan,
            por=director,
            tipo=Aprobacion.Tipo.MESA,
            fecha=hoy - timedelta(days=8),
            observaciones="Aprobado por la coordinación de la mesa tras circular el borrador a sus miembros.",
        )
        for codigo, (dias, porcentaje, email, texto) in AVANCES_INTERCOMUNAL.items():
            if codigo in por_codigo:
                services.avance_registrar(
                    nodo=por_codigo[codigo],
                    por=_usuario(email),
                    fecha=hoy + timedelta(days=dias),
                    texto=texto,
                    porcentaje=Decimal(porcentaje),
                    organizacion=_org(email),
                )
        titulo, dias, codigo = HITO_INTERCOMUNAL
        services.hito_agregar(
            plan=plan, por=director, titulo=titulo, fecha=hoy + timedelta(days=dias), nodo=por_codigo.get(codigo)
        )
    _adaptacion_de_quilpue(plan)
    return plan


def _adaptacion_de_quilpue(plan):
    quilpue = _org(QUILPUE)
    if Plan.objects.filter(origen=plan, organizacion=quilpue).exists():
        return
    directora = _usuario(QUILPUE)
    copia = services.plan_adaptar(origen=plan, organizacion=quilpue, por=directora, titulo=TITULO_ADAPTACION)
    for nodo in copia.nodos.filter(codigo__in=ADAPTACIONES):
        adaptacion, motivo, titulo = ADAPTACIONES[nodo.codigo]
        if titulo:
            nodo = services.nodo_editar(nodo=nodo, por=directora, datos={"titulo": titulo})
        services.nodo_adaptar(nodo=nodo, por=directora, adaptacion=adaptacion, motivo=motivo)
