"""Filters for dates, counts and names in a sentence, loaded in every template (settings TEMPLATES "builtins")."""

from django import template

from nucleo import formato

register = template.Library()

for _nombre in ("fecha_larga", "dia_largo", "fecha_corta", "fecha_hora_corta", "cantidad", "con_articulo"):
    register.filter(_nombre, getattr(formato, _nombre))
