"""Writes for accounts and organizations: keyword-only, atomic, Spanish errors, audited, e-mails on commit."""

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from comunas import limites
from comunas.access import puede
from comunas.auditoria import auditar
from comunas.models import Auditoria, Comuna, Invitacion, Membresia, Organizacion, SolicitudAcceso, Usuario
from comunas.selectors import clave_de_territorio, territorio_por_clave
from comunas.senales import acceso_retirado
from nucleo.avisos import enviar_correo, url_absoluta

Accion = Auditoria.Accion
Rol = Membresia.Rol


# --- Requests to join ------------------------------------------------------------------------------
#
# Two steps, so that nothing reaches anyone on the word of an unverified address: `solicitud_pedir` only
# e-mails that address a signed link (nothing is stored); `solicitud_confirmar`, when the link is used,
# creates the account, the request and (for a new organization) the pending organization, and notifies the
# reviewers. A pending request holds no territory: several may wait for the same one and the admin approves one.

SAL_CONFIRMACION = "comunas.solicitud.confirmar"
CONFIRMACION_VIGENCIA = timedelta(hours=48)
CAMPOS_SOLICITUD = (
    "tipo", "institucion", "nombre_organizacion", "nombre", "cargo", "telefono", "email", "mensaje",
)  # fmt: skip


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


def _tipo_de(tipo, territorio):
    """The kind asked for, else the one the territory implies."""
    if tipo:
        return tipo
    if isinstance(territorio, Comuna):
        return Organizacion.tipo_del_territorio(comuna_id=territorio.codigo)
    return Organizacion.tipo_del_territorio(provincia_id=territorio.codigo)


def _exigir_no_suspendida(existente, territorio):
    if existente and existente.estado == Organizacion.Estado.SUSPENDIDA:
        raise ValidationError(
            {
                "territorio": f"La organización de la {_nombre_territorio(territorio)} en Mesa está suspendida. "
                "Escriba a la administración de Mesa."
            }
        )


@transaction.atomic
def solicitud_pedir(*, territorio, email, tipo="", institucion="", **datos):
    """Step one: e-mails `email` a link (valid 48 hours) that confirms the request; stores nothing.

    The e-mail carries no text typed in the form, only the territory and the kind of organization. Returns
    whether it was sent: past CONFIRMACION_POR_CORREO the address gets nothing more, and the caller answers the
    same (the page must not tell whether an address is in use)."""
    tipo = _tipo_de(tipo, territorio)
    _exigir_no_suspendida(
        Organizacion.objects.titular(tipo=tipo, institucion=institucion, **_territorio(territorio)).first(), territorio
    )
    email = Usuario.objects.normalize_email(email).lower()
    if not limites.CONFIRMACION_POR_CORREO.permitir(email):
        return False
    datos = {**datos, "tipo": tipo, "institucion": institucion.strip(), "email": email}
    token = signing.dumps(
        {"territorio": clave_de_territorio(territorio), **{c: datos.get(c, "") for c in CAMPOS_SOLICITUD}},
        salt=SAL_CONFIRMACION,
        compress=True,
    )
    contexto = {
        "territorio": _nombre_territorio(territorio),
        "tipo": Organizacion.Tipo(tipo).label,
        "horas": int(CONFIRMACION_VIGENCIA.total_seconds() // 3600),
        "enlace": url_absoluta(f"{reverse('solicitar_acceso')}?{urlencode({'confirmar': token})}"),
    }
    enviar_correo(para=email, plantilla="solicitud_confirmar", contexto=contexto)
    return True


def _nombre_territorio(territorio):
    return f"comuna de {territorio.nombre}" if isinstance(territorio, Comuna) else f"provincia de {territorio.nombre}"


def solicitud_del_enlace(token):
    """The request a confirmation link carries, with its territory: {"territorio": Comuna | Provincia, ...}."""
    try:
        datos = signing.loads(token, salt=SAL_CONFIRMACION, max_age=CONFIRMACION_VIGENCIA)
    except signing.SignatureExpired:
        raise ValidationError("El enlace venció (vale 48 horas). Vuelva a enviar la solicitud.") from None
    except signing.BadSignature:
        raise ValidationError("El enlace no es válido. Revise que lo haya copiado completo.") from None
    return {**datos, "territorio": territorio_por_clave(datos["territorio"])}


@transaction.atomic
def solicitud_confirmar(*, token):
    """Step two, from the link of the e-mail: the address is confirmed, so the request is made."""
    return solicitud_crear(**solicitud_del_enlace(token))


@transaction.atomic
def solicitud_crear(
    *, territorio, nombre_organizacion, nombre, cargo, email, telefono="", mensaje="", tipo="", institucion=""
):
    """A confirmed request: to join the organization that already holds the territory (its director decides),
    or to bring a new one in (the platform admins decide). `tipo` defaults to the one the territory implies."""
    email = Usuario.objects.normalize_email(email).lower()
    tipo = _tipo_de(tipo, territorio)
    institucion = institucion.strip() if tipo == Organizacion.Tipo.INSTITUCION else ""
    existente = (
        Organizacion.objects.select_for_update()
        .titular(tipo=tipo, institucion=institucion, **_territorio(territorio))
        .first()
    )
    _exigir_no_suspendida(existente, territorio)
    cuenta = _cuenta_para_solicitud(email=email, nombre=nombre, cargo=cargo, telefono=telefono)
    if existente:
        organizacion, tipo_solicitud = existente, SolicitudAcceso.Tipo.UNIRSE
    else:
        organizacion = Organizacion.objects.create(
            nombre=nombre_organizacion,
            tipo=tipo,
            institucion=institucion,
            email_contacto=email,
            telefono=telefono,
            **_territorio(territorio),
        )
        tipo_solicitud = SolicitudAcceso.Tipo.NUEVA_ORGANIZACION
        Membresia.objects.create(usuario=cuenta, organizacion=organizacion, rol=Rol.DIRECTOR)
    solicitud = SolicitudAcceso.objects.create(
        tipo=tipo_solicitud, usuario=cuenta, organizacion=organizacion, mensaje=mensaje
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


def _avisar_solicitud(solicitud):
    """Tells the reviewers; past AVISOS_POR_DESTINO a day for one territory (or one organization) the request
    waits in their list without an e-mail."""
    organizacion = solicitud.organizacion
    if solicitud.tipo == SolicitudAcceso.Tipo.NUEVA_ORGANIZACION:
        destino = f"nueva:{organizacion.tipo}:{clave_de_territorio(organizacion.territorio)}"
        para = Usuario.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    else:
        destino = f"unirse:{organizacion.pk}"
        para = organizacion.membresias.filter(rol=Rol.DIRECTOR, usuario__is_active=True).values_list(
            "usuario__email", flat=True
        )
    if limites.AVISOS_POR_DESTINO.permitir(destino):
        contexto = {"solicitud": solicitud, "enlace": url_absoluta(reverse("solicitud", args=[solicitud.pk]))}
        enviar_correo(para=list(para), plantilla="solicitud_por_revisar", contexto=contexto)


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
        _activar(organizacion)
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


def _activar(organizacion):
    """A new organization comes in, unless another one already holds its territory (an earlier request for it
    was approved): then this request should be rejected, or the applicant asked to join that one."""
    otra = (
        Organizacion.objects.titular(
            tipo=organizacion.tipo,
            institucion=organizacion.institucion,
            comuna=organizacion.comuna,
            provincia=organizacion.provincia,
        )
        .exclude(pk=organizacion.pk)
        .first()
    )
    if otra:
        raise ValidationError(
            f"{organizacion.territorio_nombre} ya tiene en la plataforma a «{otra.nombre}». Rechace esta solicitud "
            "e indique a quien la hizo que pida unirse a esa organización."
        )
    organizacion.estado = Organizacion.Estado.ACTIVA
    try:
        with transaction.atomic():
            organizacion.save(update_fields=["estado", "actualizada"])
    except IntegrityError:  # approved at the same moment as another request for the same territory
        raise ValidationError(
            f"Otra solicitud para {organizacion.territorio_nombre} se aprobó recién. Rechace esta e indique a quien "
            "la hizo que pida unirse a esa organización."
        ) from None


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
    organizacion = _cambiar_estado(
        organizacion=organizacion, por=por, motivo=motivo, desde=Estado.ACTIVA, hacia=Estado.SUSPENDIDA,
        accion=Accion.SUSPENDER,
    )  # fmt: skip
    # The apps above end what membership gave (a mesa's coordination, for one), in this same transaction.
    miembros = list(Usuario.objects.filter(membresias__organizacion=organizacion))
    acceso_retirado.send(
        sender=Organizacion, organizacion=organizacion, usuarios=miembros, por=por, motivo=f"Suspensión: {motivo}"
    )
    return organizacion


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
    acceso_retirado.send(
        sender=Membresia,
        organizacion=membresia.organizacion,
        usuarios=[membresia.usuario],
        por=por,
        motivo=f"Salió del equipo de {membresia.organizacion}.",
    )
    return membresia


def primeros_pasos_ocultar(*, usuario, organizacion_id):
    """The person hides the home page's "Primeros pasos" of one of their organizations. Returns whether a
    membership of theirs was found (an id that is not theirs, or not a number, changes nothing)."""
    if not str(organizacion_id or "").isdigit():
        return False
    membresias = Membresia.objects.filter(usuario=usuario, organizacion_id=int(organizacion_id))
    if not membresias.exists():
        return False
    membresias.filter(primeros_pasos_ocultos_en__isnull=True).update(primeros_pasos_ocultos_en=timezone.now())
    return True
