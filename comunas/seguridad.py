"""Account security: two-step verification (TOTP app + recovery codes), ending other sessions, sign-in lockout.

Who must use two-step verification is decided in one place, `comunas.access.requiere_dos_factores`;
`comunas.middleware.DosFactoresMiddleware` enforces it on every internal page.
"""

import base64
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from comunas.access import requiere_dos_factores
from comunas.auditoria import auditar
from comunas.models import Auditoria

CANTIDAD_CODIGOS = 10
NOMBRE_TOTP = "Aplicación de autenticación"
NOMBRE_CODIGOS = "Códigos de recuperación"
# [user pk, has a confirmed device]: checked at sign-in, so pages do not query devices on every request.
SESION_ESTADO = "mesa_dos_factores"
# Recovery codes just generated: shown once, then removed from the session.
SESION_CODIGOS = "mesa_codigos_nuevos"


# --- State ---------------------------------------------------------------------


def dos_factores_activo(usuario):
    return user_has_device(usuario, confirmed=True)


@receiver(user_logged_in, dispatch_uid="mesa_dos_factores_al_ingresar")
def _recordar_al_ingresar(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        session[SESION_ESTADO] = [user.pk, dos_factores_activo(user)]


def recordar_estado(request, activo):
    request.session[SESION_ESTADO] = [request.user.pk, activo]


def sesion_con_dos_factores(request):
    """Whether the signed-in user has two-step verification set up, as remembered in this session."""
    guardado = request.session.get(SESION_ESTADO)
    if not guardado or guardado[0] != request.user.pk:
        guardado = [request.user.pk, dos_factores_activo(request.user)]
        request.session[SESION_ESTADO] = guardado
    return guardado[1]


def paso_pendiente(request):
    """None when the user may go on; else the URL name of the step still missing."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if sesion_con_dos_factores(request):
        return "dos_factores_verificar"
    if requiere_dos_factores(user):
        return "dos_factores_activar"
    return None


def normalizar_codigo(codigo):
    """People type codes with spaces or hyphens, and recovery codes in capitals."""
    return "".join((codigo or "").split()).replace("-", "").lower()


# --- Enrolment -----------------------------------------------------------------


@transaction.atomic
def totp_preparar(*, usuario):
    """The authenticator the user is about to scan: the same unconfirmed one until they confirm it."""
    dispositivo = TOTPDevice.objects.filter(user=usuario, confirmed=False).order_by("pk").first()
    if dispositivo is None:
        dispositivo = TOTPDevice.objects.create(user=usuario, name=NOMBRE_TOTP, confirmed=False)
    return dispositivo


def totp_qr(dispositivo):
    """The otpauth:// link as an SVG data URI: drawn on the server, no script, allowed by the CSP (img-src data:)."""
    svg = qrcode.make(dispositivo.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def totp_secreto(dispositivo):
    """The secret in base32, in groups of four, for typing it into the app by hand."""
    secreto = base64.b32encode(dispositivo.bin_key).decode()
    return " ".join(secreto[i : i + 4] for i in range(0, len(secreto), 4))


def dos_factores_activar(*, request, codigo):
    """Confirms the authenticator with a code from the app; the session counts as verified from now on."""
    usuario = request.user
    dispositivo = TOTPDevice.objects.filter(user=usuario, confirmed=False).order_by("pk").first()
    # Verified outside the transaction below, so a failed try still counts for throttling.
    if dispositivo is None or not dispositivo.verify_token(normalizar_codigo(codigo)):
        raise ValidationError(
            "El código no coincide. Revise que la hora de su teléfono sea correcta y escriba el código que "
            "muestra la aplicación en este momento."
        )
    codigos = _confirmar(usuario=usuario, dispositivo=dispositivo)
    otp_login(request, dispositivo)
    request.session.cycle_key()
    recordar_estado(request, True)
    request.session[SESION_CODIGOS] = codigos
    return dispositivo


@transaction.atomic
def _confirmar(*, usuario, dispositivo):
    dispositivo.confirmed = True
    dispositivo.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=usuario).exclude(pk=dispositivo.pk).delete()  # one authenticator per person
    codigos = _codigos_nuevos(usuario)
    auditar(
        actor=usuario,
        accion=Auditoria.Accion.DOS_FACTORES,
        objeto=usuario.email,
        antes={"verificacion_en_dos_pasos": False},
        despues={"verificacion_en_dos_pasos": True},
    )
    return codigos


def _codigos_nuevos(usuario):
    dispositivo, _ = StaticDevice.objects.get_or_create(user=usuario, name=NOMBRE_CODIGOS, defaults={"confirmed": True})
    dispositivo.token_set.all().delete()
    codigos = [StaticToken.random_token() for _ in range(CANTIDAD_CODIGOS)]
    StaticToken.objects.bulk_create([StaticToken(device=dispositivo, token=c) for c in codigos])
    return codigos


@transaction.atomic
def codigos_recuperacion_generar(*, request):
    """New recovery codes; the old ones stop working. They are shown once, on the next page."""
    usuario = request.user
    if not TOTPDevice.objects.filter(user=usuario, confirmed=True).exists():
        raise ValidationError("Active primero la verificación en dos pasos.")
    codigos = _codigos_nuevos(usuario)
    auditar(
        actor=usuario,
        accion=Auditoria.Accion.DOS_FACTORES,
        objeto=usuario.email,
        despues={"codigos_de_recuperacion": "generados de nuevo"},
    )
    request.session[SESION_CODIGOS] = codigos
    return codigos


@transaction.atomic
def dos_factores_desactivar(*, request, clave):
    usuario = request.user
    if requiere_dos_factores(usuario):
        raise PermissionDenied("La administración de la plataforma debe usar siempre la verificación en dos pasos.")
    if not usuario.check_password(clave):
        raise ValidationError("La contraseña no es correcta.")
    for dispositivo in devices_for_user(usuario, confirmed=None):
        dispositivo.delete()
    auditar(
        actor=usuario,
        accion=Auditoria.Accion.DOS_FACTORES,
        objeto=usuario.email,
        antes={"verificacion_en_dos_pasos": True},
        despues={"verificacion_en_dos_pasos": False},
    )
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    recordar_estado(request, False)
    return usuario


# --- Second step of sign-in -------------------------------------------------------


def dos_factores_verificar(*, request, codigo):
    """A 6-digit code from the app or a recovery code; returns the device that accepted it."""
    usuario = request.user
    codigo = normalizar_codigo(codigo)
    modelo = TOTPDevice if codigo.isdigit() and len(codigo) == 6 else StaticDevice  # recovery codes have 8
    for dispositivo in modelo.objects.devices_for_user(usuario, confirmed=True):
        permitido, datos = dispositivo.verify_is_allowed()
        if not permitido and datos and "locked_until" in datos:
            segundos = max(1, int((datos["locked_until"] - timezone.now()).total_seconds()) + 1)
            raise ValidationError(f"Demasiados intentos. Espere {segundos} segundos y vuelva a intentarlo.")
        # verify_token locks the device row, so one code cannot be used twice at the same time.
        aceptado = verify_token(usuario, dispositivo.persistent_id, codigo)
        if aceptado is not None:
            otp_login(request, aceptado)
            request.session.cycle_key()  # a new session key for the new level of access
            return aceptado
    raise ValidationError("El código no es correcto o ya fue usado.")


def codigos_restantes(usuario):
    return StaticToken.objects.filter(device__user=usuario, device__confirmed=True).count()


# --- Sessions ---------------------------------------------------------------------


@transaction.atomic
def sesiones_cerrar_otras(*, request, clave):
    """Ends every other session of the user, on any session backend, and keeps this one.

    Django checks on each request that the session was opened with the current password hash. Hashing the
    same password again gives a new salt, so a new hash: every other session fails that check and is
    flushed on its next request. This session gets the new hash (update_session_auth_hash) and keeps its
    two-step verification. Reset links sent before also stop working, which is what a worried user wants.
    """
    usuario = request.user
    if not usuario.check_password(clave):
        raise ValidationError("La contraseña no es correcta.")
    usuario.set_password(clave)
    usuario.save(update_fields=["password"])
    update_session_auth_hash(request, usuario)
    auditar(actor=usuario, accion=Auditoria.Accion.CERRAR_SESIONES, objeto=usuario.email)
    return usuario


# --- Lockout (django-axes) -----------------------------------------------------------


def usuario_para_axes(request, credentials=None):
    """The e-mail typed in the sign-in form, compared without case or spaces like the login itself."""
    valor = (credentials or {}).get("username")
    if valor is None and request is not None:
        valor = request.POST.get("username", "")
    return str(valor or "").strip().lower()


def ip_del_cliente(request):
    """Behind N trusted proxies the client is the N-th address from the right of X-Forwarded-For."""
    saltos = settings.PROXIES_DE_CONFIANZA
    if saltos:
        reenviadas = [ip.strip() for ip in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if ip.strip()]
        if len(reenviadas) >= saltos:
            return reenviadas[-saltos]
    return request.META.get("REMOTE_ADDR")


def respuesta_bloqueo(request, original_response=None, credentials=None):
    """The Spanish lockout page: when to try again, and the way out through a password reset."""
    espera = settings.AXES_COOLOFF_TIME
    contexto = {"hasta": timezone.now() + espera, "minutos": int(espera / timedelta(minutes=1))}
    return render(request, "registration/bloqueado.html", contexto, status=settings.AXES_HTTP_RESPONSE_CODE)
