"""A plan's tree from a spreadsheet (CSV or Excel) and back: read and check an upload, keep the checked rows
server-side, append them to the plan all at once on confirmation; the template to fill in; the activities as CSV.

The reading is diagnosticos.importacion's (content sniffing, UTF-8 or Windows-1252, `;`/`,`/tab, size, column
and time bounds) and so is its reading of Chilean numbers ("1.234.567", "1,5"). The hierarchy comes from the
code (1 → 1.1 → 1.1.1) or, row by row, from a `padre` column; a parent may be a row of the file or an element
already in the plan. Every problem is a Spanish message naming the row (the header is row 1) and the column.
The CSV export has the template's columns, so an exported plan can be edited and imported into another plan.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from comunas.access import roles_activos
from comunas.models import Organizacion
from diagnosticos import importacion as lectura
from diagnosticos.graficos import cifra
from nucleo.csv import celda_segura
from planes import selectors as sel
from planes.access import NEGADO, puede_editar
from planes.models import ImportacionPlan, Nodo, Plan
from planes.services import avance_recalcular

MAX_BYTES = lectura.MAX_BYTES
MAX_FILAS = 2000  # a plan comunal has a few dozen elements; thousands means the wrong file
ANIO_MINIMO, ANIO_MAXIMO = 2000, 2100
MAX_ADVERTENCIAS = 50
MAX_NIVELES = 10
FILA_DE_EJEMPLO = "EJEMPLO: reemplace esta fila por la suya o bórrela"
CODIGO = re.compile(r"^[0-9A-Za-z_-]+(\.[0-9A-Za-z_-]+)*$")

# (column, what goes in it, required) — the template's layout, also the export's.
COLUMNAS = [
    ("codigo", "Código del elemento: 1 para un eje, 1.1 para una de sus líneas, 1.1.1 para una actividad…", True),
    (
        "padre",
        "Opcional: código del elemento al que pertenece, si no se deduce del código. Puede ser un elemento que "
        "ya está en el plan",
        False,
    ),
    ("tipo", "Eje, Línea de acción o Actividad; en blanco se deduce de la profundidad (1, 1.1, 1.1.1)", False),
    ("titulo", "Título del eje, la línea de acción o la actividad", True),
    ("descripcion", "Descripción (opcional)", False),
    ("responsable", "Organización responsable, con su nombre en la plataforma (o el de su comuna)", False),
    ("socios", "Instituciones que colaboran (Carabineros, PDI, SENDA…)", False),
    ("inicio", "Fecha de inicio: dd-mm-aaaa o aaaa-mm-dd", False),
    ("termino", "Fecha de término: dd-mm-aaaa o aaaa-mm-dd", False),
    ("peso", "Ponderación dentro de su elemento superior; 1 si va en blanco (decimales con coma)", False),
    ("presupuesto", "Presupuesto en pesos, sin decimales (p. ej. 1.234.567)", False),
    ("financiamiento", "Fuente de financiamiento (p. ej. FNSP, municipal)", False),
]
NOMBRES = [c[0] for c in COLUMNAS]
# The export's extra columns: what was done, which an import leaves out (progress is reported in the plan).
COLUMNAS_DE_AVANCE = ["avance", "estado", "semaforo", "atrasada"]
ALIAS = {
    "cod": "codigo",
    "codigo_padre": "padre",
    "pertenece_a": "padre",
    "elemento_superior": "padre",
    "nombre": "titulo",
    "elemento": "titulo",
    "organizacion": "responsable",
    "organizacion_responsable": "responsable",
    "colaboradores": "socios",
    "fecha_inicio": "inicio",
    "fecha_de_inicio": "inicio",
    "fecha_termino": "termino",
    "fecha_de_termino": "termino",
    "fin": "termino",
    "plazo": "termino",
    "ponderacion": "peso",
    "presupuesto_clp": "presupuesto",
    "monto": "presupuesto",
    "fuente_de_financiamiento": "financiamiento",
    "fuente": "financiamiento",
}
TIPOS = {
    "eje": Nodo.Tipo.EJE,
    "ejes": Nodo.Tipo.EJE,
    "linea": Nodo.Tipo.LINEA,
    "lineas": Nodo.Tipo.LINEA,
    "linea de accion": Nodo.Tipo.LINEA,
    "lineas de accion": Nodo.Tipo.LINEA,
    "actividad": Nodo.Tipo.ACTIVIDAD,
    "actividades": Nodo.Tipo.ACTIVIDAD,
}
LARGOS = {"titulo": 250, "descripcion": 4000, "socios": 500, "financiamiento": 120}
TOPE_PESO = Decimal("9999.99")  # Nodo.peso: 6 digits, 2 decimals
EXCEL_CERO = date(1899, 12, 30)  # day 0 of Excel's serial dates (1900 system, its leap-year bug included)

ErrorDeArchivo = lectura.ErrorDeArchivo


# --- Values ------------------------------------------------------------------------------------------------


def texto(valor):
    """A cell as one line of text; an apostrophe before = + - @ (nucleo.csv.celda_segura's, or Excel's text prefix)
    is dropped, so an exported plan imports with its own titles."""
    if valor is None:
        return ""
    if isinstance(valor, float) and valor.is_integer():
        valor = int(valor)
    limpio = " ".join(str(valor).split())
    return limpio[1:] if limpio[:1] == "'" and limpio[1:2] in ("=", "+", "-", "@") else limpio


def _parrafos(valor):
    """A long text keeps its line breaks (a description)."""
    return "\n".join(texto(linea) for linea in str(valor or "").strip().splitlines())


def fecha(valor):
    """A date from what a spreadsheet writes: a date cell, an Excel serial number, "15-03-2026", "15/03/2026",
    "2026-03-15" (a time after it is ignored); ValueError if not."""
    if isinstance(valor, datetime):
        return valor.date()
    if isinstance(valor, date):
        return valor
    if isinstance(valor, int | float) and not isinstance(valor, bool):
        if not 0 < valor < 200_000:
            raise ValueError(valor)
        return EXCEL_CERO + timedelta(days=int(valor))
    limpio = texto(valor).split(" ")[0].split("T")[0]
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", limpio):
        dia, mes, anio = m.groups()
    elif m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", limpio):
        anio, mes, dia = m.groups()
    else:
        raise ValueError(valor)
    return date(int(anio), int(mes), int(dia))  # ValueError for 31-02-2026


def decimal_coma(valor):
    """1.50 → "1,5"; 62.00 → "62" (the export's numbers, read back by diagnosticos.importacion.numero)."""
    if valor is None:
        return ""
    return format(Decimal(valor).normalize(), "f").replace(".", ",")


def _columna(encabezado):
    clave = re.sub(r"[^a-z0-9]+", "_", lectura.plegar(encabezado)).strip("_")
    return ALIAS.get(clave, clave)


class Organizaciones:
    """The active organizations, found by name or by the name of their commune or province (one query)."""

    def __init__(self):
        self.por_nombre, self.por_territorio = {}, {}
        filas = Organizacion.objects.activas().values_list("pk", "nombre", "comuna__nombre", "provincia__nombre")
        for pk, nombre, comuna, provincia in filas:
            self.por_nombre.setdefault(lectura.plegar(nombre), []).append((pk, nombre))
            self.por_territorio.setdefault(lectura.plegar(comuna or provincia or ""), []).append((pk, nombre))

    def buscar(self, nombre):
        """(pk, nombre) or (None, the problem)."""
        doblado = lectura.plegar(nombre)
        encontradas = self.por_nombre.get(doblado) or self.por_territorio.get(doblado) or []
        if len(encontradas) == 1:
            return encontradas[0]
        if encontradas:
            return (
                None,
                f"hay {len(encontradas)} organizaciones activas llamadas «{nombre}»; escriba el nombre completo",
            )
        return None, f"no hay una organización activa llamada «{nombre}» en la plataforma"


@dataclass
class Existente:
    """An element already in the plan, as the checks and the preview need it."""

    pk: int
    codigo: str
    titulo: str
    nivel: int

    def __str__(self):
        return f"{self.codigo} {self.titulo}".strip()


def existentes_del_plan(plan):
    """{codigo: [Existente]} of the plan's elements (one query); the level is the depth in the tree (1: top)."""
    nodos = list(Nodo.objects.filter(plan=plan).values_list("pk", "padre_id", "codigo", "titulo"))
    padres = {pk: padre for pk, padre, _, _ in nodos}

    def nivel(pk):
        profundidad = 0
        while pk is not None and profundidad <= len(nodos):
            pk, profundidad = padres.get(pk), profundidad + 1
        return profundidad

    por_codigo = {}
    for pk, _, codigo, titulo in nodos:
        if codigo:
            por_codigo.setdefault(codigo.strip().rstrip("."), []).append(Existente(pk, codigo, titulo, nivel(pk)))
    return por_codigo


# --- Checking ----------------------------------------------------------------------------------------------


def _encabezado(filas):
    encabezado = next(filas, None)
    if not encabezado or not any(texto(c) for c in encabezado):
        raise ErrorDeArchivo("El archivo está vacío: la primera fila debe traer los nombres de las columnas.")
    posiciones, ignoradas = {}, []
    for i, celda in enumerate(encabezado):
        nombre = _columna(texto(celda))
        if nombre in NOMBRES and nombre not in posiciones:
            posiciones[nombre] = i
        elif texto(celda):
            ignoradas.append(texto(celda)[:40])
    faltan = [c for c, _, obligatoria in COLUMNAS if obligatoria and c not in posiciones]
    if faltan:
        raise ErrorDeArchivo(
            "Faltan columnas en la primera fila: "
            + ", ".join(f"«{c}»" for c in faltan)
            + ". Descargue la plantilla y use sus nombres de columna."
        )
    return posiciones, ignoradas


def _leer_fila(resultado, numero_fila, valores, organizaciones, plan):
    """The row's own values checked (not yet its place in the tree); errors are recorded in `resultado`."""
    fila = {"fila": numero_fila}

    def error(columna, mensaje):
        resultado.error(numero_fila, columna, mensaje)

    if texto(valores.get("descripcion")) == FILA_DE_EJEMPLO:
        error("", "es una fila de ejemplo de la plantilla: reemplácela por la suya o bórrela.")
    for columna in ("titulo", "descripcion", "socios", "financiamiento"):
        fila[columna] = texto(valores.get(columna)) if columna != "descripcion" else _parrafos(valores.get(columna))
        if len(fila[columna]) > LARGOS[columna]:
            error(columna, f"tiene {len(fila[columna])} caracteres; el máximo es {LARGOS[columna]}.")
    if not fila["titulo"]:
        error("titulo", "falta el título.")

    tipo = texto(valores.get("tipo"))
    fila["tipo"] = TIPOS.get(lectura.plegar(tipo), "") if tipo else ""
    if tipo and not fila["tipo"]:
        error("tipo", f"«{tipo[:40]}» no es un tipo: use Eje, Línea de acción o Actividad (o déjelo en blanco).")

    fila["responsable"], fila["responsable_nombre"] = None, ""
    if nombre := texto(valores.get("responsable")):
        pk, encontrada = organizaciones.buscar(nombre[:200])
        if pk is None:
            error("responsable", f"{encontrada}; escríbala como aparece en ella (p. ej. «{plan.organizacion.nombre}»).")
        else:
            fila["responsable"], fila["responsable_nombre"] = pk, encontrada

    for columna in ("inicio", "termino"):
        fila[columna] = None
        valor = valores.get(columna)
        if texto(valor) == "":
            continue
        try:
            dia = fecha(valor)
        except (ValueError, OverflowError):
            error(columna, f"«{texto(valor)[:40]}» no es una fecha: use dd-mm-aaaa (p. ej. 15-03-2026) o aaaa-mm-dd.")
            continue
        if not ANIO_MINIMO <= dia.year <= ANIO_MAXIMO:
            error(columna, f"{dia:%d-%m-%Y} está fuera del rango admitido ({ANIO_MINIMO} a {ANIO_MAXIMO}).")
            continue
        fila[columna] = dia
    if fila["inicio"] and fila["termino"] and fila["termino"] < fila["inicio"]:
        error("termino", f"termina ({fila['termino']:%d-%m-%Y}) antes de empezar ({fila['inicio']:%d-%m-%Y}).")
    fuera = [d.year for d in (fila["inicio"], fila["termino"]) if d and not plan.anio_inicio <= d.year <= plan.anio_fin]
    if fuera and len(resultado.advertencias) < MAX_ADVERTENCIAS:
        resultado.advertencias.append(
            f"Fila {numero_fila}: tiene fechas de {fuera[0]}, fuera del período del plan ({plan.periodo})."
        )

    fila["peso"] = "1"
    if peso := texto(valores.get("peso")):
        try:
            valor = lectura.numero(valores["peso"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except ValueError:
            error("peso", f"«{peso[:40]}» no es un número.")
        else:
            if not 0 <= valor <= TOPE_PESO:
                error("peso", f"{peso[:40]} está fuera del rango admitido (0 a {cifra(TOPE_PESO, 2)}).")
            fila["peso"] = str(valor)

    fila["presupuesto"] = None
    if monto := texto(valores.get("presupuesto")):
        limpio = re.sub(r"(?i)^(\$|clp)\s*|\s*(clp|pesos)$", "", monto)
        try:
            valor = lectura.numero(limpio if isinstance(valores["presupuesto"], str) else valores["presupuesto"])
        except ValueError:
            error("presupuesto", f"«{monto[:40]}» no es un monto en pesos (p. ej. 1.234.567).")
        else:
            if valor != valor.to_integral_value() or valor < 0:
                error("presupuesto", f"«{monto[:40]}» debe ser un monto en pesos, positivo y sin decimales.")
            else:
                fila["presupuesto"] = int(valor)
    return fila


def _codigo(resultado, numero_fila, columna, valor, obligatorio):
    codigo = texto(valor).replace(" ", "").rstrip(".")
    if not codigo:
        if obligatorio:
            resultado.error(numero_fila, columna, "falta el código (p. ej. 1, 1.1 o 1.1.1).")
        return None
    if len(codigo) > 20 or not CODIGO.match(codigo):
        resultado.error(
            numero_fila,
            columna,
            f"«{codigo[:40]}» no es un código: use números o letras separados por puntos (p. ej. 1.2.3).",
        )
        return None
    return codigo


def revisar(filas, *, plan, organizaciones=None, existentes=None):
    """Checks every row of an upload for `plan`. Returns a diagnosticos.importacion.Resultado whose `filas` are
    dicts ready to be written, parents before children (empty when there is any error)."""
    organizaciones = organizaciones or Organizaciones()
    existentes = existentes_del_plan(plan) if existentes is None else existentes
    resultado = lectura.Resultado()
    filas = iter(filas)
    posiciones, ignoradas = _encabezado(filas)
    if ignoradas:
        resultado.advertencias.append(
            "No se importan las columnas " + ", ".join(f"«{c}»" for c in ignoradas[:10]) + " (el avance y el estado "
            "se informan en el plan)."
        )
    leidas, por_codigo = [], {}
    for numero_fila, celdas in enumerate(filas, start=2):
        if not any(texto(c) for c in celdas):
            continue  # blank rows are common at the end of a spreadsheet
        resultado.total_filas += 1
        if resultado.total_filas > MAX_FILAS:
            raise ErrorDeArchivo(
                f"El archivo tiene más de {MAX_FILAS:,} filas; un plan no necesita tantas.".replace(",", ".")
            )
        valores = {c: (celdas[i] if i < len(celdas) else None) for c, i in posiciones.items()}
        fila = _leer_fila(resultado, numero_fila, valores, organizaciones, plan)
        fila["codigo"] = _codigo(resultado, numero_fila, "codigo", valores.get("codigo"), obligatorio=True)
        fila["padre_dado"] = _codigo(resultado, numero_fila, "padre", valores.get("padre"), obligatorio=False)
        codigo = fila["codigo"]
        if codigo in por_codigo:
            pista = ""
            if isinstance(valores.get("codigo"), float):
                pista = " Excel pudo convertir el código en número (1.10 queda 1.1): dé formato de texto a la columna."
            resultado.error(
                numero_fila, "codigo", f"repite el código «{codigo}» de la fila {por_codigo[codigo]['fila']}.{pista}"
            )
        elif codigo in existentes:
            ya = existentes[codigo][0]
            resultado.error(numero_fila, "codigo", f"el plan ya tiene el elemento «{ya}»; use otro código.")
        elif codigo:
            por_codigo[codigo] = fila
        leidas.append(fila)

    _ubicar(resultado, leidas, por_codigo, existentes)
    if resultado.total_errores == 0:
        resultado.filas = [_para_guardar(f) for f in sorted(leidas, key=lambda f: (f["nivel"], f["fila"]))]
    return resultado


def _ubicar(resultado, leidas, por_codigo, existentes):
    """Each row's parent (a row of the file or an element of the plan), level and type; cycles are refused."""
    for fila in leidas:
        fila["padre"], fila["padre_pk"], fila["nivel"] = None, None, None
        if not fila["codigo"]:
            continue
        columna = "padre" if fila["padre_dado"] else "codigo"
        padre = fila["padre_dado"] or (fila["codigo"].rsplit(".", 1)[0] if "." in fila["codigo"] else None)
        if padre is None:
            continue
        if padre == fila["codigo"]:
            resultado.error(fila["fila"], "padre", "un elemento no puede pertenecer a sí mismo.")
        elif padre in por_codigo:
            fila["padre"] = padre
        elif len(existentes.get(padre, [])) == 1:
            fila["padre_pk"] = existentes[padre][0].pk
            fila["nivel_padre"] = existentes[padre][0].nivel
        elif padre in existentes:
            resultado.error(
                fila["fila"],
                columna,
                f"el plan tiene {len(existentes[padre])} elementos con el código «{padre}»: no se sabe a cuál "
                "pertenece.",
            )
        else:
            resultado.error(
                fila["fila"],
                columna,
                f"no hay un elemento «{padre}» al que pertenezca, ni en el archivo ni en el plan.",
            )

    for fila in leidas:  # the level: up the chain of parents in the file (iterative: a file may nest deeply)
        camino = []
        actual = fila
        while actual["codigo"] and actual["nivel"] is None and actual not in camino:
            camino.append(actual)
            actual = por_codigo[actual["padre"]] if actual["padre"] else None
            if actual is None:
                break
        if actual in camino:
            ciclo = " → ".join(f["codigo"] for f in [*camino[camino.index(actual) :], actual])
            resultado.error(actual["fila"], "padre", f"las filas forman un ciclo ({ciclo}).")
            base = 0
        else:
            base = actual["nivel"] if actual is not None else None
        for f in reversed(camino):
            base = f.get("nivel_padre", 0) + 1 if base is None else base + 1
            f["nivel"] = base
            if base == MAX_NIVELES + 1:
                resultado.error(f["fila"], "codigo", f"queda a más de {MAX_NIVELES} niveles de profundidad.")

    por_tipo = {1: Nodo.Tipo.EJE, 2: Nodo.Tipo.LINEA}
    for fila in leidas:
        if fila["codigo"]:
            fila["tipo"] = fila["tipo"] or por_tipo.get(fila["nivel"], Nodo.Tipo.ACTIVIDAD)


def _para_guardar(fila):
    """A checked row as JSON keeps it."""
    return {
        "fila": fila["fila"],
        "codigo": fila["codigo"],
        "padre": fila["padre"],
        "padre_pk": fila["padre_pk"],
        "nivel": fila["nivel"],
        "tipo": fila["tipo"],
        "titulo": fila["titulo"],
        "descripcion": fila["descripcion"],
        "responsable": fila["responsable"],
        "responsable_nombre": fila["responsable_nombre"],
        "socios": fila["socios"],
        "inicio": fila["inicio"].isoformat() if fila["inicio"] else None,
        "termino": fila["termino"].isoformat() if fila["termino"] else None,
        "peso": fila["peso"],
        "presupuesto": fila["presupuesto"],
        "financiamiento": fila["financiamiento"],
    }


# --- Writes: keep the checked upload, then append it to the plan ----------------------------------------------


def importacion_preparar(*, plan, por, archivo, nombre):
    """Reads and checks an upload for `plan` and keeps the result server-side; the plan is not touched yet.
    The caller went through planes.access.get_plan_for(..., "editar"). Raises ValidationError for a file that
    cannot be read at all; row problems go to `importacion.errores`."""
    try:
        _, huella, filas = lectura.leer(archivo, nombre)
        resultado = revisar(filas, plan=plan)
    except ErrorDeArchivo as error:
        raise ValidationError(str(error)) from None
    if resultado.total_filas == 0:
        raise ValidationError("El archivo no trae filas con datos bajo los nombres de las columnas.")
    errores = resultado.errores
    if resultado.total_errores > len(errores):
        errores.append({"fila": None, "columna": "", "mensaje": f"… y {resultado.total_errores - len(errores)} más."})
    return ImportacionPlan.objects.create(
        plan=plan,
        usuario=por,
        nombre_archivo=nombre[:200],
        huella=huella,
        filas=[] if errores else resultado.filas,
        errores=errores,
        advertencias=resultado.advertencias,
        total_filas=resultado.total_filas,
    )


CAMBIO = "El plan cambió desde que subió el archivo ({}): vuelva a subirlo para revisarlo de nuevo."


@transaction.atomic
def importacion_confirmar(*, importacion, por):
    """Appends every checked row to the plan at once (parents first, one insert per level) and recomputes the
    plan's progress. Anything that changed since the preview (an element removed or added with the same code, an
    organization no longer active, the plan closed) cancels the whole import."""
    importacion = ImportacionPlan.objects.select_for_update().filter(pk=importacion.pk).first()
    if importacion is None:
        raise ValidationError("Esta importación ya no existe: vuelva a subir el archivo.")
    if importacion.estado != ImportacionPlan.Estado.PENDIENTE:
        raise ValidationError("Esta importación ya se confirmó.")
    if importacion.errores or not importacion.filas:
        raise ValidationError("El archivo tiene errores: corríjalos y súbalo de nuevo.")
    plan = Plan.objects.select_for_update().get(pk=importacion.plan_id)
    if not puede_editar(por, plan, roles_activos(por)):
        raise PermissionDenied(NEGADO["editar"])
    if plan.estado == Plan.Estado.CERRADO:
        raise ValidationError("Un plan cerrado ya no se modifica.")
    filas = importacion.filas
    existentes = existentes_del_plan(plan)
    if tomados := [f["codigo"] for f in filas if f["codigo"] in existentes]:
        raise ValidationError(CAMBIO.format(f"ya tiene el código {tomados[0]}"))
    padres = {f["padre_pk"] for f in filas if f["padre_pk"]}
    if padres - set(Nodo.objects.filter(plan=plan, pk__in=padres).values_list("pk", flat=True)):
        raise ValidationError(CAMBIO.format("se quitó un elemento al que pertenecían filas del archivo"))
    responsables = {f["responsable"] for f in filas if f["responsable"]}
    if responsables - set(Organizacion.objects.activas().filter(pk__in=responsables).values_list("pk", flat=True)):
        raise ValidationError(CAMBIO.format("una organización responsable ya no está activa"))

    orden = (Nodo.objects.filter(plan=plan).aggregate(m=Max("orden"))["m"] or 0) + 1
    numero_de = {f["fila"]: i for i, f in enumerate(sorted(filas, key=lambda f: f["fila"]))}  # the file's order
    creados = {}
    for nivel in sorted({f["nivel"] for f in filas}):
        nuevos = []
        for f in (f for f in filas if f["nivel"] == nivel):
            nodo = Nodo(
                plan=plan,
                padre_id=creados[f["padre"]].pk if f["padre"] else f["padre_pk"],
                tipo=f["tipo"],
                codigo=f["codigo"],
                titulo=f["titulo"],
                descripcion=f["descripcion"],
                responsable_id=f["responsable"],
                socios=f["socios"],
                inicio=date.fromisoformat(f["inicio"]) if f["inicio"] else None,
                termino=date.fromisoformat(f["termino"]) if f["termino"] else None,
                peso=Decimal(f["peso"]),
                presupuesto=f["presupuesto"],
                financiamiento=f["financiamiento"],
                orden=orden + numero_de[f["fila"]],
            )
            try:
                nodo.clean_fields(exclude=["plan", "padre", "responsable", "persona", "estado", "origen"])
            except ValidationError as error:  # the checks above should have caught it: name the row anyway
                raise ValidationError(f"Fila {f['fila']}: {' '.join(error.messages)}") from None
            creados[f["codigo"]] = nodo
            nuevos.append(nodo)
        Nodo.objects.bulk_create(nuevos)
    avance_recalcular(plan)
    importacion.estado = ImportacionPlan.Estado.CONFIRMADA
    importacion.creados, importacion.confirmada_en = len(creados), timezone.now()
    importacion.save(update_fields=["estado", "creados", "confirmada_en"])
    return importacion


# --- The preview ------------------------------------------------------------------------------------------------


def _dia(iso):
    return date.fromisoformat(iso).strftime("%d-%m-%Y") if iso else ""


def vista_previa(importacion):
    """What confirming adds: counts by type, the elements of the plan it hangs from, and every row in tree order
    (the file's order within each parent), indented by level."""
    filas = importacion.filas
    tipos = dict(Nodo.Tipo.choices)
    existentes = {e.pk: e for lista in existentes_del_plan(importacion.plan).values() for e in lista}
    hijos = {}
    for f in sorted(filas, key=lambda f: f["fila"]):
        hijos.setdefault(f["padre"] or ("plan", f["padre_pk"]), []).append(f)
    ordenadas = []

    def recorrer(clave, profundidad):
        for f in hijos.get(clave, []):
            ordenadas.append((f, profundidad))
            recorrer(f["codigo"], profundidad + 1)

    raices = sorted({f["padre_pk"] for f in filas if not f["padre"]}, key=lambda pk: (pk is not None, pk or 0))
    for pk in raices:
        recorrer(("plan", pk), 0)
    cuenta = {t: sum(f["tipo"] == t for f in filas) for t in tipos}
    nombres = {"eje": ("eje", "ejes"), "linea": ("línea de acción", "líneas de acción")}
    nombres["actividad"] = ("actividad", "actividades")
    return {
        "total": len(filas),
        "por_tipo": ", ".join(f"{n} {nombres[t][n != 1]}" for t, n in cuenta.items() if n),
        "bajo": [str(existentes[pk]) for pk in raices if pk in existentes],
        "filas": [
            {
                "fila": f["fila"],
                "nivel": min(profundidad, 4),
                "codigo": f["codigo"],
                "tipo": tipos[f["tipo"]],
                "titulo": f["titulo"],
                "bajo": str(existentes[f["padre_pk"]]) if f["padre_pk"] in existentes else "",
                "responsable": f["responsable_nombre"],
                "socios": f["socios"],
                "plazo": " – ".join(d for d in (_dia(f["inicio"]), _dia(f["termino"])) if d),
                "peso": decimal_coma(f["peso"]),
                "presupuesto": cifra(f["presupuesto"], 0) if f["presupuesto"] is not None else "",
                "financiamiento": f["financiamiento"],
            }
            for f, profundidad in ordenadas
        ],
    }


# --- Template and export (same columns: an exported plan can be edited and imported again) -----------------


def _ejemplo(plan):
    """Three example rows (an axis, a line and an activity) of the plan's own organization and first year."""
    responsable = plan.organizacion.nombre
    anio = plan.anio_inicio
    return [
        ["1", "", "Eje", "Prevención situacional", FILA_DE_EJEMPLO, responsable, "", "", "", 1, "", ""],
        ["1.1", "", "Línea de acción", "Recuperación de espacios públicos", FILA_DE_EJEMPLO, responsable]
        + ["", "", "", 1, "", ""],
        ["1.1.1", "", "Actividad", "Iluminación peatonal de la plaza central", FILA_DE_EJEMPLO, responsable]
        + ["Carabineros; junta de vecinos", date(anio, 3, 1), date(anio, 6, 30), 2, 12_500_000, "FNSP"],
    ]


def plantilla_csv(plan):
    """The header and the example rows, UTF-8 with BOM and semicolons: what Excel in Chile opens."""
    salida = io.StringIO()
    salida.write("\ufeff")
    escritor = csv.writer(salida, delimiter=";", lineterminator="\r\n")
    escritor.writerow(NOMBRES)
    for fila in _ejemplo(plan):
        escritor.writerow([v.strftime("%d-%m-%Y") if isinstance(v, date) else celda_segura(v) for v in fila])
    return salida.getvalue().encode("utf-8")


def plantilla_xlsx(plan):
    """A workbook: the «plan» sheet with the example rows, codes kept as text, dates as dates, dropdowns for
    the type and the responsible organization; the instructions; the active organizations."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    libro = Workbook()
    hoja = libro.active
    hoja.title = "plan"
    hoja.append(NOMBRES)
    for celda in hoja[1]:
        celda.font = Font(bold=True)
    for fila in _ejemplo(plan):
        hoja.append(fila)
    for numero_fila in range(2, 1002):
        for columna, formato in ((1, "@"), (2, "@"), (8, "DD-MM-YYYY"), (9, "DD-MM-YYYY"), (11, "#,##0")):
            hoja.cell(row=numero_fila, column=columna).number_format = formato  # "1.10" stays a code
    for letra, ancho in (("C", 16), ("D", 44), ("E", 30), ("F", 36), ("G", 26), ("H", 12), ("I", 12), ("K", 14)):
        hoja.column_dimensions[letra].width = ancho
    organizaciones = libro.create_sheet("organizaciones")
    organizaciones.append(["nombre"])
    nombres = list(Organizacion.objects.activas().order_by("nombre").values_list("nombre", flat=True))
    for nombre in nombres:
        organizaciones.append([nombre])
    organizaciones.column_dimensions["A"].width = 60
    listas = [
        ("C", '"Eje,Línea de acción,Actividad"', "Eje, Línea de acción o Actividad (en blanco: según el código)."),
        ("F", f"organizaciones!$A$2:$A${len(nombres) + 1}", "Elija una organización de la hoja «organizaciones»."),
    ]
    for letra, formula, ayuda in listas:
        validacion = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
        validacion.prompt, validacion.showInputMessage = ayuda, True
        hoja.add_data_validation(validacion)
        validacion.add(f"{letra}2:{letra}1001")
    ayuda = libro.create_sheet("instrucciones")
    ayuda.append(["columna", "qué va", "obligatoria"])
    for nombre, descripcion, obligatoria in COLUMNAS:
        ayuda.append([nombre, descripcion, "sí" if obligatoria else "no"])
    ayuda.append([])
    for linea in (
        "Reemplace las filas de ejemplo por las de su plan: una fila por eje, línea de acción o actividad.",
        "La jerarquía sale del código (1.2 pertenece a 1) o, si la llena, de la columna «padre».",
        "Las filas se agregan al plan: puede colgar actividades de un eje que ya está en él usando su código.",
        "Nada se guarda hasta que revise la vista previa y confirme; si una fila tiene errores, no se guarda ninguna.",
    ):
        ayuda.append(["", linea])
    ayuda.column_dimensions["B"].width = 110
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def exportar_csv(plan, salida):
    """Writes every element of the plan (tree order) with its progress: `;`, decimal comma, dd-mm-aaaa, each cell
    through celda_segura. The template's columns come first, so the file can be imported into another plan."""
    filas = sel.arbol_del_plan(plan)
    codigos = {f.nodo.pk: f.nodo.codigo for f in filas}
    escritor = csv.writer(salida, delimiter=";", lineterminator="\r\n")
    escritor.writerow(NOMBRES + COLUMNAS_DE_AVANCE)
    for f in filas:
        n = f.nodo
        valores = [
            n.codigo,
            codigos.get(n.padre_id, ""),
            n.get_tipo_display(),
            n.titulo,
            n.descripcion,
            n.responsable.nombre if n.responsable else "",
            n.socios,
            n.inicio.strftime("%d-%m-%Y") if n.inicio else "",
            n.termino.strftime("%d-%m-%Y") if n.termino else "",
            decimal_coma(n.peso),
            "" if n.presupuesto is None else n.presupuesto,
            n.financiamiento,
            decimal_coma(n.avance),
            n.estado.nombre if n.estado else "",
            f.etiqueta_semaforo,
            "sí" if f.atrasada else "no",
        ]
        escritor.writerow([celda_segura(v) for v in valores])
