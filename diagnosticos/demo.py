"""Demo diagnoses and indicators for the organizations of comunas/demo.py — EXAMPLE DATA, not real CEAD figures.

Population: comunas/data/poblacion_valparaiso_ejemplo.csv (approximate, see LEEME-poblacion.md). Indicators: five
years for every commune of the Valparaíso region and the demo provinces, generated from a fixed seed. Idempotent:
only missing rows are created; a diagnosis is looked up by organization and title.
"""

import csv
import random
from pathlib import Path

from django.db import transaction

import comunas
from comunas.models import Categoria, Comuna, Membresia, Organizacion, Poblacion, Taxonomia
from comunas.taxonomia import cargar_taxonomia
from diagnosticos.importacion import tasa_de
from diagnosticos.models import Diagnostico, Indicador
from diagnosticos.services import _clave, diagnostico_crear, diagnostico_publicar

POBLACION = Path(comunas.__file__).resolve().parent / "data" / "poblacion_valparaiso_ejemplo.csv"
FUENTE = "Datos de ejemplo (ficticios): no son cifras del CEAD"
FUENTE_POBLACION = "Aproximación de ejemplo (no es proyección oficial del INE)"
AVISO = "Ejemplo de demostración: el diagnóstico y sus cifras son ficticios.\n\n"
ANIOS = range(2020, 2025)  # the years of the example population file
# Order of magnitude of the yearly rate per 100,000 inhabitants by group, for plausible-looking examples.
TASA_BASE = {"dmcs": 420, "incivilidades": 260, "vif": 90}
ENFASIS = {"hurtos": 3.0, "lesiones-leves": 1.4, "amenazas": 2.2, "danos": 1.5, "robo-en-lugar-habitado": 0.9}

# (territorio, problemas priorizados (slugs), contexto)
DIAGNOSTICOS = [
    ("05405", ["robo-en-lugar-habitado", "hurtos", "consumo-alcohol-via-publica"],
     "Comuna costera de baja densidad, con segundas viviendas vacías gran parte del año y población flotante en "
     "verano (Cachagua, Maitencillo)."),
    ("054", ["otros-robos-con-fuerza", "robo-en-lugar-no-habitado", "vif-mujer"],
     "Provincia rural y costera; robos de cables y en predios agrícolas; distancias largas a las comisarías."),
    ("055", ["robo-con-violencia-o-intimidacion", "amenazas", "hurtos"],
     "Valle agrícola con trabajo de temporada y trayectos de madrugada."),
    ("051", ["vif-mujer", "robo-por-sorpresa", "comercio-ambulante-o-clandestino"],
     "Provincia con los mayores centros urbanos de la región y alta actividad comercial y portuaria."),
    ("05602", ["danos", "desordenes", "consumo-alcohol-via-publica"],
     "Balneario con fuerte aumento de población en verano y espacios públicos deteriorados."),
    ("05603", ["hurtos", "rina-publica", "robo-en-lugar-habitado"],
     "Comuna turística del litoral central con comercio estacional."),
    ("05606", ["robo-en-lugar-habitado", "robo-de-vehiculo-motorizado"],
     "Comuna residencial de baja densidad con parcelas y condominios."),
    ("05801", ["robo-de-objetos-de-o-desde-vehiculo", "hurtos", "vif-mujer"],
     "Comuna urbana del Gran Valparaíso, conurbada con Villa Alemana."),
    ("05804", ["robo-por-sorpresa", "amenazas", "lesiones-leves"],
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


def _indicadores(habitantes, categorias):
    azar = random.Random(20965)  # noqa: S311 — not security: Ley 20.965: a fixed seed, the same figures on every load
    comunas = list(Comuna.objects.filter(provincia__region_id="05").values_list("codigo", "provincia_id"))
    provincias = {p for c, p in comunas if p in {"051", "054", "055"}}
    existentes = set(
        Indicador.objects.filter(territorio__in=[c for c, _ in comunas] + list(provincias)).values_list(
            "territorio", "categoria_id", "anio", "trimestre", "mes"
        )
    )
    existentes = {_clave(*k) for k in existentes}
    frecuencias = {}
    nuevos = []
    for codigo, provincia in comunas:
        for categoria in categorias:
            nivel = TASA_BASE[categoria.grupo] * ENFASIS.get(categoria.slug, azar.uniform(0.1, 1.0))
            nivel *= azar.uniform(0.5, 1.6)
            tendencia = azar.uniform(-0.08, 0.06)
            for i, anio in enumerate(ANIOS):
                poblacion = habitantes.get((codigo, anio))
                if not poblacion:
                    continue
                tasa = max(nivel * (1 + tendencia) ** i * azar.uniform(0.9, 1.1), 0)
                frecuencia = round(tasa * poblacion / 100_000)
                frecuencias[provincia, categoria.pk, anio] = frecuencias.get((provincia, categoria.pk, anio), 0)
                frecuencias[provincia, categoria.pk, anio] += frecuencia
                if _clave(codigo, categoria.pk, anio, None, None) not in existentes:
                    nuevos.append(_indicador(codigo, "comuna_id", categoria, anio, frecuencia, poblacion))
    for (provincia, categoria_pk, anio), frecuencia in frecuencias.items():
        if provincia in provincias and _clave(provincia, categoria_pk, anio, None, None) not in existentes:
            cat = next(c for c in categorias if c.pk == categoria_pk)
            nuevos.append(_indicador(provincia, "provincia_id", cat, anio, frecuencia, habitantes[provincia, anio]))
    Indicador.objects.bulk_create(nuevos, batch_size=2000)
    return len(nuevos)


def _indicador(codigo, campo, categoria, anio, frecuencia, poblacion):
    return Indicador(
        territorio=codigo,
        **{campo: codigo},
        categoria=categoria,
        anio=anio,
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
            (por_slug[s], "Alza sostenida en el período y preocupación vecinal.") for s in problemas if s in por_slug
        ]
        diagnostico = diagnostico_crear(organizacion=org, por=autor, datos=datos, problemas=seleccion)
        visibilidad = Diagnostico.Visibilidad.PUBLICA if codigo == "05405" else Diagnostico.Visibilidad.PLATAFORMA
        diagnostico_publicar(diagnostico=diagnostico, visibilidad=visibilidad, por=autor)


@transaction.atomic
def cargar():
    """Creates what is missing; returns the number of indicators created."""
    cargar_taxonomia(Taxonomia, Categoria)
    categorias = list(Categoria.objects.vigentes())
    creados = _indicadores(_poblacion(), categorias)
    _diagnosticos(categorias)
    return creados
