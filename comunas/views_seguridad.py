"""Account security under /cuenta/: the second step of sign-in, two-step verification, other sessions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.models import StaticDevice

from comunas import seguridad
from comunas.access import requiere_dos_factores
from comunas.forms_seguridad import ClaveActualForm, CodigoForm, ConfirmarAplicacionForm
from nucleo.formularios import mensaje_de


def _siguiente(request):
    destino = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(destino, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return destino
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def cuenta_seguridad(request):
    usuario = request.user
    contexto = {
        "activa": seguridad.dos_factores_activo(usuario),
        "obligatoria": requiere_dos_factores(usuario),
        "codigos_restantes": seguridad.codigos_restantes(usuario),
    }
    return render(request, "registration/seguridad.html", contexto)


@never_cache
def dos_factores_verificar(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.is_verified():
        return redirect(_siguiente(request))
    if not seguridad.dos_factores_activo(request.user):  # removed meanwhile, e.g. by an admin after a lost phone
        seguridad.recordar_estado(request, False)
        return redirect(_siguiente(request))
    form = CodigoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispositivo = seguridad.dos_factores_verificar(request=request, codigo=form.cleaned_data["codigo"])
        except ValidationError as error:
            form.add_error("codigo", error)
        else:
            if isinstance(dispositivo, StaticDevice):
                restantes = seguridad.codigos_restantes(request.user)
                messages.warning(
                    request,
                    f"Usó un código de recuperación; le quedan {restantes}. "
                    "Si perdió su teléfono, genere códigos nuevos en «Seguridad de la cuenta».",
                )
            return redirect(_siguiente(request))
    return render(request, "registration/verificar.html", {"form": form})


@never_cache
@login_required
def dos_factores_activar(request):
    if seguridad.dos_factores_activo(request.user):
        messages.info(request, "Su verificación en dos pasos ya está activa.")
        return redirect("cuenta_seguridad")
    dispositivo = seguridad.totp_preparar(usuario=request.user)
    form = ConfirmarAplicacionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            seguridad.dos_factores_activar(request=request, codigo=form.cleaned_data["codigo"])
        except ValidationError as error:
            form.add_error("codigo", error)
        else:
            messages.success(request, "Activó la verificación en dos pasos.")
            if "next" not in request.GET:
                return redirect("dos_factores_codigos")
            return redirect(f"{resolve_url('dos_factores_codigos')}?{urlencode({'next': _siguiente(request)})}")
    contexto = {
        "form": form,
        "qr": seguridad.totp_qr(dispositivo),
        "secreto": seguridad.totp_secreto(dispositivo),
        "obligatoria": requiere_dos_factores(request.user),
    }
    return render(request, "registration/dos_factores_activar.html", contexto)


@never_cache
@login_required
def dos_factores_codigos(request):
    """POST makes new recovery codes; GET shows the ones just made, once."""
    if request.method == "POST":
        try:
            seguridad.codigos_recuperacion_generar(request=request)
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
            return redirect("cuenta_seguridad")
        return redirect("dos_factores_codigos")
    codigos = request.session.pop(seguridad.SESION_CODIGOS, None)
    if not codigos:
        return redirect("cuenta_seguridad")
    contexto = {"codigos": codigos, "siguiente": request.GET.get("next") and _siguiente(request)}
    return render(request, "registration/codigos_recuperacion.html", contexto)


@login_required
def dos_factores_desactivar(request):
    if requiere_dos_factores(request.user):
        raise PermissionDenied("La administración de la plataforma debe usar siempre la verificación en dos pasos.")
    if not seguridad.dos_factores_activo(request.user):
        return redirect("cuenta_seguridad")
    form = ClaveActualForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            seguridad.dos_factores_desactivar(request=request, clave=form.cleaned_data["clave"])
        except ValidationError as error:
            form.add_error("clave", error)
        else:
            messages.success(request, "Desactivó la verificación en dos pasos.")
            return redirect("cuenta_seguridad")
    return render(request, "registration/dos_factores_desactivar.html", {"form": form})


@login_required
def cerrar_otras_sesiones(request):
    form = ClaveActualForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            seguridad.sesiones_cerrar_otras(request=request, clave=form.cleaned_data["clave"])
        except ValidationError as error:
            form.add_error("clave", error)
        else:
            messages.success(request, "Cerramos sus otras sesiones. Esta sigue abierta.")
            return redirect("cuenta_seguridad")
    return render(request, "registration/cerrar_sesiones.html", {"form": form})
