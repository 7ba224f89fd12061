"""Reads what a reportlab PDF says, for the tests: no PDF text extractor is installed, and reportlab writes simple
files (literal strings in WinAnsi, page streams in ASCII85 + Flate), so the standard library is enough."""

import base64
import re
import zlib

_CADENA = rb"\((?:\\.|[^\\()])*\)"
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _cadena(literal):
    """A PDF literal string "(…)" as text (octal and backslash escapes; WinAnsi, i.e. cp1252)."""

    def escape(m):
        valor = m.group(1)
        if valor[:1].isdigit():
            return bytes([int(valor, 8)])
        return _ESCAPES.get(valor, valor)

    crudo = re.sub(rb"\\([0-7]{1,3}|.)", escape, literal[1:-1], flags=re.S)
    return crudo.decode("cp1252")


def _flujos(pdf):
    for m in re.finditer(rb"<<((?:(?!>>\s*stream).)*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        diccionario, datos = m.group(1), m.group(2).strip()
        if b"ASCII85Decode" in diccionario:
            datos = base64.a85decode(datos.removesuffix(b"~>"))
        if b"FlateDecode" in diccionario:
            datos = zlib.decompress(datos)
        yield datos


def paginas(pdf):
    """The text of each page, in order: each drawn string on its own line."""
    textos = []
    for flujo in _flujos(pdf):
        if b" Tj" not in flujo:
            continue
        textos.append("\n".join(_cadena(c) for c in re.findall(rb"(" + _CADENA + rb")\s*Tj", flujo)))
    return textos


def texto(pdf):
    return "\n".join(paginas(pdf))


def metadatos(pdf):
    """The document information (/Title, /Author, /Subject, /Keywords…) and the catalog's /Lang."""
    info = {}
    for clave in (b"Title", b"Author", b"Subject", b"Keywords", b"Creator", b"Lang"):
        m = re.search(rb"/" + clave + rb" (" + _CADENA + rb")", pdf)
        if m:
            info[clave.decode()] = _cadena(m.group(1))
    return info


def esquema(pdf):
    """The titles of the outline (bookmarks), in the file's order."""
    return [
        _cadena(m.group(1)) for m in re.finditer(rb"<<[^<>]*?/Parent \d+ 0 R[^<>]*?/Title (" + _CADENA + rb")", pdf)
    ]
