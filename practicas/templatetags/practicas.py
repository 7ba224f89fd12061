import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from practicas.markdown import html_seguro
from practicas.selectors import FIN_MARCA, INICIO_MARCA

register = template.Library()


@register.filter
def markdown(texto):
    """Renders now: for short texts (comments, reviews, adaptations). A practice's texts use markdown_de."""
    return html_seguro(texto)


@register.filter
def markdown_de(practica, campo):
    """{{ practica|markdown_de:"resumen" }}: the HTML rendered when the practice was saved."""
    return practica.html_de(campo)


# Markdown emphasis, code and heading marks, which a plain-text snippet would show raw.
MARCAS_MARKDOWN = re.compile(r"\*\*|__|\*|`+|^#{1,6}\s+", re.MULTILINE)


@register.filter
def resaltado(texto):
    """Drops Markdown marks, escapes the snippet, then turns the search markers into <mark>."""
    html = escape(MARCAS_MARKDOWN.sub("", texto or "")).replace(INICIO_MARCA, "<mark>").replace(FIN_MARCA, "</mark>")
    return mark_safe(html)  # noqa: S308 — escaped above


@register.filter
def clp(valor):
    """12345678 → "$12.345.678" (Chilean thousands separator)."""
    if valor in (None, ""):
        return "—"
    return "$" + f"{int(valor):,}".replace(",", ".")
