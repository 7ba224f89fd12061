from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from comunas.access import miembro_requerido, organizaciones_que_editan, roles_activos
from comunas.models import Organizacion
from nucleo import formularios
from nucleo.adjuntos import respuesta_descarga
from nucleo.formularios import AdjuntosForm, mensaje_de
from practicas import services
from practicas.access import (
    get_practica_for,
    get_replicacion_for,
    organizaciones_que_pueden_replicar,
    organizaciones_que_pueden_revisar,
    puede,
    puede_comentar,
    puede_replicacion,
    ve_replicaciones,
)
from practicas.exportar import practicas_csv
from practicas.forms import (
    ComentarioForm,
    PracticaForm,
    PublicarForm,
    ReplicacionForm,
    ResultadoFormSet,
    RevisionParesForm,
    resultados_de,
    resultados_replicacion_formset,
)
from practicas.models import Practica, Replicacion
from practicas.selectors import (
    ORDENES,
    Filtros,
    buscar_practicas,
    comentarios_de,
    comparar_resultados,
    linaje,
    practicas_de_mis_organizaciones,
    replicaciones_de,
    revisiones_de,
)

POR_PAGINA = 20


def indice(request):
    """The library: search, facets, sort and pages; every filter lives in the URL.

    Open to anonymous visitors too ("open knowledge"): the gate then lets through only public practices.
    """
    filtros = Filtros.de_get(request.GET)
    roles = roles_activos(request.user)
    practicas, facetas = buscar_practicas(request.user, filtros, roles=roles)
    pagina = Paginator(practicas, POR_PAGINA).get_page(request.GET.get("pagina"))
    sin_pagina = request.GET.copy()
    sin_pagina.pop("pagina", None)
    contexto = {
        "pagina": pagina,
        "filtros": filtros,
        "facetas": facetas,
        "ordenes": ORDENES,
        "calificaciones": Practica.Calificacion.choices,
        "consulta": sin_pagina.urlencode(),
        "propias": practicas_de_mis_organizaciones(request.user, roles) if roles else [],
        "puede_crear": request.user.is_staff or bool(organizaciones_que_editan(request.user)),
    }
    return render(request, "practicas/indice.html", contexto)


class _IngresarPrimero(Exception):
    pass


def _practica_visible(request, pk):
    """The gate for reading; an anonymous visitor is sent to sign in (the same for every id: existence is
    not revealed), a signed-in outsider gets 404."""
    try:
        return get_practica_for(request.user, pk)
    except Http404:
        if not request.user.is_authenticated:
            raise _IngresarPrimero from None
        raise


def pide_ingresar(vista):
    @wraps(vista)
    def envoltura(request, *args, **kwargs):
        try:
            return vista(request, *args, **kwargs)
        except _IngresarPrimero:
            return redirect_to_login(request.get_full_path())

    return envoltura


def exportar(request):
    """The current search (same URL filters as the library) as CSV, streamed; anonymous visitors get public
    practices."""
    filtros = Filtros.de_get(request.GET)
    practicas, _ = buscar_practicas(request.user, filtros, facetas=False, fragmentos=False)
    # One link template for every row (a practice's URL differs only by its id).
    enlace = request.build_absolute_uri(reverse("practicas:detalle", args=[0])).replace("/0/", "/{}/")
    respuesta = StreamingHttpResponse(practicas_csv(practicas, enlace), content_type="text/csv; charset=utf-8")
    nombre = f"practicas-{timezone.localdate():%Y-%m-%d}.csv"
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    return respuesta


@pide_ingresar
def imprimir(request, pk):
    """A clean page to print; the browser's "Guardar como PDF" makes the PDF."""
    practica, roles = _practica_visible(request, pk)
    resultados = list(practica.resultados.all())
    replicaciones = replicaciones_de(practica) if ve_replicaciones(request.user, roles) else []
    contexto = {
        "practica": practica,
        "categorias": practica.categorias.all(),
        "resultados": resultados,
        "adjuntos": practica.adjuntos.all(),
        "replicaciones": replicaciones,
        "comparacion": comparar_resultados(resultados, replicaciones),
        "enlace": request.build_absolute_uri(reverse("practicas:detalle", args=[practica.pk])),
        "impresa": timezone.localtime(),
    }
    return render(request, "practicas/imprimir.html", contexto)


@pide_ingresar
def detalle(request, pk):
    practica, roles = _practica_visible(request, pk)
    return _detalle(request, practica, roles)


def _detalle(request, practica, roles, *, comentario_form=None, revision_form=None, status=200):
    """The practice page; a comment or a review that failed validation comes back bound, with its text and error."""
    resultados = list(practica.resultados.all())
    revisiones = revisiones_de(practica)
    revisora = None
    if revisoras := organizaciones_que_pueden_revisar(practica, roles):
        revisora = Organizacion.objects.get(pk=revisoras[0])
        anterior = next((r for r in revisiones.lista if r.organizacion_id == revisora.pk), None)
        revision_form = revision_form or RevisionParesForm(instance=anterior)
    replicaciones = replicaciones_de(practica) if ve_replicaciones(request.user, roles) else []
    ya_replicaron = {r.organizacion_id for r in replicaciones}
    contexto = {
        "practica": practica,
        "categorias": practica.categorias.all(),
        "resultados": resultados,
        "versiones": practica.versiones.select_related("por")[:20],
        "adjuntos": practica.adjuntos.all(),
        "puede_editar": puede(request.user, practica, "editar", roles=roles),
        "replicaciones": replicaciones,
        "comparacion": comparar_resultados(resultados, replicaciones),
        "linaje": linaje(practica, request.user, roles),
        "puede_replicar": bool(organizaciones_que_pueden_replicar(request.user, practica, roles, ya_replicaron)),
        "comentarios": comentarios_de(practica),
        "revisiones": revisiones,
        "revision_form": revision_form,
        "revisora": revisora,
        "comentario_form": comentario_form
        or (ComentarioForm() if puede_comentar(request.user, practica, roles) else None),
    }
    if comentario_form is not None:  # refused: under its thread if it was a reply, else in the main form
        responde_a = getattr(comentario_form, "cleaned_data", {}).get("responde_a")
        contexto.update(respuesta_fallida=responde_a, principal_fallido=not responde_a)
    return render(request, "practicas/detalle.html", contexto, status=status)


@miembro_requerido
def nueva(request):
    if request.user.is_staff:
        organizaciones = Organizacion.objects.activas()
    else:
        organizaciones = Organizacion.objects.filter(pk__in=organizaciones_que_editan(request.user))
    if not organizaciones.exists():
        raise PermissionDenied("Su rol no permite registrar prácticas.")
    form = PracticaForm(request.POST or None, organizaciones=organizaciones)
    formset = ResultadoFormSet(request.POST or None, instance=Practica(), prefix="resultados")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            practica = services.practica_crear(
                organizacion=form.cleaned_data["organizacion"],
                por=request.user,
                datos=form.datos(),
                categorias=form.cleaned_data["categorias"],
                resultados=resultados_de(formset),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Borrador guardado. Puede seguir completándolo cuando quiera.")
            return _al_paso(request, practica)
    contexto = {"form": form, "formset": formset, "practica": None, "pasos": form.pasos(formset)}
    return render(request, "practicas/formulario.html", contexto)


def _al_paso(request, practica):
    """Back to the draft's form, at the step its "Guardar y seguir" button names (the first by default)."""
    paso = request.POST.get("siguiente", "")
    ancla = f"#paso-{paso}" if paso in {"2", "3", "4"} else ""
    return redirect(reverse("practicas:editar", args=[practica.pk]) + ancla)


@miembro_requerido
def editar(request, pk):
    practica, _ = get_practica_for(request.user, pk, need="editar")
    if practica.es_archivada:
        messages.warning(request, "Una práctica archivada no se edita.")
        return redirect("practicas:detalle", pk=practica.pk)
    form = PracticaForm(request.POST or None, instance=practica)
    formset = ResultadoFormSet(request.POST or None, instance=practica, prefix="resultados")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            practica = services.practica_actualizar(
                practica=practica,
                por=request.user,
                datos=form.datos(),
                categorias=form.cleaned_data["categorias"],
                resultados=resultados_de(formset),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if practica.es_publicada:
                messages.success(request, "Cambios publicados (nueva versión).")
                return redirect("practicas:detalle", pk=practica.pk)
            messages.success(request, "Borrador guardado.")
            return _al_paso(request, practica)
    contexto = {
        "form": form,
        "formset": formset,
        "practica": practica,
        "adjuntos": practica.adjuntos.all(),
        "adjuntos_form": AdjuntosForm(max_mb=settings.PRACTICAS_ADJUNTO_MAX_MB),
        "pasos": form.pasos(formset),
    }
    return render(request, "practicas/formulario.html", contexto)


@miembro_requerido
def publicar(request, pk):
    practica, _ = get_practica_for(request.user, pk, need="editar")
    form = PublicarForm(request.POST or None, initial={"visibilidad": practica.visibilidad})
    if request.method == "POST" and form.is_valid():
        try:
            services.practica_publicar(
                practica=practica, visibilidad=form.cleaned_data["visibilidad"], por=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Práctica publicada.")
            return redirect("practicas:detalle", pk=practica.pk)
    return render(request, "practicas/publicar.html", {"form": form, "practica": practica})


@require_POST
@miembro_requerido
def archivar(request, pk):
    practica, _ = get_practica_for(request.user, pk, need="editar")
    try:
        services.practica_archivar(practica=practica, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, "Práctica archivada: ya no aparece en la biblioteca.")
    return redirect("practicas:detalle", pk=practica.pk)


@require_POST
@miembro_requerido
def adjuntos_subir(request, pk):
    practica, _ = get_practica_for(request.user, pk, need="editar")
    return formularios.adjuntos_subir(
        request,
        agregar=lambda archivos: services.adjuntos_agregar(practica=practica, archivos=archivos, por=request.user),
        volver=reverse("practicas:editar", args=[practica.pk]),
        max_mb=settings.PRACTICAS_ADJUNTO_MAX_MB,
    )


@require_POST
@miembro_requerido
def adjunto_borrar(request, pk, adjunto_pk):
    practica, _ = get_practica_for(request.user, pk, need="editar")
    adjunto = get_object_or_404(practica.adjuntos, pk=adjunto_pk)
    services.adjunto_borrar(adjunto=adjunto, por=request.user)
    messages.success(request, f"Se eliminó «{adjunto.nombre}».")
    return redirect(f"{reverse('practicas:editar', args=[practica.pk])}#adjuntos")


@pide_ingresar
def adjunto(request, pk, adjunto_pk):
    """Downloads through the gate only: same visibility as the practice, always as an attachment."""
    practica, _ = _practica_visible(request, pk)
    return respuesta_descarga(get_object_or_404(practica.adjuntos, pk=adjunto_pk))


@miembro_requerido
def replicar(request, pk):
    """Replicar en mi comuna: registers the replication in one of the user's other organizations."""
    practica, roles = get_practica_for(request.user, pk)
    ya_replicaron = set(practica.replicaciones.values_list("organizacion_id", flat=True))
    ids = organizaciones_que_pueden_replicar(request.user, practica, roles, ya_replicaron)
    if not ids:
        raise PermissionDenied("Solo un(a) director(a) o integrante de otra organización activa puede replicarla.")
    organizaciones = Organizacion.objects.filter(pk__in=ids).order_by("nombre")
    form = ReplicacionForm(request.POST or None, organizaciones=organizaciones, instance=Replicacion())
    indicadores = practica.resultados.values_list("indicador", flat=True)
    formset = resultados_replicacion_formset(request.POST or None, instance=Replicacion(), indicadores=indicadores)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            replicacion = services.replicacion_crear(
                practica=practica,
                organizacion=form.cleaned_data["organizacion"],
                por=request.user,
                datos=form.datos(),
                resultados=resultados_de(formset),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Réplica registrada. Actualice su estado y sus resultados a medida que avance.")
            return redirect("practicas:replicacion", pk=replicacion.pk)
    contexto = {"form": form, "formset": formset, "practica": practica, "replicacion": None}
    return render(request, "practicas/replicar.html", contexto)


@miembro_requerido
def replicacion(request, pk):
    replicacion, roles = get_replicacion_for(request.user, pk)
    origen = replicacion.practica
    resultados = list(replicacion.resultados.all())
    contexto = {
        "replicacion": replicacion,
        "origen": origen,
        "origen_visible": puede(request.user, origen, "ver", roles=roles),
        "resultados": resultados,
        "replicaciones": [replicacion],
        "comparacion": comparar_resultados(origen.resultados.all(), [replicacion]),
        "puede_editar": puede_replicacion(request.user, replicacion, "editar", roles=roles),
    }
    return render(request, "practicas/replicacion.html", contexto)


@miembro_requerido
def replicacion_editar(request, pk):
    replicacion, _ = get_replicacion_for(request.user, pk, need="editar")
    form = ReplicacionForm(request.POST or None, instance=replicacion)
    formset = resultados_replicacion_formset(request.POST or None, instance=replicacion)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.replicacion_actualizar(
                replicacion=replicacion, por=request.user, datos=form.datos(), resultados=resultados_de(formset)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Réplica actualizada.")
            return redirect("practicas:replicacion", pk=replicacion.pk)
    contexto = {"form": form, "formset": formset, "practica": replicacion.practica, "replicacion": replicacion}
    return render(request, "practicas/replicar.html", contexto)


@require_POST
@miembro_requerido
def replicacion_practica(request, pk):
    """Publishes the replication as a practice of its own organization (a draft to complete and publish)."""
    replicacion, _ = get_replicacion_for(request.user, pk, need="editar")
    try:
        practica = services.replicacion_publicar_como_practica(replicacion=replicacion, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
        return redirect("practicas:replicacion", pk=replicacion.pk)
    messages.success(request, "Borrador creado a partir de la réplica: complételo y publíquelo.")
    return redirect("practicas:editar", pk=practica.pk)


@require_POST
@miembro_requerido
def comentar(request, pk):
    practica, roles = get_practica_for(request.user, pk)
    if not puede_comentar(request.user, practica, roles):
        raise PermissionDenied("Solo los integrantes de la plataforma comentan, y no en prácticas archivadas.")
    form = ComentarioForm(request.POST)
    if form.is_valid():
        responde_a = None
        if form.cleaned_data["responde_a"]:
            responde_a = get_object_or_404(practica.comentarios, pk=form.cleaned_data["responde_a"])
        try:
            comentario = services.comentario_crear(
                practica=practica,
                autor=request.user,
                texto=form.cleaned_data["texto"],
                tipo=form.cleaned_data["tipo"],
                responde_a=responde_a,
                organizacion=Organizacion.objects.filter(pk__in=list(roles)).order_by("nombre").first(),
            )
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():  # the page again, with what was typed and why it was refused
        return _detalle(request, practica, roles, comentario_form=form, status=400)
    messages.success(request, "Publicado. El equipo que registró la práctica recibirá un aviso.")
    return redirect(f"{reverse('practicas:detalle', args=[practica.pk])}#comentario-{comentario.pk}")


@require_POST
@miembro_requerido
def revisar(request, pk):
    """Peer review of the evidence rating, in the name of the user's first other organization (by id)."""
    practica, roles = get_practica_for(request.user, pk, need="revisar")
    organizacion = Organizacion.objects.get(pk=organizaciones_que_pueden_revisar(practica, roles)[0])
    form = RevisionParesForm(request.POST)
    if form.is_valid():
        try:
            services.revision_registrar(practica=practica, organizacion=organizacion, por=request.user,
                                        **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Revisión registrada. El equipo que registró la práctica recibirá un aviso.")
            return redirect(f"{reverse('practicas:detalle', args=[practica.pk])}#revisiones")
    return _detalle(request, practica, roles, revision_form=form, status=400)
