"""CSV export of a library search, for the spreadsheet most teams use: UTF-8 with BOM and `;` as separator
(Excel in Spanish-speaking locales splits on semicolons and needs the BOM to read accents)."""

import csv
import io

from django.utils import timezone

from nucleo.csv import celda_segura

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


def _fecha(valor):
    return valor.strftime("%d-%m-%Y") if valor else ""


def practicas_csv(practicas, url_de):
    """The CSV text (with BOM) of an iterable of practices from `buscar_practicas`; `url_de(p)` → absolute link."""
    salida = io.StringIO()
    salida.write("\ufeff")
    escritor = csv.writer(salida, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    escritor.writerow(COLUMNAS)
    for p in practicas[:MAX_FILAS]:
        fila = [
            p.titulo,
            p.organizacion.nombre,
            p.region.nombre,
            p.provincia.nombre,
            p.comuna.nombre if p.comuna_id else "",
            ", ".join(c.nombre for c in p.categorias.all()),
            p.get_calificacion_display(),
            _fecha(p.periodo_inicio),
            _fecha(p.periodo_fin),
            p.presupuesto,  # a plain number, so the spreadsheet can add it up
            p.fuente_financiamiento,
            p.resumen,
            p.get_visibilidad_display(),
            _fecha(timezone.localtime(p.publicada_en)) if p.publicada_en else "",
            url_de(p),
        ]
        escritor.writerow([celda_segura(v) for v in fila])
    return salida.getvalue()
