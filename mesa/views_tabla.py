"""Editing an agenda item, and the documents of a session and of its items (gate and services: mesa/documentos.py)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from comunas.access import miembro_requerido
from mesa import documentos, services
from mesa.access import get_punto_for, get_sesion_for
from mesa.forms import PuntoTablaForm
from mesa.models import Sesion
from nucleo.adjuntos import respuesta_descarga
from nucleo.formularios import AdjuntosForm, aplicar_errores, mensaje_de

AVISO_CONVOCADA = (
    "La sesión ya fue convocada: los cambios de la tabla se ven en su página y en el acta, y no se envía un correo "
    "nuevo a los convocados."
)


@miembro_requerido
def punto_editar(request, pk):
    """Title, description, presenter, duration, start time and links of an item (the coordination)."""
    punto = get_punto_for(request.user, pk, need="coordinar")
    sesion = punto.sesion
    if sesion.estado not in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA):
        messages.error(request, "La tabla de una sesión realizada o cancelada ya no cambia.")
        return redirect("mesa:sesion", pk=sesion.pk)
    form = PuntoTablaForm(request.POST or None, instance=punto, mesa=sesion.mesa, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.punto_editar(punto=punto, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            convocada = f" {AVISO_CONVOCADA}" if sesion.estado == Sesion.Estado.CONVOCADA else ""
            messages.success(request, f"Punto «{form.cleaned_data['titulo']}» guardado.{convocada}")
            return redirect(f"{reverse('mesa:sesion', args=[sesion.pk])}#punto-{punto.pk}")
    contexto = {
        "form": form,
        "mesa": sesion.mesa,
        "sesion": sesion,
        "titulo": f"Editar el punto {punto.orden} de la tabla",
        "aviso": AVISO_CONVOCADA if sesion.estado == Sesion.Estado.CONVOCADA else "",
    }
    return render(request, "mesa/punto_formulario.html", contexto, status=400 if form.errors else 200)


def _subir(request, *, sesion, punto, volver):
    form = AdjuntosForm(request.POST, request.FILES, max_mb=settings.PRACTICAS_ADJUNTO_MAX_MB)
    if not form.is_valid():
        messages.error(request, "Elija al menos un archivo para adjuntar.")
        return redirect(volver)
    try:
        creados = documentos.documentos_agregar(
            sesion=sesion, por=request.user, archivos=form.cleaned_data["archivos"], punto=punto
        )
    except ValidationError as error:
        for mensaje in error.messages:
            messages.error(request, mensaje)
    else:
        messages.success(request, f"Documentos adjuntados: {', '.join(d.nombre for d in creados)}.")
    return redirect(volver)


@require_POST
@miembro_requerido
def sesion_documentos_subir(request, pk):
    """Documents of the whole session (the coordination)."""
    sesion = get_sesion_for(request.user, pk)
    documentos.exigir_subir(request.user, sesion)
    volver = f"{reverse('mesa:sesion', args=[sesion.pk])}#documentos"
    return _subir(request, sesion=sesion, punto=None, volver=volver)


@require_POST
@miembro_requerido
def punto_documentos_subir(request, pk):
    """Documents of one item: the coordination, or the item's presenting organization."""
    punto = get_punto_for(request.user, pk, need="ver")
    documentos.exigir_subir(request.user, punto.sesion, punto)
    volver = f"{reverse('mesa:sesion', args=[punto.sesion_id])}#punto-{punto.pk}"
    return _subir(request, sesion=punto.sesion, punto=punto, volver=volver)


@miembro_requerido
def documento(request, pk):
    """Downloads through the gate only: whoever sees the session, always as an attachment."""
    return respuesta_descarga(documentos.get_documento_for(request.user, pk))


@require_POST
@miembro_requerido
def documento_borrar(request, pk):
    documento = documentos.get_documento_for(request.user, pk, need="borrar")
    try:
        documentos.documento_borrar(documento=documento, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, f"Se eliminó «{documento.nombre}».")
    ancla = f"punto-{documento.punto_id}" if documento.punto_id else "documentos"
    return redirect(f"{reverse('mesa:sesion', args=[documento.sesion_id])}#{ancla}")
