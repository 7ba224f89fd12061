"""Attachments shared by practices and diagnoses: the common model fields, all-or-nothing storage, deletion
after commit and the gated download response. Each owner keeps its own FK, storage folder and limit."""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible

from nucleo.archivos import TIPOS, ArchivoNoAdmitido, verificar


@deconstructible
class RutaAleatoria:
    """`upload_to` of an attachment: a random stored name under `carpeta` (never the uploaded one), with the
    extension of the type read from the content."""

    def __init__(self, carpeta):
        self.carpeta = carpeta

    def __call__(self, adjunto, nombre):
        return f"{self.carpeta}/{uuid.uuid4().hex}{TIPOS[adjunto.tipo].extensiones[0]}"

    def __eq__(self, otra):
        return isinstance(otra, RutaAleatoria) and otra.carpeta == self.carpeta


class AdjuntoBase(models.Model):
    """A file checked by its content, stored under MEDIA_ROOT with a random name, served only after a gate."""

    nombre = models.CharField("nombre original", max_length=200)
    tipo = models.CharField("tipo (según su contenido)", max_length=10)
    tamano = models.PositiveBigIntegerField("tamaño (bytes)")
    subido_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="subido por"
    )
    creado = models.DateTimeField("subido el", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.nombre

    # Each concrete attachment defines url_descarga() and url_borrar(): its app's gated views, which
    # templates/partials/_adjuntos.html links to.

    @property
    def tipo_legible(self):
        tipo = TIPOS.get(self.tipo)
        return tipo.nombre if tipo else self.tipo


def adjunto_max_bytes():
    return settings.PRACTICAS_ADJUNTO_MAX_MB * 1024 * 1024


def adjuntos_guardar(*, relacion, archivos, por, maximo, demasiados):
    """Checks every file from its content first, then saves all of them or none.

    `relacion` is the owner's reverse manager (e.g. `practica.adjuntos`); `demasiados` the message when the
    owner would pass `maximo` files. Call it inside the caller's transaction.
    """
    errores, aceptados = [], []
    for archivo in archivos:
        nombre = os.path.basename(archivo.name or "archivo")[:200]
        try:
            aceptados.append((archivo, nombre, verificar(archivo, nombre, max_bytes=adjunto_max_bytes())))
        except ArchivoNoAdmitido as error:
            errores.append(str(error))
    if errores:
        raise ValidationError(errores)
    if relacion.count() + len(aceptados) > maximo:
        raise ValidationError(demasiados)
    creados = []
    try:
        for archivo, nombre, tipo in aceptados:
            adjunto = relacion.model(
                **{relacion.field.name: relacion.instance},
                nombre=nombre,
                tipo=tipo.clave,
                tamano=archivo.size,
                subido_por=por,
            )
            adjunto.archivo.save(nombre, archivo, save=False)
            creados.append(adjunto)
            adjunto.save()
    except Exception:
        for adjunto in creados:  # no orphan files when saving fails half-way
            default_storage.delete(adjunto.archivo.name)
        raise
    return creados


def adjunto_eliminar(adjunto):
    """Deletes the row now and the stored file once the deletion commits."""
    ruta = adjunto.archivo.name
    adjunto.delete()
    transaction.on_commit(lambda: default_storage.delete(ruta))


def respuesta_descarga(adjunto):
    """Always as an attachment, with the type read from the content; 404 if the stored file is gone."""
    try:
        archivo = adjunto.archivo.open("rb")
    except FileNotFoundError:
        raise Http404("El archivo ya no está disponible.") from None
    respuesta = FileResponse(
        archivo, as_attachment=True, filename=adjunto.nombre, content_type=TIPOS[adjunto.tipo].content_type
    )
    respuesta["X-Content-Type-Options"] = "nosniff"
    respuesta["Cache-Control"] = "private, no-store"
    return respuesta
