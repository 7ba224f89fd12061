"""One way of writing dates and counts (formats in nucleo/formatos/es_CL/formats.py), for templates (the filters
of nucleo/templatetags/formato.py) and for code that writes text itself (PDFs, notices, CSV files)."""

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
