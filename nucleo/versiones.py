"""Versions of publishable documents (practices, diagnoses, plans): a numbered JSON snapshot taken at publication
and at every later change, readable and comparable later. Each document keeps its own version model (its FK)."""

import datetime
import decimal

from django.conf import settings
from django.db import models
from django.db.models import Max


class VersionBase(models.Model):
    numero = models.PositiveIntegerField("versión")
    datos = models.JSONField("contenido")
    por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="por"
    )
    creada = models.DateTimeField("fecha", auto_now_add=True)

    class Meta:
        abstract = True


def datos_legibles(datos):
    """A snapshot as a person reads it in the admin: one row per field, lists and objects as lines, no JSON
    words (null, true, false)."""
    from django.utils.html import format_html, format_html_join

    def valor(v):
        if v in (None, "", []):
            return "—"
        if isinstance(v, bool):
            return "Sí" if v else "No"
        if isinstance(v, dict):
            return "; ".join(f"{k}: {valor(x)}" for k, x in v.items())
        if isinstance(v, list):
            return " | ".join(valor(x) for x in v)
        return str(v)

    filas = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", ((k, valor(v)) for k, v in (datos or {}).items()))
    return format_html("<table>{}</table>", filas)


def a_json(valor):
    """A field value as JSON keeps it: dates in ISO format, decimals as text."""
    if isinstance(valor, datetime.date | datetime.datetime):
        return valor.isoformat()
    if isinstance(valor, decimal.Decimal):
        return str(valor)
    return valor


def foto(objeto, campos):
    """{campo: valor} of the given fields, ready for a snapshot."""
    return {campo: a_json(getattr(objeto, campo)) for campo in campos}


def versionar(versiones, *, datos, por):
    """A new version on the `versiones` related manager (e.g. practica.versiones), numbered after the last one.
    Call it inside the document's transaction, with its row locked, so two writers never take one number."""
    ultima = versiones.aggregate(n=Max("numero"))["n"] or 0
    return versiones.create(numero=ultima + 1, datos=datos, por=por)
