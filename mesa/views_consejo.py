"""The consejo comunal de seguridad pública (creating it, its chair and its institutional members), the next session
proposed a month after the last one, and the yearly view of sessions held. Rules and services: mesa/consejo.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from comunas.access import miembro_requerido
from mesa import consejo as servicios
from mesa.access import get_mesa_for, puede_coordinar
from mesa.forms_consejo import ConsejoEditarForm, ConsejoForm, IntegranteForm, SesionProximaForm
from nucleo.formularios import aplicar_errores


@miembro_requerido
def consejo_nuevo(request):
    """«Crear el consejo comunal de <Comuna>»: the director(a) of the commune's security directorate, or staff."""
    anfitrionas = servicios.direcciones_sin_consejo(request.user)
    if not anfitrionas.exists():
        existente = servicios.consejos_que_dirige(request.user).first()
        if existente is not None:
            messages.info(request, f"La comuna ya tiene su consejo: {existente}.")
            return redirect("mesa:mesa", pk=existente.pk)
        if request.user.is_staff:
            messages.info(request, "Todas las direcciones comunales activas ya tienen su consejo comunal.")
            return redirect("mesas")
        raise PermissionDenied("Solo la dirección de seguridad pública de una comuna crea su consejo comunal.")
    form = ConsejoForm(request.POST or None, anfitrionas=anfitrionas)
    if request.method == "POST" and form.is_valid():
        try:
            consejo = servicios.consejo_crear(por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(
                request,
                f"{consejo} creado. Usted lo coordina: registre a sus integrantes institucionales y cree la primera "
                "sesión.",
            )
            return redirect("mesa:mesa", pk=consejo.pk)
    opciones = list(anfitrionas[:2])
    titulo = f"Crear el consejo comunal de {opciones[0].comuna}" if len(opciones) == 1 else "Crear un consejo comunal"
    contexto = {"form": form, "titulo": titulo}
    return render(request, "mesa/consejo_nuevo.html", contexto, status=400 if form.errors else 200)


@miembro_requerido
def consejo_editar(request, pk):
    """Who chairs the consejo and its description (the coordination)."""
    consejo = servicios.get_consejo_for(request.user, pk, need="coordinar")
    form = ConsejoEditarForm(request.POST or None, instance=consejo)
    if request.method == "POST" and form.is_valid():
        try:
            servicios.consejo_editar(consejo=consejo, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Consejo guardado.")
            return redirect("mesa:mesa", pk=pk)
    contexto = {"form": form, "mesa": consejo, "titulo": "Presidencia y descripción del consejo", "boton": "Guardar"}
    return render(request, "mesa/formulario.html", contexto)


@miembro_requerido
def integrantes(request, pk):
    """The consejo's institutional members against art. 104 B, and the form to register one (the coordination)."""
    consejo = servicios.get_consejo_for(request.user, pk, need="coordinar")
    form = IntegranteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            integrante = servicios.integrante_agregar(consejo=consejo, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, f"{integrante.nombre} quedó registrado(a) como integrante del consejo.")
            return redirect("mesa:integrantes", pk=pk)
    lista = servicios.integrantes_en_orden(consejo)
    contexto = {
        "mesa": consejo,
        "form": form,
        "integrantes": lista,
        "integracion": servicios.integracion_legal(lista),
    }
    return render(request, "mesa/consejo_integrantes.html", contexto, status=400 if form.errors else 200)


@miembro_requerido
def integrante_editar(request, pk):
    integrante = servicios.get_integrante_for(request.user, pk)
    form = IntegranteForm(request.POST or None, instance=integrante)
    if request.method == "POST" and form.is_valid():
        try:
            servicios.integrante_editar(integrante=integrante, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            messages.success(request, "Integrante guardado(a).")
            return redirect("mesa:integrantes", pk=integrante.mesa_id)
    contexto = {"form": form, "mesa": integrante.mesa, "titulo": f"Editar: {integrante}", "boton": "Guardar"}
    return render(request, "mesa/formulario.html", contexto)


@require_POST
@miembro_requerido
def integrante_quitar(request, pk):
    integrante = servicios.get_integrante_for(request.user, pk)
    servicios.integrante_quitar(integrante=integrante, por=request.user)
    messages.success(request, f"{integrante.nombre} ya no figura entre los integrantes del consejo.")
    return redirect("mesa:integrantes", pk=integrante.mesa_id)


@miembro_requerido
def sesion_proxima(request, pk):
    """«Proponer la próxima sesión (un mes después)»: the session form filled in from the last session, a month on."""
    mesa = get_mesa_for(request.user, pk, need="coordinar")
    propuesta = servicios.proponer_proxima(mesa)
    if propuesta is None:
        messages.info(request, "La mesa aún no tiene sesiones: cree la primera.")
        return redirect("mesa:sesion_nueva", pk=pk)
    inicial, ultima, regla = propuesta
    form = SesionProximaForm(request.POST or None, initial=inicial)
    if request.method == "POST" and form.is_valid():
        try:
            sesion = servicios.sesion_proxima_crear(mesa=mesa, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            aplicar_errores(form, error)
        else:
            cuando = servicios.fecha_larga(sesion.inicio)
            messages.success(
                request, f"Sesión n.º {sesion.numero} creada en borrador para el {cuando}. Revise la tabla y convoque."
            )
            return redirect("mesa:sesion", pk=sesion.pk)
    contexto = {
        "form": form,
        "mesa": mesa,
        "ultima": ultima,
        "regla": regla,
        "propuesta": servicios.fecha_larga(inicial["inicio"]),
    }
    return render(request, "mesa/sesion_proxima.html", contexto, status=400 if form.errors else 200)


@miembro_requerido
def mesa_anual(request, pk):
    """The year month by month (?anio=2026): sessions held and, for a consejo, the legal minimum of one a month."""
    mesa = get_mesa_for(request.user, pk)
    anio, error = servicios.leer_anio(request.GET.get("anio"))
    if error:
        messages.warning(request, error)
    coordina = puede_coordinar(request.user, mesa)
    contexto = {
        "mesa": mesa,
        "resumen": servicios.resumen_anual(mesa, anio, coordina=coordina),
        "anios": servicios.anios_con_registro(mesa),
    }
    return render(request, "mesa/mesa_anual.html", contexto)
