from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from comunas import limites, services
from comunas.access import (
    exigir_staff,
    get_invitacion_for,
    get_membresia_for,
    get_organizacion_for,
    get_solicitud_for,
    miembro_requerido,
    puede,
)
from comunas.forms import (
    AprobacionForm,
    CuentaInvitadaForm,
    InvitacionForm,
    MotivoForm,
    OrganizacionContactoForm,
    RolForm,
    SolicitudAccesoForm,
)
from comunas.models import Organizacion, SolicitudAcceso
from comunas.perfil import trabajo_de_organizacion
from comunas.seguridad import ip_del_cliente
from comunas.selectors import (
    cuenta_existe,
    equipo_de,
    invitacion_por_token,
    invitaciones_pendientes_de,
    membresia_principal,
    organizaciones_del_directorio,
    solicitudes_pendientes,
)
from nucleo.formularios import mensaje_de


def portada(request):
    """Public landing page that explains the platform."""
    organizaciones = Organizacion.objects.activas().con_territorio().order_by("nombre")
    return render(request, "comunas/portada.html", {"organizaciones": organizaciones})


@miembro_requerido
def mi_organizacion(request):
    membresia = membresia_principal(request.user)
    if membresia is None:
        return render(request, "comunas/sin_organizacion.html")
    return redirect("organizacion", pk=membresia.organizacion_id)


# --- Requests to join ------------------------------------------------------------------------------

DEMASIADAS = "Se enviaron demasiadas solicitudes desde su conexión. Espere una hora y vuelva a intentarlo."


def solicitar_acceso(request):
    """Public form, in two steps: the request sends only a confirmation link to the address given; the link
    (?confirmar=…) brings the person back here to confirm, and only then does the request reach the reviewers."""
    token = request.POST.get("confirmar") or request.GET.get("confirmar")
    if token:
        return _confirmar_solicitud(request, token)
    form = SolicitudAccesoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not limites.SOLICITUD_POR_IP.permitir(ip_del_cliente(request)):
            form.add_error(None, DEMASIADAS)
            return render(request, "comunas/solicitar_acceso.html", {"form": form}, status=429)
        try:
            services.solicitud_pedir(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session["solicitud_paso"] = "confirmar"
            return redirect("solicitud_enviada")
    return render(request, "comunas/solicitar_acceso.html", {"form": form})


def _confirmar_solicitud(request, token):
    """The link of the confirmation e-mail: shows what will be sent and asks to confirm it (a button, so that
    mail scanners that open links confirm nothing)."""
    try:
        datos = services.solicitud_del_enlace(token)
    except ValidationError as error:
        return render(request, "comunas/solicitud_confirmar.html", {"error": mensaje_de(error)}, status=400)
    contexto = {"datos": datos, "token": token, "tipo": Organizacion.Tipo(datos["tipo"]).label}
    if request.method != "POST":
        return render(request, "comunas/solicitud_confirmar.html", contexto)
    if not limites.CONFIRMAR_POR_IP.permitir(ip_del_cliente(request)):
        return render(request, "comunas/solicitud_confirmar.html", {**contexto, "error": DEMASIADAS}, status=429)
    try:
        solicitud = services.solicitud_confirmar(token=token)
    except ValidationError as error:
        return render(request, "comunas/solicitud_confirmar.html", {**contexto, "error": mensaje_de(error)}, status=400)
    request.session["solicitud_paso"], request.session["solicitud_enviada"] = "recibida", solicitud.tipo
    return redirect("solicitud_enviada")


def solicitud_enviada(request):
    """After the form: "check your e-mail"; after the confirmation: what happens next."""
    contexto = {
        "recibida": request.session.get("solicitud_paso") == "recibida",
        "unirse": request.session.get("solicitud_enviada") == SolicitudAcceso.Tipo.UNIRSE,
    }
    return render(request, "comunas/solicitud_enviada.html", contexto)


@miembro_requerido
def solicitudes(request):
    """Staff: the pending requests for new directorates (requests to join go to each director)."""
    exigir_staff(request.user)
    return render(request, "comunas/solicitudes.html", {"solicitudes": solicitudes_pendientes()})


@miembro_requerido
def solicitud_detalle(request, pk, aprobacion=None, rechazo=None):
    solicitud = get_solicitud_for(request.user, pk)
    contexto = {
        "solicitud": solicitud,
        "aprobacion": aprobacion or AprobacionForm(),
        "rechazo": rechazo or MotivoForm(),
    }
    return render(request, "comunas/solicitud.html", contexto, status=400 if rechazo or aprobacion else 200)


def _despues_de_resolver(request, solicitud):
    if solicitud.tipo == SolicitudAcceso.Tipo.UNIRSE:
        return redirect("organizacion", pk=solicitud.organizacion_id)
    return redirect("solicitudes")


@require_POST
@miembro_requerido
def solicitud_aprobar(request, pk):
    solicitud = get_solicitud_for(request.user, pk)
    form = AprobacionForm(request.POST)
    if not form.is_valid():
        return solicitud_detalle(request, pk, aprobacion=form)
    try:
        services.solicitud_aprobar(solicitud=solicitud, por=request.user, rol=form.cleaned_data["rol"])
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(
            request, f"Solicitud aprobada: enviamos a {solicitud.usuario.email} el enlace para crear su contraseña."
        )
    return _despues_de_resolver(request, solicitud)


@require_POST
@miembro_requerido
def solicitud_rechazar(request, pk):
    solicitud = get_solicitud_for(request.user, pk)
    form = MotivoForm(request.POST)
    if not form.is_valid():
        return solicitud_detalle(request, pk, rechazo=form)
    try:
        services.solicitud_rechazar(solicitud=solicitud, por=request.user, motivo=form.cleaned_data["motivo"])
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, f"Solicitud rechazada: informamos el motivo a {solicitud.usuario.email}.")
    return _despues_de_resolver(request, solicitud)


class CrearClaveView(PasswordResetConfirmView):
    """The link of the approval e-mail: the applicant sets their first password, then signs in."""

    template_name = "comunas/crear_clave.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, "Su contraseña quedó guardada. Ya puede ingresar con su correo.")
        return super().form_valid(form)


crear_clave = CrearClaveView.as_view()


# --- Organizations ----------------------------------------------------------------------------------


@miembro_requerido
def organizaciones(request):
    return render(request, "comunas/organizaciones.html", {"organizaciones": organizaciones_del_directorio()})


@miembro_requerido
def organizacion(request, pk):
    """Profile: territory, contacts and team; its director(a) also manages the team here."""
    organizacion, rol = get_organizacion_for(request.user, pk)
    gestiona = puede(request.user, organizacion, "editar", rol=rol)
    contexto = {"organizacion": organizacion, "rol": rol, "gestiona": gestiona, "equipo": equipo_de(organizacion)}
    contexto.update(trabajo_de_organizacion(request.user, organizacion))
    if gestiona:
        contexto["invitaciones"] = invitaciones_pendientes_de(organizacion)
        contexto["solicitudes"] = solicitudes_pendientes(organizacion=organizacion, tipo=SolicitudAcceso.Tipo.UNIRSE)
        contexto["roles"] = RolForm.base_fields["rol"].choices
    return render(request, "comunas/organizacion.html", contexto)


@miembro_requerido
def organizacion_editar(request, pk):
    organizacion, _ = get_organizacion_for(request.user, pk, need="editar")
    form = OrganizacionContactoForm(request.POST or None, instance=Organizacion.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        services.organizacion_editar(organizacion=organizacion, por=request.user, **form.cleaned_data)
        messages.success(request, "Datos de contacto guardados.")
        return redirect("organizacion", pk=pk)
    return render(request, "comunas/organizacion_editar.html", {"organizacion": organizacion, "form": form})


@miembro_requerido
def organizacion_suspension(request, pk):
    """Staff suspend an active organization, or reactivate a suspended one, giving a reason."""
    organizacion, _ = get_organizacion_for(request.user, pk, need="administrar")
    form = MotivoForm(request.POST or None)
    suspender = organizacion.estado == Organizacion.Estado.ACTIVA
    if request.method == "POST" and form.is_valid():
        accion = services.organizacion_suspender if suspender else services.organizacion_reactivar
        try:
            accion(organizacion=organizacion, por=request.user, motivo=form.cleaned_data["motivo"])
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            messages.success(request, "Organización suspendida." if suspender else "Organización reactivada.")
        return redirect("organizacion", pk=pk)
    contexto = {"organizacion": organizacion, "form": form, "suspender": suspender}
    return render(request, "comunas/organizacion_suspension.html", contexto)


# --- Team and invitations ---------------------------------------------------------------------------


@miembro_requerido
def invitacion_crear(request, pk):
    organizacion, _ = get_organizacion_for(request.user, pk, need="editar")
    form = InvitacionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitacion_crear(organizacion=organizacion, por=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitación enviada a {form.cleaned_data['email']}. Vale por 7 días.")
            return redirect("organizacion", pk=pk)
    return render(request, "comunas/invitacion_crear.html", {"organizacion": organizacion, "form": form})


def _sobre_invitacion(request, pk, servicio, exito):
    invitacion = get_invitacion_for(request.user, pk)
    try:
        servicio(invitacion=invitacion, por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, exito.format(email=invitacion.email))
    return redirect("organizacion", pk=invitacion.organizacion_id)


@require_POST
@miembro_requerido
def invitacion_reenviar(request, pk):
    exito = "Invitación reenviada a {email}; el enlace anterior ya no sirve."
    return _sobre_invitacion(request, pk, services.invitacion_reenviar, exito)


@require_POST
@miembro_requerido
def invitacion_revocar(request, pk):
    return _sobre_invitacion(request, pk, services.invitacion_revocar, "Invitación a {email} revocada.")


@require_POST
@miembro_requerido
def membresia_rol(request, pk):
    membresia = get_membresia_for(request.user, pk)
    form = RolForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Elija un rol de la lista.")
        services.membresia_cambiar_rol(membresia=membresia, rol=form.cleaned_data["rol"], por=request.user)
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, f"Rol de {membresia.usuario.nombre} actualizado.")
    return redirect("organizacion", pk=membresia.organizacion_id)


@miembro_requerido
def membresia_quitar(request, pk):
    """Confirmation page, then removal (never the last director)."""
    membresia = get_membresia_for(request.user, pk)
    if request.method == "POST":
        try:
            services.membresia_quitar(membresia=membresia, por=request.user)
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            messages.success(request, f"{membresia.usuario.nombre} ya no integra el equipo.")
        return redirect("organizacion", pk=membresia.organizacion_id)
    return render(request, "comunas/membresia_quitar.html", {"membresia": membresia})


def invitacion_aceptar(request, token):
    """Public link of the invitation e-mail: create an account, or accept with the signed-in one."""
    invitacion = invitacion_por_token(token)
    motivo = services.motivo_invitacion_invalida(invitacion)
    if motivo:
        return render(
            request, "comunas/invitacion_invalida.html", {"motivo": motivo}, status=410 if invitacion else 404
        )
    anonimo = not request.user.is_authenticated
    form = CuentaInvitadaForm(request.POST or None, email=invitacion.email) if anonimo else None
    if request.method == "POST" and (form is None or form.is_valid()):
        datos = _datos_de_cuenta(form) if anonimo else {"usuario": request.user}
        try:
            services.invitacion_aceptar(invitacion=invitacion, **datos)
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            return _bienvenida(request, invitacion, anonimo)
    contexto = {
        "invitacion": invitacion,
        "form": form,
        "cuenta_existe": anonimo and cuenta_existe(invitacion.email),
        "otra_cuenta": not anonimo and request.user.email.lower() != invitacion.email.lower(),
    }
    return render(request, "comunas/invitacion_aceptar.html", contexto)


def _datos_de_cuenta(form):
    datos = {campo: form.cleaned_data[campo] for campo in ("nombre", "cargo", "telefono")}
    return {**datos, "password": form.cleaned_data["password1"]}


def _bienvenida(request, invitacion, anonimo):
    perfil = reverse("organizacion", args=[invitacion.organizacion_id])
    if anonimo:
        messages.success(request, "Su cuenta quedó creada. Ingrese con su correo y la contraseña que eligió.")
        return redirect(f"{reverse('login')}?next={perfil}")
    messages.success(request, f"Ya integra el equipo de {invitacion.organizacion.nombre}.")
    return redirect(perfil)
