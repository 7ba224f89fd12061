"""CSV for the spreadsheet most teams use: every export goes through `celda_segura`."""


def celda_segura(valor):
    """Text that a spreadsheet will not run as a formula (CSV injection); every CSV export goes through it."""
    texto = "" if valor is None else str(valor)
    return "'" + texto if texto[:1] in ("=", "+", "-", "@", "\t", "\r") else texto
