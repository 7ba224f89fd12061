"""Reads of action plans: the tree with traffic lights, the timeline, indicators against targets, the measured
effect (a plain difference-in-differences), the comparison of a plan with its adaptations, and dashboards.

Each function runs a fixed number of queries whatever the number of activities (tests pin the plan page)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from comunas.models import Comuna, Poblacion
from comunas.taxonomia import Arbol
from diagnosticos.graficos import cifra, lineas, numero
from diagnosticos.models import Indicador
from diagnosticos.selectors import valor_en_arbol
from planes.access import planes_propios, planes_visibles
from planes.models import AdjuntoAvance, Avance, Hito, IndicadorPlan, Nodo, Plan

# --- The tree -------------------------------------------------------------------------------------------------


@dataclass
class Fila:
    """A node of the plan as the page shows it."""

    nodo: Nodo
    nivel: int
    hoja: bool = True
    semaforo: str = "gris"  # verde, amarillo, rojo, gris (not started / no dates), azul (done)
    atrasada: bool = False
    esperado: Decimal | None = None

    @property
    def etiqueta_semaforo(self):
        return {
            "verde": "Al día",
            "amarillo": "Algo atrasada",
            "rojo": "Atrasada",
            "azul": "Terminada",
            "gris": "Sin iniciar",
        }[self.semaforo]


def _esperado(nodo, hoy):
    """The progress the calendar asks for today (0–100), or None without dates."""
    if not (nodo.inicio and nodo.termino):
        return None
    if hoy <= nodo.inicio:
        return Decimal(0)
    if hoy >= nodo.termino:
        return Decimal(100)
    transcurrido = (hoy - nodo.inicio).days / max((nodo.termino - nodo.inicio).days, 1)
    return Decimal(transcurrido * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _semaforo(fila, hoy):
    nodo = fila.nodo
    if nodo.avance >= 100:
        return "azul"
    fila.esperado = _esperado(nodo, hoy)
    fila.atrasada = bool(nodo.termino and nodo.termino < hoy and not nodo.descartado)
    if fila.atrasada:
        return "rojo"
    if fila.esperado is None or fila.esperado == 0:
        return "gris" if nodo.avance == 0 else "verde"
    brecha = fila.esperado - nodo.avance
    return "rojo" if brecha > 25 else "amarillo" if brecha > 10 else "verde"


def arbol_del_plan(plan, hoy=None):
    """The plan's nodes as a tree of Filas in order (2 queries: nodes with their responsible organization and
    person, and the last progress report of each)."""
    hoy = hoy or timezone.localdate()
    nodos = list(
        Nodo.objects.filter(plan=plan)
        .select_related("responsable", "persona", "estado", "origen")
        .prefetch_related(Prefetch("avances", Avance.objects.order_by("-fecha", "-pk"), to_attr="ultimos"))
        .order_by("orden", "pk")
    )
    por_padre = {}
    for nodo in nodos:
        por_padre.setdefault(nodo.padre_id, []).append(nodo)
    filas = []

    def recorrer(padre_id, nivel):
        for nodo in por_padre.get(padre_id, []):
            fila = Fila(nodo=nodo, nivel=nivel, hoja=not por_padre.get(nodo.pk))
            fila.semaforo = _semaforo(fila, hoy)
            filas.append(fila)
            recorrer(nodo.pk, nivel + 1)

    recorrer(None, 0)
    return filas


def atrasos(filas, hitos, hoy=None):
    """Late activities (past their end date, not finished) and missed milestones (past, not met)."""
    hoy = hoy or timezone.localdate()
    actividades = [f for f in filas if f.atrasada and f.hoja]
    hitos_vencidos = [h for h in hitos if h.cumplido_en is None and h.fecha < hoy]
    return actividades, hitos_vencidos


def cronograma(filas, hitos):
    """Activities and milestones in date order, for the timeline."""
    eventos = [
        {"fecha": f.nodo.inicio, "fin": f.nodo.termino, "tipo": "actividad", "titulo": str(f.nodo), "fila": f}
        for f in filas
        if f.nodo.inicio and f.nodo.tipo == Nodo.Tipo.ACTIVIDAD
    ]
    eventos += [{"fecha": h.fecha, "fin": None, "tipo": "hito", "titulo": h.titulo, "hito": h} for h in hitos]
    return sorted(eventos, key=lambda e: (e["fecha"], e["tipo"] != "hito"))


# --- Indicators against targets ----------------------------------------------------------------------------------


@dataclass
class Tarjeta:
    indicador: IndicadorPlan
    anios: list
    reales: list
    metas: list
    grafico: dict
    ultimo: tuple | None  # (año, valor)
    meta_del_anio: Decimal | None
    cumple: bool | None
    resumen: str
    efecto: dict | None = None

    @property
    def tabla(self):
        return list(zip(self.anios, self.reales, self.metas, strict=True))


def _valores_de_serie(indicador, anios, arbol, filas_serie):
    indice = {(i.territorio, i.anio, i.categoria_id): (i.frecuencia, i.tasa) for i in filas_serie}
    categoria = arbol.por_pk.get(indicador.serie_categoria_id)
    valores = {}
    for anio in anios:
        valor = valor_en_arbol(arbol, indice, categoria, indicador.serie_territorio, anio) if categoria else None
        if valor is not None:
            valores[anio] = valor[1] if valor[1] is not None else valor[0]
    return valores


def tarjetas_de_indicadores(plan, arbol=None):
    """Each indicator with its values (measured, or taken from the imported figures when it follows a series),
    targets, chart and a sentence (3 queries, plus one for all the series)."""
    indicadores = list(plan.indicadores.prefetch_related("metas", "mediciones").select_related("serie_categoria"))
    serie = [i for i in indicadores if i.sigue_serie]
    filas_serie = []
    if serie:
        arbol = arbol or Arbol.vigente()
        categorias = set()
        for indicador in serie:
            categorias |= {c.pk for c in arbol.descendientes(arbol.por_pk[indicador.serie_categoria_id])}
        filas_serie = list(
            Indicador.objects.anuales().filter(
                territorio__in={i.serie_territorio for i in serie},
                categoria__in=categorias,
                medida__in={i.serie_medida for i in serie},
            )
        )
    hoy = timezone.localdate()
    tarjetas = []
    for indicador in indicadores:
        metas = {m.anio: m.valor for m in indicador.metas.all()}
        if indicador.sigue_serie:
            propias = [f for f in filas_serie if f.medida == indicador.serie_medida]
            anios_datos = sorted({f.anio for f in propias})
            reales = _valores_de_serie(indicador, anios_datos, arbol, propias)
        else:
            reales = {m.anio: m.valor for m in indicador.mediciones.all()}
        if indicador.linea_base is not None and indicador.linea_base_anio:
            reales.setdefault(indicador.linea_base_anio, indicador.linea_base)
        anios = sorted(set(reales) | set(metas))
        valores = [reales.get(a) for a in anios]
        ultimo = max(reales.items()) if reales else None
        meta_del_anio = metas.get(ultimo[0]) if ultimo else None
        cumple = None
        if ultimo and meta_del_anio is not None:
            bajar = indicador.sentido == IndicadorPlan.Sentido.BAJA
            cumple = ultimo[1] <= meta_del_anio if bajar else ultimo[1] >= meta_del_anio
        resumen = _resumen_indicador(indicador, ultimo, meta_del_anio, cumple, metas, hoy)
        tarjetas.append(
            Tarjeta(
                indicador=indicador,
                anios=anios,
                reales=[numero(v) for v in valores],
                metas=[numero(metas[a]) if a in metas else "—" for a in anios],
                grafico=lineas(anios, valores, decimales=None) if any(v is not None for v in valores) else {},
                ultimo=ultimo,
                meta_del_anio=meta_del_anio,
                cumple=cumple,
                resumen=resumen,
            )
        )
    return tarjetas


def _resumen_indicador(indicador, ultimo, meta, cumple, metas, hoy):
    unidad = indicador.unidad
    if not ultimo:
        proxima = min((a for a in metas if a >= hoy.year), default=None)
        if proxima:
            return f"Sin mediciones aún. Meta {proxima}: {numero(metas[proxima])} {unidad}."
        return "Sin mediciones ni metas aún."
    texto = f"Último valor: {numero(ultimo[1])} {unidad} ({ultimo[0]})."
    if meta is not None:
        texto += f" Meta {ultimo[0]}: {numero(meta)} {unidad}: " + ("se cumple." if cumple else "no se cumple.")
    return texto


# --- Measured effect -----------------------------------------------------------------------------------------------


def comparables_de(plan, territorio):
    """The communes to compare with: those the owners chose, else the communes of the same region whose
    population is within half and twice the plan's territory's (2 queries)."""
    if plan.comparables:
        return [c for c in plan.comparables if c != territorio]
    comuna = Comuna.objects.select_related("provincia").filter(codigo=territorio).first()
    if comuna is None:
        return []
    poblacion = dict(
        Poblacion.objects.filter(comuna__provincia__region_id=comuna.provincia.region_id)
        .order_by("comuna_id", "-anio")
        .values_list("comuna_id", "habitantes")
    )
    propia = poblacion.get(territorio)
    if not propia:
        return []
    return sorted(c for c, h in poblacion.items() if c != territorio and propia / 2 <= h <= propia * 2)


def efecto_medido(plan, indicador, arbol=None):
    """Before vs after for the plan's territory next to the same change in comparable communes: a plain
    difference-in-differences on the rate per 100,000, with its caveats. None when there is not enough data."""
    if not indicador.sigue_serie:
        return None
    arbol = arbol or Arbol.vigente()
    territorio = indicador.serie_territorio
    otros = comparables_de(plan, territorio)
    categoria = arbol.por_pk.get(indicador.serie_categoria_id)
    if categoria is None:
        return None
    filas = list(
        Indicador.objects.anuales().filter(
            territorio__in=[territorio, *otros],
            categoria__in=[c.pk for c in arbol.descendientes(categoria)],
            medida=indicador.serie_medida,
        )
    )
    indice = {(i.territorio, i.anio, i.categoria_id): (i.frecuencia, i.tasa) for i in filas}
    anios = sorted({i.anio for i in filas})
    antes = [a for a in anios if a < plan.anio_inicio]
    despues = [a for a in anios if a >= plan.anio_inicio]
    if not antes or not despues:
        return {
            "disponible": False,
            "texto": "Aún no hay cifras de antes y de después del inicio del plan para estimar su efecto.",
        }

    def promedio(codigo, periodo):
        valores = [valor_en_arbol(arbol, indice, categoria, codigo, a) for a in periodo]
        tasas = [v[1] for v in valores if v is not None and v[1] is not None]
        return sum(tasas) / len(tasas) if tasas else None

    propio_antes, propio_despues = promedio(territorio, antes), promedio(territorio, despues)
    cambios = []
    for codigo in otros:
        a, d = promedio(codigo, antes), promedio(codigo, despues)
        if a is not None and d is not None:
            cambios.append(d - a)
    if propio_antes is None or propio_despues is None or not cambios:
        return {"disponible": False, "texto": "Faltan tasas del territorio del plan o de las comunas comparables."}
    cambio_propio = propio_despues - propio_antes
    cambio_otros = sum(cambios) / len(cambios)
    diferencia = cambio_propio - cambio_otros
    bueno = diferencia < 0 if indicador.sentido == IndicadorPlan.Sentido.BAJA else diferencia > 0
    return {
        "disponible": True,
        "antes": f"{antes[0]}–{antes[-1]}" if len(antes) > 1 else str(antes[0]),
        "despues": f"{despues[0]}–{despues[-1]}" if len(despues) > 1 else str(despues[0]),
        "propio_antes": cifra(propio_antes),
        "propio_despues": cifra(propio_despues),
        "cambio_propio": cifra(cambio_propio),
        "cambio_otros": cifra(cambio_otros),
        "diferencia": cifra(diferencia),
        "comparables": len(cambios),
        "favorable": bueno,
        "texto": (
            f"En el territorio del plan la tasa pasó de {cifra(propio_antes)} a {cifra(propio_despues)} por 100.000 "
            f"habitantes ({cifra(cambio_propio)}); en {len(cambios)} comunas comparables cambió en promedio "
            f"{cifra(cambio_otros)}. La diferencia entre ambos cambios es {cifra(diferencia)}."
        ),
        "advertencia": (
            "Es una comparación simple (diferencia en diferencias), no una prueba de que el plan causó el cambio: "
            "otras políticas, cambios en las denuncias o hechos puntuales también mueven las cifras, y con pocas "
            "comunas o poblaciones pequeñas las tasas varían mucho de un año a otro."
        ),
    }


# --- Lists and dashboards -----------------------------------------------------------------------------------------


def planes_de_mis_organizaciones(roles):
    """The plans of the person's own organizations, for a list (the dashboard of /planes/)."""
    return planes_propios(roles).para_listar().order_by("-actualizado", "-pk")


def planes_de(user, roles=None):
    """The plans this person may see, for a list, most recently updated first. The visibility rule joins the owners
    (DISTINCT): it goes in a subquery of ids, so counting and paging never compare whole rows."""
    visibles = planes_visibles(user, roles)
    if visibles.query.distinct:
        visibles = Plan.objects.filter(pk__in=visibles.values("pk"))
    return visibles.para_listar().order_by("-actualizado", "-pk")


POR_PAGINA = 30
POR_PAGINA_PROPIOS = 100  # the plans of the person's own organizations: one page (the summary counts them all)


def _atrasos_por_plan(ids, hoy):
    """({plan id: late activities}, {plan id: missed milestones}) of these plans (2 queries)."""
    atrasadas = dict(
        Nodo.objects.filter(plan__in=ids, termino__lt=hoy, avance__lt=100, hijos__isnull=True)
        .exclude(adaptacion=Nodo.Adaptacion.DESCARTADO)
        .values_list("plan_id")
        .annotate(n=Count("pk"))
    )
    vencidos = dict(
        Hito.objects.filter(plan__in=ids, fecha__lt=hoy, cumplido_en__isnull=True)
        .values_list("plan_id")
        .annotate(n=Count("pk"))
    )
    return atrasadas, vencidos


def resumen_de_planes(planes, hoy=None, *, pagina=1, por_pagina=POR_PAGINA):
    """A dashboard of a set of plans (a queryset): counts by state, mean progress and overdue items of all of them,
    aggregated in the database, and one page of the plans (`planes`, with their own overdue items; `pagina`, the
    Page). The ids are read once, in the list's order (the visibility rule is evaluated once, not in every
    aggregate); then a fixed number of queries whatever the number of plans or activities."""
    hoy = hoy or timezone.localdate()
    ids = list(planes.values_list("pk", flat=True))
    por_estado, suma, en_marcha = {}, Decimal(0), 0
    for estado, n, avance in (
        Plan.objects.filter(pk__in=ids).order_by().values_list("estado").annotate(n=Count("pk"), avance=Sum("avance"))
    ):
        por_estado[Plan.Estado(estado).label] = n
        if estado != Plan.Estado.BORRADOR:
            suma, en_marcha = suma + avance, en_marcha + n
    atrasadas_total = (
        Nodo.objects.filter(plan__in=ids, termino__lt=hoy, avance__lt=100, hijos__isnull=True)
        .exclude(adaptacion=Nodo.Adaptacion.DESCARTADO)
        .count()
    )
    vencidos_total = Hito.objects.filter(plan__in=ids, fecha__lt=hoy, cumplido_en__isnull=True).count()
    pagina = Paginator(ids, por_pagina).get_page(pagina)
    posicion = {pk: i for i, pk in enumerate(pagina.object_list)}
    lista = sorted(Plan.objects.filter(pk__in=posicion).para_listar(), key=lambda p: posicion[p.pk])
    pagina.object_list = lista
    atrasadas, vencidos = _atrasos_por_plan(list(posicion), hoy)
    for plan in lista:
        plan.atrasadas = atrasadas.get(plan.pk, 0)
        plan.hitos_vencidos = vencidos.get(plan.pk, 0)
    return {
        "planes": lista,
        "pagina": pagina,
        "total": len(ids),
        "por_estado": sorted(por_estado.items()),
        "avance_medio": cifra(suma / en_marcha, 0) if en_marcha else "—",
        "atrasadas": atrasadas_total,
        "hitos_vencidos": vencidos_total,
    }


def planes_de_organizaciones(user, organizacion_ids, roles=None, *, visibles=None):
    """The visible plans owned by any of these organizations (an organization's or a mesa's dashboard), as a
    queryset in the lists' order. `visibles`: planes_de(user, roles), when the caller already has it."""
    visibles = planes_de(user, roles) if visibles is None else visibles
    return visibles.filter(pk__in=Plan.objects.filter(duenas__in=organizacion_ids).values("pk"))


def comparar_con(origen, adaptado):
    """Side by side: each node of the origin with what the adaptation did with it (kept, changed, dropped), and
    both plans' progress (2 queries)."""
    copias = {n.origen_id: n for n in adaptado.nodos.exclude(origen=None)}
    filas = []
    for fila in arbol_del_plan(origen):
        filas.append({"origen": fila, "adaptado": copias.get(fila.nodo.pk)})
    propios = list(adaptado.nodos.filter(Q(origen__isnull=True)).order_by("orden", "pk"))
    return {"filas": filas, "propios": propios}


def evidencias_de(plan):
    return AdjuntoAvance.objects.filter(avance__nodo__plan=plan).select_related("avance__nodo")
