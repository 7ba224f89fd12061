"""CSV export of a library search, for the spreadsheet most teams use: UTF-8 with BOM and `;` as separator
(Excel in Spanish-speaking locales splits on semicolons and needs the BOM to read accents).

Streamed (issue 17): the header leaves at once; then the ids of the search in their order (one query, at most
MAX_FILAS), and the rows a batch at a time — each batch's exported columns as plain values and its problems in one
more query — written and sent before the next is read, so memory stays flat whatever the size of the result."""

import csv
import io

from django.utils import timezone

from nucleo.csv import celda_segura
from practicas.models import Practica

COLUMNAS = [
    "Título",
    "Organización",
    "Región",
    "Provincia",
    "Comuna",
    "Problemas que aborda",
    "Calificación de la evidencia",
    "Inicio",
    "Término",
    "Presupuesto (CLP)",
    "Fuente de financiamiento",
    "Resumen",
    "Visibilidad",
    "Publicada el",
    "Enlace",
]
MAX_FILAS = 5000
LOTE = 1000
CAMPOS = [
    "titulo", "organizacion__nombre", "region__nombre", "provincia__nombre", "comuna__nombre", "calificacion",
    "periodo_inicio", "periodo_fin", "presupuesto", "fuente_financiamiento", "resumen", "visibilidad", "publicada_en",
]  # fmt: skip


def _fecha(valor):
    return valor.strftime("%d-%m-%Y") if valor else ""


def _lote(ids):
    """The exported values of these practices, in this order: one query for the columns, one for the problems."""
    filas = {f["pk"]: f for f in Practica.objects.filter(pk__in=ids).values("pk", *CAMPOS)}
    problemas = {}
    enlaces = Practica.categorias.through.objects.filter(practica_id__in=ids).order_by("categoria__orden")
    for practica_id, nombre in enlaces.values_list("practica_id", "categoria__nombre"):
        problemas.setdefault(practica_id, []).append(nombre)
    return [(filas[pk], problemas.get(pk, [])) for pk in ids if pk in filas]


def practicas_csv(resultados, enlace):
    """The CSV (with BOM), in pieces, of the results of `buscar_practicas` (at most MAX_FILAS);
    `enlace.format(pk)` is a practice's absolute link."""
    calificaciones = dict(Practica.Calificacion.choices)
    visibilidades = dict(Practica.Visibilidad.choices)
    salida = io.StringIO()
    escritor = csv.writer(salida, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    salida.write("\ufeff")
    escritor.writerow(COLUMNAS)
    yield salida.getvalue().encode("utf-8")
    todos = resultados.ids(0, MAX_FILAS)  # the order once (at most MAX_FILAS ids), then the rows by batches
    for desde in range(0, len(todos), LOTE):
        ids = todos[desde : desde + LOTE]
        salida.seek(0)
        salida.truncate()
        for p, problemas in _lote(ids):
            fila = [
                p["titulo"],
                p["organizacion__nombre"],
                p["region__nombre"],
                p["provincia__nombre"],
                p["comuna__nombre"] or "",
                ", ".join(problemas),
                calificaciones.get(p["calificacion"], ""),
                _fecha(p["periodo_inicio"]),
                _fecha(p["periodo_fin"]),
                p["presupuesto"],  # a plain number, so the spreadsheet can add it up
                p["fuente_financiamiento"],
                p["resumen"],
                visibilidades.get(p["visibilidad"], ""),
                _fecha(timezone.localtime(p["publicada_en"])) if p["publicada_en"] else "",
                enlace.format(p["pk"]),
            ]
            escritor.writerow([celda_segura(v) for v in fila])
        yield salida.getvalue().encode("utf-8")
