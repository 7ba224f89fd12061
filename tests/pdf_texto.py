"""The text a reportlab PDF draws, for tests that check what a PDF says (no PDF library in the project: reportlab
only writes). Content streams are ASCII85 + Flate encoded; text is drawn by Tj/TJ with Helvetica's WinAnsi bytes."""

import base64
import re
import zlib

_OPERADORES = re.compile(rb"\((?P<tj>(?:\\.|[^\\)])*)\)\s*Tj|\[(?P<arr>.*?)\]\s*TJ|(?P<salto>T\*|ET)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _cadena(literal):
    """A PDF literal string (without its parentheses) as text: escapes undone, WinAnsi bytes decoded."""
    salida = bytearray()
    i = 0
    while i < len(literal):
        if literal[i] == 0x5C:  # a backslash escape
            octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
            if octal:
                salida.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            siguiente = literal[i + 1 : i + 2]
            salida += _ESCAPES.get(siguiente, siguiente)
            i += 2
            continue
        salida.append(literal[i])
        i += 1
    return salida.decode("cp1252")


def _flujos(datos):
    for flujo in re.findall(rb"stream\r?\n(.*?)endstream", datos, re.S):
        flujo = flujo.strip()
        if flujo.endswith(b"~>"):
            flujo = base64.a85decode(flujo[:-2])
        try:
            yield zlib.decompress(flujo)
        except zlib.error:
            continue


def texto_de_pdf(datos):
    """All the text of the PDF, its whitespace collapsed to single spaces (a wrapped line reads on)."""
    partes = []
    for flujo in _flujos(datos):
        for m in _OPERADORES.finditer(flujo):
            if m["tj"] is not None:
                partes.append(_cadena(m["tj"]))
            elif m["arr"] is not None:
                partes += [_cadena(p) for p in re.findall(rb"\(((?:\\.|[^\\)])*)\)", m["arr"], re.S)]
            else:
                partes.append(" ")
    return " ".join("".join(partes).split())
