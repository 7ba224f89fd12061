"""Writes for accounts and organizations: keyword-only, atomic, Spanish errors, audited, e-mails on commit."""

import secrets

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from comunas.access import puede
from comunas.auditoria import auditar
from comunas.models import Auditoria, Comuna, Invitacion, Membresia, Organizacion, SolicitudAcceso, Usuario
from nucleo.avisos import enviar_correo, url_absoluta

Accion = Auditoria.Accion
Rol = Membresia.Rol


# --- Requests to join ------------------------------------------------------------------------------


def _cuenta_para_solicitud(*, email, nombre, cargo, telefono):
    """A new inactive account, or the one left by an earlier rejected request (it never got in)."""
    cuenta = Usuario.objects.filter(email__iexact=email).first()
    if cuenta is None:
        cuenta = Usuario(email=email, is_active=False)
    elif cuenta.solicitudes.filter(estado=SolicitudAcceso.Estado.PENDIENTE).exists():
        raise ValidationError({"email": "Ese correo ya tiene una solicitud en revisión. Le avisaremos por correo."})
    elif (
        cuenta.is_active
        or cuenta.has_usable_password()
        or cuenta.membresias.exclude(organizacion__estado=Organizacion.Estado.RECHAZADA).exists()
    ):
        raise ValidationError(
            {"email": "Ese correo ya tiene una cuenta en Mesa. Ingrese con él o, si olvidó su contraseña, recupérela."}
        )
    cuenta.nombre, cuenta.cargo, cuenta.telefono = nombre, cargo, telefono
    cuenta.set_unusable_password()
    try:
        with transaction.atomic():
            cuenta.save()
    except IntegrityError:  # the same e-mail, sent twice at the same moment
        raise ValidationError({"email": "Ese correo ya tiene una solicitud en revisión."}) from None
    return cuenta


def _territorio(territorio):
    return {"comuna": territorio} if isinstance(territorio, Comuna) else {"provincia": territorio}


@transaction.atomic
def solicitud_crear(*, territorio, nombre_organizacion, nombre, cargo, email, telefono="", mensaje=""):
    """A director asks to bring their directorate in, or to join it when it is already active."""
    email = Usuario.objects.normalize_email(email).lower()
    existente = Organizacion.objects.select_for_update().del_territorio(**_territorio(territorio)).first()
    if existente and existente.estado == Organizacion.Estado.PENDIENTE:
        raise ValidationError(
            {"territorio": f"{territorio} ya tiene una solicitud de incorporación en revisión. Espere su resultado."}
        )
    if existente and existente.estado == Organizacion.Estado.SUSPENDIDA:
        raise ValidationError(
            {"territorio": f"La dirección de {territorio} está suspendida. Escriba a la administración de Mesa."}
        )
    cuenta = _cuenta_para_solicitud(email=email, nombre=nombre, cargo=cargo, telefono=telefono)
    if existente:
        organizacion, tipo = existente, SolicitudAcceso.Tipo.UNIRSE
    else:
        organizacion, tipo = _organizacion_pendiente(territorio, nombre_organizacion, email, telefono), None
        Membresia.objects.create(usuario=cuenta, organizacion=organizacion, rol=Rol.DIRECTOR)
    solicitud = SolicitudAcceso.objects.create(
        tipo=tipo or SolicitudAcceso.Tipo.NUEVA_ORGANIZACION, usuario=cuenta, organizacion=organizacion, mensaje=mensaje
    )
    auditar(
        actor=None,
        accion=Accion.SOLICITAR,
        organizacion=organizacion,
        objeto=solicitud,
        despues={"tipo": solicitud.tipo, "email": email, "nombre": nombre, "cargo": cargo},
    )
    _avisar_solicitud(solicitud)
    return solicitud


def _organizacion_pendiente(territorio, nombre, email, telefono):
    try:
        with transaction.atomic():
            return Organizacion.objects.create(
                nombre=nombre, email_contacto=email, telefono=telefono, **_territorio(territorio)
            )
    except IntegrityError:  # another request for the same territory got there first
        raise ValidationError({"territorio": f"{territorio} ya tiene una solicitud en revisión."}) from None


def _avisar_solicitud(solicitud):
    contexto = {"solicitud": solicitud, "enlace": url_absoluta(reverse("solicitud", args=[solicitud.pk]))}
    if solicitud.tipo == SolicitudAcceso.Tipo.NUEVA_ORGANIZACION:
        para = Usuario.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    else:
        para = solicitud.organizacion.membresias.filter(rol=Rol.DIRECTOR, usuario__is_active=True).values_list(
            "usuario__email", flat=True
        )
    enviar_correo(para=list(para), plantilla="solicitud_por_revisar", contexto=contexto)
    enviar_correo(para=solicitud.usuario.email, plantilla="solicitud_recibida", contexto={"solicitud": solicitud})


def _solicitud_para_resolver(solicitud, por):
    solicitud = (
        SolicitudAcceso.objects.select_for_update().select_related("usuario", "organizacion").get(pk=solicitud.pk)
    )
    if solicitud.estado != SolicitudAcceso.Estado.PENDIENTE:
        raise ValidationError(f"Esta solicitud ya fue {solicitud.get_estado_display().lower()}.")
    nueva = solicitud.tipo == SolicitudAcceso.Tipo.NUEVA_ORGANIZACION
    if not (por.is_staff if nueva else puede(por, solicitud.organizacion, "editar")):
        raise PermissionDenied("Su rol no permite resolver esta solicitud.")
    return solicitud


def _cerrar(solicitud, *, por, estado, motivo=""):
    solicitud.estado, solicitud.motivo_rechazo = estado, motivo
    solicitud.resuelta_por, solicitud.resuelta_en = por, timezone.now()
    solicitud.save(update_fields=["estado", "motivo_rechazo", "resuelta_por", "resuelta_en"])


def enlace_crear_clave(usuario):
    """Absolute one-time link to set the first password (Django's password-reset token, 1 day)."""
    uid = urlsafe_base64_encode(force_bytes(usuario.pk))
    return url_absoluta(reverse("crear_clave", args=[uid, default_token_generator.make_token(usuario)]))


@transaction.atomic
def solicitud_aprobar(*, solicitud, por, rol=Rol.INTEGRANTE):
    """Staff approve a new directorate (its applicant becomes its director); a director lets someone join."""
    solicitud = _solicitud_para_resolver(solicitud, por)
    organizacion, cuenta = solicitud.organizacion, solicitud.usuario
    if solicitud.tipo == SolicitudAcceso.Tipo.NUEVA_ORGANIZACION:
        organizacion.estado = Organizacion.Estado.ACTIVA
        organizacion.save(update_fields=["estado", "actualizada"])
        rol = Rol.DIRECTOR
    else:
        Membresia.objects.create(usuario=cuenta, organizacion=organizacion, rol=rol)
    cuenta.is_active = True
    cuenta.save(update_fields=["is_active"])
    _cerrar(solicitud, por=por, estado=SolicitudAcceso.Estado.APROBADA)
    auditar(
        actor=por,
        accion=Accion.APROBAR,
        organizacion=organizacion,
        objeto=solicitud,
        antes={"estado": "pendiente"},
        despues={"estado": "aprobada", "email": cuenta.email, "rol": rol},
    )
    contexto = {"solicitud": solicitud, "rol": Rol(rol).label, "enlace": enlace_crear_clave(cuenta)}
    enviar_correo(para=cuenta.email, plantilla="solicitud_aprobada", contexto=contexto)
    return solicitud


@transaction.atomic
def solicitud_rechazar(*, solicitud, por, motivo):
    """Rejected with a reason; a rejected new directorate is kept, marked, and frees its territory."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise ValidationError({"motivo": "Indique el motivo del rechazo: se informa a quien lo solicitó."})
    solicitud = _solicitud_para_resolver(solicitud, por)
    if solicitud.tipo == SolicitudAcceso.Tipo.NUEVA_ORGANIZACION:
        solicitud.organizacion.estado = Organizacion.Estado.RECHAZADA
        solicitud.organizacion.save(update_fields=["estado", "actualizada"])
    _cerrar(solicitud, por=por, estado=SolicitudAcceso.Estado.RECHAZADA, motivo=motivo)
    auditar(
        actor=por,
        accion=Accion.RECHAZAR,
        organizacion=solicitud.organizacion,
        objeto=solicitud,
        antes={"estado": "pendiente"},
        despues={"estado": "rechazada"},
        motivo=motivo,
    )
    enviar_correo(para=solicitud.usuario.email, plantilla="solicitud_rechazada", contexto={"solicitud": solicitud})
    return solicitud


# --- Organizations ----------------------------------------------------------------------------------


def _cambiar_estado(*, organizacion, por, motivo, desde, hacia, accion):
    motivo = (motivo or "").strip()
    if not por.is_staff:
        raise PermissionDenied("Solo la administración de la plataforma puede suspender o reactivar.")
    if not motivo:
        raise ValidationError({"motivo": "Indique el motivo: se guarda en la auditoría."})
    organizacion = Organizacion.objects.select_for_update().get(pk=organizacion.pk)
    if organizacion.estado != desde:
        raise ValidationError(f"La organización está {organizacion.get_estado_display().lower()}.")
    organizacion.estado = hacia
    organizacion.save(update_fields=["estado", "actualizada"])
    auditar(
        actor=por,
        accion=accion,
        organizacion=organizacion,
        objeto=organizacion,
        antes={"estado": desde},
        despues={"estado": hacia},
        motivo=motivo,
    )
    directores = organizacion.membresias.filter(rol=Rol.DIRECTOR).values_list("usuario__email", flat=True)
    contexto = {"organizacion": organizacion, "motivo": motivo, "suspendida": hacia == Organizacion.Estado.SUSPENDIDA}
    enviar_correo(para=list(directores), plantilla="organizacion_estado", contexto=contexto)
    return organizacion


@transaction.atomic
def organizacion_suspender(*, organizacion, por, motivo):
    """Members lose access to the internal pages; nothing is deleted."""
    Estado = Organizacion.Estado
    return _cambiar_estado(
        organizacion=organizacion, por=por, motivo=motivo, desde=Estado.ACTIVA, hacia=Estado.SUSPENDIDA,
        accion=Accion.SUSPENDER,
    )  # fmt: skip


@transaction.atomic
def organizacion_reactivar(*, organizacion, por, motivo):
    Estado = Organizacion.Estado
    return _cambiar_estado(
        organizacion=organizacion, por=por, motivo=motivo, desde=Estado.SUSPENDIDA, hacia=Estado.ACTIVA,
        accion=Accion.REACTIVAR,
    )  # fmt: skip


CAMPOS_DE_CONTACTO = ("nombre", "email_contacto", "telefono", "direccion")


@transaction.atomic
def organizacion_editar(*, organizacion, por, **datos):
    if not puede(por, organizacion, "editar"):
        raise PermissionDenied("Su rol no permite editar los datos de esta organización.")
    antes = {campo: getattr(organizacion, campo) for campo in CAMPOS_DE_CONTACTO}
    despues = {campo: datos.get(campo, antes[campo]) for campo in CAMPOS_DE_CONTACTO}
    for campo, valor in despues.items():
        setattr(organizacion, campo, valor)
    organizacion.save(update_fields=[*CAMPOS_DE_CONTACTO, "actualizada"])
    cambios = {c for c in CAMPOS_DE_CONTACTO if antes[c] != despues[c]}
    auditar(
        actor=por,
        accion=Accion.EDITAR,
        organizacion=organizacion,
        objeto=organizacion,
        antes={c: antes[c] for c in cambios},
        despues={c: despues[c] for c in cambios},
    )
    return organizacion


# --- Invitations ------------------------------------------------------------------------------------


def _enviar_invitacion(invitacion, *, por):
    """A fresh token (the previous link stops working) and a fresh 7-day expiry; only the hash is kept."""
    token = secrets.token_urlsafe(32)
    invitacion.token_hash = Invitacion.huella(token)
    invitacion.expira = timezone.now() + Invitacion.VIGENCIA
    invitacion.token = token  # not stored: for the e-mail (and the tests) only
    contexto = {
        "invitacion": invitacion,
        "por": por,
        "enlace": url_absoluta(reverse("invitacion_aceptar", args=[token])),
    }
    enviar_correo(para=invitacion.email, plantilla="invitacion", contexto=contexto)


@transaction.atomic
def invitacion_crear(*, organizacion, email, rol, por):
    if not puede(por, organizacion, "editar"):
        raise PermissionDenied("Su rol no permite invitar a esta organización.")
    email = Usuario.objects.normalize_email(email).lower()
    if organizacion.membresias.filter(usuario__email__iexact=email).exists():
        raise ValidationError({"email": "Esa persona ya integra el equipo."})
    pendientes = organizacion.invitaciones.select_for_update().pendientes().filter(email__iexact=email)
    if any(i.vigente for i in pendientes):
        raise ValidationError(
            {"email": "Ya hay una invitación vigente para ese correo. Puede reenviarla desde el equipo."}
        )
    pendientes.update(revocada_en=timezone.now())  # expired ones: closed so the new one is the only open one
    invitacion = Invitacion(organizacion=organizacion, email=email, rol=rol, invitada_por=por)
    _enviar_invitacion(invitacion, por=por)
    invitacion.save()
    auditar(actor=por, accion=Accion.INVITAR, organizacion=organizacion, objeto=email, despues={"rol": rol})
    return invitacion


def _invitacion_abierta(invitacion, por):
    invitacion = Invitacion.objects.select_for_update().select_related("organizacion").get(pk=invitacion.pk)
    if not puede(por, invitacion.organizacion, "editar"):
        raise PermissionDenied("Su rol no permite gestionar las invitaciones de esta organización.")
    if invitacion.aceptada_en or invitacion.revocada_en:
        raise ValidationError("Esa invitación ya fue aceptada o revocada.")
    return invitacion


@transaction.atomic
def invitacion_reenviar(*, invitacion, por):
    invitacion = _invitacion_abierta(invitacion, por)
    antes = {"expira": invitacion.expira.isoformat()}
    _enviar_invitacion(invitacion, por=por)
    invitacion.save(update_fields=["token_hash", "expira"])
    auditar(
        actor=por,
        accion=Accion.REENVIAR,
        organizacion=invitacion.organizacion,
        objeto=invitacion.email,
        antes=antes,
        despues={"expira": invitacion.expira.isoformat()},
    )
    return invitacion


@transaction.atomic
def invitacion_revocar(*, invitacion, por):
    invitacion = _invitacion_abierta(invitacion, por)
    invitacion.revocada_en = timezone.now()
    invitacion.save(update_fields=["revocada_en"])
    auditar(actor=por, accion=Accion.REVOCAR, organizacion=invitacion.organizacion, objeto=invitacion.email)
    return invitacion


def motivo_invitacion_invalida(invitacion):
    """None when the invitation can be accepted, else why not (in Spanish)."""
    if invitacion is None:
        return "El enlace de invitación no es válido. Revise que lo haya copiado completo."
    if invitacion.aceptada_en:
        return "Esta invitación ya se usó. Si es suya, ingrese con su correo y contraseña."
    if invitacion.revocada_en:
        return "Esta invitación fue revocada. Pida una nueva a quien dirige el equipo."
    if invitacion.vencida:
        return "Esta invitación venció (vale 7 días). Pida a quien dirige el equipo que se la reenvíe."
    if not invitacion.organizacion.activa:
        return "La organización que lo invitó no está activa en este momento."
    return None


@transaction.atomic
def invitacion_aceptar(*, invitacion, usuario=None, nombre="", cargo="", telefono="", password=None):
    """The invited person joins: with a new account (nombre + password) or, signed in, with theirs."""
    invitacion = Invitacion.objects.select_for_update().select_related("organizacion").get(pk=invitacion.pk)
    motivo = motivo_invitacion_invalida(invitacion)
    if motivo:
        raise ValidationError(motivo)
    if usuario is None:
        if Usuario.objects.filter(email__iexact=invitacion.email).exists():
            raise ValidationError("Ya existe una cuenta con ese correo: ingrese con ella para aceptar la invitación.")
        usuario = Usuario.objects.create_user(
            email=invitacion.email, password=password, nombre=nombre, cargo=cargo, telefono=telefono
        )
    elif usuario.email.lower() != invitacion.email.lower():
        raise PermissionDenied(f"Esta invitación es para {invitacion.email}. Ingrese con esa cuenta para aceptarla.")
    if invitacion.organizacion.membresias.filter(usuario=usuario).exists():
        raise ValidationError("Usted ya integra este equipo.")
    Membresia.objects.create(usuario=usuario, organizacion=invitacion.organizacion, rol=invitacion.rol)
    invitacion.aceptada_en, invitacion.aceptada_por = timezone.now(), usuario
    invitacion.save(update_fields=["aceptada_en", "aceptada_por"])
    auditar(
        actor=usuario,
        accion=Accion.ACEPTAR,
        organizacion=invitacion.organizacion,
        objeto=invitacion.email,
        despues={"rol": invitacion.rol},
    )
    return usuario


# --- Team -------------------------------------------------------------------------------------------


def _membresia_editable(membresia, por):
    membresia = Membresia.objects.select_for_update().select_related("usuario", "organizacion").get(pk=membresia.pk)
    if not puede(por, membresia.organizacion, "editar"):
        raise PermissionDenied("Su rol no permite cambiar el equipo de esta organización.")
    return membresia


def _exigir_otro_director(membresia, mensaje):
    if membresia.rol != Rol.DIRECTOR:
        return
    # Lock every director row so two simultaneous demotions cannot leave the organization without one.
    directores = list(
        Membresia.objects.select_for_update().filter(organizacion_id=membresia.organizacion_id, rol=Rol.DIRECTOR)
    )
    if len(directores) <= 1:
        raise ValidationError(mensaje)


@transaction.atomic
def membresia_cambiar_rol(*, membresia, rol, por):
    membresia = _membresia_editable(membresia, por)
    if rol == membresia.rol:
        return membresia
    if rol != Rol.DIRECTOR:
        _exigir_otro_director(
            membresia,
            "La organización debe conservar al menos un(a) director(a). Nombre antes a otra persona como director(a).",
        )
    antes = membresia.rol
    membresia.rol = rol
    membresia.save(update_fields=["rol"])
    auditar(
        actor=por,
        accion=Accion.CAMBIAR_ROL,
        organizacion=membresia.organizacion,
        objeto=membresia.usuario.email,
        antes={"rol": antes},
        despues={"rol": rol},
    )
    return membresia


@transaction.atomic
def membresia_quitar(*, membresia, por):
    membresia = _membresia_editable(membresia, por)
    _exigir_otro_director(
        membresia,
        "No se puede quitar al único director(a): la organización debe conservar al menos uno(a).",
    )
    auditar(
        actor=por,
        accion=Accion.QUITAR,
        organizacion=membresia.organizacion,
        objeto=membresia.usuario.email,
        antes={"rol": membresia.rol},
    )
    membresia.delete()
    return membresia
