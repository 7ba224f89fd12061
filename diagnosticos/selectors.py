"""Reads for diagnoses and indicators: import preview, trends, comparison and recommended practices.

Each function runs a fixed number of queries whatever the number of rows (the comparison over all 346
communes and five years is pinned by a test).
"""

import re
import statistics
from dataclasses import dataclass

from django.http import Http404

from comunas.models import Categoria, Comuna, Organizacion, Provincia, Region
from diagnosticos import grupos
from diagnosticos import importacion as imp
from diagnosticos.access import diagnosticos_visibles
from diagnosticos.graficos import barras, cifra, lineas
from diagnosticos.models import Indicador
from diagnosticos.services import _clave, existentes
from practicas.access import practicas_visibles
from practicas.models import Practica

# --- Territories --------------------------------------------------------------------------------------------


CODIGO_CUT = re.compile(r"[0-9]{2,5}")


def es_codigo_cut(codigo):
    """Two to five ASCII digits: anything else never reaches a query, a URL or a file name."""
    return isinstance(codigo, str) and CODIGO_CUT.fullmatch(codigo) is not None


def territorio_de(codigo):
    """The commune, province or region of a CUT code, or 404."""
    modelo = {5: Comuna, 3: Provincia, 2: Region}.get(len(codigo)) if es_codigo_cut(codigo) else None
    if modelo is None:
        raise Http404("No existe ese territorio.")
    consulta = modelo.objects.select_related("provincia__region") if modelo is Comuna else modelo.objects
    try:
        return consulta.get(codigo=codigo)
    except modelo.DoesNotExist:
        raise Http404("No existe ese territorio.") from None


def territorio_o_none(codigo):
    try:
        return territorio_de(codigo)
    except Http404:
        return None


def nombre_de(territorio):
    if isinstance(territorio, Region):
        return territorio.nombre_oficial
    return str(territorio)


def territorios_de_la_plataforma():
    """The CUT codes of every active directorate on the platform (all mesas together, and those in none)."""
    codigos = Organizacion.objects.activas().values_list("comuna_id", "provincia_id")
    return [c or p for c, p in codigos]


def opciones_de_territorio():
    """Grouped choices for a territory picker: regions, provinces and communes (3 queries)."""
    regiones = list(Region.objects.all())
    provincias = list(Provincia.objects.all())
    comunas = list(Comuna.objects.all())
    grupos = [("Regiones", [(r.codigo, r.nombre_oficial) for r in regiones])]
    grupos.append(("Provincias", [(p.codigo, p.nombre) for p in provincias]))
    grupos.append(("Comunas", [(c.codigo, c.nombre) for c in sorted(comunas, key=lambda c: c.nombre)]))
    return grupos


# --- Import preview -----------------------------------------------------------------------------------------


def vista_previa(importacion, limite=100):
    """What confirming would do: how many indicators are created and updated, and the first rows in detail."""
    filas = importacion.filas
    ya = existentes(filas)
    ref = imp.Referencias.cargar()
    nombres = dict(Categoria.objects.vigentes().values_list("pk", "nombre"))
    actualizados = 0
    muestra = []
    for f in filas:
        anterior = ya.get(_clave(f[imp.TERRITORIO], f[imp.CATEGORIA], f[imp.ANIO], f[imp.TRIMESTRE], f[imp.MES]))
        actualizados += anterior is not None
        if len(muestra) < limite:
            periodo = str(f[imp.ANIO])
            periodo += f"-T{f[imp.TRIMESTRE]}" if f[imp.TRIMESTRE] else (f"-{f[imp.MES]:02d}" if f[imp.MES] else "")
            muestra.append(
                {
                    "fila": f[imp.FILA],
                    "territorio": f"{ref.nombre(f[imp.TERRITORIO])} ({f[imp.TERRITORIO]})",
                    "categoria": nombres.get(f[imp.CATEGORIA], "?"),
                    "periodo": periodo,
                    "frecuencia": cifra(f[imp.FRECUENCIA], 0),
                    "tasa": cifra(f[imp.TASA], 2),
                    "calculada": f[imp.CALCULADA],
                    "accion": "Actualiza" if anterior else "Nuevo",
                    "antes": f"{cifra(anterior[1], 0)} casos; tasa {cifra(anterior[2], 2)}" if anterior else "",
                }
            )
    return {"nuevos": len(filas) - actualizados, "actualizados": actualizados, "muestra": muestra}


# --- Trends -------------------------------------------------------------------------------------------------


def _resumen_serie(nombre, anios, valores, unidad):
    pares = [(a, v) for a, v in zip(anios, valores, strict=True) if v is not None]
    if not pares:
        return f"{nombre}: sin datos."
    (a0, v0), (a1, v1) = pares[0], pares[-1]
    if len(pares) == 1:
        return f"{nombre}: {cifra(v0)} {unidad} en {a0} (un solo año con datos)."
    cambio = ""
    if v0:
        variacion = (v1 - v0) * 100 / v0
        sentido = "subió" if variacion > 0 else "bajó" if variacion < 0 else "se mantuvo"
        cambio = f" ({sentido} {cifra(abs(variacion))} %)" if variacion else " (sin cambio)"
    a_max, v_max = max(pares, key=lambda p: p[1])
    return (
        f"{nombre}: de {cifra(v0)} {unidad} en {a0} a {cifra(v1)} en {a1}{cambio}. "
        f"El valor más alto fue {cifra(v_max)} en {a_max}."
    )


@dataclass
class Serie:
    categoria: Categoria
    unidad: str
    valores: list
    textos: list
    grafico: dict
    resumen: str

    @property
    def tabla(self):
        return [(p["anio"], p["valor"]) for p in self.grafico["puntos"]]


def tendencias(codigo):
    """Yearly series of every category with data in a territory: rate per 100,000 (cases when there is no rate)."""
    filas = list(
        Indicador.objects.anuales()
        .filter(territorio=codigo)
        .select_related("categoria")
        .order_by("categoria__orden", "anio")
    )
    anios = sorted({i.anio for i in filas})
    por_categoria = {}
    for indicador in filas:
        por_categoria.setdefault(indicador.categoria, {})[indicador.anio] = indicador
    series = []
    for categoria, por_anio in por_categoria.items():
        con_tasa = all(i.tasa is not None for i in por_anio.values())
        unidad = "por 100.000 habitantes" if con_tasa else "casos"
        campo = "tasa" if con_tasa else "frecuencia"
        valores = [getattr(por_anio[a], campo) if a in por_anio else None for a in anios]
        resumen = _resumen_serie(categoria.nombre, anios, valores, unidad)
        series.append(Serie(categoria, unidad, valores, [cifra(v) for v in valores], lineas(anios, valores), resumen))
    return anios, series


# --- Comparison ---------------------------------------------------------------------------------------------

AMBITOS = [
    ("mesa", "Territorios de las organizaciones de una mesa"),
    ("plataforma", "Territorios de todas las direcciones de la plataforma"),
    ("region", "Todas las comunas de una región"),
    ("pais", "Todas las comunas del país"),
]


def comparacion(*, categoria, anio, ambito="plataforma", region=None, mesa=None, codigos=None, destacados=()):
    """Territories ranked by rate per 100,000 on one category and year, with chart, table rows and summary.

    `mesa` (ambito "mesa") must be one the user may see: the view takes it from mesas_visibles."""
    consulta = Indicador.objects.anuales().filter(categoria=categoria, anio=anio).con_territorio()
    if codigos:
        consulta = consulta.filter(territorio__in=codigos)
    elif ambito == "mesa":
        consulta = consulta.filter(territorio__in=grupos.territorios(mesa.pk) if mesa else [])
    elif ambito == "region":
        consulta = consulta.filter(comuna__provincia__region_id=region)
    elif ambito == "pais":
        consulta = consulta.filter(comuna__isnull=False)
    else:
        consulta = consulta.filter(territorio__in=territorios_de_la_plataforma())
    filas = sorted(consulta, key=lambda i: (i.tasa is None, -(i.tasa or 0), i.territorio))
    datos = [(i.territorio, nombre_de(i.territorio_obj), i.tasa) for i in filas]
    con_tasa = [i for i in filas if i.tasa is not None]
    if not con_tasa:
        resumen = f"No hay tasas de {categoria.nombre} en {anio} para estos territorios."
    else:
        mediana = statistics.median(i.tasa for i in con_tasa)
        primero, ultimo = con_tasa[0], con_tasa[-1]
        resumen = (
            f"{categoria.nombre}, {anio}: {len(con_tasa)} territorios con tasa. La más alta es la de "
            f"{nombre_de(primero.territorio_obj)} ({cifra(primero.tasa)} por 100.000 habitantes) y la más baja "
            f"la de {nombre_de(ultimo.territorio_obj)} ({cifra(ultimo.tasa)}); la mediana es {cifra(mediana)}."
        )
        for lugar, indicador in enumerate(con_tasa, start=1):
            if indicador.territorio in destacados:
                resumen += f" {nombre_de(indicador.territorio_obj)} ocupa el lugar {lugar} de {len(con_tasa)}."
    return {
        "filas": [
            {"codigo": c, "nombre": n, "tasa": cifra(t), "frecuencia": cifra(i.frecuencia, 0), "fuente": i.fuente}
            for (c, n, t), i in zip(datos, filas, strict=True)
        ],
        "grafico": barras(datos, destacados=destacados),
        "destacado": any(c in destacados for c, _, _ in datos),
        "resumen": resumen,
    }


# --- Recommended practices ----------------------------------------------------------------------------------

ORDEN_EVIDENCIA = {
    Practica.Calificacion.EFECTIVA: 0,
    Practica.Calificacion.PROMETEDORA: 1,
    Practica.Calificacion.INSUFICIENTE: 2,
    Practica.Calificacion.SIN_EFECTO: 3,
    Practica.Calificacion.EFECTO_NEGATIVO: 4,
}
CERCANIA = {0: "Misma provincia", 1: "Misma región", 2: "Otra región"}
PUNTAJES = ["efecto_puntaje", "mecanismo_puntaje", "moderadores_puntaje", "implementacion_puntaje", "costo_puntaje"]


def recomendaciones(diagnostico, user, roles=None, por_problema=5):
    """For each prioritized problem, the visible published practices on its category: those from similar
    territories first (same province, then same region), and within each, best evidence first (CrimeSolutions
    rating, then the sum of the EMMIE scores). Returns the problems with `.recomendadas` (3 queries)."""
    problemas = list(diagnostico.problemas.select_related("categoria"))
    practicas = list(
        practicas_visibles(user, roles)
        .filter(estado=Practica.Estado.PUBLICADA, categorias__in=[p.categoria_id for p in problemas])
        .distinct()
        .select_related("organizacion", "comuna", "provincia", "region")
        .prefetch_related("categorias")
    )
    provincia = diagnostico.comuna.provincia if diagnostico.comuna_id else diagnostico.provincia

    def clave(practica):
        cercania = 0 if practica.provincia_id == provincia.pk else 1 if practica.region_id == provincia.region_id else 2
        practica.cercania = CERCANIA[cercania]
        emmie = sum(getattr(practica, c) or 0 for c in PUNTAJES)
        return (cercania, ORDEN_EVIDENCIA.get(practica.calificacion, 5), -emmie, practica.titulo)

    for problema in problemas:
        candidatas = [p for p in practicas if any(c.pk == problema.categoria_id for c in p.categorias.all())]
        problema.recomendadas = sorted(candidatas, key=clave)[:por_problema]
    return problemas


def diagnosticos_de_organizacion(user, organizacion, limite=5):
    """The organization's latest diagnoses this user may see (its profile page)."""
    diagnosticos = diagnosticos_visibles(user).filter(organizacion=organizacion).select_related("comuna", "provincia")
    return list(diagnosticos.order_by("-anio_fin", "-pk")[:limite])
