"""Views of a plan's files: the tree imported from CSV/XLSX (upload → preview → confirm), its template, the
activities as CSV and the plan as PDF. Plans come through planes/access.py; the import is planes/importacion.py."""

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from comunas.access import miembro_requerido
from nucleo.formularios import mensaje_de
from nucleo.vistas import pide_ingresar
from planes import importacion as imp
from planes.access import get_plan_for
from planes.models import ImportacionPlan
from planes.pdf import plan_pdf as generar_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SubirArbolForm(forms.Form):
    archivo = forms.FileField(
        label="Archivo con los ejes, líneas y actividades (CSV o Excel)",
        help_text=f"Use la plantilla. Máximo {imp.MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


@miembro_requerido
def plan_importar(request, pk):
    """Upload a file (POST): it is checked and kept server-side, and the preview opens; nothing is written yet."""
    plan, _ = get_plan_for(request.user, pk, "editar")
    form = SubirArbolForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        archivo = form.cleaned_data["archivo"]
        try:
            importacion = imp.importacion_preparar(plan=plan, por=request.user, archivo=archivo, nombre=archivo.name)
        except ValidationError as error:
            form.add_error("archivo", error)
        else:
            return redirect("planes:plan_importacion", pk=plan.pk, importacion_pk=importacion.pk)
    contexto = {"plan": plan, "form": form, "columnas": imp.COLUMNAS}
    return render(request, "planes/importar.html", contexto, status=400 if form.errors else 200)


@miembro_requerido
def plan_importacion(request, pk, importacion_pk):
    """The preview (GET) and its confirmation (POST) — only for whoever uploaded it, while they may edit the plan;
    the rows come from the server, never from the form."""
    plan, _ = get_plan_for(request.user, pk, "editar")
    importacion = get_object_or_404(ImportacionPlan, pk=importacion_pk, plan=plan, usuario=request.user)
    if request.method == "POST":
        try:
            importacion = imp.importacion_confirmar(importacion=importacion, por=request.user)
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            messages.success(request, f"Se agregaron {importacion.creados} elementos al plan.")
            return redirect(plan)
    pendiente = importacion.estado == ImportacionPlan.Estado.PENDIENTE and not importacion.errores
    contexto = {
        "plan": plan,
        "importacion": importacion,
        "previa": imp.vista_previa(importacion) if pendiente else None,
    }
    return render(request, "planes/importar_revision.html", contexto)


@miembro_requerido
def plan_plantilla(request, pk, formato):
    plan, _ = get_plan_for(request.user, pk, "editar")
    if formato not in ("csv", "xlsx"):
        raise Http404("La plantilla existe en CSV y en Excel (XLSX).")
    if formato == "xlsx":
        contenido, tipo = imp.plantilla_xlsx(plan), XLSX
    else:
        contenido, tipo = imp.plantilla_csv(plan), "text/csv; charset=utf-8"
    respuesta = HttpResponse(contenido, content_type=tipo)
    respuesta["Content-Disposition"] = f'attachment; filename="plantilla-plan.{formato}"'
    return respuesta


@pide_ingresar
def plan_csv(request, pk):
    """Every element with its progress, as CSV (UTF-8 with BOM, `;`, decimal comma): whoever sees the plan."""
    plan, _ = get_plan_for(request.user, pk)
    salida = io.StringIO()
    salida.write("\ufeff")
    imp.exportar_csv(plan, salida)
    respuesta = HttpResponse(salida.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    nombre = f"plan-{plan.pk}-actividades-{timezone.localdate():%Y%m%d}.csv"
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    return respuesta


@pide_ingresar
def plan_pdf(request, pk):
    plan, _ = get_plan_for(request.user, pk)
    respuesta = HttpResponse(generar_pdf(plan), content_type="application/pdf")
    respuesta["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.pdf"'
    return respuesta
