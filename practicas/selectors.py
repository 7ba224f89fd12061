"""Reads: the library search with its facets. A fixed number of queries whatever the number of practices: the
search, its facets and its order read the narrow search table (PracticaIndice); only a page's practices are read
from the practices table."""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Prefetch, Value, When

from comunas.models import Categoria, Comuna, Organizacion, Provincia, Region
from comunas.taxonomia import Arbol
from nucleo.cache import clave_de, guardado
from practicas.access import indice_visible, practicas_visibles, puede
from practicas.models import Comentario, Practica, Replicacion, RevisionPares
from practicas.services import CONFIG_BUSQUEDA, VERSION_BIBLIOTECA, plegar

# Highlight markers that cannot come from the text; the template escapes, then turns them into <mark>.
INICIO_MARCA, FIN_MARCA = "\ue000", "\ue001"
ORDENES = {
    "relevancia": "Relevancia",
    "recientes": "Más recientes",
    "titulo": "Título (A–Z)",
    "evidencia": "Evidencia más sólida",
}
ANIO_MINIMO, ANIO_MAXIMO = 1900, 2100


@dataclass
class Filtros:
    q: str = ""
    categoria: str = ""
    territorio: str = ""
    calificacion: str = ""
    anio: int | None = None
    organizacion: int | None = None
    orden: str = "recientes"

    @classmethod
    def de_get(cls, get):
        """Filters from the URL, parsed strictly: a value that does not fit is ignored (the page still loads).

        ASCII digits only ("²".isdigit() is true but int() refuses it), at most 9 of them (no overflow in a
        bigint column), a year PostgreSQL and `date` can hold; NUL characters never reach the database.
        """

        def texto(nombre, largo):
            return (get.get(nombre) or "").replace("\x00", "").strip()[:largo]

        def entero(nombre, minimo=1, maximo=999_999_999):
            valor = texto(nombre, 20)
            if not re.fullmatch(r"[0-9]{1,9}", valor):
                return None
            return int(valor) if minimo <= int(valor) <= maximo else None

        q = texto("q", 200)
        orden = get.get("orden") or ("relevancia" if q else "recientes")
        if orden not in ORDENES or (orden == "relevancia" and not q):
            orden = "relevancia" if q else "recientes"
        territorio = texto("territorio", 20)
        return cls(
            q=q,
            categoria=texto("categoria", 80),
            territorio=territorio if re.fullmatch(r"[0-9]{2}|[0-9]{3}|[0-9]{5}", territorio) else "",
            calificacion=get.get("calificacion") if get.get("calificacion") in Practica.Calificacion.values else "",
            anio=entero("anio", ANIO_MINIMO, ANIO_MAXIMO),
            organizacion=entero("organizacion"),
            orden=orden,
        )

    @property
    def activos(self):
        return any([self.q, self.categoria, self.territorio, self.calificacion, self.anio, self.organizacion])


@dataclass
class Facetas:
    categorias: list = field(default_factory=list)
    regiones: list = field(default_factory=list)
    provincias: list = field(default_factory=list)
    comunas: list = field(default_factory=list)
    calificaciones: list = field(default_factory=list)
    anios: list = field(default_factory=list)
    organizaciones: list = field(default_factory=list)
    clave: str = ""  # nucleo.cache.clave_de: the template caches the rendered options under it


def _filtrar(qs, f):
    """The filters of the URL over the search table (PracticaIndice)."""
    if f.categoria:  # a family or group also finds the practices on its groups and subgroups
        arbol = Arbol.vigente()
        elegida = next((c for c in arbol.categorias if c.slug == f.categoria), None)
        subarbol = [c.pk for c in arbol.descendientes(elegida)] if elegida else []
        enlaces = Practica.categorias.through.objects.filter(categoria_id__in=subarbol)
        qs = qs.filter(practica_id__in=enlaces.values("practica_id"))
    if f.territorio:
        columna = {2: "region_id", 3: "provincia_id", 5: "comuna_id"}[len(f.territorio)]
        qs = qs.filter(**{columna: f.territorio})
    if f.calificacion:
        qs = qs.filter(calificacion=f.calificacion)
    if f.anio:
        qs = qs.filter(anio=f.anio)
    if f.organizacion:
        qs = qs.filter(organizacion_id=f.organizacion)
    if f.q:
        if connection.vendor == "postgresql":
            qs = qs.filter(vector=_consulta(f.q))
        else:
            for palabra in plegar(f.q).split():
                qs = qs.filter(practica__texto_busqueda__contains=palabra)
    return qs


def _consulta(q):
    return SearchQuery(q, config=CONFIG_BUSQUEDA, search_type="websearch")


# One query for every facet and the total: the filtered search rows once (a CTE), counted by each facet. Names come
# from the small tables (regions, provinces, communes, organizations, categories), joined to the counts.
_CATEGORIAS_SQL = """
SELECT 'categoria', k.slug, k.nombre, k.nivel, k.orden, x.n
  FROM (SELECT e.categoria_id, COUNT(*) AS n FROM m JOIN {enlace} e ON e.practica_id = m.practica_id
        GROUP BY e.categoria_id) x
  JOIN {categoria} k ON k.id = x.categoria_id
"""
# PostgreSQL: the six facets and the total in one pass (GROUPING SETS; GROUPING() tells each row's facet).
_FACETAS_SQL_PG = (
    """
WITH m AS ({filtradas}),
g AS (
  SELECT GROUPING(region_id, provincia_id, comuna_id, calificacion, anio, organizacion_id) AS bits, region_id,
         provincia_id, comuna_id, calificacion, anio, organizacion_id, COUNT(*) AS n
    FROM m
   GROUP BY GROUPING SETS ((region_id), (provincia_id), (comuna_id), (calificacion), (anio), (organizacion_id), ())
)
SELECT CASE g.bits WHEN 31 THEN 'region' WHEN 47 THEN 'provincia' WHEN 55 THEN 'comuna' WHEN 59 THEN 'calificacion'
                   WHEN 61 THEN 'anio' WHEN 62 THEN 'organizacion' ELSE 'total' END,
       COALESCE(g.region_id, g.provincia_id, g.comuna_id, NULLIF(g.calificacion, ''), CAST(g.anio AS VARCHAR(80)),
                CAST(g.organizacion_id AS VARCHAR(80))),
       COALESCE(r.nombre, p.nombre, c.nombre, o.nombre), NULL, 0, g.n
  FROM g
  LEFT JOIN {region} r ON g.bits = 31 AND r.codigo = g.region_id
  LEFT JOIN {provincia} p ON g.bits = 47 AND p.codigo = g.provincia_id
  LEFT JOIN {comuna} c ON g.bits = 55 AND c.codigo = g.comuna_id
  LEFT JOIN {organizacion} o ON g.bits = 62 AND o.id = g.organizacion_id
UNION ALL"""  # noqa: S608 — table names from the models; the values go as parameters
    + _CATEGORIAS_SQL
)
# Elsewhere (SQLite, the embedded default): a GROUP BY per facet over the same CTE.
_FACETAS_SQL = (
    """
WITH m AS ({filtradas})
SELECT 'total', NULL, NULL, NULL, 0, COUNT(*) FROM m
UNION ALL
SELECT 'region', m.region_id, r.nombre, NULL, 0, COUNT(*)
  FROM m JOIN {region} r ON r.codigo = m.region_id GROUP BY m.region_id, r.nombre
UNION ALL
SELECT 'provincia', m.provincia_id, p.nombre, NULL, 0, COUNT(*)
  FROM m JOIN {provincia} p ON p.codigo = m.provincia_id GROUP BY m.provincia_id, p.nombre
UNION ALL
SELECT 'comuna', m.comuna_id, c.nombre, NULL, 0, COUNT(*)
  FROM m JOIN {comuna} c ON c.codigo = m.comuna_id GROUP BY m.comuna_id, c.nombre
UNION ALL
SELECT 'calificacion', m.calificacion, NULL, NULL, 0, COUNT(*) FROM m WHERE m.calificacion <> '' GROUP BY m.calificacion
UNION ALL
SELECT 'anio', m.anio, NULL, NULL, 0, COUNT(*) FROM m WHERE m.anio IS NOT NULL GROUP BY m.anio
UNION ALL
SELECT 'organizacion', m.organizacion_id, o.nombre, NULL, 0, COUNT(*)
  FROM m JOIN {organizacion} o ON o.id = m.organizacion_id GROUP BY m.organizacion_id, o.nombre
UNION ALL"""
    + _CATEGORIAS_SQL
)


@contextmanager
def _por_el_indice(filtros):
    """With words to search, on PostgreSQL: the queries inside take the GIN index. The planner counts a match as
    cheap and, for a common word ("cámaras" matches nearly every practice), scans every row reading each one's
    vector from TOAST: five times slower than the index, which answers without reading them (README
    "Rendimiento")."""
    if not (filtros.q and connection.vendor == "postgresql"):
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def _facetas(filtradas):
    """(Facetas, total) of the filtered search rows, in one query whatever their number."""
    columnas = ("practica_id", "region_id", "provincia_id", "comuna_id", "calificacion", "anio", "organizacion_id")
    try:
        sql, params = filtradas.order_by().values(*columnas).query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (a category that does not exist)
        return Facetas(), 0
    tablas = {
        "region": Region._meta.db_table,
        "provincia": Provincia._meta.db_table,
        "comuna": Comuna._meta.db_table,
        "organizacion": Organizacion._meta.db_table,
        "categoria": Categoria._meta.db_table,
        "enlace": Practica.categorias.through._meta.db_table,
    }
    tablas = {clave: connection.ops.quote_name(tabla) for clave, tabla in tablas.items()}
    plantilla = _FACETAS_SQL_PG if connection.vendor == "postgresql" else _FACETAS_SQL
    with connection.cursor() as cursor:
        cursor.execute(plantilla.format(filtradas=sql, **tablas), params)
        filas = cursor.fetchall()
    facetas, total, por_faceta = Facetas(), 0, {}
    for faceta, clave, nombre, nivel, orden, n in filas:
        if faceta == "total":
            total = n
        elif clave is not None:  # a commune's facet has no row for provincial practices, and so on
            por_faceta.setdefault(faceta, []).append((str(clave), nombre, nivel, orden, n))
    facetas.categorias = [
        {"slug": c, "nombre": nombre, "nivel": nivel, "n": n}
        for c, nombre, nivel, _, n in sorted(por_faceta.get("categoria", []), key=lambda f: f[3])
    ]
    for faceta, lista in (("region", facetas.regiones), ("provincia", facetas.provincias), ("comuna", facetas.comunas)):
        lista += [{"codigo": c, "nombre": nombre, "n": n} for c, nombre, _, _, n in sorted(por_faceta.get(faceta, []))]
    conteo = {c: n for c, _, _, _, n in por_faceta.get("calificacion", [])}
    etiquetas = dict(Practica.Calificacion.choices)
    facetas.calificaciones = [
        {"valor": v, "nombre": etiquetas[v], "n": conteo[v]} for v in Practica.Calificacion.values if v in conteo
    ]
    facetas.anios = sorted(
        ({"anio": int(c), "n": n} for c, _, _, _, n in por_faceta.get("anio", [])), key=lambda a: -a["anio"]
    )
    facetas.organizaciones = sorted(
        (
            {"organizacion_id": int(c), "organizacion__nombre": nombre, "n": n}
            for c, nombre, _, _, n in por_faceta.get("organizacion", [])
        ),
        key=lambda o: (o["organizacion__nombre"], o["organizacion_id"]),
    )
    return facetas, total


def _facetas_guardadas(filtradas, filtros):
    """The facets of a search, cached under the library's version (any change of a practice makes a new one) and the
    search's SQL, which holds the filters and the visibility rule (which practices this user may see: all, the
    public ones, or a member's with its mesas). Paging through a result, and the library's first page, which
    everyone opens, read them from the cache (nucleo.cache)."""
    try:
        sql, params = filtradas.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (a category that does not exist)
        return Facetas(), 0

    def calcular():
        with _por_el_indice(filtros):
            return _facetas(filtradas)

    facetas, total = guardado(VERSION_BIBLIOTECA, (sql, params), calcular)
    facetas.clave = clave_de(VERSION_BIBLIOTECA, (sql, params))
    return facetas, total


# What a list of practices shows: the page reads only these columns (never the long texts or the search text).
COLUMNAS_LISTA = (
    "titulo", "resumen", "organizacion", "region", "provincia", "comuna", "periodo_inicio", "calificacion",
    "visibilidad", "estado", "publicada_en",
)  # fmt: skip


def _orden_evidencia():
    return Case(
        *[When(calificacion=v, then=Value(i)) for i, v in enumerate(Practica.Calificacion.values)],
        default=Value(len(Practica.Calificacion.values)),
        output_field=IntegerField(),
    )


class Resultados:
    """The ordered results of a search, read a slice at a time (the paginator's page, or the CSV's batches): the
    order and the slice come from the search table alone, then the slice's practices are read by id with what a
    list shows. A fixed number of queries per slice, whatever the number of results."""

    def __init__(self, indice, *, filtros, fragmentos, total=None):
        self.indice = indice
        self.filtros = filtros
        self.fragmentos = fragmentos
        self.total = total

    def count(self):
        if self.total is None:
            self.total = self.indice.count()
        return self.total

    def __len__(self):
        return self.count()

    def ids(self, desde=0, hasta=None):
        with _por_el_indice(self.filtros):
            return list(self.indice.values_list("practica_id", flat=True)[desde:hasta])

    def __getitem__(self, k):
        if isinstance(k, int):
            return self[k : k + 1][0]
        return self.practicas(self.ids(k.start or 0, k.stop))

    def __iter__(self):
        desde = 0
        while lote := self.ids(desde, desde + 500):
            yield from self.practicas(lote)
            desde += len(lote)

    def practicas(self, ids):
        """The practices of these ids, in this order, with their organization, territory, problems and snippet."""
        if not ids:
            return []
        filas = Practica.objects.filter(pk__in=ids).only(*COLUMNAS_LISTA).para_listar()
        if self.fragmentos and self.filtros.q and connection.vendor == "postgresql":
            filas = filas.annotate(
                fragmento=SearchHeadline(
                    "resumen",
                    _consulta(self.filtros.q),
                    config=CONFIG_BUSQUEDA,
                    start_sel=INICIO_MARCA,
                    stop_sel=FIN_MARCA,
                    max_words=40,
                    min_words=20,
                )
            )
        posicion = {pk: i for i, pk in enumerate(ids)}
        practicas = sorted(filas, key=lambda p: posicion[p.pk])
        if self.fragmentos and practicas and not hasattr(practicas[0], "fragmento"):
            for practica in practicas:
                practica.fragmento = (
                    resaltar_en_python(practica.resumen, self.filtros.q) if self.filtros.q else practica.resumen
                )
        return practicas


def buscar_practicas(user, filtros, *, roles=None, facetas=True, fragmentos=True):
    """Published practices the user may see, filtered and ordered, as Resultados (each with a `fragmento` snippet
    unless asked not to), and the facets of the whole result (None when not asked for; the CSV export asks for
    neither). The facets also give the total, so the paginator does not count again."""
    visibles = indice_visible(user, roles).filter(estado=Practica.Estado.PUBLICADA)
    filtrado = _filtrar(visibles, filtros)
    conteos, total = None, None
    if facetas:
        conteos, total = _facetas_guardadas(filtrado, filtros)
    if filtros.orden == "relevancia" and connection.vendor == "postgresql":
        filtrado = filtrado.annotate(rango=SearchRank(F("vector_titulo"), _consulta(filtros.q)))
        orden = ["-rango", "-publicada_en", "-practica_id"]
    else:
        orden = {
            "relevancia": ["-publicada_en", "-practica_id"],  # SQLite: no ranking, the most recent first
            "recientes": ["-publicada_en", "-practica_id"],
            "titulo": ["titulo", "practica_id"],
            "evidencia": [_orden_evidencia(), "-publicada_en", "-practica_id"],
        }[filtros.orden]
    return Resultados(filtrado.order_by(*orden), filtros=filtros, fragmentos=fragmentos, total=total), conteos


def resaltar_en_python(texto, q, largo=300):
    """Snippet with highlight markers for the SQLite fallback: accent-insensitive, around the first hit."""
    texto = texto or ""
    plegado = plegar(texto)
    palabras = [p for p in plegar(q).split() if p]
    posiciones = [plegado.find(p) for p in palabras if plegado.find(p) >= 0]
    inicio = max(0, min(posiciones) - 80) if posiciones else 0
    fragmento, plegado = texto[inicio : inicio + largo], plegado[inicio : inicio + largo]
    marcas = []
    for palabra in palabras:
        desde = 0
        while (i := plegado.find(palabra, desde)) >= 0:
            marcas.append((i, i + len(palabra)))
            desde = i + len(palabra)
    salida, cursor = [], 0
    for a, b in sorted(marcas):
        if a < cursor:
            continue
        salida += [fragmento[cursor:a], INICIO_MARCA, fragmento[a:b], FIN_MARCA]
        cursor = b
    salida.append(fragmento[cursor:])
    return ("…" if inicio else "") + "".join(salida) + ("…" if len(texto) > inicio + largo else "")


def practicas_de_mis_organizaciones(user, roles):
    """Drafts and archived practices of the user's own organizations (shown apart from the library)."""
    return (
        Practica.objects.filter(organizacion_id__in=list(roles))
        .only("titulo", "estado", "organizacion", "actualizada")
        .exclude(estado=Practica.Estado.PUBLICADA)
        .select_related("organizacion")
        .order_by("estado", "-actualizada")[:50]
    )


def replicaciones_de(practica):
    """The replications of a practice with their outcomes, and (one level further down the chain) the
    replications of the practice each one published. A fixed number of queries."""
    return list(
        Replicacion.objects.filter(practica=practica)
        .select_related("organizacion", "practica_resultante")
        .prefetch_related(
            "resultados",
            Prefetch("practica_resultante__replicaciones", queryset=Replicacion.objects.select_related("organizacion")),
        )
        .order_by("creada", "pk")
    )


def linaje(practica, user, roles, *, profundidad=5):
    """The chain above this practice, nearest first: [(replicacion, practica de origen)], as far as the user
    may see it. One query per level (a chain is short; the depth is capped)."""
    cadena, actual = [], practica
    for _ in range(profundidad):
        replicacion = (
            Replicacion.objects.filter(practica_resultante=actual)
            .select_related("organizacion", "practica__organizacion")
            .first()
        )
        if replicacion is None or not puede(user, replicacion.practica, "ver", roles=roles):
            break
        cadena.append(replicacion)
        actual = replicacion.practica
    return cadena


def _clave(indicador):
    return " ".join(plegar(indicador).split())


@dataclass
class Comparacion:
    """Outcomes side by side: one row per origin indicator, one column per replication (None where the
    replication did not measure it); what a replication measured beyond the origin's list goes in `otros`."""

    filas: list = field(default_factory=list)  # [(resultado de origen, [resultado de réplica | None, ...])]
    otros: list = field(default_factory=list)  # [(replicacion, [resultados sin par])]


def comparar_resultados(resultados, replicaciones):
    comparacion = Comparacion()
    por_replica = [{_clave(r.indicador): r for r in rep.resultados.all()} for rep in replicaciones]
    claves = set()
    for resultado in resultados:
        clave = _clave(resultado.indicador)
        claves.add(clave)
        comparacion.filas.append((resultado, [indice.get(clave) for indice in por_replica]))
    for replicacion in replicaciones:
        sin_par = [r for r in replicacion.resultados.all() if _clave(r.indicador) not in claves]
        if sin_par:
            comparacion.otros.append((replicacion, sin_par))
    return comparacion


def comentarios_de(practica):
    """Top-level questions and comments, oldest first, each with its replies (two queries)."""
    con_autor = Comentario.objects.select_related("autor", "organizacion")
    return list(
        con_autor.filter(practica=practica, responde_a=None).prefetch_related(
            Prefetch("respuestas", queryset=con_autor.order_by("creado", "pk"))
        )
    )


@dataclass
class Revisiones:
    lista: list = field(default_factory=list)  # oldest first
    conteo: list = field(default_factory=list)  # [(etiqueta, n)] in the order of the ratings, only those given


def revisiones_de(practica):
    """The peer reviews of the evidence rating and how many gave each rating (one query)."""
    lista = list(
        RevisionPares.objects.filter(practica=practica).select_related("organizacion", "revisor").order_by("creada")
    )
    etiquetas = dict(Practica.Calificacion.choices)
    conteo = [(etiquetas[v], n) for v in Practica.Calificacion.values if (n := sum(r.calificacion == v for r in lista))]
    return Revisiones(lista=lista, conteo=conteo)


def practicas_de_organizacion(user, organizacion, limite=5):
    """The organization's latest practices this user may see (its profile page)."""
    return list(practicas_visibles(user).filter(organizacion=organizacion).order_by("-actualizada", "-pk")[:limite])
