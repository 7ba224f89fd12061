"""Writes of the mesa domain. Notices: claim, send, sweep and digest (see mesa/notifications.py to create one)."""

import base64
import logging
import smtplib
from datetime import timedelta
from email.message import MIMEPart

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone

from comunas.models import Membresia, Organizacion, Usuario
from mesa.models import Asistencia, Aviso, Latido, Mesa, Participacion, PreferenciaAvisos, PuntoTabla, Respuesta, Sesion

log = logging.getLogger(__name__)


def latido_registrar(*, nombre):
    latido, _ = Latido.objects.update_or_create(nombre=nombre, defaults={"ultimo": timezone.now()})
    return latido


class ErrorTemporal(Exception):
    """The SMTP server or the network failed in a way worth retrying (4xx, refused, timeout)."""


def _codigo_smtp(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codigos = [codigo for codigo, _ in exc.recipients.values()]
        return min(codigos) if codigos else None
    return getattr(exc, "smtp_code", None)


def es_error_permanente(exc):
    """A 5xx answer is final; everything else (4xx, disconnections, timeouts, refused connections) is not."""
    codigo = _codigo_smtp(exc)
    return isinstance(codigo, int) and 500 <= codigo < 600


def _mensaje(aviso):
    mensaje = EmailMultiAlternatives(
        subject=aviso.asunto,
        body=aviso.texto,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[aviso.para],
        headers={"Message-ID": aviso.message_id},
    )
    if aviso.html:
        mensaje.attach_alternative(aviso.html, "text/html")
    for adjunto in aviso.adjuntos:
        contenido = base64.b64decode(adjunto["contenido"]) if adjunto.get("base64") else adjunto["contenido"]
        tipo, *parametros = [p.strip() for p in adjunto["tipo"].split(";")]
        if parametros and isinstance(contenido, str):
            # e.g. text/calendar; method=REQUEST — calendar clients read the method from the part's header.
            parte = MIMEPart()
            parte.set_content(
                contenido,
                subtype=tipo.split("/", 1)[1],
                filename=adjunto["nombre"],
                params={k: v for k, v in (p.split("=", 1) for p in parametros if "=" in p) if k.lower() != "charset"},
            )
            mensaje.attach(parte)
        else:
            mensaje.attach(adjunto["nombre"], contenido, tipo)
    return mensaje


def aviso_reclamar(*, aviso_id):
    """The conditional UPDATE that makes a worker the only sender of a pending notice. Returns the row or None."""
    ahora = timezone.now()
    tomados = Aviso.objects.filter(pk=aviso_id, estado=Aviso.Estado.PENDIENTE, diferido=False).update(
        estado=Aviso.Estado.ENVIANDO, intentos=F("intentos") + 1, reclamado_en=ahora
    )
    return Aviso.objects.get(pk=aviso_id) if tomados == 1 else None


def aviso_enviar(*, aviso_id):
    """Sends one notice if this process wins the claim. Raises ErrorTemporal so the task retries with backoff."""
    aviso = aviso_reclamar(aviso_id=aviso_id)
    if aviso is None:
        return None  # sent, being sent, failed or deferred: someone else's business
    mio = Aviso.objects.filter(pk=aviso.pk, estado=Aviso.Estado.ENVIANDO, reclamado_en=aviso.reclamado_en)
    try:
        mailers.default.send_messages([_mensaje(aviso)])
    except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, reset, timeout
        detalle = f"{exc.__class__.__name__}: {exc}"[:2000]
        if es_error_permanente(exc) or aviso.intentos >= settings.AVISOS_MAX_INTENTOS:
            mio.update(estado=Aviso.Estado.FALLIDO, error=detalle)
            log.warning("Aviso %s fallido: %s", aviso.pk, detalle)
            return None
        # Back to pending; the task's retry runs it again, and the sweeper only after the longest backoff.
        mio.update(
            estado=Aviso.Estado.PENDIENTE,
            error=detalle,
            programado_para=timezone.now() + timedelta(seconds=settings.AVISOS_BACKOFF_MAX),
        )
        raise ErrorTemporal(detalle) from exc
    mio.update(estado=Aviso.Estado.ENVIADO, enviado_en=timezone.now(), error="")
    return aviso


def avisos_barrer(*, ahora=None):
    """Beat's safety net: frees notices stuck in "enviando" (their worker died) and re-enqueues pending ones
    that no worker picked up in time (message lost with the broker or the worker). Returns how many were queued."""
    from mesa.notifications import encolar

    ahora = ahora or timezone.now()
    atascados = Aviso.objects.filter(
        estado=Aviso.Estado.ENVIANDO,
        reclamado_en__lt=ahora - timedelta(seconds=settings.AVISOS_ENVIANDO_MAX_SEGUNDOS),
    )
    liberados = atascados.update(estado=Aviso.Estado.PENDIENTE, programado_para=ahora - timedelta(days=1))
    if liberados:
        log.warning("%s avisos atascados en «enviando» vuelven a la cola", liberados)
    vencidos = Aviso.objects.por_enviar().filter(
        programado_para__lt=ahora - timedelta(seconds=settings.AVISOS_REENCOLAR_SEGUNDOS)
    )
    ids = list(vencidos.values_list("pk", flat=True)[:5000])
    Aviso.objects.filter(pk__in=ids).update(programado_para=ahora)
    for aviso_id in ids:
        encolar(aviso_id)
    return len(ids)


@transaction.atomic
def avisos_resumir(*, ahora=None):
    """The daily digest: one notice per person gathering their deferred, non-essential notices."""
    from mesa.notifications import aviso_crear

    ahora = ahora or timezone.now()
    diferidos = (
        Aviso.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(estado=Aviso.Estado.PENDIENTE, diferido=True, creado__lte=ahora)
        .select_related("usuario")
        .order_by("para", "creado")
    )
    por_persona = {}
    for aviso in diferidos:
        por_persona.setdefault(aviso.para, []).append(aviso)
    resumenes = []
    for para, avisos in por_persona.items():
        usuario = avisos[0].usuario
        resumen = aviso_crear(
            para=usuario or para,
            plantilla="resumen_diario",
            contexto={"avisos": avisos, "fecha": timezone.localdate(ahora)},
            clave=f"resumen:{para}:{timezone.localdate(ahora):%Y-%m-%d}:{avisos[-1].pk}",
        )
        Aviso.objects.filter(pk__in=[a.pk for a in avisos]).update(estado=Aviso.Estado.RESUMIDO, incluido_en=resumen)
        resumenes.append(resumen)
    return resumenes


@transaction.atomic
def preferencia_avisos_guardar(*, usuario, frecuencia):
    if frecuencia not in PreferenciaAvisos.Frecuencia.values:
        raise ValidationError("Elija cómo quiere recibir los avisos.")
    preferencia, _ = PreferenciaAvisos.objects.update_or_create(usuario=usuario, defaults={"frecuencia": frecuencia})
    return preferencia


# --- Mesas and sessions --------------------------------------------------------------------------------


def _exigir_coordinacion(mesa, por):
    from mesa.access import puede_coordinar

    if not puede_coordinar(por, mesa):
        raise PermissionDenied("Solo la coordinación de la mesa puede hacer esto.")


@transaction.atomic
def mesa_crear(*, nombre, anfitriona, por, descripcion="", alcance="", coordinadores=()):
    """A new mesa hosted by an active organization (accepted from the start); `por` becomes its coordinator.
    Who may create one is checked by the gate (mesa.access.exigir_crear_mesa)."""
    if not anfitriona.activa:
        raise ValidationError({"anfitriona": "La anfitriona debe ser una organización activa."})
    mesa = Mesa.objects.create(nombre=nombre, anfitriona=anfitriona, descripcion=descripcion, alcance=alcance)
    mesa.coordinadores.add(por, *coordinadores)
    Participacion.objects.create(
        mesa=mesa,
        organizacion=anfitriona,
        estado=Participacion.Estado.ACEPTADA,
        aceptada_en=timezone.now(),
        aceptada_por=por,
    )
    return mesa


def coordinadores_posibles(mesa):
    """Active members of the mesa's participating (accepted, active) organizations."""
    orgs = mesa.participaciones.filter(
        estado=Participacion.Estado.ACEPTADA, organizacion__estado=Organizacion.Estado.ACTIVA
    ).values("organizacion_id")
    return Usuario.objects.filter(is_active=True, membresias__organizacion__in=orgs).distinct()


@transaction.atomic
def mesa_editar(*, mesa, por, nombre, descripcion="", alcance="", coordinadores):
    """Name, description, scope and coordination. Whoever is added must be a member of a participating
    organization (and will be asked for two-step verification: comunas.access.requiere_dos_factores);
    at least one coordinator remains."""
    mesa = Mesa.objects.select_for_update().get(pk=mesa.pk)
    _exigir_coordinacion(mesa, por)
    coordinadores = set(coordinadores)
    if not coordinadores:
        raise ValidationError({"coordinadores": "La mesa debe conservar al menos un(a) coordinador(a)."})
    actuales = set(mesa.coordinadores.all())
    posibles = set(coordinadores_posibles(mesa))
    if coordinadores - actuales - posibles:
        raise ValidationError(
            {"coordinadores": "Solo se nombra coordinador(a) a miembros de las organizaciones participantes."}
        )
    mesa.nombre, mesa.descripcion, mesa.alcance = nombre, descripcion, alcance
    mesa.save(update_fields=["nombre", "descripcion", "alcance"])
    mesa.coordinadores.set(coordinadores)
    return mesa


@transaction.atomic
def mesa_invitar(*, mesa, organizacion, por):
    _exigir_coordinacion(mesa, por)
    if not organizacion.activa:
        raise ValidationError("Solo se puede invitar a organizaciones activas.")
    participacion, creada = Participacion.objects.get_or_create(mesa=mesa, organizacion=organizacion)
    if not creada:
        raise ValidationError("Esa organización ya fue invitada a la mesa.")
    return participacion


@transaction.atomic
def participacion_aceptar(*, participacion, por):
    """Its director(a) accepts (the gate `get_participacion_for` checked the role)."""
    participacion = Participacion.objects.select_for_update().get(pk=participacion.pk)
    if participacion.estado == Participacion.Estado.ACEPTADA:
        raise ValidationError("La organización ya participa en la mesa.")
    participacion.estado = Participacion.Estado.ACEPTADA
    participacion.aceptada_en = timezone.now()
    participacion.aceptada_por = por
    participacion.save(update_fields=["estado", "aceptada_en", "aceptada_por"])
    return participacion


def _validar_horario(*, inicio, fin, modalidad, lugar, enlace):
    errores = {}
    if inicio and fin and fin <= inicio:
        errores["fin"] = "La sesión debe terminar después de empezar."
    if modalidad in (Sesion.Modalidad.PRESENCIAL, Sesion.Modalidad.HIBRIDA) and not lugar:
        errores["lugar"] = "Indique el lugar de una sesión presencial o híbrida."
    if modalidad in (Sesion.Modalidad.EN_LINEA, Sesion.Modalidad.HIBRIDA) and not enlace:
        errores["enlace"] = "Indique el enlace de una sesión en línea o híbrida."
    if errores:
        raise ValidationError(errores)


@transaction.atomic
def sesion_crear(
    *,
    mesa,
    por,
    inicio,
    fin,
    tipo=Sesion.Tipo.ORDINARIA,
    modalidad=Sesion.Modalidad.PRESENCIAL,
    lugar="",
    enlace="",
    recordatorios=None,
):
    _exigir_coordinacion(mesa, por)
    _validar_horario(inicio=inicio, fin=fin, modalidad=modalidad, lugar=lugar, enlace=enlace)
    Mesa.objects.select_for_update().get(pk=mesa.pk)  # numbers are given one at a time
    numero = (mesa.sesiones.aggregate(m=Max("numero"))["m"] or 0) + 1
    sesion = Sesion(
        mesa=mesa, numero=numero, tipo=tipo, inicio=inicio, fin=fin, modalidad=modalidad, lugar=lugar, enlace=enlace
    )
    if recordatorios is not None:
        sesion.recordatorios = recordatorios
    sesion.save()
    return sesion


def _tabla_modificable(sesion):
    if sesion.estado not in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA):
        raise ValidationError("La tabla de una sesión realizada o cancelada ya no cambia.")


@transaction.atomic
def punto_agregar(*, sesion, por, titulo, organizacion=None, duracion_minutos=15, practica=None, diagnostico=None):
    """An agenda item; the linked practice or diagnosis must be one the coordinator can see."""
    from comunas.access import diagnosticos_visibles
    from practicas.access import practicas_visibles

    _exigir_coordinacion(sesion.mesa, por)
    _tabla_modificable(sesion)
    if (
        organizacion is not None
        and not sesion.mesa.participaciones.filter(
            organizacion=organizacion, estado=Participacion.Estado.ACEPTADA
        ).exists()
    ):
        raise ValidationError({"organizacion": "La organización presentadora debe participar en la mesa."})
    if practica is not None and not practicas_visibles(por).filter(pk=practica.pk).exists():
        raise ValidationError({"practica": "Elija una práctica que usted pueda ver."})
    if diagnostico is not None and not diagnosticos_visibles(por).filter(pk=diagnostico.pk).exists():
        raise ValidationError({"diagnostico": "Elija un diagnóstico que usted pueda ver."})
    orden = (sesion.puntos.aggregate(m=Max("orden"))["m"] or 0) + 1
    return PuntoTabla.objects.create(
        sesion=sesion,
        orden=orden,
        titulo=titulo,
        organizacion=organizacion,
        duracion_minutos=duracion_minutos,
        practica=practica,
        diagnostico=diagnostico,
    )


def _renumerar(puntos):
    for numero, punto in enumerate(puntos, start=1):
        if punto.orden != numero:
            punto.orden = numero
            punto.save(update_fields=["orden"])


@transaction.atomic
def punto_quitar(*, punto, por):
    """Removes an item of a draft or convened session (no new invitation: time and place did not change)."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=punto.sesion_id)
    _exigir_coordinacion(sesion.mesa, por)
    _tabla_modificable(sesion)
    if sesion.estado == Sesion.Estado.CONVOCADA and sesion.puntos.count() <= 1:
        raise ValidationError("Una sesión convocada conserva al menos un punto en su tabla.")
    PuntoTabla.objects.filter(pk=punto.pk, sesion=sesion).delete()
    _renumerar(sesion.puntos.all())
    return sesion


@transaction.atomic
def punto_mover(*, punto, por, direccion):
    """Moves an item one place up ("subir") or down ("bajar"); the items are renumbered 1..n."""
    if direccion not in ("subir", "bajar"):
        raise ValidationError("Indique si el punto sube o baja.")
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=punto.sesion_id)
    _exigir_coordinacion(sesion.mesa, por)
    _tabla_modificable(sesion)
    puntos = list(sesion.puntos.all())
    i = next(i for i, p in enumerate(puntos) if p.pk == punto.pk)
    j = i - 1 if direccion == "subir" else i + 1
    if 0 <= j < len(puntos):
        puntos[i], puntos[j] = puntos[j], puntos[i]
    _renumerar(puntos)
    return next(p for p in puntos if p.pk == punto.pk)


def convocados(sesion):
    """Every active member of the host and of each organization that accepted, once each."""
    orgs = sesion.mesa.participaciones.filter(
        estado=Participacion.Estado.ACEPTADA, organizacion__estado=Organizacion.Estado.ACTIVA
    ).values("organizacion_id")
    return Usuario.objects.filter(is_active=True, membresias__organizacion__in=orgs).distinct().order_by("pk")


RSVP_SAL = "mesa.sesion.rsvp"
RSVP_VIGENCIA = timedelta(days=120)


def rsvp_token(*, usuario, sesion, opcion):
    """A signed token binding person, session and answer: it cannot be altered or used for someone else."""
    return signing.dumps([usuario.pk, sesion.pk, opcion], salt=RSVP_SAL)


def rsvp_enlaces(*, usuario, sesion, relativos=False):
    base = "" if relativos else settings.SITE_URL
    enlaces = {}
    for opcion in Respuesta.Opcion.values:
        token = rsvp_token(usuario=usuario, sesion=sesion, opcion=opcion)
        enlaces[opcion] = f"{base}{reverse('mesa:rsvp', args=[token])}"
    return enlaces


def rsvp_leer(token):
    """(usuario_id, sesion_id, opcion) or ValidationError for a forged, altered or expired link."""
    try:
        usuario_id, sesion_id, opcion = signing.loads(token, salt=RSVP_SAL, max_age=RSVP_VIGENCIA)
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError("El enlace no es válido o ya venció.") from None
    if opcion not in Respuesta.Opcion.values:
        raise ValidationError("El enlace no es válido o ya venció.")
    return usuario_id, sesion_id, opcion


def _avisar_sesion(sesion, *, plantilla, causa, metodo, extra=None, excluir=None):
    from mesa.calendario import adjunto_ics
    from mesa.notifications import aviso_crear

    url = f"{settings.SITE_URL}{reverse('mesa:sesion', args=[sesion.pk])}"
    puntos = list(sesion.puntos.select_related("organizacion", "practica", "diagnostico"))
    for punto in puntos:  # absolute links for the e-mail
        punto.url_practica = (
            punto.practica and f"{settings.SITE_URL}{reverse('practicas:detalle', args=[punto.practica_id])}"
        )
        punto.url_diagnostico = (
            punto.diagnostico and f"{settings.SITE_URL}{reverse('diagnostico', args=[punto.diagnostico_id])}"
        )
    avisos = []
    personas = convocados(sesion)
    if excluir is not None:
        personas = personas.exclude(pk__in=excluir)
    for usuario in personas:
        contexto = {"sesion": sesion, "mesa": sesion.mesa, "puntos": puntos, "url_sesion": url, **(extra or {})}
        if metodo != "CANCEL":
            contexto["rsvp"] = rsvp_enlaces(usuario=usuario, sesion=sesion)
        avisos.append(
            aviso_crear(
                para=usuario,
                plantilla=plantilla,
                contexto=contexto,
                clave=f"{causa}:{sesion.pk}:{usuario.pk}:{sesion.secuencia}",
                adjuntos=[adjunto_ics(sesion, metodo=metodo, asistente=usuario)] if metodo else [],
                sesion=sesion,
            )
        )
    return avisos


@transaction.atomic
def sesion_convocar(*, sesion, por):
    """Borrador → convocada; every member of every participating organization gets the invitation (.ics)."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado != Sesion.Estado.BORRADOR:
        raise ValidationError("Solo se convoca una sesión en borrador.")
    if sesion.inicio <= timezone.now():
        raise ValidationError("No se puede convocar a una sesión que ya empezó.")
    if not sesion.puntos.exists():
        raise ValidationError("Agregue al menos un punto a la tabla antes de convocar.")
    sesion.estado = Sesion.Estado.CONVOCADA
    sesion.convocada_en = timezone.now()
    sesion.save(update_fields=["estado", "convocada_en"])
    _avisar_sesion(sesion, plantilla="sesion_convocada", causa="convocatoria", metodo="REQUEST")
    return sesion


CAMPOS_DE_CALENDARIO = ("inicio", "fin", "modalidad", "lugar", "enlace")


@transaction.atomic
def sesion_editar(*, sesion, por, **cambios):
    """Changes a session; once convened, a new time or place goes out as an update (same UID, SEQUENCE + 1)."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado in (Sesion.Estado.REALIZADA, Sesion.Estado.CANCELADA):
        raise ValidationError("Una sesión realizada o cancelada ya no se modifica.")
    nuevos = {campo: cambios.get(campo, getattr(sesion, campo)) for campo in CAMPOS_DE_CALENDARIO}
    _validar_horario(**nuevos)
    anteriores = {campo: getattr(sesion, campo) for campo in CAMPOS_DE_CALENDARIO}
    for campo, valor in cambios.items():
        setattr(sesion, campo, valor)
    cambio_calendario = nuevos != anteriores
    if sesion.estado == Sesion.Estado.CONVOCADA and cambio_calendario:
        sesion.secuencia += 1
    sesion.save()
    if sesion.estado == Sesion.Estado.CONVOCADA and cambio_calendario:
        antes = {"inicio_anterior": anteriores["inicio"], "lugar_anterior": anteriores["lugar"]}
        _avisar_sesion(sesion, plantilla="sesion_actualizada", causa="actualizacion", metodo="REQUEST", extra=antes)
    return sesion


@transaction.atomic
def sesion_cancelar(*, sesion, por, motivo=""):
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado in (Sesion.Estado.REALIZADA, Sesion.Estado.CANCELADA):
        raise ValidationError("Esta sesión ya no se puede cancelar.")
    convocada = sesion.estado == Sesion.Estado.CONVOCADA
    sesion.estado = Sesion.Estado.CANCELADA
    if convocada:
        sesion.secuencia += 1
    sesion.save(update_fields=["estado", "secuencia"])
    # Reminders not yet sent die with the session.
    Aviso.objects.filter(sesion=sesion, clave__startswith="recordatorio", estado=Aviso.Estado.PENDIENTE).delete()
    if convocada:
        _avisar_sesion(
            sesion, plantilla="sesion_cancelada", causa="cancelacion", metodo="CANCEL", extra={"motivo": motivo}
        )
    return sesion


@transaction.atomic
def respuesta_registrar(*, sesion, usuario, opcion, via=Respuesta.Via.APLICACION):
    if opcion not in Respuesta.Opcion.values:
        raise ValidationError("Elija asistiré, no asistiré o tal vez.")
    if sesion.estado != Sesion.Estado.CONVOCADA or sesion.fin <= timezone.now():
        raise ValidationError("Esta sesión ya no recibe respuestas.")
    if not convocados(sesion).filter(pk=usuario.pk).exists():
        raise PermissionDenied("Usted no está convocado(a) a esta sesión.")
    respuesta, _ = Respuesta.objects.update_or_create(
        sesion=sesion, usuario=usuario, defaults={"opcion": opcion, "via": via}
    )
    return respuesta


def rsvp_verificar(*, usuario_id, sesion_id, opcion):
    """Reads nothing but checks everything the answer needs: (usuario, sesion) or ValidationError/PermissionDenied.
    The confirmation page (GET) shows this; only the POST records."""
    try:
        usuario = Usuario.objects.get(pk=usuario_id, is_active=True)
        sesion = Sesion.objects.select_related("mesa").get(pk=sesion_id)
    except (Usuario.DoesNotExist, Sesion.DoesNotExist):
        raise ValidationError("El enlace no es válido o ya venció.") from None
    if sesion.estado != Sesion.Estado.CONVOCADA or sesion.fin <= timezone.now():
        raise ValidationError("Esta sesión ya no recibe respuestas.")
    if not convocados(sesion).filter(pk=usuario.pk).exists():
        raise PermissionDenied("Usted no está convocado(a) a esta sesión.")
    return usuario, sesion


def rsvp_registrar(*, usuario_id, sesion_id, opcion):
    """The answer from a signed e-mail link, for exactly the person and session the link was made for."""
    usuario, sesion = rsvp_verificar(usuario_id=usuario_id, sesion_id=sesion_id, opcion=opcion)
    return respuesta_registrar(sesion=sesion, usuario=usuario, opcion=opcion, via=Respuesta.Via.CORREO)


def respuestas_por_organizacion(sesion):
    """For coordinators: [(organizacion, [(usuario, respuesta or None)])] over the participating organizations.
    Three queries whatever the number of organizations (participations, memberships, answers)."""
    respuestas = {r.usuario_id: r for r in sesion.respuestas.all()}
    participaciones = list(
        sesion.mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).select_related("organizacion")
    )
    miembros = {}
    membresias = Membresia.objects.filter(
        organizacion__in=[p.organizacion_id for p in participaciones], usuario__is_active=True
    ).select_related("usuario")
    for membresia in membresias:
        miembros.setdefault(membresia.organizacion_id, []).append(membresia.usuario)
    return [
        (p.organizacion, [(u, respuestas.get(u.pk)) for u in miembros.get(p.organizacion_id, [])])
        for p in participaciones
    ]


# --- Reminders ------------------------------------------------------------------------------------------


def _recordatorio_vigente(sesion, ahora):
    """The offset (minutes) whose reminder is due now: the latest one past, and only if the session had
    already been convened at that time (a 48 h reminder makes no sense for a session convened yesterday)."""
    debidos = [
        m
        for m in sesion.recordatorios
        if sesion.inicio - timedelta(minutes=m) <= ahora < sesion.inicio
        and (sesion.convocada_en is None or sesion.inicio - timedelta(minutes=m) >= sesion.convocada_en)
    ]
    return min(debidos) if debidos else None


def recordatorios_enviar(*, ahora=None):
    """Beat's reminder sweep: picks from the database what is due, so nothing waits parked in the broker.
    The key carries the offset and SEQUENCE: a rescheduled session gets its reminders again at the new
    time; a cancelled one gets none; whoever declined gets none."""
    ahora = ahora or timezone.now()
    proximas = Sesion.objects.filter(
        estado=Sesion.Estado.CONVOCADA, inicio__gt=ahora, inicio__lte=ahora + timedelta(days=31)
    ).select_related("mesa")
    creados = []
    for sesion in proximas:
        minutos = _recordatorio_vigente(sesion, ahora)
        if minutos is None:
            continue
        with transaction.atomic():
            creados += _avisar_sesion(
                sesion,
                plantilla="sesion_recordatorio",
                causa=f"recordatorio{minutos}",
                metodo=None,
                excluir=sesion.respuestas.filter(opcion=Respuesta.Opcion.NO_ASISTIRE).values("usuario_id"),
                extra={"horas": round(minutos / 60, 1)},
            )
    return creados


# --- Attendance -----------------------------------------------------------------------------------------


@transaction.atomic
def asistencia_registrar(*, sesion, por, presentes):
    """Records who attended (ids of convened people) and marks the session held."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado not in (Sesion.Estado.CONVOCADA, Sesion.Estado.REALIZADA):
        raise ValidationError("Solo se registra la asistencia de una sesión convocada.")
    if sesion.inicio > timezone.now():
        raise ValidationError("La asistencia se registra cuando la sesión ya empezó.")
    presentes = {int(pk) for pk in presentes}
    orgs = sesion.mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).values("organizacion_id")
    for usuario in convocados(sesion):
        organizacion_id = (
            usuario.membresias.filter(organizacion__in=orgs)
            .order_by("pk")
            .values_list("organizacion_id", flat=True)
            .first()
        )
        Asistencia.objects.update_or_create(
            sesion=sesion,
            usuario=usuario,
            defaults={"presente": usuario.pk in presentes, "organizacion_id": organizacion_id},
        )
    sesion.estado = Sesion.Estado.REALIZADA
    sesion.save(update_fields=["estado"])
    return sesion


def asistencia_por_organizacion(sesion):
    """[(organizacion, presentes, total)] for the session page."""
    filas = (
        sesion.asistencias.values("organizacion__nombre")
        .annotate(presentes=Count("pk", filter=Q(presente=True)), total=Count("pk"))
        .order_by("organizacion__nombre")
    )
    return [(f["organizacion__nombre"], f["presentes"], f["total"]) for f in filas]
