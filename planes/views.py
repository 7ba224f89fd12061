"""Views of action plans. Every plan comes through planes/access.py; writes go through planes/services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from comunas.access import miembro_requerido, organizaciones_que_editan, roles_activos
from comunas.models import Organizacion, Usuario
from diagnosticos.access import diagnosticos_visibles
from nucleo.adjuntos import adjunto_eliminar, respuesta_descarga
from nucleo.formularios import aplicar_errores, mensaje_de
from nucleo.vistas import pide_ingresar
from planes import selectors as sel
from planes import services
from planes.access import get_nodo_for, get_plan_for, organizaciones_que_adaptan, puede_avanzar, puede_editar
from planes.forms import (
    AdaptacionNodoForm,
    AdaptarForm,
    AprobacionForm,
    AvanceForm,
    HitoCumplidoForm,
    HitoForm,
    IndicadorForm,
    MedicionForm,
    NodoForm,
    PlanForm,
)
from planes.models import AdjuntoAvance, Hito, IndicadorPlan, Plan
from practicas.access import get_replicacion_for
from practicas.models import Replicacion


def _territorios(organizaciones):
    return [o.comuna_id or o.provincia_id for o in organizaciones if o.comuna_id or o.provincia_id]


@miembro_requerido
def planes(request):
    """The plans of the person's organizations, with a summary (states, mean progress, overdue items), and the other
    plans they may see, a page at a time."""
    roles = roles_activos(request.user)
    propios = sel.planes_de_mis_organizaciones(roles)
    otros = sel.planes_de(request.user, roles).exclude(pk__in=propios.values("pk"))
    editables = organizaciones_que_editan(request.user, roles)
    replicaciones = (
        Replicacion.objects.filter(organizacion__in=editables, planes__isnull=True)
        .select_related("practica", "organizacion")
        .order_by("-pk")[:10]
    )
    contexto = {
        "replicaciones": list(replicaciones),
        "tablero": sel.resumen_de_planes(propios, por_pagina=sel.POR_PAGINA_PROPIOS),
        "otros": Paginator(otros, sel.POR_PAGINA).get_page(request.GET.get("pagina")),
        "puede_crear": request.user.is_staff or bool(editables),
    }
    return render(request, "planes/planes.html", contexto)


def _formulario_plan(request, plan=None):
    """The organizations that may own it, and the diagnoses it may rest on (the owners' visible ones)."""
    roles = roles_activos(request.user)
    editoras = Organizacion.objects.activas().filter(pk__in=organizaciones_que_editan(request.user, roles))
    if request.user.is_staff:
        editoras = Organizacion.objects.activas()
    lider = plan.organizacion if plan else editoras.order_by("nombre").first()
    if lider is None:
        raise Http404("No tiene una organización que pueda crear planes.")
    otras = Organizacion.objects.activas().exclude(pk=lider.pk).order_by("nombre")
    diagnosticos = diagnosticos_visibles(request.user, roles).filter(organizacion=lider)
    return lider, otras, diagnosticos


@miembro_requerido
def plan_nuevo(request):
    if not (request.user.is_staff or organizaciones_que_editan(request.user)):
        raise PermissionDenied("Solo el director(a) o integrantes de una dirección crean planes.")
    lider, otras, diagnosticos = _formulario_plan(request)
    form = PlanForm(request.POST or None, organizacion=lider, diagnosticos=diagnosticos, otras=otras)
    if request.method == "POST" and form.is_valid():
        duenas = list(form.cleaned_data["duenas"])
        datos = {**form.datos(), "territorios": _territorios([lider, *duenas])}
        try:
            plan = services.plan_crear(organizacion=lider, por=request.user, datos=datos, duenas=duenas)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Plan creado como borrador: agregue sus ejes, líneas y actividades.")
            return redirect(plan)
    return render(request, "planes/plan_formulario.html", {"form": form, "lider": lider, "titulo": "Nuevo plan"})


@miembro_requerido
def plan_editar(request, pk):
    plan, _ = get_plan_for(request.user, pk, "editar")
    lider, otras, diagnosticos = _formulario_plan(request, plan)
    form = PlanForm(request.POST or None, instance=plan, organizacion=lider, diagnosticos=diagnosticos, otras=otras)
    if request.method == "POST" and form.is_valid():
        duenas = list(form.cleaned_data["duenas"])
        datos = {**form.datos(), "territorios": _territorios([lider, *duenas])}
        try:
            services.plan_editar(plan=plan, por=request.user, datos=datos, duenas=duenas)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Plan guardado.")
            return redirect(plan)
    contexto = {"form": form, "lider": lider, "plan": plan, "titulo": "Editar el plan"}
    return render(request, "planes/plan_formulario.html", contexto)


@pide_ingresar
def plan(request, pk):
    """The plan page: tree with progress bars and traffic lights, timeline, indicators against targets."""
    plan, roles = get_plan_for(request.user, pk)
    filas = sel.arbol_del_plan(plan)
    hitos = list(plan.hitos.select_related("nodo"))
    atrasadas, vencidos = sel.atrasos(filas, hitos)
    tarjetas = sel.tarjetas_de_indicadores(plan)
    for tarjeta in tarjetas:
        if tarjeta.indicador.tipo == IndicadorPlan.Tipo.IMPACTO:
            tarjeta.efecto = sel.efecto_medido(plan, tarjeta.indicador)
    edita = puede_editar(request.user, plan, roles)
    contexto = {
        "plan": plan,
        "filas": filas,
        "hitos": hitos,
        "atrasadas": atrasadas,
        "hitos_vencidos": vencidos,
        "cronograma": sel.cronograma(filas, hitos),
        "tarjetas": tarjetas,
        "edita": edita,
        "avanza": {f.nodo.pk for f in filas if f.hoja and puede_avanzar(request.user, f.nodo, roles, plan=plan)},
        "adapta": bool(organizaciones_que_adaptan(request.user, plan, roles)) and not plan.es_borrador,
        "adaptaciones": list(sel.planes_de(request.user, roles).filter(origen=plan)),
        "aprobaciones": list(plan.aprobaciones.select_related("por", "version")),
        "transiciones": [
            (e, Plan.Estado(e).label) for e in sorted(services.TRANSICIONES[plan.estado] - {Plan.Estado.APROBADO})
        ]
        if edita
        else [],
        "duenas": list(plan.duenas.all()),
        "urls_archivos": {
            "pdf": reverse("planes:plan_pdf", args=[plan.pk]),
            "csv": reverse("planes:plan_csv", args=[plan.pk]),
            "importar": reverse("planes:plan_importar", args=[plan.pk]),
        },
    }
    return render(request, "planes/plan.html", contexto)


@require_POST
@miembro_requerido
def plan_estado(request, pk):
    plan, _ = get_plan_for(request.user, pk, "editar")
    try:
        services.plan_cambiar_estado(plan=plan, por=request.user, estado=request.POST.get("estado", ""))
    except (ValidationError, ValueError) as error:
        messages.error(request, mensaje_de(error) if isinstance(error, ValidationError) else "Estado desconocido.")
    else:
        messages.success(request, "Estado del plan actualizado.")
    return redirect(plan)


@miembro_requerido
def plan_aprobar(request, pk):
    plan, _ = get_plan_for(request.user, pk, "editar")
    form = AprobacionForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            aprobacion = services.aprobacion_registrar(plan=plan, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(
                request,
                f"{aprobacion.get_tipo_display()} registrada; se guardó la versión {aprobacion.version.numero}.",
            )
            return redirect(plan)
    return render(request, "planes/aprobar.html", {"plan": plan, "form": form})


@pide_ingresar
def plan_version(request, pk, numero):
    plan, _ = get_plan_for(request.user, pk)
    version = get_object_or_404(plan.versiones, numero=numero)
    anterior = plan.versiones.filter(numero__lt=numero).order_by("-numero").first()
    cambios = _cambios(anterior.datos if anterior else None, version.datos)
    contexto = {"plan": plan, "version": version, "anterior": anterior, "cambios": cambios}
    return render(request, "planes/version.html", contexto)


def _cambios(antes, ahora):
    """What changed between two frozen versions, node by node (added, removed, modified), in Spanish."""
    if antes is None:
        return []
    previos = {n["id"]: n for n in antes["nodos"]}
    actuales = {n["id"]: n for n in ahora["nodos"]}
    cambios = [f"Nuevo: {n['codigo']} {n['titulo']}".strip() for i, n in actuales.items() if i not in previos]
    cambios += [f"Quitado: {n['codigo']} {n['titulo']}".strip() for i, n in previos.items() if i not in actuales]
    for i, n in actuales.items():
        if i in previos:
            campos = [c for c in ("titulo", "responsable", "inicio", "termino", "peso") if previos[i][c] != n[c]]
            if campos:
                cambios.append(f"Modificado: {n['codigo']} {n['titulo']} ({', '.join(campos)})".strip())
    for campo, nombre in (("objetivo", "el objetivo"), ("periodo", "el período"), ("titulo", "el título")):
        if antes.get(campo) != ahora.get(campo):
            cambios.insert(0, f"Cambió {nombre}.")
    return cambios


# --- The tree ----------------------------------------------------------------------------------------------------


def _opciones_nodo(plan):
    organizaciones = Organizacion.objects.activas().order_by("nombre")
    personas = (
        Usuario.objects.filter(is_active=True, membresias__organizacion__in=plan.duenas.all())
        .distinct()
        .order_by("nombre")
    )
    return organizaciones, personas


@miembro_requerido
def nodo_nuevo(request, pk):
    plan, _ = get_plan_for(request.user, pk, "editar")
    padre = None
    if request.GET.get("padre") or request.POST.get("padre"):
        padre = get_object_or_404(plan.nodos, pk=request.GET.get("padre") or request.POST.get("padre"))
    organizaciones, personas = _opciones_nodo(plan)
    tipo = "linea" if padre and padre.tipo == "eje" else "actividad" if padre else "eje"
    form = NodoForm(
        request.POST or None,
        organizaciones=organizaciones,
        personas=personas,
        initial={"tipo": tipo, "responsable": plan.organizacion_id, "peso": 1},
    )
    if request.method == "POST" and form.is_valid():
        try:
            nodo = services.nodo_agregar(plan=plan, por=request.user, datos=form.datos(), padre=padre)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"Se agregó «{nodo}».")
            return redirect(f"{plan.get_absolute_url()}#nodo-{nodo.pk}")
    contexto = {"plan": plan, "padre": padre, "form": form, "titulo": "Agregar al plan"}
    return render(request, "planes/nodo_formulario.html", contexto)


@miembro_requerido
def nodo_editar(request, pk):
    nodo, _ = get_nodo_for(request.user, pk, "editar")
    organizaciones, personas = _opciones_nodo(nodo.plan)
    form = NodoForm(request.POST or None, instance=nodo, organizaciones=organizaciones, personas=personas)
    if request.method == "POST" and form.is_valid():
        try:
            services.nodo_editar(nodo=nodo, por=request.user, datos=form.datos())
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Guardado.")
            return redirect(f"{nodo.plan.get_absolute_url()}#nodo-{nodo.pk}")
    contexto = {"plan": nodo.plan, "nodo": nodo, "form": form, "titulo": f"Editar «{nodo}»"}
    return render(request, "planes/nodo_formulario.html", contexto)


@miembro_requerido
def nodo_quitar(request, pk):
    nodo, _ = get_nodo_for(request.user, pk, "editar")
    if request.method == "POST":
        try:
            services.nodo_quitar(nodo=nodo, por=request.user)
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            messages.success(request, f"Se quitó «{nodo}» y lo que contenía.")
        return redirect(nodo.plan)
    return render(request, "planes/nodo_quitar.html", {"plan": nodo.plan, "nodo": nodo})


@require_POST
@miembro_requerido
def nodo_adaptar(request, pk):
    nodo, _ = get_nodo_for(request.user, pk, "editar")
    form = AdaptacionNodoForm(request.POST)
    if form.is_valid():
        try:
            services.nodo_adaptar(
                nodo=nodo,
                por=request.user,
                adaptacion=form.cleaned_data["adaptacion"],
                motivo=form.cleaned_data["adaptacion_motivo"],
            )
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            messages.success(
                request,
                f"«{nodo}»: {dict(form.fields['adaptacion'].choices)[form.cleaned_data['adaptacion']].lower()}.",
            )
    else:
        messages.error(request, "Elija si se mantiene, se cambia o se descarta.")
    return redirect(f"{nodo.plan.get_absolute_url()}#nodo-{nodo.pk}")


@miembro_requerido
def avance_nuevo(request, pk):
    """Report progress on an activity, with evidence: the owners, or the activity's responsible organization."""
    nodo, roles = get_nodo_for(request.user, pk, "avanzar")
    form = AvanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        organizacion = next((o for o in (nodo.responsable_id, *roles) if o in roles), None)
        try:
            services.avance_registrar(
                nodo=nodo,
                por=request.user,
                fecha=form.cleaned_data["fecha"],
                texto=form.cleaned_data["texto"],
                porcentaje=form.cleaned_data["porcentaje"],
                estado=form.cleaned_data["estado"],
                archivos=[a for a in (form.cleaned_data["archivos"] or []) if a],
                organizacion=Organizacion.objects.filter(pk=organizacion).first(),
            )
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"Avance registrado en «{nodo}».")
            return redirect(f"{nodo.plan.get_absolute_url()}#nodo-{nodo.pk}")
    avances = nodo.avances.select_related("por", "estado").prefetch_related("adjuntos")
    contexto = {"plan": nodo.plan, "nodo": nodo, "form": form, "avances": avances}
    return render(request, "planes/avance_formulario.html", contexto)


@pide_ingresar
def evidencia(request, pk, adjunto_pk):
    plan, _ = get_plan_for(request.user, pk)
    return respuesta_descarga(get_object_or_404(AdjuntoAvance, pk=adjunto_pk, avance__nodo__plan=plan))


@require_POST
@miembro_requerido
def evidencia_borrar(request, pk, adjunto_pk):
    plan, _ = get_plan_for(request.user, pk, "editar")
    adjunto = get_object_or_404(AdjuntoAvance, pk=adjunto_pk, avance__nodo__plan=plan)
    adjunto_eliminar(adjunto)
    messages.success(request, f"Se eliminó «{adjunto.nombre}».")
    return redirect(plan)


# --- Milestones and indicators ----------------------------------------------------------------------------------


@miembro_requerido
def hito_nuevo(request, pk):
    plan, _ = get_plan_for(request.user, pk, "editar")
    form = HitoForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        services.hito_agregar(plan=plan, por=request.user, **form.cleaned_data)
        messages.success(request, "Hito agregado.")
        return redirect(f"{plan.get_absolute_url()}#hitos")
    return render(request, "planes/formulario.html", {"plan": plan, "form": form, "titulo": "Nuevo hito"})


@miembro_requerido
def hito_cumplido(request, pk):
    hito = get_object_or_404(Hito.objects.select_related("plan"), pk=pk)
    plan, _ = get_plan_for(request.user, hito.plan_id, "editar")
    form = HitoCumplidoForm(request.POST or None, initial={"fecha": hito.fecha})
    if request.method == "POST" and form.is_valid():
        try:
            services.hito_cumplir(hito=hito, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"Hito «{hito}» cumplido.")
            return redirect(f"{plan.get_absolute_url()}#hitos")
    contexto = {"plan": plan, "form": form, "titulo": f"Hito cumplido: {hito}"}
    return render(request, "planes/formulario.html", contexto)


@miembro_requerido
def indicador_nuevo(request, pk):
    plan, _ = get_plan_for(request.user, pk, "editar")
    form = IndicadorForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicador_agregar(plan=plan, por=request.user, datos=form.datos(), metas=form.metas())
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Indicador agregado.")
            return redirect(f"{plan.get_absolute_url()}#indicadores")
    return render(request, "planes/indicador_formulario.html", {"plan": plan, "form": form})


@miembro_requerido
def medicion_nueva(request, pk):
    indicador = get_object_or_404(IndicadorPlan.objects.select_related("plan"), pk=pk)
    plan, _ = get_plan_for(request.user, indicador.plan_id, "editar")
    form = MedicionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.medicion_registrar(indicador=indicador, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Medición registrada.")
            return redirect(f"{plan.get_absolute_url()}#indicadores")
    contexto = {"plan": plan, "form": form, "titulo": f"Medición de «{indicador}»"}
    return render(request, "planes/formulario.html", contexto)


# --- Adaptation ----------------------------------------------------------------------------------------------------


@miembro_requerido
def plan_adaptar(request, pk):
    """ "Adaptar este plan": a draft copy for one of the user's organizations, node by node."""
    plan, roles = get_plan_for(request.user, pk, "adaptar")
    organizaciones = Organizacion.objects.filter(pk__in=organizaciones_que_adaptan(request.user, plan, roles))
    primera = organizaciones.order_by("nombre").first()
    inicial = {"titulo": f"{plan.titulo} — {primera.territorio if primera else ''}"[:200]}
    form = AdaptarForm(request.POST or None, organizaciones=organizaciones, initial=inicial)
    if request.method == "POST" and form.is_valid():
        try:
            copia = services.plan_adaptar(origen=plan, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(
                request, "Su adaptación está lista como borrador: marque qué mantiene, cambia o descarta de cada parte."
            )
            return redirect(copia)
    return render(request, "planes/adaptar.html", {"plan": plan, "form": form})


@pide_ingresar
def plan_comparar(request, pk, otro):
    """A plan next to one of its adaptations: what was kept, changed or dropped, and both progresses."""
    plan, _ = get_plan_for(request.user, pk)
    adaptado, _ = get_plan_for(request.user, otro)
    if adaptado.origen_id != plan.pk:
        raise Http404("Ese plan no es una adaptación de este.")
    contexto = {
        "plan": plan,
        "adaptado": adaptado,
        "comparacion": sel.comparar_con(plan, adaptado),
        "tarjetas": sel.tarjetas_de_indicadores(plan),
        "tarjetas_adaptado": sel.tarjetas_de_indicadores(adaptado),
    }
    return render(request, "planes/comparar.html", contexto)


@require_POST
@miembro_requerido
def plan_desde_replicacion(request, pk):
    """ "Crear un plan": a draft plan that starts from one of the organization's practice replications."""
    replicacion, _ = get_replicacion_for(request.user, pk, need="editar")
    plan = services.plan_desde_replicacion(replicacion=replicacion, por=request.user)
    messages.success(request, "Plan creado como borrador desde la réplica: ajuste sus actividades, plazos y metas.")
    return redirect(plan)
