"""Markdown for long texts, rendered safely: markdown-it-py without raw HTML, then sanitized by nh3."""

import nh3
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
