"""Markdown for long texts, rendered safely: markdown-it-py without raw HTML, then sanitized by nh3.

A practice's texts are rendered once, when saved (guardar_html, kept in Practica.html), not on every view:
rendering grows with the text, and a public practice can be opened by anyone, as often as they like.
"""

import hashlib

import nh3
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])

ETIQUETAS = {
    "p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATRIBUTOS = {"a": {"href", "title"}, "ol": {"start"}}


def a_html(texto):
    """HTML safe to mark as such: raw HTML in the source is escaped, links are http(s)/mailto only."""
    if not texto:
        return ""
    # Headings start at h3: the page already has its h1 and section h2s (headings stay in order).
    html = _md.render(texto)
    for n in (2, 1):
        html = html.replace(f"<h{n}>", f"<h{n + 2}>").replace(f"</h{n}>", f"</h{n + 2}>")
    return nh3.clean(
        html,
        tags=ETIQUETAS,
        attributes=ATRIBUTOS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def huella(texto):
    """Identifies the source a stored rendering came from (a text changed elsewhere no longer matches)."""
    return hashlib.blake2b((texto or "").encode(), digest_size=16).hexdigest()


def html_al_dia(guardado, objeto, campos):
    """The stored renderings `guardado` ({campo: [huella, html]}) brought up to date with `objeto`'s texts:
    only a text whose source changed is rendered again."""
    html = dict(guardado or {})
    for campo in campos:
        texto = getattr(objeto, campo)
        if html.get(campo, [None])[0] != huella(texto):
            html[campo] = [huella(texto), a_html(texto)]
    return html


def html_seguro(texto):
    """a_html, marked safe for a template."""
    return mark_safe(a_html(texto))  # noqa: S308 — sanitized by nh3 in a_html
