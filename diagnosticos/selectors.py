"""Reads for diagnoses and indicators: import preview, trends, comparison and recommended practices.

Each function runs a fixed number of queries whatever the number of rows (the comparison over all 346
communes and five years is pinned by a test).
"""

import re
import statistics
from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.http import Http404

from comunas.models import Categoria, Comuna, Organizacion, Provincia, Region
from comunas.taxonomia import Arbol
from diagnosticos import grupos
from diagnosticos import importacion as imp
from diagnosticos.access import diagnosticos_visibles
from diagnosticos.graficos import barras, cifra, lineas
from diagnosticos.models import Indicador, ProblemaPriorizado
from diagnosticos.services import VERSION_INDICADORES, clave_de_fila, existentes
from nucleo.cache import clave_de, guardado
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
    arbol = Arbol.vigente()
    medidas, origenes = dict(Indicador.Medida.choices), dict(Indicador.Origen.choices)
    actualizados = 0
    muestra = []
    for f in filas:
        anterior = ya.get(clave_de_fila(f))
        actualizados += anterior is not None
        if len(muestra) < limite:
            periodo = str(f[imp.ANIO])
            periodo += f"-T{f[imp.TRIMESTRE]}" if f[imp.TRIMESTRE] else (f"-{f[imp.MES]:02d}" if f[imp.MES] else "")
            muestra.append(
                {
                    "fila": f[imp.FILA],
                    "territorio": f"{ref.nombre(f[imp.TERRITORIO])} ({f[imp.TERRITORIO]})",
                    "categoria": arbol.etiqueta(arbol.por_pk[f[imp.CATEGORIA]])
                    if f[imp.CATEGORIA] in arbol.por_pk
                    else "?",
                    "medida": f"{f[imp.MEDIDA_NOMBRE] or medidas[f[imp.MEDIDA]]} · {origenes[f[imp.ORIGEN]]}",
                    "periodo": periodo,
                    "frecuencia": cifra(f[imp.FRECUENCIA], 0),
                    "tasa": cifra(f[imp.TASA], 2),
                    "calculada": f[imp.CALCULADA],
                    "accion": "Actualiza" if anterior else "Nuevo",
                    "antes": f"{cifra(anterior[1], 0)} casos; tasa {cifra(anterior[2], 2)}" if anterior else "",
                }
            )
    return {"nuevos": len(filas) - actualizados, "actualizados": actualizados, "muestra": muestra}


# --- Figures over the taxonomy tree ------------------------------------------------------------------------
# Figures may be stored at any level of the tree (a CEAD table brings families, groups and subgroups; a
# municipal record may bring only a group). A node's value is its own stored figure, else the sum of its
# children's values: a family is the sum of its groups. Rates add up the same way (same population).


@dataclass(frozen=True)
class MedidaFuente:
    medida: str
    medida_nombre: str
    origen: str


def medidas_disponibles():
    """The (medida, nombre, origen) combinations with figures, most used first, each with its label (1 query, over
    every indicator: cached until indicators change)."""
    return guardado(VERSION_INDICADORES, ("medidas",), _medidas_disponibles)


def _medidas_disponibles():
    medidas, origenes = dict(Indicador.Medida.choices), dict(Indicador.Origen.choices)
    filas = (
        Indicador.objects.order_by()
        .values_list("medida", "medida_nombre", "origen")
        .annotate(n=Count("pk"))
        .order_by("-n", "medida", "origen")
    )
    return [
        {
            "valor": f"{m}|{n}|{o}",
            "etiqueta": f"{n or medidas[m]} · {origenes[o]}",
            "clave": MedidaFuente(m, n, o),
        }
        for m, n, o, _ in filas
    ]


def _indice(filas):
    """{(territorio, anio, categoria_id): (frecuencia, tasa)} of stored figures."""
    return {(i.territorio, i.anio, i.categoria_id): (i.frecuencia, i.tasa) for i in filas}


def valor_en_arbol(arbol, indice, categoria, territorio, anio):
    """(frecuencia, tasa) of a node: its own figure, else the sum over its children (None where nothing is)."""
    propio = indice.get((territorio, anio, categoria.pk))
    if propio is not None:
        return propio
    partes = [valor_en_arbol(arbol, indice, h, territorio, anio) for h in arbol.hijos.get(categoria.pk, [])]
    partes = [p for p in partes if p is not None]
    if not partes:
        return None
    frecuencias = [f for f, _ in partes if f is not None]
    tasas = [t for _, t in partes]
    return (sum(frecuencias) if frecuencias else None, sum(tasas) if None not in tasas else None)


def _anteriores_de(arbol, categoria):
    """Categories of earlier taxonomy versions whose every crosswalk destination lies inside this node's subtree:
    their figures continue this node's series before the change of classification."""
    dentro = {c.pk for c in arbol.descendientes(categoria)}
    candidatas = Categoria.objects.filter(equivale_a__in=dentro).prefetch_related("equivale_a").distinct()
    return [c for c in candidatas if {d.pk for d in c.equivale_a.all()} <= dentro]


# --- Trends -------------------------------------------------------------------------------------------------


def _resumen_serie(nombre, anios, valores, unidad, decimales=1):
    pares = [(a, v) for a, v in zip(anios, valores, strict=True) if v is not None]
    if not pares:
        return f"{nombre}: sin datos."
    (a0, v0), (a1, v1) = pares[0], pares[-1]
    if len(pares) == 1:
        return f"{nombre}: {cifra(v0, decimales)} {unidad} en {a0} (un solo año con datos)."
    cambio = ""
    if v0:
        variacion = (v1 - v0) * 100 / v0
        sentido = "subió" if variacion > 0 else "bajó" if variacion < 0 else "se mantuvo"
        cambio = f" ({sentido} {cifra(abs(variacion))} %)" if variacion else " (sin cambio)"
    a_max, v_max = max(pares, key=lambda p: p[1])
    return (
        f"{nombre}: de {cifra(v0, decimales)} {unidad} en {a0} a {cifra(v1, decimales)} en {a1}{cambio}. "
        f"El valor más alto fue {cifra(v_max, decimales)} en {a_max}."
    )


@dataclass
class Serie:
    categoria: Categoria
    unidad: str
    valores: list
    textos: list
    grafico: dict
    resumen: str
    empalmada: bool = False  # some years come from the earlier classification through the crosswalk
    tiene_hijas: bool = False

    anios: list = None

    @property
    def tabla(self):
        """(year, value as text) for every year of the series, "sin dato" where it has none."""
        filas = zip(self.anios, self.valores, self.textos, strict=True)
        return [(a, "sin dato" if v is None else t) for a, v, t in filas]


def tendencias(codigo, *, medida=None, padre=None, arbol=None):
    """Yearly series of a territory for the families of the taxonomy in force (or the children of `padre`),
    in one measure and source (`medida`: a MedidaFuente; the most used one by default). Each series keeps one unit:
    the rate per 100,000 when every year has it, else cases; a year missing from the new classification is
    taken, when the crosswalk allows it, from the earlier one and the series says so. Three queries."""
    arbol = arbol or Arbol.vigente()
    nodos = arbol.hijos.get(padre.pk, []) if padre else arbol.raices()
    consulta = Indicador.objects.anuales().filter(territorio=codigo)
    if medida is not None:
        consulta = consulta.filter(medida=medida.medida, medida_nombre=medida.medida_nombre, origen=medida.origen)
    filas = list(consulta.only("territorio", "anio", "categoria_id", "frecuencia", "tasa"))
    indice = _indice(filas)
    anios = sorted({i.anio for i in filas})
    puente = {}  # node pk → [earlier categories that continue it]
    vigentes = {c.pk for c in arbol.categorias}
    if any(i.categoria_id not in vigentes for i in filas):
        for nodo in nodos:
            puente[nodo.pk] = _anteriores_de(arbol, nodo)
    series = []
    for nodo in nodos:
        por_anio, empalmada = {}, False
        for anio in anios:
            valor = valor_en_arbol(arbol, indice, nodo, codigo, anio)
            if valor is None and puente.get(nodo.pk):
                viejas = [indice.get((codigo, anio, c.pk)) for c in puente[nodo.pk]]
                viejas = [v for v in viejas if v is not None]
                if viejas:
                    frecuencias = [f for f, _ in viejas if f is not None]
                    tasas = [t for _, t in viejas]
                    valor = (sum(frecuencias) if frecuencias else None, sum(tasas) if None not in tasas else None)
                    empalmada = True
            if valor is not None:
                por_anio[anio] = valor
        if not por_anio:
            continue
        # One unit per chart: the rate whenever some year has it (a year without population stays blank and the
        # summary says so), cases only when no year has a rate. Adding a year never switches the unit.
        con_tasa = any(t is not None for _, t in por_anio.values())
        unidad, decimales = ("por 100.000 habitantes", 1) if con_tasa else ("casos", 0)
        valores = [por_anio[a][1 if con_tasa else 0] if a in por_anio else None for a in anios]
        resumen = _resumen_serie(nodo.nombre, anios, valores, unidad, decimales)
        if empalmada:
            resumen += " Incluye años de la clasificación anterior del CEAD, empalmados por equivalencia."
        sin_tasa = [str(a) for a in anios if a in por_anio and por_anio[a][1] is None]
        if con_tasa and sin_tasa:
            resumen += (
                f" Sin tasa en {', '.join(sin_tasa)}: falta la población de ese año, por eso el gráfico no tiene ese"
                " punto."
            )
        elif not con_tasa:
            resumen += " Sin población registrada para calcular tasas: se muestran casos."
        grafico = lineas(anios, valores, decimales=decimales)
        tiene_hijas = bool(arbol.hijos.get(nodo.pk))
        textos = [cifra(v, decimales) for v in valores]
        series.append(Serie(nodo, unidad, valores, textos, grafico, resumen, empalmada, tiene_hijas, anios))
    return anios, series


# --- Comparison ---------------------------------------------------------------------------------------------

AMBITOS = [
    ("mesa", "Territorios de las organizaciones de una mesa"),
    ("plataforma", "Territorios de todas las direcciones de la plataforma"),
    ("region", "Todas las comunas de una región"),
    ("pais", "Todas las comunas del país"),
]


def anios_con_tasas(medida=None):
    """Years with yearly figures, most recent first, and the latest one where rates exist (the default). Cached
    until indicators change: a DISTINCT over every indicator."""
    return guardado(VERSION_INDICADORES, ("anios", medida), lambda: _anios_con_tasas(medida))


def _anios_con_tasas(medida):
    consulta = Indicador.objects.anuales()
    if medida is not None:
        consulta = consulta.filter(medida=medida.medida, medida_nombre=medida.medida_nombre, origen=medida.origen)
    anios = list(consulta.order_by("-anio").values_list("anio", flat=True).distinct())
    con_tasa = consulta.filter(tasa__isnull=False).order_by("-anio").values_list("anio", flat=True).first()
    return anios, con_tasa


def familia_con_mas_datos(arbol, medida=None):
    """The slug of the family with the most figures (the comparison's default category), or None (1 query over every
    indicator, cached until indicators change)."""
    return guardado(
        VERSION_INDICADORES, ("familia", medida, tuple(arbol.por_pk)), lambda: _familia_con_mas_datos(arbol, medida)
    )


def _familia_con_mas_datos(arbol, medida):
    consulta = Indicador.objects.filter(categoria__in=list(arbol.por_pk)).order_by()
    if medida is not None:
        consulta = consulta.filter(medida=medida.medida, medida_nombre=medida.medida_nombre, origen=medida.origen)
    por_familia = {}
    for categoria_id, n in consulta.values_list("categoria_id").annotate(n=Count("pk")):
        familia = arbol.ruta(arbol.por_pk[categoria_id])[0]
        por_familia[familia.slug] = por_familia.get(familia.slug, 0) + n
    return max(por_familia, key=por_familia.get) if por_familia else None


def comparacion(
    *,
    categoria,
    anio,
    medida=None,
    ambito="plataforma",
    region=None,
    mesa=None,
    codigos=None,
    destacados=(),
    arbol=None,
):
    """Territories ranked by rate per 100,000 on one category (any level of the tree: a family is the sum of its
    groups) and year, in one measure and source, with chart, table rows and summary. The figures are read as plain
    values (the whole country is thousands of rows) and the result, chart included, is cached until indicators
    change, under every input it depends on (the territories of a mesa or of the platform are read first).

    `mesa` (ambito "mesa") must be one the user may see: the view takes it from diagnosticos.grupos."""
    arbol = arbol or Arbol.vigente()
    if codigos:
        lista = sorted(codigos)
    elif ambito == "mesa":
        lista = sorted(grupos.territorios(mesa.pk)) if mesa else []
    elif ambito in ("region", "pais"):
        lista = None
    else:
        lista = sorted(territorios_de_la_plataforma())
    partes = ("comparacion", categoria.pk, anio, medida, ambito, region, lista, sorted(destacados), tuple(arbol.por_pk))
    resultado = guardado(
        VERSION_INDICADORES,
        partes,
        lambda: _comparacion(categoria, anio, medida, ambito, region, lista, set(destacados), arbol),
    )
    return {**resultado, "clave": clave_de(VERSION_INDICADORES, partes)}  # the template caches the chart under it


def _comparacion(categoria, anio, medida, ambito, region, lista, destacados, arbol):
    subarbol = [c.pk for c in arbol.descendientes(categoria)]
    consulta = Indicador.objects.anuales().filter(categoria__in=subarbol, anio=anio)
    if medida is not None:
        consulta = consulta.filter(medida=medida.medida, medida_nombre=medida.medida_nombre, origen=medida.origen)
    if lista is not None:
        consulta = consulta.filter(territorio__in=lista)
    elif ambito == "region":
        consulta = consulta.filter(comuna__provincia__region_id=region)
    else:  # the whole country: every commune
        consulta = consulta.filter(comuna__isnull=False)
    indice, fuentes, territorios = {}, {}, {}
    filas = consulta.values_list(
        "territorio", "categoria_id", "frecuencia", "tasa", "fuente", "comuna__nombre", "provincia__nombre",
        "region__nombre_oficial",
    )  # fmt: skip
    for territorio, categoria_id, frecuencia, tasa, fuente, comuna, provincia, region in filas:
        indice[territorio, anio, categoria_id] = (frecuencia, tasa)
        fuentes.setdefault(territorio, fuente)
        territorios.setdefault(territorio, comuna or (f"Provincia de {provincia}" if provincia else region))
    valores = {}
    for codigo in territorios:
        valor = valor_en_arbol(arbol, indice, categoria, codigo, anio)
        if valor is not None:
            valores[codigo] = valor
    orden = sorted(valores, key=lambda c: (valores[c][1] is None, -(valores[c][1] or 0), c))
    datos = [(c, (territorios[c]), valores[c][1]) for c in orden]
    con_tasa = [c for c in orden if valores[c][1] is not None]
    sin_tasa = [(territorios[c]) for c in orden if valores[c][1] is None]
    nombre = arbol.etiqueta(categoria)
    if not con_tasa:
        resumen = f"No hay tasas de {nombre} en {anio} para estos territorios."
    else:
        mediana = statistics.median(valores[c][1] for c in con_tasa)
        primero, ultimo = con_tasa[0], con_tasa[-1]
        resumen = (
            f"{nombre}, {anio}: {len(con_tasa)} territorios con tasa. La más alta es la de "
            f"{(territorios[primero])} ({cifra(valores[primero][1])} por 100.000 habitantes) y la más baja "
            f"la de {(territorios[ultimo])} ({cifra(valores[ultimo][1])}); la mediana es {cifra(mediana)}."
        )
        for lugar, codigo in enumerate(con_tasa, start=1):
            if codigo in destacados:
                resumen += f" {(territorios[codigo])} ocupa el lugar {lugar} de {len(con_tasa)}."
    if sin_tasa:
        resumen += (
            f" Sin tasa (falta la población de ese año): {', '.join(sin_tasa[:5])}{'…' if len(sin_tasa) > 5 else ''}."
        )
    return {
        "filas": [
            {
                "codigo": c,
                "nombre": n,
                "tasa": cifra(t) if t is not None else "sin dato",
                "frecuencia": cifra(valores[c][0], 0) if valores[c][0] is not None else "sin dato",
                "fuente": fuentes.get(c, ""),
            }
            for c, n, t in datos
        ],
        "grafico": barras([(c, n, t) for c, n, t in datos if t is not None], destacados=destacados),
        "destacado": any(c in destacados for c in orden),
        "resumen": resumen,
        "nombre": nombre,
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
    rating, then the sum of the EMMIE scores). A practice on the problem's family, group or subgroups counts.
    Returns the problems with `.recomendadas` (4 queries)."""
    problemas = list(diagnostico.problemas.select_related("categoria"))
    arbol = Arbol.vigente()
    cercanas = {}  # a problem's category, what lies below it and the groups and family above it
    for problema in problemas:
        nodo = arbol.por_pk.get(problema.categoria_id)
        familia = ({c.pk for c in arbol.descendientes(nodo)} | {c.pk for c in arbol.ruta(nodo)}) if nodo else set()
        cercanas[problema.pk] = familia | {problema.categoria_id}
    practicas = list(
        practicas_visibles(user, roles)
        .filter(estado=Practica.Estado.PUBLICADA, categorias__in=set().union(*cercanas.values()))
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
        candidatas = [p for p in practicas if any(c.pk in cercanas[problema.pk] for c in p.categorias.all())]
        problema.recomendadas = sorted(candidatas, key=clave)[:por_problema]
    return problemas


def diagnosticos_para_listar(user, roles=None):
    """The visible diagnoses, most recent period first, with what the list shows (never the long texts): their
    organization, territory and prioritized problems."""
    return (
        diagnosticos_visibles(user, roles)
        .only(
            "titulo", "anio_inicio", "anio_fin", "estado", "organizacion__nombre", "comuna__nombre", "provincia__nombre"
        )  # fmt: skip
        .select_related("organizacion", "comuna", "provincia")
        .prefetch_related(Prefetch("problemas", ProblemaPriorizado.objects.select_related("categoria")))
        .order_by("-anio_fin", "titulo", "pk")
    )


def diagnosticos_de_organizacion(user, organizacion, limite=5):
    """The organization's latest diagnoses this user may see (its profile page)."""
    diagnosticos = diagnosticos_visibles(user).filter(organizacion=organizacion).select_related("comuna", "provincia")
    return list(diagnosticos.order_by("-anio_fin", "-pk")[:limite])
