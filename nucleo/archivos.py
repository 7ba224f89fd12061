"""What an uploaded file really is, read from its bytes (never from its name or the browser's content type).

PDF and images by their magic bytes; OOXML (DOCX/XLSX/PPTX) and ODF (ODT/ODS) are ZIP archives recognised
by the parts inside; CSV has no signature, so it must be plain text (no NUL or control bytes, not markup).
Anything else — an executable, HTML, a script — is refused. The name must also agree with the content, so
a download never arrives with a misleading extension.

A ZIP is judged from its central directory before any member is decompressed: too many entries, a member or
a total that would expand past the limits below, or an extreme compression ratio is a decompression bomb
(a 1 MB upload that becomes gigabytes), refused. What is read (ODF's `mimetype`) is read with a bounded read.
zipfile never yields more than an entry's declared size (it checks the CRC at the end), so whoever opens the
file afterwards (openpyxl, for indicator uploads) is bounded by the same declared sizes.
"""

import zipfile
from dataclasses import dataclass

# Limits of a ZIP-based document (DOCX, XLSX, PPTX, ODT, ODS), from its central directory. A large real
# spreadsheet or presentation has hundreds of parts and expands 5–20 times; these leave ample room.
ZIP_MAX_ENTRADAS = 5000
ZIP_MAX_DESCOMPRIMIDO = 200 * 1024 * 1024  # declared uncompressed total, bytes
ZIP_MAX_PROPORCION = 200  # uncompressed / compressed, for a member larger than ZIP_PROPORCION_DESDE
ZIP_PROPORCION_DESDE = 1024 * 1024
MIMETYPE_MAX = 256  # ODF's "mimetype" holds one short line (stored, not compressed)


@dataclass(frozen=True)
class Tipo:
    clave: str
    nombre: str
    content_type: str
    extensiones: tuple


TIPOS = {
    t.clave: t
    for t in [
        Tipo("pdf", "documento PDF", "application/pdf", (".pdf",)),
        Tipo("png", "imagen PNG", "image/png", (".png",)),
        Tipo("jpeg", "imagen JPEG", "image/jpeg", (".jpg", ".jpeg")),
        Tipo("webp", "imagen WebP", "image/webp", (".webp",)),
        Tipo(
            "docx",
            "documento de Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        Tipo(
            "xlsx",
            "planilla de Excel (XLSX)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        Tipo(
            "pptx",
            "presentación de PowerPoint (PPTX)",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        Tipo("odt", "documento de texto OpenDocument (ODT)", "application/vnd.oasis.opendocument.text", (".odt",)),
        Tipo("ods", "planilla OpenDocument (ODS)", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
        Tipo("csv", "tabla CSV", "text/csv", (".csv",)),
    ]
}
EXTENSIONES = sorted({e for t in TIPOS.values() for e in t.extensiones})
ACCEPT = ",".join(EXTENSIONES)
FORMATOS_LEGIBLES = "PDF, imágenes (PNG, JPEG, WebP), Word, Excel, PowerPoint, OpenDocument (ODT, ODS) y CSV"

_OOXML = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# Byte signatures of what is most often disguised; named in the refusal so the user understands it.
_CONOCIDOS = [
    (b"MZ", "un programa ejecutable de Windows"),
    (b"\x7fELF", "un programa ejecutable"),
    (b"#!", "un script"),
    (b"GIF8", "una imagen GIF (no admitida)"),
]


class ArchivoNoAdmitido(ValueError):
    """The message is Spanish and meant for the user."""


class ZipDesmedido(ArchivoNoAdmitido):
    """A ZIP that would expand far beyond reason (a decompression bomb); the message says why, without the name."""


def _exigir_zip_medido(entradas):
    """Raises ZipDesmedido from the central directory alone: nothing has been decompressed yet."""
    if len(entradas) > ZIP_MAX_ENTRADAS:
        raise ZipDesmedido(f"contiene {len(entradas)} archivos internos; el máximo es {ZIP_MAX_ENTRADAS}")
    total = 0
    for entrada in entradas:
        total += entrada.file_size
        grande = entrada.file_size > ZIP_PROPORCION_DESDE
        if grande and entrada.file_size > ZIP_MAX_PROPORCION * max(entrada.compress_size, 1):
            raise ZipDesmedido(
                f"una de sus partes se expandiría {entrada.file_size // max(entrada.compress_size, 1)} veces al "
                f"descomprimirla (el máximo es {ZIP_MAX_PROPORCION})"
            )
    if total > ZIP_MAX_DESCOMPRIMIDO:
        maximo = ZIP_MAX_DESCOMPRIMIDO // (1024 * 1024)
        raise ZipDesmedido(f"descomprimido ocuparía {total / 1024 / 1024:.0f} MB; el máximo es {maximo} MB")


def _zip(archivo):
    archivo.seek(0)
    try:
        with zipfile.ZipFile(archivo) as z:
            entradas = z.infolist()
            _exigir_zip_medido(entradas)
            nombres = {e.filename for e in entradas}
            if "mimetype" in nombres:
                mimetype = z.getinfo("mimetype")
                if mimetype.file_size > MIMETYPE_MAX:
                    raise ZipDesmedido("su parte «mimetype» no es la de un documento OpenDocument")
                with z.open(mimetype) as parte:
                    return _ODF.get(parte.read(MIMETYPE_MAX).strip())
            if "[Content_Types].xml" in nombres:
                return next((t for parte, t in _OOXML.items() if parte in nombres), None)
    except ZipDesmedido:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        return None
    return None


def _es_texto_csv(muestra):
    if b"\x00" in muestra:
        return False
    for codificacion in ("utf-8-sig", "cp1252"):
        try:
            texto = muestra.decode(codificacion)
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in texto):
        return False
    inicio = texto.lstrip().lower()
    return not inicio.startswith(("<", "{\\rtf", "%pdf"))


def detectar(archivo):
    """The key in TIPOS of what the bytes are, or None. `archivo` is a file object (rewound afterwards).
    Raises ZipDesmedido for a ZIP past the limits (read from its directory, before decompressing anything)."""
    archivo.seek(0)
    cabeza = archivo.read(8192)
    archivo.seek(0)
    if cabeza.startswith(b"%PDF-"):
        return "pdf"
    if cabeza.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if cabeza.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if cabeza[:4] == b"RIFF" and cabeza[8:12] == b"WEBP":
        return "webp"
    if cabeza.startswith(b"PK\x03\x04"):
        try:
            return _zip(archivo)
        finally:
            archivo.seek(0)
    if _es_texto_csv(cabeza):
        return "csv"
    return None


def _describir(cabeza):
    for firma, nombre in _CONOCIDOS:
        if cabeza.startswith(firma):
            return nombre
    inicio = cabeza.lstrip().lower()
    if inicio.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml", b"<")):
        return "una página web o código (HTML/XML)"
    return "un formato no admitido"


def extension(nombre):
    punto = nombre.rfind(".")
    return nombre[punto:].lower() if punto >= 0 else ""


def verificar(archivo, nombre, *, max_bytes):
    """Returns the Tipo of an acceptable upload, or raises ArchivoNoAdmitido with a clear Spanish message."""
    tamano = archivo.size if hasattr(archivo, "size") else len(archivo.getvalue())
    if tamano == 0:
        raise ArchivoNoAdmitido(f"«{nombre}» está vacío.")
    if tamano > max_bytes:
        raise ArchivoNoAdmitido(
            f"«{nombre}» pesa {tamano / 1024 / 1024:.1f} MB; el máximo es {max_bytes // (1024 * 1024)} MB."
        )
    try:
        clave = detectar(archivo)
    except ZipDesmedido as motivo:
        raise ArchivoNoAdmitido(
            f"«{nombre}» no se aceptó: {motivo}. Parece un archivo manipulado; ábralo y guárdelo de nuevo con su "
            "programa, o súbalo como PDF."
        ) from None
    if clave is None:
        archivo.seek(0)
        que_es = _describir(archivo.read(512))
        archivo.seek(0)
        raise ArchivoNoAdmitido(
            f"«{nombre}» no se aceptó: por su contenido es {que_es}, aunque su nombre diga otra cosa. "
            f"Se admiten {FORMATOS_LEGIBLES}."
        )
    tipo = TIPOS[clave]
    if extension(nombre) not in tipo.extensiones:
        raise ArchivoNoAdmitido(
            f"«{nombre}» no se aceptó: su nombre no corresponde a su contenido, que es un(a) {tipo.nombre}. "
            f"Cambie la extensión a {tipo.extensiones[0]} o suba el archivo correcto."
        )
    return tipo
