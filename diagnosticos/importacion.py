"""Reading and checking a file of crime indicators (CSV or Excel), before anything is written.

What Chilean spreadsheets produce is accepted: UTF-8 (with or without BOM) or Latin-1/Windows-1252, comma or
semicolon (sniffed from the header), decimal comma ("1.234,5", "1234,5"). Every problem becomes a Spanish
message naming the row (as numbered in the spreadsheet: the header is row 1) and the column. The checked rows
are kept server-side (`ImportacionIndicadores.filas`) and written by diagnosticos.services.importacion_confirmar.
"""

import csv
import hashlib
import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

from comunas.models import Categoria, Comuna, Poblacion, Provincia, Region
from comunas.taxonomia import Arbol
from diagnosticos.models import Indicador
from nucleo.archivos import ArchivoNoAdmitido, verificar
from nucleo.csv import celda_segura

MAX_BYTES = 20 * 1024 * 1024
MAX_FILAS = 200_000
MAX_ERRORES = 1000  # more than this and the file is surely the wrong one; the rest are counted, not listed
ANIO_MINIMO = 2000

# (column, what goes in it, required) — the long layout, one row per value (the template).
COLUMNAS = [
    (
        "codigo_territorio",
        "Código de la comuna (5 dígitos, p. ej. 05405), de la provincia (3, p. ej. 054) o de la región (2)",
        True,
    ),
    ("territorio", "Nombre del territorio: se compara con el código; sin código, el nombre basta", False),
    ("categoria", "Categoría CEAD (familia, grupo o subgrupo), por su nombre o identificador (p. ej. «Hurtos»)", True),
    ("anio", "Año (p. ej. 2024)", True),
    ("trimestre", "Trimestre 1 a 4, si la cifra es trimestral (si no, en blanco)", False),
    ("mes", "Mes 1 a 12, si la cifra es mensual (si no, en blanco)", False),
    ("medida", "Qué se cuenta: Casos policiales (si va en blanco), Denuncias, Detenciones, Víctimas u otra", False),
    ("origen", "De dónde viene: CEAD (si va en blanco), Registros municipales, ENUSC u otra fuente", False),
    ("frecuencia", "Número de casos (entero)", False),
    ("tasa", "Tasa por 100.000 habitantes; en blanco se calcula con la población de la comuna", False),
    ("fuente", "Detalle de la fuente (p. ej. «CEAD, informe anual 2024»)", False),
    ("unidad", "Solo para otra medida: su unidad (p. ej. «llamados»)", False),
]
NOMBRES = [c[0] for c in COLUMNAS]
# What a person reads: the template's header row, the import page and the messages name the columns so. Files
# with the short names (an export, an earlier template) are read the same.
ENCABEZADOS = {
    "codigo_territorio": "Código del territorio",
    "territorio": "Territorio",
    "categoria": "Categoría",
    "anio": "Año",
    "trimestre": "Trimestre",
    "mes": "Mes",
    "medida": "Medida",
    "origen": "Origen de los datos",
    "frecuencia": "Casos",
    "tasa": "Tasa por 100.000 habitantes",
    "fuente": "Fuente",
    "unidad": "Unidad",
    "familia": "Familia",
    "grupo": "Grupo",
    "subgrupo": "Subgrupo",
}


def encabezado(columna):
    """The name a person reads for a column («Código del territorio»); a period column («2024») as it came."""
    return ENCABEZADOS.get(columna, columna)


# Columns of the wide layout besides the periods: the category may come as family / group / subgroup.
JERARQUIA = ("familia", "grupo", "subgrupo")
ALIAS = {
    "ano": "anio",
    "year": "anio",
    "codigo": "codigo_territorio",
    "cut": "codigo_territorio",
    "codigo_cut": "codigo_territorio",
    "codigo_comuna": "codigo_territorio",
    "nombre_territorio": "territorio",
    "comuna": "territorio",
    "nombre_comuna": "territorio",
    "casos": "frecuencia",
    "tasa_por_100000": "tasa",
    "tasa_por_100_000": "tasa",
    "tasa_100000": "tasa",
    "tasa_cada_100000_habitantes": "tasa",
    "familia_delictual": "familia",
    "grupo_delictual": "grupo",
    "subgrupo_delictual": "subgrupo",
    "delito": "categoria",
    "fuente_de_datos": "origen",
    "codigo_del_territorio": "codigo_territorio",
    "origen_de_los_datos": "origen",
    "tasa_por_100_000_habitantes": "tasa",
}
PERIODO = re.compile(r"^(?P<anio>(19|20)\d\d)(?:[-_ ]?(?:t(?P<trimestre>[1-4])|(?P<mes>0?[1-9]|1[0-2])))?$")
# Official variants of commune names (either spelling finds the commune).
VARIANTES = [
    {"llay llay", "llaillay"},
    {"trehuaco", "treguaco"},
    {"marchigue", "marchihue"},
    {"calera", "la calera"},
    {"aisen", "aysen"},
    {"coihaique", "coyhaique"},
    {"paiguano", "paihuano"},
]
MEDIDAS = {
    "casos policiales": "casos_policiales",
    "casos": "casos_policiales",
    "denuncias": "denuncias",
    "detenciones": "detenciones",
    "victimas": "victimas",
    "detencion": "detenciones",
    "caso policial": "casos_policiales",
}
ORIGENES = {
    "cead": "cead",
    "spd": "cead",
    "registros municipales": "municipal",
    "municipal": "municipal",
    "municipio": "municipal",
    "enusc": "enusc",
}
FILA_DE_EJEMPLO = "EJEMPLO: reemplace esta fila por sus cifras"
TOPE_DECIMAL = Decimal(10) ** 12  # far above any count or rate; stops "1e999999999" before it is computed with

# Position of each value in a stored row (a list: 50,000 rows as dicts would repeat every key 50,000 times).
FILA, TERRITORIO, CATEGORIA, ANIO, TRIMESTRE, MES, FRECUENCIA, TASA, FUENTE, CALCULADA = range(10)
MEDIDA, MEDIDA_NOMBRE, UNIDAD, ORIGEN = range(10, 14)


def plegar(texto):
    """ "Año de Término" → "ano de termino": lower case, no accents, single spaces."""
    sin_tildes = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return " ".join(sin_tildes.lower().split())


def nombre_canonico(texto):
    """A territory name as compared: folded, without "Provincia de"/"Región de", hyphens as spaces, the official
    variant of a name that has two spellings."""
    nombre = plegar(str(texto).replace("-", " "))
    for prefijo in ("region metropolitana de ", "region del ", "region de ", "provincia de ", "provincia del "):
        if nombre.startswith(prefijo):
            nombre = nombre.removeprefix(prefijo)
    for variantes in VARIANTES:
        if nombre in variantes:
            return min(variantes)
    return nombre


def _columna(encabezado):
    clave = re.sub(r"[^a-z0-9]+", "_", plegar(encabezado)).strip("_")
    return ALIAS.get(clave, clave)


class ErrorDeArchivo(ValueError):
    """The whole file is unreadable (not a row problem); the message is Spanish and meant for the user."""


def _decodificar(contenido):
    for codificacion in ("utf-8-sig", "cp1252"):
        try:
            return contenido.decode(codificacion)
        except UnicodeDecodeError:
            continue
    return contenido.decode("latin-1")  # every byte is a Latin-1 character: never fails


def _filas_csv(contenido):
    texto = _decodificar(contenido)
    primera = texto.split("\n", 1)[0]
    separador = max((";", ",", "\t"), key=primera.count)
    return csv.reader(io.StringIO(texto, newline=""), delimiter=separador)


# An .xlsx is a zip of XML: a small file can hold millions of shared strings or a huge sheet that openpyxl would
# parse for minutes. These bounds are checked on the zip's own directory before anything is parsed.
XLSX_MAX_DESCOMPRIMIDO = 150 * 1024 * 1024
XLSX_MAX_TEXTOS = 1_000_000  # distinct strings in xl/sharedStrings.xml
XLSX_MAX_ENTRADAS = 500
MAX_COLUMNAS = 300
MAX_SEGUNDOS = 60  # reading and checking a file never takes longer than this


def _revisar_zip_xlsx(contenido):
    try:
        with zipfile.ZipFile(io.BytesIO(contenido)) as paquete:
            entradas = paquete.infolist()
            if len(entradas) > XLSX_MAX_ENTRADAS or sum(e.file_size for e in entradas) > XLSX_MAX_DESCOMPRIMIDO:
                raise ErrorDeArchivo(
                    "La planilla descomprimida es demasiado grande para importarla: guarde solo la hoja de "
                    "indicadores o divídala en varios archivos."
                )
            if "xl/sharedStrings.xml" in paquete.namelist():
                with paquete.open("xl/sharedStrings.xml") as textos:
                    cabecera = textos.read(2048).decode("utf-8", "ignore")
                cuenta = re.search(r'uniqueCount="(\d+)"', cabecera) or re.search(r'\bcount="(\d+)"', cabecera)
                if cuenta and int(cuenta.group(1)) > XLSX_MAX_TEXTOS:
                    raise ErrorDeArchivo(
                        f"La planilla trae {int(cuenta.group(1)):,} textos distintos; una de indicadores no necesita "
                        f"más de {XLSX_MAX_TEXTOS:,}. Revise que sea el archivo correcto.".replace(",", ".")
                    )
    except zipfile.BadZipFile as error:
        raise ErrorDeArchivo("No se pudo leer la planilla de Excel: ¿está dañada o protegida con clave?") from error


def _filas_xlsx(contenido):
    from openpyxl import load_workbook

    _revisar_zip_xlsx(contenido)
    try:
        libro = load_workbook(io.BytesIO(contenido), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ErrorDeArchivo("No se pudo leer la planilla de Excel: ¿está dañada o protegida con clave?") from error
    hoja = next((h for h in libro.worksheets if plegar(h.title) == "indicadores"), libro.worksheets[0])
    return hoja.iter_rows(values_only=True, max_col=MAX_COLUMNAS + 1)


def leer(archivo, nombre):
    """(tipo, huella, rows) of an upload; rows yields lists of cell values (str, or int/float from Excel)."""
    try:
        tipo = verificar(archivo, nombre, max_bytes=MAX_BYTES)
    except ArchivoNoAdmitido as error:
        raise ErrorDeArchivo(str(error)) from None
    if tipo.clave not in ("csv", "xlsx"):
        raise ErrorDeArchivo(f"«{nombre}» es un(a) {tipo.nombre}: suba una tabla CSV o una planilla de Excel (XLSX).")
    archivo.seek(0)
    contenido = archivo.read()
    huella = hashlib.sha256(contenido).hexdigest()
    filas = _filas_xlsx(contenido) if tipo.clave == "xlsx" else _filas_csv(contenido)
    return tipo.clave, huella, _acotadas(filas)


def _acotadas(filas):
    """The rows, refusing in Spanish what the readers would choke on: a cell longer than the csv module admits,
    too many columns, or a file that takes too long to read."""
    limite = time.monotonic() + MAX_SEGUNDOS
    numero_fila = 0
    while True:
        try:
            celdas = next(filas)
        except StopIteration:
            return
        except csv.Error as error:
            raise ErrorDeArchivo(
                f"La fila {numero_fila + 1} no se puede leer: una celda es demasiado larga o tiene comillas sin "
                "cerrar. Revise el archivo."
            ) from error
        numero_fila += 1
        if len(celdas) > MAX_COLUMNAS and any(_texto(c) for c in celdas[MAX_COLUMNAS:]):
            raise ErrorDeArchivo(f"La fila {numero_fila} tiene más de {MAX_COLUMNAS} columnas con datos.")
        if numero_fila % 500 == 0 and time.monotonic() > limite:
            raise ErrorDeArchivo(
                f"Leer el archivo tomó más de {MAX_SEGUNDOS} segundos (iba en la fila {numero_fila}); "
                "divídalo en partes más pequeñas."
            )
        yield list(celdas[:MAX_COLUMNAS])


# --- Values ------------------------------------------------------------------------------------------------

_MILES = re.compile(r"[-+]?\d{1,3}(\.\d{3})+")


def numero(valor):
    """A Decimal from what a Chilean spreadsheet writes ("1.234,5", "1234,5", "1234.5", 1234.5); ValueError if not."""
    if isinstance(valor, bool):
        raise ValueError(valor)
    if isinstance(valor, int | float):
        try:
            resultado = Decimal(repr(valor))
        except InvalidOperation:
            raise ValueError(valor) from None
        if not resultado.is_finite() or abs(resultado) >= TOPE_DECIMAL:
            raise ValueError(valor)
        return resultado
    else:
        texto = str(valor).strip().replace(" ", "").replace("\u00a0", "")
        if "," in texto and "." in texto:
            if texto.rfind(",") > texto.rfind("."):
                texto = texto.replace(".", "").replace(",", ".")  # 1.234,5
            else:
                texto = texto.replace(",", "")  # 1,234.5
        elif texto.count(",") == 1:
            texto = texto.replace(",", ".")  # 1234,5
        elif "," in texto:
            texto = texto.replace(",", "")  # 1,234,567
        elif _MILES.fullmatch(texto):
            texto = texto.replace(".", "")  # 1.234 — a dot between groups of three is a thousands separator
    if len(texto) > 40 or "e" in texto.lower():  # no scientific notation in a count or a rate
        raise ValueError(valor)
    try:
        resultado = Decimal(texto)
    except InvalidOperation:
        raise ValueError(valor) from None
    if not resultado.is_finite() or abs(resultado) >= TOPE_DECIMAL:
        raise ValueError(valor)
    return resultado


def _texto(valor):
    if valor is None:
        return ""
    if isinstance(valor, float) and valor.is_integer():
        valor = int(valor)
    return str(valor).strip()


def codigo_cut(valor):
    """Pads a CUT code that lost its leading zero in a spreadsheet ("5405" → "05405", "5" → "05", "54" → "054")."""
    texto = _texto(valor)
    if not texto.isdigit():
        return texto
    return {1: texto.zfill(2), 4: texto.zfill(5)}.get(len(texto), texto)


# --- Reference data, loaded once per file ------------------------------------------------------------------


@dataclass
class Referencias:
    comunas: dict  # codigo → (nombre, provincia)
    provincias: dict  # codigo → (nombre, region)
    regiones: dict  # codigo → nombre
    categorias: dict  # slug, folded name or folded "familia › grupo" path → Categoria (vigente version)
    arbol: Arbol = None
    poblacion: dict = field(default_factory=dict)  # (comuna, anio) → habitantes

    @classmethod
    def cargar(cls):
        arbol = Arbol.vigente()
        categorias = {}
        for categoria in arbol.categorias:
            categorias[categoria.slug] = categoria
            categorias[plegar(categoria.nombre)] = categoria
            categorias[plegar(arbol.etiqueta(categoria))] = categoria
        regiones = dict(Region.objects.values_list("codigo", "nombre_oficial"))
        return cls(
            comunas={c: (n, p) for c, n, p in Comuna.objects.values_list("codigo", "nombre", "provincia_id")},
            provincias={c: (n, r) for c, n, r in Provincia.objects.values_list("codigo", "nombre", "region_id")},
            regiones=regiones,
            categorias=categorias,
            arbol=arbol,
        )

    def __post_init__(self):
        self._por_nombre = None
        self._sumas = {}

    def nombre(self, codigo):
        if codigo in self.comunas:
            return self.comunas[codigo][0]
        if codigo in self.provincias:
            return f"Provincia de {self.provincias[codigo][0]}"
        return self.regiones.get(codigo, codigo)

    def nombres_de(self, codigo):
        """The canonical names a code answers to."""
        if codigo in self.comunas:
            return {nombre_canonico(self.comunas[codigo][0])}
        if codigo in self.provincias:
            return {nombre_canonico(self.provincias[codigo][0])}
        return {nombre_canonico(self.regiones.get(codigo, ""))}

    def codigo_de(self, nombre):
        """The CUT code of a territory given by name (a commune unless it says "Provincia de"/"Región"), or None."""
        if self._por_nombre is None:
            self._por_nombre = {"comuna": {}, "provincia": {}, "region": {}}
            for codigo, (n, _) in self.comunas.items():
                self._por_nombre["comuna"][nombre_canonico(n)] = codigo
            for codigo, (n, _) in self.provincias.items():
                self._por_nombre["provincia"][nombre_canonico(n)] = codigo
            for codigo, n in self.regiones.items():
                self._por_nombre["region"][nombre_canonico(n)] = codigo
        doblado = plegar(nombre)
        tipo = "comuna"
        if doblado.startswith(("provincia", "region")):
            tipo = "provincia" if doblado.startswith("provincia") else "region"
        return self._por_nombre[tipo].get(nombre_canonico(nombre))

    def categoria(self, texto, jerarquia=()):
        """(categoria, error): by slug, name or "familia › grupo" path; or by the deepest of the familia/grupo/
        subgrupo columns, checked against the ones above it."""
        if texto:
            ruta = plegar(texto.replace(">", "›").replace("/", "›"))
            encontrada = self.categorias.get(texto) or self.categorias.get(plegar(texto)) or self.categorias.get(ruta)
            if encontrada is None:
                return None, f"«{texto}» no es una categoría de la taxonomía vigente (vea la hoja «categorias»)"
            return encontrada, None
        niveles = [(nivel, valor) for nivel, valor in zip(JERARQUIA, jerarquia, strict=True) if valor]
        if not niveles:
            return None, "falta la categoría"
        nivel, valor = niveles[-1]
        encontrada = self.categorias.get(plegar(valor))
        if encontrada is None:
            return None, f"«{valor}» no es un(a) {nivel} de la taxonomía vigente"
        arriba = {plegar(c.nombre) for c in self.arbol.ruta(encontrada)[:-1]}
        for nivel_superior, valor_superior in niveles[:-1]:
            if plegar(valor_superior) not in arriba:
                return None, f"«{valor}» no pertenece a la {nivel_superior} «{valor_superior}»"
        return encontrada, None

    def cargar_poblacion(self, anios):
        filas = Poblacion.objects.filter(anio__in=anios).values_list("comuna_id", "anio", "habitantes")
        self.poblacion = {(c, a): h for c, a, h in filas}
        self._sumas = {}

    def habitantes(self, codigo, anio):
        """Population of a commune, or the sum over a province's or region's communes when all of them have it."""
        if codigo in self.comunas:
            return self.poblacion.get((codigo, anio))
        if (codigo, anio) not in self._sumas:
            if codigo in self.provincias:
                comunas = [c for c, (_, p) in self.comunas.items() if p == codigo]
            else:
                comunas = [c for c, (_, p) in self.comunas.items() if self.provincias[p][1] == codigo]
            valores = [self.poblacion.get((c, anio)) for c in comunas]
            self._sumas[codigo, anio] = sum(valores) if valores and None not in valores else None
        return self._sumas[codigo, anio]


def tasa_de(frecuencia, habitantes):
    return (Decimal(frecuencia) * 100_000 / habitantes).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Checking ----------------------------------------------------------------------------------------------


@dataclass
class Resultado:
    filas: list = field(default_factory=list)
    errores: list = field(default_factory=list)  # {"fila", "columna", "mensaje"}
    advertencias: list = field(default_factory=list)
    total_errores: int = 0
    total_filas: int = 0
    formato: str = "larga"

    def error(self, fila, columna, mensaje):
        self.total_errores += 1
        if len(self.errores) < MAX_ERRORES:
            donde = f"Fila {fila}, columna «{encabezado(columna)}»" if columna else f"Fila {fila}"
            self.errores.append({"fila": fila, "columna": columna, "mensaje": f"{donde}: {mensaje}"})


def _entero(resultado, fila, columna, valor, minimo, maximo):
    """An integer in [minimo, maximo], or None after recording the error; blank → None without error."""
    if _texto(valor) == "":
        return None
    try:
        numero_ = numero(valor)
    except ValueError:
        resultado.error(fila, columna, f"«{_texto(valor)[:40]}» no es un número.")
        return None
    if numero_ != numero_.to_integral_value():
        resultado.error(fila, columna, f"«{_texto(valor)[:40]}» debe ser un número entero.")
        return None
    if not minimo <= numero_ <= maximo:
        resultado.error(fila, columna, f"{int(numero_)} está fuera del rango admitido ({minimo} a {maximo}).")
        return None
    return int(numero_)


def _encabezado(filas):
    encabezado = next(filas, None)
    if not encabezado or not any(_texto(c) for c in encabezado):
        raise ErrorDeArchivo("El archivo está vacío: la primera fila debe traer los nombres de las columnas.")
    posiciones, periodos = {}, []
    for i, celda in enumerate(encabezado):
        texto = _texto(celda)
        periodo = PERIODO.match(plegar(texto).replace(" ", ""))
        if periodo:
            tri, mes = periodo.group("trimestre"), periodo.group("mes")
            anio = int(periodo.group("anio"))
            periodos.append((i, texto, anio, int(tri) if tri else None, int(mes) if mes else None))
            continue
        nombre = _columna(texto)
        if (nombre in NOMBRES or nombre in JERARQUIA) and nombre not in posiciones:
            posiciones[nombre] = i
    tiene_territorio = {"codigo_territorio", "territorio"} & set(posiciones)
    tiene_categoria = {"categoria", *JERARQUIA} & set(posiciones)
    faltan = [] if tiene_territorio else ["«Código del territorio» (o «Territorio»)"]
    faltan += [] if tiene_categoria else ["«Categoría» (o «Familia», «Grupo» y «Subgrupo»)"]
    if not periodos:
        faltan += [] if "anio" in posiciones else ["«Año»"]
        faltan += [] if {"frecuencia", "tasa"} & set(posiciones) else ["«Casos» o «Tasa por 100.000 habitantes»"]
    if faltan:
        raise ErrorDeArchivo(
            "Faltan columnas en la primera fila: "
            + ", ".join(faltan)
            + ". Use la plantilla, o una tabla ancha con una columna por año (2019, 2020…)."
        )
    return posiciones, periodos


def _valores_de(celdas, posiciones, periodos):
    """The row as one or more long records: (columna de la cifra, {column: value})."""
    base = {c: (celdas[i] if i < len(celdas) else None) for c, i in posiciones.items()}
    if not periodos:
        yield "", base
        return
    for i, texto, anio, trimestre, mes in periodos:
        valor = celdas[i] if i < len(celdas) else None
        if _texto(valor) != "":
            yield texto, {**base, "anio": anio, "trimestre": trimestre, "mes": mes, "frecuencia": valor, "tasa": None}


def _medida(texto):
    """(medida, nombre) from the "medida" column: one of the four, or another measure named by the user."""
    if not texto:
        return "casos_policiales", ""
    clave = MEDIDAS.get(plegar(texto).rstrip("s") + "s") or MEDIDAS.get(plegar(texto))
    return (clave, "") if clave else ("otra", texto[:80])


def revisar(filas, *, permitidos, referencias=None):
    """Checks every row. `permitidos`: the CUT codes the user may import (None: any). Returns a Resultado."""
    ref = referencias or Referencias.cargar()
    resultado = Resultado()
    filas = iter(filas)
    posiciones, periodos = _encabezado(filas)
    resultado.formato = "ancha" if periodos else "larga"
    anio_maximo = timezone.localdate().year
    vistas = {}  # natural key → first row with it
    pendientes = []  # rows whose rate must be computed once the population of their years is loaded
    for numero_fila, celdas in enumerate(filas, start=2):
        if not any(_texto(c) for c in celdas):
            continue  # blank rows are common at the end of a spreadsheet
        for columna_cifra, valores in _valores_de(celdas, posiciones, periodos):
            fila = _revisar_fila(resultado, ref, numero_fila, columna_cifra, valores, permitidos, anio_maximo)
            if fila is None:
                continue
            clave = (fila[TERRITORIO], fila[CATEGORIA], fila[ANIO], fila[TRIMESTRE], fila[MES])
            clave += (fila[MEDIDA], fila[MEDIDA_NOMBRE], fila[ORIGEN])
            if clave in vistas:
                resultado.error(
                    numero_fila,
                    columna_cifra,
                    "repite el territorio, la categoría, el período, la medida y la fuente de la fila "
                    f"{vistas[clave]}.",
                )
                continue
            vistas[clave] = numero_fila
            if fila[TASA] is None:
                pendientes.append(fila)
            resultado.filas.append(fila)

    if pendientes:
        ref.cargar_poblacion({f[ANIO] for f in pendientes})
        sin_poblacion = {}
        for fila in pendientes:
            habitantes = ref.habitantes(fila[TERRITORIO], fila[ANIO])
            if habitantes:
                fila[TASA], fila[CALCULADA] = tasa_de(fila[FRECUENCIA], habitantes), True
            else:
                sin_poblacion.setdefault(fila[ANIO], set()).add(fila[TERRITORIO])
        for anio, codigos in sorted(sin_poblacion.items()):
            nombres = ", ".join(sorted(ref.nombre(c) for c in codigos)[:5]) + ("…" if len(codigos) > 5 else "")
            resultado.advertencias.append(
                f"{anio}: sin población registrada para {nombres}; esas cifras quedarán sin tasa por 100.000 "
                "habitantes (los gráficos las mostrarán como casos, sin comparar tasas)."
            )
    for fila in resultado.filas:
        fila[TASA] = str(fila[TASA]) if fila[TASA] is not None else None  # JSON keeps the exact decimal
    return resultado


def _revisar_fila(resultado, ref, numero_fila, columna_cifra, valores, permitidos, anio_maximo):
    """One long record checked, or None after recording its errors."""
    resultado.total_filas += 1
    if plegar(_texto(valores.get("fuente"))) == plegar(FILA_DE_EJEMPLO):
        resultado.error(numero_fila, "", "es la fila de ejemplo de la plantilla: reemplácela por sus cifras o bórrela.")
        return None
    if resultado.total_filas > MAX_FILAS:
        raise ErrorDeArchivo(f"El archivo tiene más de {MAX_FILAS:,} cifras; divídalo en partes.".replace(",", "."))
    antes = resultado.total_errores

    codigo = codigo_cut(valores.get("codigo_territorio"))
    nombre = _texto(valores.get("territorio"))[:120]
    if not codigo and nombre:
        codigo = ref.codigo_de(nombre)
        if codigo is None:
            resultado.error(numero_fila, "territorio", f"no hay una comuna, provincia o región llamada «{nombre}».")
    if not codigo and not nombre:
        resultado.error(numero_fila, "codigo_territorio", "falta el código del territorio.")
    elif codigo and codigo not in ref.comunas and codigo not in ref.provincias and codigo not in ref.regiones:
        resultado.error(
            numero_fila, "codigo_territorio", f"no existe una comuna, provincia o región con el código «{codigo}»."
        )
    elif codigo and nombre and nombre_canonico(nombre) not in ref.nombres_de(codigo):
        resultado.error(
            numero_fila,
            "territorio",
            f"el código {codigo} es de {ref.nombre(codigo)}, no de «{nombre}»; corrija el código o el nombre.",
        )
    elif codigo and permitidos is not None and codigo not in permitidos:
        resultado.error(
            numero_fila,
            "codigo_territorio",
            f"su organización no puede cargar cifras de {ref.nombre(codigo)} ({codigo}); "
            "solo las de su propio territorio.",
        )

    jerarquia = tuple(_texto(valores.get(n))[:120] for n in JERARQUIA)
    categoria, problema = ref.categoria(_texto(valores.get("categoria"))[:120], jerarquia)
    if problema:
        columna = "categoria" if "categoria" in valores or not any(jerarquia) else "subgrupo"
        resultado.error(numero_fila, columna, f"{problema}.")

    anio = valores.get("anio")
    if not isinstance(anio, int):
        anio = _entero(resultado, numero_fila, "anio", valores.get("anio"), ANIO_MINIMO, anio_maximo)
        if anio is None and _texto(valores.get("anio")) == "":
            resultado.error(numero_fila, "anio", "falta el año.")
    elif not ANIO_MINIMO <= anio <= anio_maximo:
        rango = f"({ANIO_MINIMO} a {anio_maximo})"
        resultado.error(numero_fila, columna_cifra, f"{anio} está fuera del rango admitido {rango}.")
    trimestre, mes = valores.get("trimestre"), valores.get("mes")
    if not columna_cifra:
        trimestre = _entero(resultado, numero_fila, "trimestre", trimestre, 1, 4)
        mes = _entero(resultado, numero_fila, "mes", mes, 1, 12)
    if trimestre and mes:
        resultado.error(numero_fila, "mes", "indique trimestre o mes, no ambos.")

    medida, medida_nombre = _medida(_texto(valores.get("medida")))
    texto_origen = _texto(valores.get("origen"))
    origen = ORIGENES.get(plegar(texto_origen), "otro") if texto_origen else "cead"

    columna_frecuencia = columna_cifra or "frecuencia"
    frecuencia = _entero(resultado, numero_fila, columna_frecuencia, valores.get("frecuencia"), 0, 2_000_000_000)
    tasa = None
    texto_tasa = _texto(valores.get("tasa"))
    if texto_tasa:
        try:
            tasa = numero(valores["tasa"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except ValueError:
            resultado.error(numero_fila, "tasa", f"«{texto_tasa[:40]}» no es un número.")
        else:
            if not 0 <= tasa < 10**9:
                resultado.error(numero_fila, "tasa", f"{texto_tasa[:40]} está fuera del rango admitido.")
    if frecuencia is None and not texto_tasa and _texto(valores.get("frecuencia")) == "":
        resultado.error(numero_fila, "frecuencia", "indique los casos, la tasa o ambos.")

    if resultado.total_errores > antes:
        return None
    fila = [numero_fila, codigo, categoria.pk, anio, trimestre, mes, frecuencia, tasa, "", False]
    fila[FUENTE] = (_texto(valores.get("fuente")) or (texto_origen if origen == "otro" else ""))[:200]
    fila += [medida, medida_nombre, _texto(valores.get("unidad"))[:40] if medida == "otra" else "", origen]
    return fila


# --- Template and export (same columns: an export can be edited and imported again) ---------------------------


def _ejemplo(territorio):
    """An example row for the template: the user's own territory, last year, a category, casos policiales."""
    codigo, nombre = territorio or ("05405", "Zapallar")
    anio = timezone.localdate().year - 1
    return [codigo, nombre, "Hurtos", anio, "", "", "Casos policiales", "CEAD", 42, "", FILA_DE_EJEMPLO, ""]


def plantilla_csv(territorio=None):
    """The header and an example row (to overwrite), UTF-8 with BOM and semicolons: what Excel in Chile opens."""
    filas = [[encabezado(n) for n in NOMBRES], [str(v) for v in _ejemplo(territorio)]]
    return ("\ufeff" + "".join(";".join(f) + "\r\n" for f in filas)).encode("utf-8")


def plantilla_xlsx(territorio=None):
    """A workbook: the «indicadores» sheet with an example row of the user's territory and dropdowns for the
    category, the measure and the source; the instructions; the categories of the taxonomy in force."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    arbol = Arbol.vigente()
    libro = Workbook()
    hoja = libro.active
    hoja.title = "indicadores"
    hoja.append([encabezado(n) for n in NOMBRES])
    for celda in hoja[1]:
        celda.font = Font(bold=True)
    hoja.append(_ejemplo(territorio))
    for fila in range(2, 1002):
        hoja.cell(row=fila, column=1).number_format = "@"  # keeps the leading zero of "05405"
    for letra, ancho in (("A", 18), ("B", 22), ("C", 44), ("G", 18), ("H", 22), ("K", 28)):
        hoja.column_dimensions[letra].width = ancho
    categorias = libro.create_sheet("categorias")
    categorias.append(["nombre", "identificador", "nivel", "pertenece a", "taxonomía"])
    for c in arbol.categorias:
        padre = arbol.por_pk.get(c.padre_id)
        categorias.append([c.nombre, c.slug, c.get_nivel_display(), padre.nombre if padre else "", "CEAD 2024"])
    listas = [
        ("C", f"categorias!$A$2:$A${len(arbol.categorias) + 1}", "Elija una categoría de la hoja «categorias»."),
        ("G", '"Casos policiales,Denuncias,Detenciones,Víctimas"', "O escriba el nombre de otra medida."),
        ("H", '"CEAD,Registros municipales,ENUSC"', "O escriba otra fuente."),
    ]
    for letra, formula, ayuda in listas:
        validacion = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=letra == "C")
        validacion.error, validacion.errorTitle = "Esa categoría no está en la taxonomía vigente.", "Categoría"
        validacion.prompt, validacion.showInputMessage = ayuda, True
        hoja.add_data_validation(validacion)
        validacion.add(f"{letra}2:{letra}1001")
    ayuda = libro.create_sheet("instrucciones")
    ayuda.append(["columna", "qué va", "obligatoria"])
    for nombre, descripcion, obligatoria in COLUMNAS:
        ayuda.append([encabezado(nombre), descripcion, "sí" if obligatoria else "no"])
    ayuda.append([])
    for texto in (
        "Reemplace la fila de ejemplo por sus cifras. Indique los casos, la tasa o ambos; decimales con coma.",
        "También se aceptan tablas anchas como las que publica el CEAD: una fila por territorio y categoría "
        "(columnas Familia, Grupo y Subgrupo, o Categoría) y una columna por año (2019, 2020…) o por trimestre "
        "(2024-T1).",
        "Una familia o un grupo sin cifra propia se calcula como la suma de lo que contiene.",
    ):
        ayuda.append(["", texto])
    ayuda.column_dimensions["B"].width = 110
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _decimal_coma(valor):
    return "" if valor is None else str(valor).replace(".", ",")


def exportar_csv(indicadores, lote=5000):
    """The CSV of a queryset of indicators, in pieces (bytes, the first with the BOM): `;` and decimal comma, the
    template's columns, so an export can be edited and imported again. Streamed: plain values read through a
    server-side cursor (`iterator`), names from small lookups read once (territories, categories), each piece
    written and handed over before the next batch is read, so memory stays flat for any number of rows."""
    medidas, origenes = dict(Indicador.Medida.choices), dict(Indicador.Origen.choices)
    cortos = {"cead": "CEAD", "municipal": "Registros municipales", "enusc": "ENUSC"}
    nombres = dict(Comuna.objects.values_list("codigo", "nombre"))
    nombres.update(Provincia.objects.values_list("codigo", "nombre"))
    nombres.update(Region.objects.values_list("codigo", "nombre"))
    categorias = {
        pk: (slug, version) for pk, slug, version in Categoria.objects.values_list("pk", "slug", "taxonomia__version")
    }
    salida = io.StringIO()
    escritor = csv.writer(salida, delimiter=";", lineterminator="\r\n")
    salida.write("\ufeff")
    escritor.writerow([*NOMBRES, "taxonomia"])
    filas = indicadores.values_list(
        "territorio", "categoria_id", "anio", "trimestre", "mes", "medida", "medida_nombre", "origen", "frecuencia",
        "tasa", "fuente", "unidad",
    )  # fmt: skip
    for n, (
        territorio,
        categoria,
        anio,
        trimestre,
        mes,
        medida,
        nombre,
        origen,
        frecuencia,
        tasa,
        fuente,
        unidad,
    ) in enumerate(filas.iterator(chunk_size=lote), start=1):
        slug, version = categorias[categoria]
        escritor.writerow(
            [
                territorio,
                celda_segura(nombres.get(territorio, "")),
                slug,
                anio,
                trimestre or "",
                mes or "",
                celda_segura(nombre if medida == "otra" else medidas[medida]),
                cortos.get(origen) or celda_segura(origenes[origen]),
                "" if frecuencia is None else frecuencia,
                _decimal_coma(tasa),
                celda_segura(fuente),
                celda_segura(unidad),
                version,
            ]
        )
        if n % lote == 0:
            yield salida.getvalue().encode("utf-8")
            salida.seek(0)
            salida.truncate()
    yield salida.getvalue().encode("utf-8")
