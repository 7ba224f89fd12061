"""Demo diagnoses and indicators for the organizations of comunas/demo.py — EXAMPLE DATA, not real CEAD figures.

Population: comunas/data/poblacion_valparaiso_ejemplo.csv (approximate, see LEEME-poblacion.md). Indicators: five
years for every commune of the Valparaíso region and the demo provinces, generated from a fixed seed. Idempotent:
only missing rows are created; a diagnosis is looked up by organization and title.
"""

import csv
import math
import random
from pathlib import Path

from django.db import transaction

import comunas
from comunas.models import Comuna, Membresia, Organizacion, Poblacion
from comunas.taxonomia import Arbol, asegurar
from diagnosticos.importacion import tasa_de
from diagnosticos.models import Diagnostico, Indicador
from diagnosticos.services import VERSION_INDICADORES, diagnostico_crear, diagnostico_publicar
from nucleo.cache import version_nueva

POBLACION = Path(comunas.__file__).resolve().parent / "data" / "poblacion_valparaiso_ejemplo.csv"
FUENTE = "Datos de ejemplo (ficticios): no son cifras del CEAD"
FUENTE_POBLACION = "Aproximación de ejemplo (no es proyección oficial del INE)"
AVISO = "Ejemplo de demostración: el diagnóstico y sus cifras son ficticios.\n\n"
ANIOS = range(2020, 2025)  # the years of the example population file
# Yearly rate per 100,000 inhabitants of each subgroup or group (the leaves of CEAD 2024), casos policiales, in
# the order of magnitude of Chile's public figures (homicides about 6; hurtos in the hundreds). Example values.
TASA_NACIONAL = {
    "robo-con-homicidio": 0.3, "otros-homicidios": 5.4, "femicidios": 0.3,
    "violaciones": 18, "abusos-sexuales": 45, "acosos-sexuales": 14, "otros-delitos-sexuales": 9,
    "lesiones-graves-gravisimas": 24, "lesiones-menos-graves": 38, "lesiones-leves": 320,
    "amenazas-con-armas": 55, "amenazas-o-rina": 240,
    "robo-con-violencia-o-intimidacion": 310, "robo-violento-vehiculo": 38, "robo-por-sorpresa": 115,
    "vif-lesiones-fisicas": 190, "vif-lesiones-psicologicas": 140, "vif-maltrato-habitual": 18,
    "vif-amenazas": 75, "vif-no-clasificada": 16,
    "trafico": 9, "microtrafico": 48, "elaboracion-drogas": 1, "otras-infracciones-drogas": 9,
    "disparo-injustificado": 9, "porte-posesion-armas": 14, "otros-ley-de-armas": 4, "arma-cortante": 22,
    "robo-en-lugar-habitado": 240, "robo-en-lugar-no-habitado": 170, "robo-de-vehiculo-motorizado": 140,
    "robo-de-objetos-de-o-desde-vehiculo": 290, "otros-robos-con-fuerza": 38, "hurtos": 780, "receptacion": 38,
    "abigeato": 7, "otros-contra-la-propiedad": 55,
    "amenaza-o-rina-falta": 140, "rina-publica": 9, "consumo-drogas-via-publica": 75, "porte-drogas": 55,
    "consumo-alcohol-via-publica": 190, "danos": 330, "desordenes-publicos": 28, "comercio-ilegal": 110,
    "ofensas-al-pudor": 5, "animales-sueltos": 9, "otras-incivilidades": 75,
    "robo-frustrado": 38, "otros-delitos": 95,
}  # fmt: skip
# Large urban communes run higher than small rural ones.
ESCALA = [(150_000, 1.35), (50_000, 1.1), (15_000, 0.85), (0, 0.6)]
MEDIDA, ORIGEN = Indicador.Medida.CASOS_POLICIALES, Indicador.Origen.OTRO


# (territorio, problemas priorizados (slugs), contexto)
DIAGNOSTICOS = [
    ("05405", ["robo-en-lugar-habitado", "hurtos", "consumo-alcohol-via-publica"],
     "Comuna costera de baja densidad, con segundas viviendas vacías gran parte del año y población flotante en "
     "verano (Cachagua, Maitencillo)."),
    ("054", ["otros-robos-con-fuerza", "robo-en-lugar-no-habitado", "vif-lesiones-fisicas"],
     "Provincia rural y costera; robos de cables y en predios agrícolas; distancias largas a las comisarías."),
    ("055", ["robo-con-violencia-o-intimidacion", "amenazas-o-rina", "hurtos"],
     "Valle agrícola con trabajo de temporada y trayectos de madrugada."),
    ("051", ["vif-lesiones-fisicas", "robo-por-sorpresa", "comercio-ilegal"],
     "Provincia con los mayores centros urbanos de la región y alta actividad comercial y portuaria."),
    ("05602", ["danos", "desordenes-publicos", "consumo-alcohol-via-publica"],
     "Balneario con fuerte aumento de población en verano y espacios públicos deteriorados."),
    ("05603", ["hurtos", "rina-publica", "robo-en-lugar-habitado"],
     "Comuna turística del litoral central con comercio estacional."),
    ("05606", ["robo-en-lugar-habitado", "robo-de-vehiculo-motorizado"],
     "Comuna residencial de baja densidad con parcelas y condominios."),
    ("05801", ["robo-de-objetos-de-o-desde-vehiculo", "hurtos", "vif-lesiones-fisicas"],
     "Comuna urbana del Gran Valparaíso, conurbada con Villa Alemana."),
    ("05804", ["robo-por-sorpresa", "amenazas-o-rina", "lesiones-leves"],
     "Comuna urbana con crecimiento residencial reciente y comercio en el eje Valparaíso."),
]  # fmt: skip


def _poblacion():
    existentes = set(Poblacion.objects.values_list("comuna_id", "anio"))
    comunas = set(Comuna.objects.values_list("codigo", flat=True))
    with POBLACION.open(encoding="utf-8") as archivo:
        nuevas = [
            Poblacion(
                comuna_id=f["codigo"], anio=int(f["anio"]), habitantes=int(f["habitantes"]), fuente=FUENTE_POBLACION
            )
            for f in csv.DictReader(archivo, delimiter=";")
            if f["codigo"] in comunas and (f["codigo"], int(f["anio"])) not in existentes
        ]
    Poblacion.objects.bulk_create(nuevas)
    habitantes = {}
    for comuna, provincia, anio, valor in Poblacion.objects.values_list(
        "comuna_id", "comuna__provincia_id", "anio", "habitantes"
    ):
        habitantes[comuna, anio] = valor
        habitantes[provincia, anio] = habitantes.get((provincia, anio), 0) + valor
    return habitantes


def _casos(azar, esperados):
    """A Poisson draw (Knuth's method for small means, the normal approximation for large ones)."""
    if esperados > 50:
        return max(round(azar.gauss(esperados, esperados**0.5)), 0)
    limite, k, p = math.exp(-esperados), 0, 1.0
    while True:
        p *= azar.random()
        if p <= limite:
            return k
        k += 1


def _indicadores(habitantes, arbol):
    """Example figures for every leaf of the taxonomy in force, every commune of the Valparaíso region and the
    demo provinces, five years; families and groups are sums (computed by the charts, not stored)."""
    azar = random.Random(20965)  # noqa: S311 — not security: Ley 20.965: a fixed seed, the same figures on every load
    comunas = list(Comuna.objects.filter(provincia__region_id="05").values_list("codigo", "provincia_id"))
    provincias = {p for c, p in comunas if p in {"051", "054", "055"}}
    hojas = [c for c in arbol.categorias if not arbol.hijos.get(c.pk)]
    existentes = set(
        Indicador.objects.filter(territorio__in=[c for c, _ in comunas] + list(provincias), medida=MEDIDA).values_list(
            "territorio", "categoria_id", "anio"
        )
    )
    frecuencias = {}
    nuevos = []
    for codigo, provincia in comunas:
        tamano = habitantes.get((codigo, ANIOS[-1])) or 0
        escala = next(f for minimo, f in ESCALA if tamano >= minimo)
        for categoria in hojas:
            nivel = TASA_NACIONAL.get(categoria.slug, 10) * escala * azar.uniform(0.7, 1.3)
            tendencia = azar.uniform(-0.06, 0.05)
            for i, anio in enumerate(ANIOS):
                poblacion = habitantes.get((codigo, anio))
                if not poblacion:
                    continue
                frecuencia = _casos(azar, nivel * (1 + tendencia) ** i * poblacion / 100_000)
                clave = (provincia, categoria.pk, anio)
                frecuencias[clave] = frecuencias.get(clave, 0) + frecuencia
                if (codigo, categoria.pk, anio) not in existentes:
                    nuevos.append(_indicador(codigo, "comuna_id", categoria, anio, frecuencia, poblacion))
    for (provincia, categoria_pk, anio), frecuencia in frecuencias.items():
        if provincia in provincias and (provincia, categoria_pk, anio) not in existentes:
            poblacion = habitantes[provincia, anio]
            nuevos.append(
                _indicador(provincia, "provincia_id", arbol.por_pk[categoria_pk], anio, frecuencia, poblacion)
            )
    Indicador.objects.bulk_create(nuevos, batch_size=2000)
    version_nueva(VERSION_INDICADORES)
    return len(nuevos)


def _indicador(codigo, campo, categoria, anio, frecuencia, poblacion):
    return Indicador(
        territorio=codigo,
        **{campo: codigo},
        categoria=categoria,
        anio=anio,
        medida=MEDIDA,
        origen=ORIGEN,
        frecuencia=frecuencia,
        tasa=tasa_de(frecuencia, poblacion),
        fuente=FUENTE,
    )


def _diagnosticos(categorias):
    por_slug = {c.slug: c for c in categorias}
    for codigo, problemas, contexto in DIAGNOSTICOS:
        filtro = {"comuna_id": codigo} if len(codigo) == 5 else {"provincia_id": codigo}
        org = Organizacion.objects.filter(**filtro).first()
        if org is None:
            continue
        titulo = f"Diagnóstico de seguridad pública {ANIOS[-1]} — {org.territorio} (ejemplo)"
        if Diagnostico.objects.filter(organizacion=org, titulo=titulo).exists():
            continue
        autor = Membresia.objects.filter(organizacion=org, rol=Membresia.Rol.DIRECTOR).first()
        autor = autor.usuario if autor else None
        datos = {
            "titulo": titulo,
            "anio_inicio": ANIOS[0],
            "anio_fin": ANIOS[-1],
            "contexto": AVISO + contexto,
            "fuentes": "Indicadores de ejemplo cargados en la plataforma; encuesta comunal (ficticia).",
            "construccion": Diagnostico.Construccion.CONSEJO,
            "construccion_detalle": "Tres sesiones del consejo de seguridad pública (Ley 20.965) y diálogos barriales.",
            "conclusiones": "Los problemas priorizados orientan el plan comunal de seguridad pública.",
        }
        seleccion = [
            {"categoria": por_slug[s], "justificacion": "Alza sostenida en el período y preocupación vecinal."}
            for s in problemas
            if s in por_slug
        ]
        if codigo == "05405":  # a local problem in the commune's own words, tied to the nearest category
            seleccion.insert(1, PROBLEMA_LOCAL_ZAPALLAR | {"categoria": por_slug["robo-en-lugar-habitado"]})
        diagnostico = diagnostico_crear(organizacion=org, por=autor, datos=datos, problemas=seleccion)
        visibilidad = Diagnostico.Visibilidad.PUBLICA if codigo == "05405" else Diagnostico.Visibilidad.PLATAFORMA
        diagnostico_publicar(diagnostico=diagnostico, visibilidad=visibilidad, por=autor)


PROBLEMA_LOCAL_ZAPALLAR = {
    "problema_local": "Robos en segundas viviendas fuera de temporada",
    "justificacion": "Las viviendas quedan vacías de marzo a diciembre; los vecinos permanentes piden rondas.",
    "magnitud": 4,
    "tendencia": 4,
    "gravedad": 3,
    "factibilidad": 4,
    "grupos_afectados": ["personas_mayores", "comunidad"],
    "lugares": "Cachagua, Maitencillo y Zapallar centro (cuadrantes 1 y 2)",
}


@transaction.atomic
def cargar():
    """Creates what is missing; returns the number of indicators created."""
    asegurar()
    arbol = Arbol.vigente()
    creados = _indicadores(_poblacion(), arbol)
    _diagnosticos(arbol.categorias)
    return creados
