"""Helpers to build diagnoses, indicators and uploads in tests (also used by the access matrix)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from comunas.models import Categoria
from diagnosticos.models import Diagnostico
from diagnosticos.services import (
    diagnostico_adjuntos_agregar,
    diagnostico_crear,
    diagnostico_publicar,
    importacion_preparar,
)
from tests.practicas.utiles import taxonomia

DATOS = {
    "titulo": "Diagnóstico comunal de Zapallar 2024",
    "anio_inicio": 2023,
    "anio_fin": 2024,
    "contexto": "Comuna costera con población flotante en verano.",
    "fuentes": "CEAD; encuesta municipal.",
    "construccion": Diagnostico.Construccion.CONSEJO,
    "construccion_detalle": "Tres sesiones del consejo comunal de seguridad pública.",
    "conclusiones": "Priorizar hurtos y robos en lugar habitado.",
}


def categoria(slug):
    taxonomia()
    return Categoria.objects.get(slug=slug, taxonomia__vigente=True)


def crear_diagnostico(organizacion, por, *, publicar=None, problemas=("hurtos", "robo-en-lugar-habitado"), **datos):
    diagnostico = diagnostico_crear(
        organizacion=organizacion,
        por=por,
        datos={**DATOS, **datos},
        problemas=[{"categoria": categoria(s), "justificacion": f"Justificación de {s}"} for s in problemas],
    )
    if publicar:
        diagnostico = diagnostico_publicar(diagnostico=diagnostico, visibilidad=publicar, por=por)
    return diagnostico


def archivo(texto, nombre="indicadores.csv", codificacion="utf-8"):
    return SimpleUploadedFile(nombre, texto.encode(codificacion), content_type="text/csv")


def xlsx(filas, nombre="indicadores.xlsx"):
    from openpyxl import Workbook

    libro = Workbook()
    hoja = libro.active
    hoja.title = "indicadores"
    for fila in filas:
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return SimpleUploadedFile(nombre, salida.getvalue())


def subir(usuario, texto, **kwargs):
    """Uploads CSV text (or an already built file) and returns the checked upload."""
    taxonomia()
    subido = texto if hasattr(texto, "read") else archivo(texto, **kwargs)
    return importacion_preparar(usuario=usuario, archivo=subido, nombre=subido.name)


def rechazo(usuario, texto, **kwargs):
    """The Spanish message of a file refused as a whole (nothing is kept)."""
    from django.core.exceptions import ValidationError

    try:
        subir(usuario, texto, **kwargs)
    except ValidationError as error:
        return " ".join(error.messages)
    raise AssertionError("el archivo debía rechazarse")


def diagnosticos_del_elenco(org, director):
    """The objects the access matrix needs: a draft and a platform diagnosis of Zapallar (with an attachment),
    and an upload."""
    publicado = crear_diagnostico(org, director, publicar="plataforma")
    pdf = SimpleUploadedFile("encuesta.pdf", b"%PDF-1.4\n%%EOF\n")
    [adjunto] = diagnostico_adjuntos_agregar(diagnostico=publicado, archivos=[pdf], por=director)
    return {
        "diagnostico_borrador": crear_diagnostico(org, director, titulo="Borrador de diagnóstico"),
        "diagnostico": publicado,
        "adjunto_diagnostico": adjunto,
        "importacion": subir(director, "codigo_territorio;categoria;anio;frecuencia\n05405;hurtos;2024;12\n"),
    }
