"""National-scale diagnoses and indicators (manage.py sembrar_escala). EXAMPLE DATA: the population, the figures
and the diagnoses are fictitious, generated from the seed (never CEAD or INE figures).

Indicators and population go in by bulk insert, as a confirmed import writes them (the rate from tasa_de);
diagnoses through the services (diagnostico_crear, diagnostico_publicar), which keep their versions.
"""

import math

from comunas.models import Comuna, Poblacion
from comunas.taxonomia import Arbol
from diagnosticos.demo import ESCALA as TAMANOS
from diagnosticos.demo import TASA_NACIONAL, _casos
from diagnosticos.importacion import tasa_de
from diagnosticos.models import Diagnostico, Indicador, ProblemaPriorizado
from diagnosticos.services import VERSION_INDICADORES, diagnostico_crear, diagnostico_publicar
from nucleo.cache import version_nueva

INDICADORES = 200_000
DIAGNOSTICOS_POR_ORGANIZACION = 2
ULTIMO_ANIO = 2024
FUENTE = "Datos de ejemplo a escala nacional (ficticios): no son cifras del CEAD"
FUENTE_POBLACION = "Población de ejemplo (ficticia): no es una proyección del INE"
LOTE = 5_000


def _poblacion(rng, comunas, anios):
    """Fictitious inhabitants per commune and year (log-uniform sizes, a small yearly growth)."""
    filas, habitantes = [], {}
    for codigo in comunas:
        base = math.exp(rng.uniform(math.log(1_000), math.log(600_000)))
        crecimiento = rng.uniform(-0.005, 0.02)
        for anio in anios:
            valor = round(base * (1 + crecimiento) ** (anio - anios[0]))
            habitantes[codigo, anio] = valor
            filas.append(Poblacion(comuna_id=codigo, anio=anio, habitantes=valor, fuente=FUENTE_POBLACION))
    Poblacion.objects.bulk_create(filas, batch_size=LOTE)
    return habitantes


def sembrar_indicadores(*, rng, escala):
    """INDICADORES × escala yearly figures (casos policiales, with rate): every leaf of the taxonomy in force,
    the latest year first for every commune, then the year before, and so on. Returns how many."""
    arbol = Arbol.vigente()
    hojas = [c for c in arbol.categorias if not arbol.hijos.get(c.pk)]
    total = max(len(hojas), round(INDICADORES * escala))
    comunas = list(Comuna.objects.order_by("codigo").values_list("codigo", flat=True))
    pares = math.ceil(total / len(hojas))  # (commune, year) pairs needed
    anios = list(range(ULTIMO_ANIO - math.ceil(pares / len(comunas)) + 1, ULTIMO_ANIO + 1))
    habitantes = _poblacion(rng, comunas, anios)
    nivel = {}  # (commune, category) → yearly rate and trend
    filas, creados = [], 0
    for i in range(pares):
        anio, codigo = ULTIMO_ANIO - i // len(comunas), comunas[i % len(comunas)]
        poblacion = habitantes[codigo, anio]
        tamano = next(f for minimo, f in TAMANOS if habitantes[codigo, ULTIMO_ANIO] >= minimo)
        for categoria in hojas:
            if creados + len(filas) >= total:
                break
            tasa, tendencia = nivel.setdefault(
                (codigo, categoria.pk),
                (TASA_NACIONAL.get(categoria.slug, 10) * tamano * rng.uniform(0.7, 1.3), rng.uniform(-0.06, 0.05)),
            )
            frecuencia = _casos(rng, tasa * (1 + tendencia) ** (anio - anios[0]) * poblacion / 100_000)
            filas.append(
                Indicador(
                    territorio=codigo,
                    comuna_id=codigo,
                    categoria=categoria,
                    anio=anio,
                    medida=Indicador.Medida.CASOS_POLICIALES,
                    origen=Indicador.Origen.OTRO,
                    frecuencia=frecuencia,
                    tasa=tasa_de(frecuencia, poblacion),
                    fuente=FUENTE,
                )
            )
        if len(filas) >= LOTE:
            Indicador.objects.bulk_create(filas)
            creados, filas = creados + len(filas), []
    Indicador.objects.bulk_create(filas)
    version_nueva(VERSION_INDICADORES)
    return creados + len(filas)


def sembrar_diagnosticos(*, rng, escala, plataforma):
    """About two diagnoses per organization (× escala), four in five published; returns how many."""
    arbol = Arbol.vigente()
    hojas = [c for c in arbol.categorias if not arbol.hijos.get(c.pk)]
    total = max(2, round(len(plataforma.organizaciones) * DIAGNOSTICOS_POR_ORGANIZACION * escala))
    visibilidades = [Diagnostico.Visibilidad.PLATAFORMA] * 3 + [Diagnostico.Visibilidad.PUBLICA]
    for i in range(total):
        org = plataforma.organizaciones[i % len(plataforma.organizaciones)]
        autor = plataforma.director(org)
        anio_fin = rng.randrange(2018, 2026)
        datos = {
            "titulo": f"Diagnóstico comunal de seguridad pública {anio_fin - 1}–{anio_fin} — {org.territorio}",
            "anio_inicio": anio_fin - 1,
            "anio_fin": anio_fin,
            "contexto": "Diagnóstico de ejemplo a escala nacional: el territorio, sus cifras y sus problemas son "
            "ficticios.",
            "fuentes": "Indicadores de ejemplo cargados en la plataforma; encuesta comunal (ficticia).",
            "construccion": rng.choice(Diagnostico.Construccion.values),
            "conclusiones": "Los problemas priorizados orientan el plan comunal de seguridad pública.",
        }
        problemas = [
            {
                "categoria": categoria,
                "justificacion": "Alza sostenida en el período y preocupación vecinal.",
                **{criterio: rng.randrange(1, 6) for criterio in ProblemaPriorizado.CRITERIOS},
                "grupos_afectados": rng.sample(ProblemaPriorizado.Grupo.values, 2),
            }
            for categoria in rng.sample(hojas, rng.randrange(2, 5))
        ]
        diagnostico = diagnostico_crear(organizacion=org, por=autor, datos=datos, problemas=problemas)
        if rng.random() < 0.8:
            diagnostico_publicar(diagnostico=diagnostico, visibilidad=rng.choice(visibilidades), por=autor)
    return total
