"""Template filters for dates and counts, loaded in every template (settings TEMPLATES "builtins")."""

from django import template

from nucleo import formato

register = template.Library()

for _nombre in ("fecha_larga", "dia_largo", "fecha_corta", "fecha_hora_corta", "cantidad"):
    register.filter(_nombre, getattr(formato, _nombre))
