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
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

from comunas.models import Categoria, Comuna, Poblacion, Provincia, Region
from nucleo.archivos import ArchivoNoAdmitido, verificar
from nucleo.csv import celda_segura

MAX_BYTES = 20 * 1024 * 1024
MAX_FILAS = 200_000
MAX_ERRORES = 1000  # more than this and the file is surely the wrong one; the rest are counted, not listed
ANIO_MINIMO = 2000

# (column, what goes in it, required)
COLUMNAS = [
    ("codigo_territorio", "Código CUT: comuna (5 dígitos, p. ej. 05405), provincia (3, p. ej. 054) o región (2)", True),
    ("territorio", "Nombre del territorio (opcional, solo de referencia: manda el código)", False),
    ("categoria", "Categoría CEAD, por su nombre o identificador (p. ej. «Hurtos» o «hurtos»)", True),
    ("anio", "Año (p. ej. 2024)", True),
    ("trimestre", "Trimestre 1 a 4, si la cifra es trimestral (si no, en blanco)", False),
    ("mes", "Mes 1 a 12, si la cifra es mensual (si no, en blanco)", False),
    ("frecuencia", "Número de casos (entero)", False),
    ("tasa", "Tasa por 100.000 habitantes; en blanco se calcula con la población de la comuna", False),
    ("fuente", "Fuente de la cifra (p. ej. «CEAD, casos policiales»)", False),
]
NOMBRES = [c[0] for c in COLUMNAS]
ALIAS = {
    "ano": "anio",
    "year": "anio",
    "codigo": "codigo_territorio",
    "cut": "codigo_territorio",
    "codigo_cut": "codigo_territorio",
    "codigo_comuna": "codigo_territorio",
    "nombre_territorio": "territorio",
    "casos": "frecuencia",
    "tasa_por_100000": "tasa",
    "tasa_por_100_000": "tasa",
    "tasa_100000": "tasa",
    "tasa_cada_100000_habitantes": "tasa",
}

# Position of each value in a stored row (a list: 50,000 rows as dicts would repeat every key 50,000 times).
FILA, TERRITORIO, CATEGORIA, ANIO, TRIMESTRE, MES, FRECUENCIA, TASA, FUENTE, CALCULADA = range(10)


def plegar(texto):
    """ "Año de Término" → "ano de termino": lower case, no accents, single spaces."""
    sin_tildes = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return " ".join(sin_tildes.lower().split())


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


def _filas_xlsx(contenido):
    from openpyxl import load_workbook

    try:
        libro = load_workbook(io.BytesIO(contenido), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ErrorDeArchivo("No se pudo leer la planilla de Excel: ¿está dañada o protegida con clave?") from error
    hoja = next((h for h in libro.worksheets if plegar(h.title) == "indicadores"), libro.worksheets[0])
    return hoja.iter_rows(values_only=True)


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
    return tipo.clave, huella, filas


# --- Values ------------------------------------------------------------------------------------------------

_MILES = re.compile(r"[-+]?\d{1,3}(\.\d{3})+")


def numero(valor):
    """A Decimal from what a Chilean spreadsheet writes ("1.234,5", "1234,5", "1234.5", 1234.5); ValueError if not."""
    if isinstance(valor, bool):
        raise ValueError(valor)
    if isinstance(valor, int | float):
        texto = repr(valor)
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
    try:
        resultado = Decimal(texto)
    except InvalidOperation:
        raise ValueError(valor) from None
    if not resultado.is_finite():
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
    categorias: dict  # slug or folded name → Categoria
    poblacion: dict = field(default_factory=dict)  # (comuna, anio) → habitantes

    @classmethod
    def cargar(cls):
        categorias = {}
        for categoria in Categoria.objects.vigentes():
            categorias[categoria.slug] = categoria
            categorias[plegar(categoria.nombre)] = categoria
        return cls(
            comunas={c: (n, p) for c, n, p in Comuna.objects.values_list("codigo", "nombre", "provincia_id")},
            provincias={c: (n, r) for c, n, r in Provincia.objects.values_list("codigo", "nombre", "region_id")},
            regiones=dict(Region.objects.values_list("codigo", "nombre_oficial")),
            categorias=categorias,
        )

    def cargar_poblacion(self, anios):
        filas = Poblacion.objects.filter(anio__in=anios).values_list("comuna_id", "anio", "habitantes")
        self.poblacion = {(c, a): h for c, a, h in filas}
        self._sumas = {}

    def nombre(self, codigo):
        if codigo in self.comunas:
            return self.comunas[codigo][0]
        if codigo in self.provincias:
            return f"Provincia de {self.provincias[codigo][0]}"
        return self.regiones.get(codigo, codigo)

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
    total_errores: int = 0
    total_filas: int = 0

    def error(self, fila, columna, mensaje):
        self.total_errores += 1
        if len(self.errores) < MAX_ERRORES:
            donde = f"Fila {fila}, columna «{columna}»" if columna else f"Fila {fila}"
            self.errores.append({"fila": fila, "columna": columna, "mensaje": f"{donde}: {mensaje}"})


def _entero(resultado, fila, columna, valor, minimo, maximo):
    """An integer in [minimo, maximo], or None after recording the error; blank → None without error."""
    if _texto(valor) == "":
        return None
    try:
        numero_ = numero(valor)
    except ValueError:
        resultado.error(fila, columna, f"«{_texto(valor)}» no es un número.")
        return None
    if numero_ != numero_.to_integral_value():
        resultado.error(fila, columna, f"«{_texto(valor)}» debe ser un número entero.")
        return None
    if not minimo <= numero_ <= maximo:
        resultado.error(fila, columna, f"{int(numero_)} está fuera del rango admitido ({minimo} a {maximo}).")
        return None
    return int(numero_)


def revisar(filas, *, permitidos, referencias=None):
    """Checks every row. `permitidos`: the CUT codes the user may import (None: any). Returns a Resultado."""
    ref = referencias or Referencias.cargar()
    resultado = Resultado()
    filas = iter(filas)
    encabezado = next(filas, None)
    if not encabezado or not any(_texto(c) for c in encabezado):
        raise ErrorDeArchivo("El archivo está vacío: la primera fila debe traer los nombres de las columnas.")
    posiciones = {}
    for i, celda in enumerate(encabezado):
        nombre = _columna(_texto(celda))
        if nombre in NOMBRES and nombre not in posiciones:
            posiciones[nombre] = i
    faltan = [c for c, _, obligatoria in COLUMNAS if obligatoria and c not in posiciones]
    if faltan or not ({"frecuencia", "tasa"} & set(posiciones)):
        faltan += [] if {"frecuencia", "tasa"} & set(posiciones) else ["frecuencia o tasa"]
        raise ErrorDeArchivo(
            "Faltan columnas en la primera fila: " + ", ".join(f"«{c}»" for c in faltan) + ". Use la plantilla."
        )
    anio_maximo = timezone.localdate().year
    vistas = {}  # natural key → first row with it
    pendientes = []  # rows whose rate must be computed once the population of their years is loaded
    for numero_fila, celdas in enumerate(filas, start=2):
        valores = {c: (celdas[i] if i < len(celdas) else None) for c, i in posiciones.items()}
        if not any(_texto(v) for v in valores.values()):
            continue  # blank rows are common at the end of a spreadsheet
        resultado.total_filas += 1
        if resultado.total_filas > MAX_FILAS:
            raise ErrorDeArchivo(f"El archivo tiene más de {MAX_FILAS:,} filas; divídalo en partes.".replace(",", "."))
        antes = resultado.total_errores

        codigo = codigo_cut(valores["codigo_territorio"])
        if not codigo:
            resultado.error(numero_fila, "codigo_territorio", "falta el código del territorio.")
        elif codigo not in ref.comunas and codigo not in ref.provincias and codigo not in ref.regiones:
            resultado.error(
                numero_fila, "codigo_territorio", f"no existe una comuna, provincia o región con el código «{codigo}»."
            )
        elif permitidos is not None and codigo not in permitidos:
            resultado.error(
                numero_fila,
                "codigo_territorio",
                f"su organización no puede cargar cifras de {ref.nombre(codigo)} ({codigo}); "
                "solo las de su propio territorio.",
            )

        texto_categoria = _texto(valores["categoria"])
        categoria = ref.categorias.get(texto_categoria) or ref.categorias.get(plegar(texto_categoria))
        if categoria is None:
            detalle = f"«{texto_categoria}» no es una categoría" if texto_categoria else "falta la categoría"
            resultado.error(numero_fila, "categoria", f"{detalle} de la taxonomía vigente (vea la hoja «categorias»).")

        anio = _entero(resultado, numero_fila, "anio", valores["anio"], ANIO_MINIMO, anio_maximo)
        if anio is None and _texto(valores["anio"]) == "":
            resultado.error(numero_fila, "anio", "falta el año.")
        trimestre = _entero(resultado, numero_fila, "trimestre", valores.get("trimestre"), 1, 4)
        mes = _entero(resultado, numero_fila, "mes", valores.get("mes"), 1, 12)
        if trimestre and mes:
            resultado.error(numero_fila, "mes", "indique trimestre o mes, no ambos.")

        frecuencia = _entero(resultado, numero_fila, "frecuencia", valores.get("frecuencia"), 0, 2_000_000_000)
        tasa = None
        texto_tasa = _texto(valores.get("tasa"))
        if texto_tasa:
            try:
                tasa = numero(valores["tasa"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            except ValueError:
                resultado.error(numero_fila, "tasa", f"«{texto_tasa}» no es un número.")
            else:
                if not 0 <= tasa < 10**9:
                    resultado.error(numero_fila, "tasa", f"{texto_tasa} está fuera del rango admitido.")
        if frecuencia is None and not texto_tasa and _texto(valores.get("frecuencia")) == "":
            resultado.error(numero_fila, "frecuencia", "indique la frecuencia, la tasa o ambas.")

        if resultado.total_errores > antes:
            continue
        clave = (codigo, categoria.pk, anio, trimestre, mes)
        if clave in vistas:
            resultado.error(
                numero_fila, "", f"repite el territorio, la categoría y el período de la fila {vistas[clave]}."
            )
            continue
        vistas[clave] = numero_fila
        fila = [numero_fila, codigo, categoria.pk, anio, trimestre, mes, frecuencia, tasa, "", False]
        fila[FUENTE] = _texto(valores.get("fuente"))[:200]
        if tasa is None:
            pendientes.append(fila)
        resultado.filas.append(fila)

    if pendientes:
        ref.cargar_poblacion({f[ANIO] for f in pendientes})
        for fila in pendientes:
            habitantes = ref.habitantes(fila[TERRITORIO], fila[ANIO])
            if habitantes:
                fila[TASA], fila[CALCULADA] = tasa_de(fila[FRECUENCIA], habitantes), True
    for fila in resultado.filas:
        fila[TASA] = str(fila[TASA]) if fila[TASA] is not None else None  # JSON keeps the exact decimal
    return resultado


# --- Template and export (same columns: an export can be edited and imported again) ---------------------------


def plantilla_csv():
    """The header, UTF-8 with BOM and semicolons: what Excel in Chile opens without asking."""
    return ("\ufeff" + ";".join(NOMBRES) + "\r\n").encode("utf-8")


def plantilla_xlsx():
    """A workbook with an empty «indicadores» sheet (codes as text), the instructions and the categories."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    libro = Workbook()
    hoja = libro.active
    hoja.title = "indicadores"
    hoja.append(NOMBRES)
    for celda in hoja[1]:
        celda.font = Font(bold=True)
    for fila in range(2, 1002):
        hoja.cell(row=fila, column=1).number_format = "@"  # keeps the leading zero of "05405"
    hoja.column_dimensions["A"].width = 18
    hoja.column_dimensions["C"].width = 34
    ayuda = libro.create_sheet("instrucciones")
    ayuda.append(["columna", "qué va", "obligatoria"])
    for nombre, descripcion, obligatoria in COLUMNAS:
        ayuda.append([nombre, descripcion, "sí" if obligatoria else "no"])
    ayuda.append([])
    ayuda.append(["", "Indique la frecuencia, la tasa o ambas. Decimales con coma (1.234,5) o punto (1234.5)."])
    ayuda.column_dimensions["B"].width = 100
    categorias = libro.create_sheet("categorias")
    categorias.append(["identificador", "nombre", "grupo", "taxonomía"])
    for c in Categoria.objects.vigentes().select_related("taxonomia").order_by("orden"):
        categorias.append([c.slug, c.nombre, c.get_grupo_display(), c.taxonomia.version])
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _decimal_coma(valor):
    return "" if valor is None else str(valor).replace(".", ",")


def exportar_csv(indicadores, salida):
    """Writes indicators (with comuna/provincia/region and categoria loaded) as CSV with `;` and decimal comma."""
    escritor = csv.writer(salida, delimiter=";", lineterminator="\r\n")
    escritor.writerow([*NOMBRES, "taxonomia"])
    for i in indicadores.iterator(chunk_size=5000):
        territorio = i.comuna or i.provincia or i.region
        escritor.writerow(
            [
                i.territorio,
                celda_segura(territorio.nombre),
                i.categoria.slug,
                i.anio,
                i.trimestre or "",
                i.mes or "",
                "" if i.frecuencia is None else i.frecuencia,
                _decimal_coma(i.tasa),
                celda_segura(i.fuente),
                i.categoria.taxonomia.version,
            ]
        )
