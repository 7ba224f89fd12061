"""One way of writing dates, counts and names in a sentence (formats in nucleo/formatos/es_CL/formats.py), for
templates (the filters of nucleo/templatetags/formato.py) and for code that writes text itself (PDFs, notices, CSV)."""

import datetime

from django.utils import formats, timezone


def _local(valor):
    if isinstance(valor, datetime.datetime) and timezone.is_aware(valor):
        return timezone.localtime(valor)
    return valor


def fecha_larga(valor):
    """Running text: "miércoles 16 de diciembre de 2026, 10:00" (a date alone: without the time); "" for None."""
    if not valor:
        return ""
    formato = "DATETIME_FORMAT" if isinstance(valor, datetime.datetime) else "DATE_FORMAT"
    return formats.date_format(_local(valor), formato)


def dia_largo(valor):
    """Running text, the day only: "miércoles 16 de diciembre de 2026"."""
    return formats.date_format(_local(valor), "DATE_FORMAT") if valor else ""


def fecha_corta(valor):
    """Tables and lists: "16-12-2026"."""
    return formats.date_format(_local(valor), "SHORT_DATE_FORMAT") if valor else ""


def fecha_hora_corta(valor):
    """Tables and lists, with the time: "16-12-2026 10:00"."""
    return formats.date_format(_local(valor), "SHORT_DATETIME_FORMAT") if valor else ""


def cantidad(valor):
    """A count: "1.394" (thousands with a dot, never decimals); "—" for None."""
    if valor is None or valor == "":
        return "—"
    return formats.number_format(round(valor), decimal_pos=0, use_l10n=True, force_grouping=True)


# The name of a group (a mesa, a consejo) inside a sentence needs its article: "la coordinación de la Mesa
# intercomunal…", "del Consejo comunal…". Its gender comes from the first word; an unknown one is named as a mesa.
_MASCULINOS = {"consejo", "comité", "comite", "grupo", "equipo", "directorio", "foro", "encuentro", "plan", "círculo"}
_FEMENINOS = {"mesa", "red", "comisión", "comision", "instancia", "coordinación", "coordinadora", "asamblea", "alianza"}
_CONTRACCIONES = {("de", "el"): "del", ("a", "el"): "al"}


def con_articulo(nombre, preposicion=""):
    """ "la Mesa de seguridad…" / "el Consejo comunal…"; with a preposition: "de la Mesa…", "del Consejo…"."""
    nombre = str(nombre).strip()
    primera, _, resto = nombre.partition(" ")
    if primera.lower() in {"la", "el"} and resto:  # the name already carries it ("La Mesa del Aconcagua")
        articulo, nombre = primera.lower(), resto
    elif primera.lower() in _MASCULINOS:
        articulo = "el"
    elif primera.lower() in _FEMENINOS:
        articulo = "la"
    else:
        articulo, nombre = "la", f"mesa «{nombre}»"
    preposicion = preposicion.strip().lower()
    if not preposicion:
        return f"{articulo} {nombre}"
    return f"{_CONTRACCIONES.get((preposicion, articulo), f'{preposicion} {articulo}')} {nombre}"
