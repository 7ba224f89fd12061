"""Demo practices (example data, fictitious figures) for the organizations of comunas/demo.py.

Idempotent: a practice is looked up by organization and title and created only when missing; it goes
through the services, so search columns and version history are filled as in real use.
"""

import datetime

from django.db import transaction

from comunas import taxonomia
from comunas.models import Categoria, Membresia, Organizacion
from practicas.models import Practica, Replicacion
from practicas.services import (
    practica_actualizar,
    practica_crear,
    practica_publicar,
    replicacion_crear,
    replicacion_publicar_como_practica,
)

AVISO = "*Ejemplo de demostración: la práctica, las cifras y los contactos son ficticios.*\n\n"

# (comuna o provincia CUT, título, categorías, año de inicio, presupuesto CLP, calificación, visibilidad,
#  resumen, socios, resultados [(indicador, línea base, resultado, cómo se midió, nivel Maryland)])
# fmt: off
PRACTICAS = [
    ("05405", "Red de cámaras de televigilancia en accesos a Zapallar",
     ["robo-de-vehiculo-motorizado", "robo-en-lugar-habitado"], 2023, 85_000_000, "prometedora", "publica",
     "Instalación de 24 cámaras con lectura de patentes en los cuatro accesos de la comuna y una central de "
     "monitoreo municipal conectada con Carabineros.",
     "Carabineros (3ª Comisaría de La Ligua), juntas de vecinos de Cachagua y Maitencillo",
     [("Robos de vehículo motorizado (casos al año)", "41", "27", "Denuncias CEAD, comparación 2022 vs 2024", 2),
      ("Vehículos robados recuperados con alerta de patente", "0", "19", "Registro de la central de monitoreo", 1)]),
    ("05405", "Temporada de verano segura: patrullaje mixto en playas",
     ["hurtos", "robo-por-sorpresa", "consumo-alcohol-via-publica"], 2024, 32_000_000, "prometedora", "plataforma",
     "Patrullaje preventivo municipal y de Carabineros en playas y paseos costeros entre diciembre y marzo, "
     "con puntos de información al turista.",
     "Carabineros, Capitanía de Puerto, cámara de comercio local",
     [("Hurtos en sector costero (enero–febrero)", "63", "44", "Denuncias CEAD por cuadrante", 2)]),
    ("054", "Coordinación provincial contra el robo de cables y tendido eléctrico",
     ["robo-en-lugar-no-habitado", "otros-robos-con-fuerza"], 2023, 12_000_000, "insuficiente", "plataforma",
     "Mesa técnica provincial con empresas eléctricas y de telecomunicaciones para mapear puntos críticos y "
     "coordinar fiscalización de chatarrerías.",
     "Fiscalía local, PDI, empresas distribuidoras, municipios de Petorca y Cabildo",
     [("Cortes de suministro por robo de cable", "18", "15", "Registro de las empresas distribuidoras", 1)]),
    ("055", "Rutas seguras para trabajadoras agrícolas de temporada",
     ["robo-con-violencia-o-intimidacion", "amenazas-o-rina"], 2024, 20_000_000, "prometedora", "publica",
     "Buses de acercamiento y paraderos iluminados en los trayectos de madrugada entre los fundos y los centros "
     "poblados, definidos junto a las trabajadoras.",
     "Seremi del Trabajo, empresas agrícolas, sindicatos de temporeras, Carabineros",
     [("Robos con violencia en trayectos de madrugada", "22", "12", "Denuncias y encuesta a trabajadoras", 3),
      ("Trabajadoras que se sienten seguras en el trayecto", "38%", "71%", "Encuesta antes y después (n=220)", 2)]),
    ("051", "Atención en red a mujeres víctimas de violencia intrafamiliar",
     ["vif-lesiones-fisicas", "lesiones-leves", "amenazas-o-rina"], 2022, 45_000_000, "efectiva", "plataforma",
     "Protocolo provincial de derivación entre policías, centros de la mujer y salud, con seguimiento a 72 horas "
     "de cada denuncia y acompañamiento en las audiencias.",
     "Centros de la Mujer (SernamEG), Carabineros, PDI, fiscalía, servicio de salud",
     [("Reingresos por nueva denuncia VIF a los 6 meses", "31%", "19%",
       "Cohortes 2021 y 2023, registro del programa", 3),
      ("Mujeres que asisten a la audiencia acompañadas", "22%", "84%", "Registro del programa", 2)]),
    ("05602", "Algarrobo: recuperación de espacios públicos con la comunidad",
     ["danos", "desordenes-publicos", "consumo-alcohol-via-publica"], 2023, 60_000_000, "prometedora", "publica",
     "Diseño participativo de tres plazas con iluminación LED, juegos y mobiliario, y un programa de actividades "
     "deportivas nocturnas para jóvenes.",
     "Juntas de vecinos, clubes deportivos, Instituto Nacional de Deportes",
     [("Llamados por desórdenes en las plazas intervenidas", "112", "64", "Registro de la central municipal", 3)]),
    ("05602", "Fiscalización coordinada del comercio ambulante en temporada estival",
     ["comercio-ilegal", "hurtos"], 2024, 8_000_000, "insuficiente", "plataforma",
     "Operativos conjuntos de inspección municipal y Carabineros con oferta de permisos transitorios y ferias "
     "autorizadas para comerciantes locales.",
     "Carabineros, Servicio de Impuestos Internos, agrupación de comerciantes",
     [("Puestos ambulantes sin permiso en la costanera (conteo semanal)", "57", "31", "Conteo de inspectores", 1)]),
    ("05603", "Cartagena: mediación vecinal para ruidos molestos y conflictos",
     ["otras-incivilidades", "amenazas-o-rina", "rina-publica"], 2022, 18_000_000, "prometedora", "plataforma",
     "Centro de mediación comunitaria con mediadores capacitados que atienden conflictos entre vecinos antes de "
     "que escalen a denuncias o agresiones.",
     "Corporación de Asistencia Judicial, juntas de vecinos, Carabineros",
     [("Casos mediados con acuerdo cumplido a 3 meses", "—", "68%", "Seguimiento telefónico del centro", 1),
      ("Denuncias por ruidos molestos", "240", "198", "Registro de denuncias municipal", 2)]),
    ("05603", "Prevención del consumo de alcohol en la vía pública en fiestas costumbristas",
     ["consumo-alcohol-via-publica", "rina-publica"], 2024, 6_500_000, "sin_efecto", "plataforma",
     "Campaña comunicacional y puntos de control en accesos a las fiestas de verano. La evaluación no mostró "
     "cambios: se comparte para no repetir el diseño sin ajustes.",
     "Senda Previene, Carabineros, organizadores de las fiestas",
     [("Detenciones por ebriedad durante las fiestas", "34", "36", "Partes policiales, 2023 vs 2024", 2)]),
    ("05606", "Santo Domingo: vigilancia de viviendas de veraneo en temporada baja",
     ["robo-en-lugar-habitado", "robo-en-lugar-no-habitado"], 2023, 25_000_000, "efectiva", "publica",
     "Inscripción voluntaria de viviendas desocupadas para rondas de seguridad municipal, con aviso inmediato al "
     "propietario y a Carabineros ante cualquier anomalía.",
     "Carabineros, administradores de condominios, comités de seguridad",
     [("Robos en viviendas inscritas (por 100 viviendas al año)", "6,1", "1,8",
       "Comparación con viviendas no inscritas del mismo sector", 3)]),
    ("05801", "Quilpué: alarmas comunitarias y comités de seguridad vecinal",
     ["robo-en-lugar-habitado", "robo-con-violencia-o-intimidacion"], 2022, 40_000_000, "prometedora", "plataforma",
     "Entrega de 1.200 alarmas comunitarias a comités organizados, con capacitación y un protocolo de reacción "
     "acordado con Carabineros.",
     "Comités de seguridad vecinal, Carabineros, Fondo Nacional de Seguridad Pública",
     [("Robos en lugar habitado en villas con alarma", "88", "61", "Denuncias CEAD por unidad vecinal", 3),
      ("Comités activos un año después", "40", "33", "Registro municipal de comités", 1)]),
    ("05801", "Quilpué: patrullaje preventivo focalizado en puntos calientes",
     ["robo-por-sorpresa", "robo-de-objetos-de-o-desde-vehiculo"], 2024, 55_000_000, "prometedora", "plataforma",
     "Análisis semanal de denuncias para asignar el patrullaje municipal a los 15 segmentos de calle con más "
     "robos, con tiempos de permanencia definidos.",
     "Carabineros (análisis criminal), centro de monitoreo municipal",
     [("Robos por sorpresa en los puntos calientes", "132", "97", "Denuncias CEAD georreferenciadas", 3)]),
    ("05804", "Villa Alemana: escuelas seguras y prevención del acoso escolar",
     ["amenazas-o-rina", "lesiones-leves", "vif-maltrato-habitual"], 2023, 22_000_000, "insuficiente", "plataforma",
     "Duplas psicosociales en seis liceos, talleres de convivencia y un canal de denuncia anónima para "
     "estudiantes, coordinado con la red de infancia.",
     "Departamento de Educación Municipal, Oficina de Protección de Derechos, Carabineros",
     [("Denuncias de agresiones en el entorno escolar", "47", "40", "Registro de los establecimientos", 1)]),
    ("05804", "Villa Alemana: recuperación de sitios eriazos usados como microbasurales",
     ["danos", "otras-incivilidades"], 2024, 15_000_000, "efecto_negativo", "plataforma",
     "Cierre perimetral de sitios eriazos. Los residuos y los daños se desplazaron a calles vecinas; se comparte "
     "el aprendizaje y la segunda versión, con huertos comunitarios.",
     "Juntas de vecinos, Dirección de Aseo municipal",
     [("Reclamos por microbasurales en el sector", "35", "52", "Registro de reclamos municipal", 2)]),
]
# fmt: on


# Replications (origin CUT, origin title, replicating CUT, status, start, adaptations, outcomes measured there,
#  title when it is also published as the replicating organization's own practice, continuing the chain A → B → C).
# fmt: off
REPLICACIONES = [
    ("05606", "Santo Domingo: vigilancia de viviendas de veraneo en temporada baja", "05602", "finalizada",
     datetime.date(2024, 4, 1),
     "Rondas en bicicleta eléctrica en los sectores de Mirasol y El Yeco; inscripción en línea.",
     [("Robos en viviendas inscritas (por 100 viviendas al año)", "5,4", "2,6",
       "Comparación con viviendas no inscritas del mismo sector", 3)], None),
    ("05606", "Santo Domingo: vigilancia de viviendas de veraneo en temporada baja", "05603", "en_curso",
     datetime.date(2025, 3, 1), "Solo en el borde costero; las rondas las hace el equipo de inspección.",
     [("Robos en viviendas inscritas (por 100 viviendas al año)", "7,2", "4,9", "Registro municipal", 2)], None),
    ("05801", "Quilpué: alarmas comunitarias y comités de seguridad vecinal", "05804", "finalizada",
     datetime.date(2023, 6, 1), "Alarmas con botón en la aplicación municipal además del control remoto.",
     [("Robos en lugar habitado en villas con alarma", "64", "47", "Denuncias CEAD por unidad vecinal", 3),
      ("Tiempo de llegada de la patrulla municipal (minutos)", "18", "9", "Registro de la central", 1)],
     "Villa Alemana: alarmas comunitarias con aviso desde la aplicación municipal"),
    ("05602", "Algarrobo: recuperación de espacios públicos con la comunidad", "05603", "planificada",
     datetime.date(2026, 1, 15), "Una plaza piloto en el sector de San Sebastián antes de extenderlo.", [], None),
]
# The chain: Villa Alemana's version of Quilpué's alarms, replicated in turn by the province of Petorca.
CADENA = ("054", "en_curso", datetime.date(2025, 5, 1),
          "Alarmas para juntas de vecinos rurales de La Ligua y Cabildo, con radio en vez de aplicación.",
          [("Robos en lugar habitado en villas con alarma", "21", "16", "Denuncias CEAD", 2)])
# fmt: on


def _director(organizacion):
    director = Membresia.objects.filter(organizacion=organizacion, rol=Membresia.Rol.DIRECTOR).first()
    return director.usuario if director else None


def _resultados(filas):
    return [
        {"indicador": i, "linea_base": b, "resultado": r, "como_se_midio": m, "nivel_maryland": n}
        for i, b, r, m, n in filas
    ]


def _replicar(practica, organizacion, estado, inicio, adaptaciones, resultados):
    """The replication of `practica` by `organizacion`, created when missing."""
    existente = Replicacion.objects.filter(practica=practica, organizacion=organizacion).first()
    if existente:
        return existente, False
    datos = {"estado": estado, "fecha_inicio": inicio, "adaptaciones": AVISO + adaptaciones}
    replicacion = replicacion_crear(
        practica=practica,
        organizacion=organizacion,
        por=_director(organizacion),
        datos=datos,
        resultados=_resultados(resultados),
    )
    return replicacion, True


def _publicar_propia(replicacion, titulo):
    """The replicating organization's own version in the library (a link in the chain A → B → C)."""
    if replicacion.practica_resultante_id:
        return replicacion.practica_resultante
    por = _director(replicacion.organizacion)
    practica = replicacion_publicar_como_practica(replicacion=replicacion, por=por)
    datos = {"titulo": titulo, "calificacion": "prometedora"}
    practica = practica_actualizar(practica=practica, por=por, datos=datos)
    return practica_publicar(practica=practica, visibilidad=Practica.Visibilidad.PLATAFORMA, por=por)


def cargar_replicaciones():
    """Creates the missing demo replications (idempotent); returns how many were created."""
    creadas = 0
    propia = None
    for origen, titulo, codigo, estado, inicio, adaptaciones, resultados, titulo_propia in REPLICACIONES:
        practica = Practica.objects.get(organizacion=_organizacion(origen), titulo=titulo)
        replicacion, nueva = _replicar(practica, _organizacion(codigo), estado, inicio, adaptaciones, resultados)
        creadas += nueva
        if titulo_propia:
            propia = _publicar_propia(replicacion, titulo_propia)
    if propia is not None:
        codigo, estado, inicio, adaptaciones, resultados = CADENA
        _, nueva = _replicar(propia, _organizacion(codigo), estado, inicio, adaptaciones, resultados)
        creadas += nueva
    return creadas


def _organizacion(codigo):
    campo = "comuna_id" if len(codigo) == 5 else "provincia_id"
    return Organizacion.objects.get(**{campo: codigo})


@transaction.atomic
def cargar():
    """Creates the missing demo practices (needs comunas.demo.cargar first); returns how many were created."""
    taxonomia.asegurar()
    creadas = 0
    for codigo, titulo, slugs, anio, presupuesto, calificacion, visibilidad, resumen, socios, resultados in PRACTICAS:
        organizacion = _organizacion(codigo)
        if Practica.objects.filter(organizacion=organizacion, titulo=titulo).exists():
            continue
        director = Membresia.objects.filter(organizacion=organizacion, rol=Membresia.Rol.DIRECTOR).first()
        autor = director.usuario if director else None
        practica = practica_crear(
            organizacion=organizacion,
            por=autor,
            datos={
                "titulo": titulo,
                "resumen": AVISO + resumen,
                "socios": socios,
                "periodo_inicio": datetime.date(anio, 3, 1),
                "presupuesto": presupuesto,
                "fuente_financiamiento": "Presupuesto municipal y Fondo Nacional de Seguridad Pública (ejemplo)",
                "calificacion": calificacion,
                "efecto": f"Ejemplo de demostración. {resultados[0][0]}: de {resultados[0][1]} a {resultados[0][2]}.",
                "efecto_puntaje": max(r[4] for r in resultados) - 1,
                "implementacion": "Ejemplo de demostración: equipo municipal de seguridad, coordinación mensual.",
                "contacto_nombre": autor.nombre if autor else "",
                "contacto_email": organizacion.email_contacto,
                "etiquetas": "ejemplo, demostración",
            },
            categorias=Categoria.objects.vigentes().filter(slug__in=slugs),
            resultados=[
                {"indicador": i, "linea_base": b, "resultado": r, "como_se_midio": m, "nivel_maryland": n}
                for i, b, r, m, n in resultados
            ],
        )
        practica_publicar(practica=practica, visibilidad=visibilidad, por=autor)
        creadas += 1
    cargar_replicaciones()
    return creadas
