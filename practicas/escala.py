"""National-scale practices (manage.py sembrar_escala): published practices of every kind of organization, with
their problems, outcomes, first published version, rendered Markdown and search columns. EXAMPLE DATA: the
practices, figures and contacts are fictitious.

Bulk paths: one insert per table, then the set-based fill of the search table (indice_sincronizar). Each
derived field is computed by the same functions the services use when a practice is saved: the rendered texts
(html_al_dia), the folded search text (texto_de_busqueda), the version snapshot (foto_de_practica) and the
tsvector (vector_de_busqueda).
"""

from datetime import date, datetime, time, timedelta
from functools import cache

from django.utils import timezone

from comunas.models import Membresia
from comunas.taxonomia import Arbol
from practicas import markdown
from practicas.models import EMMIE, TEXTOS_MARKDOWN, Practica, Resultado, VersionPractica
from practicas.services import foto_de_practica, indice_sincronizar, texto_de_busqueda

PRACTICAS = 20_000
LOTE = 1_000

ACCIONES = (
    "Red de cámaras de televigilancia", "Patrullaje preventivo mixto", "Alarmas comunitarias",
    "Recuperación de espacios públicos", "Mediación vecinal", "Iluminación peatonal con luminarias LED",
    "Prevención del consumo de alcohol en la vía pública", "Atención en red a víctimas de violencia intrafamiliar",
    "Escuelas seguras y convivencia escolar", "Fiscalización coordinada del comercio ambulante",
    "Rutas seguras para trabajadoras de temporada", "Botones de pánico para el comercio",
    "Comités de seguridad vecinal", "Coordinación contra el robo de cables", "Reinserción de jóvenes infractores",
    "Vigilancia de viviendas en temporada baja", "Central de monitoreo municipal", "Lectura de patentes en accesos",
    "Recuperación de sitios eriazos", "Prevención situacional en paraderos",
)  # fmt: skip
LUGARES = (
    "en el centro", "en las poblaciones del sector norte", "en sectores rurales", "en el borde costero",
    "en ferias libres", "en villas y pasajes", "en paraderos de locomoción colectiva", "en el entorno de liceos",
    "en plazas y parques", "en el casco histórico",
)  # fmt: skip
ETIQUETAS = (
    "cámaras", "patrullaje", "prevención situacional", "participación", "iluminación", "alcohol", "VIF",
    "jóvenes", "comercio", "temporada estival", "mediación", "datos", "coordinación", "víctimas",
)  # fmt: skip
# Sentences of each section; a practice takes six, in this order (so many practices share a rendering: _html).
FRASES = {
    "resumen": (
        "Se instalaron cámaras con lectura de patentes y una central de monitoreo conectada con Carabineros.",
        "El municipio organizó patrullajes preventivos en los horarios y lugares con más denuncias.",
        "Los vecinos definieron junto al equipo técnico qué espacios recuperar y cómo cuidarlos.",
        "Un protocolo de derivación acompaña a cada víctima desde la denuncia hasta la audiencia.",
        "Se entregaron alarmas comunitarias a comités organizados, con capacitación y un protocolo de reacción.",
        "La iluminación peatonal se recambió en los pasajes y paraderos señalados en las marchas exploratorias.",
        "El análisis semanal de denuncias orienta el trabajo de los inspectores municipales.",
        "La mediación comunitaria resuelve conflictos vecinales antes de que escalen a agresiones.",
    ),
    "contexto": (
        "La comuna concentra denuncias por robos en lugar habitado en los meses de verano, cuando las segundas "
        "viviendas quedan desocupadas.",
        "El diagnóstico comunal de seguridad pública priorizó los robos por sorpresa en el centro y los daños en "
        "los espacios públicos.",
        "Las encuestas de victimización muestran una alta percepción de inseguridad en paraderos y pasajes sin "
        "iluminación.",
        "El consejo comunal de seguridad pública pidió actuar sobre el consumo de alcohol en plazas y costaneras.",
        "Los registros municipales muestran reclamos reiterados por microbasurales y sitios eriazos.",
        "Las cámaras existentes no cubrían los accesos a la comuna ni estaban conectadas con las policías.",
        "Las distancias largas a las comisarías hacen que la respuesta policial tarde en sectores rurales.",
        "La violencia intrafamiliar es la primera causa de consultas en la oficina de atención a víctimas.",
    ),
    "poblacion_objetivo": (
        "Residentes de las unidades vecinales con más denuncias, en especial personas mayores que viven solas.",
        "Comerciantes del centro y trabajadores que circulan de madrugada.",
        "Niños, niñas y adolescentes de los liceos municipales y sus familias.",
        "Mujeres víctimas de violencia intrafamiliar con denuncia reciente.",
        "Jóvenes de 14 a 24 años de los sectores priorizados.",
        "Turistas y población flotante durante la temporada estival.",
        "Comités de seguridad vecinal y juntas de vecinos organizadas.",
        "Personas que esperan locomoción colectiva en paraderos aislados.",
    ),
    "socios": (
        "Carabineros, a través de la comisaría y su oficina de integración comunitaria.",
        "Policía de Investigaciones y la fiscalía local.",
        "Juntas de vecinos, clubes deportivos y comités de seguridad.",
        "Centros de la Mujer (SernamEG) y el servicio de salud.",
        "Senda Previene y la Oficina de Protección de Derechos.",
        "Empresas distribuidoras de electricidad y telecomunicaciones.",
        "Cámara de comercio local y agrupaciones de feriantes.",
        "Universidad regional, que apoyó la evaluación.",
    ),
    "actividades": (
        "Instalación y mantención de cámaras de televigilancia en los puntos críticos.",
        "Marchas exploratorias con vecinas y vecinos para identificar lugares inseguros.",
        "Patrullaje municipal focalizado con tiempos de permanencia definidos.",
        "Talleres de convivencia y prevención en establecimientos educacionales.",
        "Operativos conjuntos de fiscalización con Carabineros e inspección municipal.",
        "Recambio de luminarias y poda de árboles que tapaban la iluminación.",
        "Seguimiento telefónico a 72 horas de cada denuncia de violencia intrafamiliar.",
        "Mesas de trabajo mensuales con las policías para revisar los resultados.",
    ),
    "efecto": (
        "Las denuncias por robos en el área intervenida bajaron respecto del año anterior, más que en la comuna.",
        "Los vehículos recuperados gracias a las alertas de patente aumentaron cada mes.",
        "La percepción de seguridad mejoró en la encuesta de seguimiento.",
        "No se observó desplazamiento del delito a las calles vecinas.",
        "Los reingresos por nueva denuncia disminuyeron a los seis meses.",
        "Los resultados son preliminares: falta un grupo de comparación.",
        "El efecto fue menor al esperado en los meses de invierno.",
        "Las cámaras ayudaron a aclarar casos, pero no redujeron las denuncias por sí solas.",
    ),
    "mecanismo": (
        "Aumenta el riesgo percibido por quien comete el delito y acorta el tiempo de respuesta.",
        "La comunidad se apropia de los espacios y ejerce control social informal.",
        "El acompañamiento reduce la retractación de las víctimas.",
        "La información compartida permite focalizar los recursos donde más se necesitan.",
        "La iluminación mejora la vigilancia natural de los espacios públicos.",
        "La coordinación evita que cada institución actúe por separado.",
        "Las cámaras con lectura de patentes alertan en línea a las policías.",
        "La mediación temprana evita que un conflicto menor escale.",
    ),
    "moderadores": (
        "Funciona mejor en sectores con organizaciones vecinales activas.",
        "Depende de que las policías respondan a las alertas en pocos minutos.",
        "En sectores rurales la cobertura de las cámaras es limitada.",
        "Requiere continuidad del equipo municipal durante todo el período.",
        "La temporada estival cambia el tipo de delitos y la población del sector.",
        "Los resultados varían según el compromiso de los establecimientos educacionales.",
        "El efecto es mayor donde la iluminación era muy deficiente.",
        "Se necesita acceso a datos de denuncias actualizados cada semana.",
    ),
    "implementacion": (
        "Un equipo de tres profesionales y un convenio con Carabineros.",
        "La central de monitoreo funciona las 24 horas con dos operadores por turno.",
        "Se requirió licitar la mantención de las cámaras por tres años.",
        "Las duplas psicosociales trabajan media jornada en cada liceo.",
        "Los vecinos fueron capacitados en el uso de las alarmas y el protocolo.",
        "Se definió un protocolo escrito de derivación entre las instituciones.",
        "La coordinación semanal con las policías fue clave para sostener el trabajo.",
        "La implementación tomó seis meses desde la adjudicación del proyecto.",
    ),
    "costo": (
        "El costo principal fue la compra e instalación de las cámaras y la central.",
        "Se financió con el Fondo Nacional de Seguridad Pública y aporte municipal.",
        "El costo por vivienda protegida fue menor que el de otras alternativas evaluadas.",
        "La mantención anual equivale a un quinto de la inversión inicial.",
        "Los honorarios del equipo son el principal gasto recurrente.",
        "El gobierno regional cofinanció la iluminación.",
        "Los costos de coordinación no se valorizaron.",
        "El programa no tuvo costos de infraestructura: solo horas profesionales.",
    ),
    "transferibilidad": (
        "Puede replicarse en comunas con centrales de monitoreo municipales.",
        "Es transferible a comunas costeras con población flotante en verano.",
        "Otras comunas de la provincia ya la están adaptando.",
        "Requiere adaptar el protocolo a la dotación policial de cada comuna.",
        "Es aplicable en zonas urbanas y rurales con ajustes de cobertura.",
        "Se comparte la guía de implementación y los instrumentos de evaluación.",
        "La experiencia se presentó en la mesa regional de seguridad pública.",
        "Se recomienda empezar por un sector piloto y medir antes de ampliar.",
    ),
    "sostenibilidad": (
        "El municipio incorporó el programa a su presupuesto anual.",
        "Los comités vecinales mantienen las actividades sin apoyo externo.",
        "La continuidad depende de renovar el convenio con las policías.",
        "El plan comunal de seguridad pública incluye la práctica por cuatro años.",
        "La mantención de las cámaras quedó asegurada por contrato.",
        "Se capacitó a funcionarios de planta para no depender de honorarios.",
        "La práctica se institucionalizó mediante un decreto alcaldicio.",
        "Falta asegurar financiamiento después del segundo año.",
    ),
}
for _texto, _, _ in EMMIE:
    assert _texto in FRASES, _texto
INDICADORES = (
    ("Denuncias por robo en el sector intervenido", "Denuncias CEAD, comparación antes y después"),
    ("Percepción de inseguridad (% que se siente inseguro)", "Encuesta a residentes, antes y después"),
    ("Vehículos recuperados con alerta de patente", "Registro de la central de monitoreo"),
    ("Reingresos por nueva denuncia a los seis meses", "Registro del programa"),
    ("Llamados por desórdenes en los espacios intervenidos", "Registro de la central municipal"),
)


@cache
def _html(texto):
    """The sanitized rendering of a text (what html_al_dia stores), computed once per distinct text."""
    return markdown.a_html(texto)


def _textos(rng):
    return {campo: " ".join(sorted(rng.sample(frases, 6), key=frases.index)) for campo, frases in FRASES.items()}


def _publicada_en(rng, hoy):
    dia = hoy - timedelta(days=rng.randrange(5 * 365))
    return timezone.make_aware(datetime.combine(dia, time(rng.randrange(8, 20), rng.randrange(60))))


def sembrar(*, rng, escala, plataforma, con_mesa=frozenset()):
    """PRACTICAS × escala published practices; returns their ids. "Mesa" visibility only for organizations in
    `con_mesa` (those that share a mesa: practica_publicar refuses it otherwise)."""
    arbol = Arbol.vigente()
    hojas = [c for c in arbol.categorias if not arbol.hijos.get(c.pk)]
    total = max(1, round(PRACTICAS * escala))
    hoy = timezone.localdate()
    ids = []
    for inicio in range(0, total, LOTE):
        ids += _lote(rng, min(LOTE, total - inicio), plataforma, hojas, hoy, con_mesa)
    for inicio in range(0, len(ids), LOTE):
        indice_sincronizar(ids[inicio : inicio + LOTE])
    return ids


def _lote(rng, n, plataforma, hojas, hoy, con_mesa):
    practicas, extras = [], []
    visibilidades = [Practica.Visibilidad.PLATAFORMA] * 7 + [Practica.Visibilidad.PUBLICA] * 2
    for _ in range(n):
        org = rng.choice(plataforma.organizaciones)
        comuna, provincia = plataforma.territorio[org.pk]
        director = plataforma.personas[org.pk][Membresia.Rol.DIRECTOR]
        textos = _textos(rng)
        inicio = date(rng.randrange(2014, 2026), rng.randrange(1, 13), 1)
        practica = Practica(
            titulo=f"{rng.choice(ACCIONES)} {rng.choice(LUGARES)} de {comuna.nombre if comuna else provincia}"[:200],
            organizacion=org,
            comuna=comuna,
            provincia=provincia,
            region=provincia.region,
            periodo_inicio=inicio,
            periodo_fin=inicio + timedelta(days=rng.randrange(180, 1500)) if rng.random() < 0.6 else None,
            presupuesto=rng.randrange(2, 150) * 1_000_000,
            fuente_financiamiento=rng.choice(("Fondo Nacional de Seguridad Pública", "Presupuesto municipal", "")),
            calificacion=rng.choice(Practica.Calificacion.values),
            contacto_nombre=director.nombre,
            contacto_email=director.email,
            etiquetas=", ".join(rng.sample(ETIQUETAS, 3)),
            estado=Practica.Estado.PUBLICADA,
            visibilidad=rng.choice(visibilidades + ([Practica.Visibilidad.MESA] * 2 if org.pk in con_mesa else [])),
            autor=director,
            publicada_en=_publicada_en(rng, hoy),
            **textos,
        )
        for _, puntaje, _ in EMMIE:
            setattr(practica, puntaje, rng.randrange(5))
        practica.html = {campo: [markdown.huella(t), _html(t)] for campo in TEXTOS_MARKDOWN if (t := textos[campo])}
        categorias = rng.sample(hojas, rng.randrange(1, 4))
        resultados = []
        for orden, (indicador, como) in enumerate(rng.sample(INDICADORES, rng.randrange(1, 3)), start=1):
            base = rng.randrange(20, 200)
            resultados.append(
                {
                    "indicador": indicador,
                    "linea_base": str(base),
                    "resultado": str(max(0, base - rng.randrange(-10, base // 2 + 1))),
                    "como_se_midio": como,
                    "nivel_maryland": rng.randrange(1, 6),
                    "orden": orden,
                }
            )
        practica.texto_busqueda = texto_de_busqueda(
            practica, categorias=categorias, resultados=[Resultado(**r) for r in resultados]
        )
        practicas.append(practica)
        extras.append((categorias, resultados))
    practicas = Practica.objects.bulk_create(practicas)
    Enlace = Practica.categorias.through
    Enlace.objects.bulk_create(
        Enlace(practica_id=p.pk, categoria_id=c.pk)
        for p, (categorias, _) in zip(practicas, extras, strict=True)
        for c in categorias
    )
    Resultado.objects.bulk_create(
        Resultado(practica=p, **r) for p, (_, resultados) in zip(practicas, extras, strict=True) for r in resultados
    )
    VersionPractica.objects.bulk_create(
        VersionPractica(
            practica=p,
            numero=1,
            datos=foto_de_practica(p, categorias=[c.slug for c in categorias], resultados=resultados),
            por=p.autor,
        )
        for p, (categorias, resultados) in zip(practicas, extras, strict=True)
    )
    return [p.pk for p in practicas]
