"""Reads: the library search with its facets. A fixed number of queries whatever the number of practices."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Prefetch, Value, When
from django.db.models.functions import ExtractYear

from comunas.models import Categoria
from comunas.taxonomia import Arbol
from practicas.access import practicas_visibles, puede
from practicas.models import Comentario, Practica, Replicacion, RevisionPares
from practicas.services import CONFIG_BUSQUEDA, plegar

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


def _filtrar(qs, f):
    if f.categoria:  # a family or group also finds the practices on its groups and subgroups
        arbol = Arbol.vigente()
        elegida = next((c for c in arbol.categorias if c.slug == f.categoria), None)
        subarbol = [c.pk for c in arbol.descendientes(elegida)] if elegida else []
        qs = qs.filter(categorias__in=subarbol).distinct()
    if f.territorio:
        columna = {2: "region_id", 3: "provincia_id", 5: "comuna_id"}[len(f.territorio)]
        qs = qs.filter(**{columna: f.territorio})
    if f.calificacion:
        qs = qs.filter(calificacion=f.calificacion)
    if f.anio:
        qs = qs.filter(periodo_inicio__year=f.anio)
    if f.organizacion:
        qs = qs.filter(organizacion_id=f.organizacion)
    if f.q:
        if connection.vendor == "postgresql":
            qs = qs.filter(vector_busqueda=_consulta(f.q))
        else:
            for palabra in plegar(f.q).split():
                qs = qs.filter(texto_busqueda__contains=palabra)
    return qs


def _consulta(q):
    return SearchQuery(q, config=CONFIG_BUSQUEDA, search_type="websearch")


def _facetas(ids):
    """Counts per facet value over the current result (one query per facet)."""
    base = Practica.objects.filter(pk__in=ids).order_by()
    facetas = Facetas()
    facetas.categorias = list(
        Categoria.objects.filter(practicas__in=ids)
        .annotate(n=Count("practicas", distinct=True))
        .values("slug", "nombre", "nivel", "n")
        .order_by("orden")
    )
    for fila in (
        base.values("region_id", "region__nombre", "provincia_id", "provincia__nombre", "comuna_id", "comuna__nombre")
        .annotate(n=Count("pk"))
        .order_by("region_id", "provincia_id", "comuna_id")
    ):
        for nivel, lista in (("region", facetas.regiones), ("provincia", facetas.provincias)):
            codigo, nombre = fila[f"{nivel}_id"], fila[f"{nivel}__nombre"]
            if lista and lista[-1]["codigo"] == codigo:
                lista[-1]["n"] += fila["n"]
            else:
                lista.append({"codigo": codigo, "nombre": nombre, "n": fila["n"]})
        if fila["comuna_id"]:
            facetas.comunas.append({"codigo": fila["comuna_id"], "nombre": fila["comuna__nombre"], "n": fila["n"]})
    etiquetas = dict(Practica.Calificacion.choices)
    conteo = dict(base.exclude(calificacion="").values_list("calificacion").annotate(n=Count("pk")))
    facetas.calificaciones = [
        {"valor": v, "nombre": etiquetas[v], "n": conteo[v]} for v in Practica.Calificacion.values if v in conteo
    ]
    facetas.anios = list(
        base.exclude(periodo_inicio=None)
        .annotate(anio=ExtractYear("periodo_inicio"))
        .values("anio")
        .annotate(n=Count("pk"))
        .order_by("-anio")
    )
    facetas.organizaciones = list(
        base.values("organizacion_id", "organizacion__nombre").annotate(n=Count("pk")).order_by("organizacion__nombre")
    )
    return facetas


def _orden_evidencia():
    return Case(
        *[When(calificacion=v, then=Value(i)) for i, v in enumerate(Practica.Calificacion.values)],
        default=Value(len(Practica.Calificacion.values)),
        output_field=IntegerField(),
    )


def buscar_practicas(user, filtros, *, roles=None, facetas=True, fragmentos=True):
    """Published practices the user may see, filtered, ranked and annotated with a `fragmento` snippet.

    Returns (queryset, facetas); the caller paginates the queryset. The CSV export asks for neither facets
    nor snippets (facetas is then None).
    """
    visibles = practicas_visibles(user, roles).filter(estado=Practica.Estado.PUBLICADA)
    filtrado = _filtrar(visibles, filtros)
    ids = filtrado.values("pk")
    conteos = _facetas(ids) if facetas else None
    resultados = Practica.objects.filter(pk__in=ids).para_listar()
    if filtros.q and connection.vendor == "postgresql":
        consulta = _consulta(filtros.q)
        resultados = resultados.annotate(rango=SearchRank(F("vector_busqueda"), consulta))
        if fragmentos:
            resultados = resultados.annotate(
                fragmento=SearchHeadline(
                    "resumen",
                    consulta,
                    config=CONFIG_BUSQUEDA,
                    start_sel=INICIO_MARCA,
                    stop_sel=FIN_MARCA,
                    max_words=40,
                    min_words=20,
                )
            )
    else:
        resultados = resultados.annotate(rango=Value(0.0))
        if fragmentos:
            resultados = resultados.annotate(fragmento=F("resumen"))
    orden = {
        "relevancia": ["-rango", "-publicada_en"],
        "recientes": ["-publicada_en", "-pk"],
        "titulo": ["titulo", "pk"],
        "evidencia": [_orden_evidencia(), "-publicada_en"],
    }[filtros.orden]
    return resultados.order_by(*orden, "pk"), conteos


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
