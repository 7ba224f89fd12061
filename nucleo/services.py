"""The notice outbox at work: send in batches, sweep, re-send and digest (nucleo/avisos.py creates notices); and
the heartbeat.

A sender (nucleo.tasks.avisos_enviar_task) claims up to AVISOS_LOTE due notices in one statement (FOR UPDATE
SKIP LOCKED: workers never share a row), writes the mass ones, and sends them over one SMTP connection,
recording each as sent in the step that learns the server accepted it. The claim is a lease, renewed while
the batch goes out; beat's sweeper frees an expired one (its worker vanished) and, when notices are due and
no sender has run for a while, starts senders again.

Failures mean what they mean in RFC 5321: only a recipient refused at RCPT with 5xx fails at once. A refused
greeting, authentication, sender (MAIL FROM) or message (DATA), a lost connection or a timeout say the server
or the way to it is unwell: that notice counts an attempt and waits its backoff, and the rest of the batch
pauses with it, uncharged. The database going away mid-batch is waited out.
"""

import base64
import contextlib
import email.policy
import logging
import random
import re
import smtplib
import time
import uuid
from datetime import timedelta
from email.message import MIMEPart
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from nucleo import avisos
from nucleo.models import Aviso, Latido, PreferenciaAvisos

log = logging.getLogger(__name__)

ERRORES_DE_BASE = (OperationalError, InterfaceError)
TURNO = "avisos"  # the Latido row that says when a sender last took a batch

# Why a notice did not go out, in words a coordinator can act on (the server's reply follows in parentheses).
CONEXION = "No se pudo conectar con el servidor de correo"
SALUDO = "El servidor de correo no aceptó la conexión"
CREDENCIALES = "El servidor de correo no aceptó las credenciales de la plataforma"
AUTENTICACION = "El servidor de correo exige autenticar a la plataforma"
SESION = "No se pudo iniciar la sesión con el servidor de correo"
REMITENTE = "El servidor de correo no aceptó el remitente"
DESTINATARIO = "El servidor de correo rechazó la dirección del destinatario"
DESTINATARIO_TEMPORAL = "El servidor de correo no aceptó la dirección por ahora"
POLITICA = "El servidor de correo no permite enviar a esa dirección: revise su configuración"
MENSAJE = "El servidor de correo no aceptó el mensaje"
CORTE = "Se cortó la conexión con el servidor de correo"
SIN_CONFIRMAR = "El servidor de correo no confirmó la recepción a tiempo (podría llegar repetido)"
CORREO_LOCAL = "El sistema de correo no aceptó el mensaje"
DIRECCION_INVALIDA = "La dirección de correo del destinatario no es válida"
NO_REDACTADO = "No se pudo redactar el aviso"
YA_NO_EXISTE = "Lo que el aviso comunicaba ya no existe"
INTERRUMPIDO = "Se interrumpió el envío (el proceso que lo enviaba se detuvo). Se reintentará."


def latido_registrar(*, nombre):
    latido, _ = Latido.objects.update_or_create(nombre=nombre, defaults={"ultimo": timezone.now()})
    return latido


# --- Failures -------------------------------------------------------------------------------------------


class FalloEnvio(Exception):
    """One message did not go out. `servidor`: the server or the way to it failed, not this notice: the batch
    pauses and nobody's attempts are counted (a misconfigured server must not use up the notices' attempts).
    `permanente`: this recipient's address was refused for good. `incierto`: the message was sent but its
    acceptance never confirmed: it may have arrived, so this attempt counts and, at the limit, a person decides."""

    def __init__(self, motivo, *, respuesta=None, servidor=True, permanente=False, incierto=False):
        self.servidor, self.permanente, self.incierto = servidor, permanente, incierto
        if respuesta and respuesta[0]:
            codigo, texto = respuesta
            texto = texto.decode(errors="replace") if isinstance(texto, bytes) else str(texto or "")
            motivo = f"{motivo} ({codigo} {' '.join(texto.split())[:200]})".replace(" )", ")")
        super().__init__(motivo)


def _motivo_rechazo(codigo, predeterminado):
    return AUTENTICACION if codigo in (530, 535) else predeterminado


def _rcpt_permanente(codigo, texto):
    """A 5xx at RCPT is about this address, except an authentication or policy refusal (530, 5.7.x: relaying
    denied, authentication required), which a misconfigured server gives every recipient alike."""
    texto = texto.decode(errors="replace") if isinstance(texto, bytes) else str(texto or "")
    return 500 <= codigo < 600 and codigo != 530 and not texto.lstrip().startswith("5.7.")


def _fallo_de(exc):
    """A FalloEnvio for an exception raised by a mail backend (smtplib's, or any other)."""
    if isinstance(exc, FalloEnvio):
        return exc
    if isinstance(exc, ValueError):  # what Django's backends raise for an address they cannot send to
        return FalloEnvio(DIRECCION_INVALIDA, servidor=False, permanente=True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        respuestas = list(exc.recipients.values())
        permanente = bool(respuestas) and all(_rcpt_permanente(c, t) for c, t in respuestas)
        respuesta = respuestas[0] if respuestas else None
        motivo = DESTINATARIO if permanente else DESTINATARIO_TEMPORAL
        return FalloEnvio(motivo, respuesta=respuesta, servidor=False, permanente=permanente)
    respuesta = (getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", b""))
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return FalloEnvio(CREDENCIALES, respuesta=respuesta)
    if isinstance(exc, smtplib.SMTPConnectError):
        return FalloEnvio(SALUDO, respuesta=respuesta)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return FalloEnvio(_motivo_rechazo(exc.smtp_code, REMITENTE), respuesta=respuesta)
    if isinstance(exc, smtplib.SMTPDataError):
        return FalloEnvio(_motivo_rechazo(exc.smtp_code, MENSAJE), respuesta=respuesta)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return FalloEnvio(CORTE)
    if isinstance(exc, smtplib.SMTPException):
        return FalloEnvio(SESION, respuesta=respuesta)
    if isinstance(exc, OSError):  # refused, reset, unreachable, timed out
        return FalloEnvio(CONEXION)
    return FalloEnvio(CORREO_LOCAL)


# --- Transports: one per batch --------------------------------------------------------------------------


class _Smtp:
    """One SMTP session for a batch, speaking MAIL/RCPT/DATA itself to know at which step a failure came, and
    waiting for the reply after the message as long as RFC 5321 says (§4.5.3.2.6: 10 minutes), not the
    command timeout: cutting that wait short is how a message the server did accept gets sent twice."""

    def __init__(self, backend):
        self.backend = backend

    def _abrir(self):
        try:
            self.backend.open()
        except Exception as exc:
            self._descartar()
            raise _fallo_de(exc) from exc

    def _descartar(self):
        for conexion in (self.backend.connection, getattr(self.backend, "_partial_connection", None)):
            if conexion is not None:
                with contextlib.suppress(OSError):
                    conexion.close()
        self.backend.connection = None
        self.backend._partial_connection = None

    def _tras_rechazo(self, codigo):
        if codigo == 421:  # the server is closing the channel
            self._descartar()
            return
        try:
            self.backend.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._descartar()

    def _datos(self, conexion, contenido):
        codigo, texto = conexion.docmd("data")
        if codigo != 354:
            raise smtplib.SMTPDataError(codigo, texto)
        contenido = re.sub(rb"(?m)^\.", b"..", contenido)
        if not contenido.endswith(b"\r\n"):
            contenido += b"\r\n"
        conexion.send(contenido + b".\r\n")
        self.etapa = "fin"
        conexion.sock.settimeout(settings.AVISOS_SMTP_ESPERA_FINAL)
        try:
            return conexion.getreply()
        finally:
            if conexion.sock is not None:
                conexion.sock.settimeout(self.backend.timeout)

    def enviar(self, mensaje, para):
        try:
            remitente = self.backend.prep_address(mensaje.from_email)
            destinatario = self.backend.prep_address(para)
        except ValueError as exc:
            raise _fallo_de(exc) from exc
        contenido = mensaje.message(policy=email.policy.SMTP).as_bytes()
        if self.backend.connection is None:
            self._abrir()
        conexion = self.backend.connection
        self.etapa = "comandos"
        try:
            conexion.ehlo_or_helo_if_needed()
            opciones = [f"size={len(contenido)}"] if conexion.does_esmtp and conexion.has_extn("size") else []
            codigo, texto = conexion.mail(remitente, opciones)
            if codigo != 250:
                self._tras_rechazo(codigo)
                raise FalloEnvio(_motivo_rechazo(codigo, REMITENTE), respuesta=(codigo, texto))
            codigo, texto = conexion.rcpt(destinatario)
            if codigo not in (250, 251):
                self._tras_rechazo(codigo)
                permanente = _rcpt_permanente(codigo, texto)
                motivo = DESTINATARIO if permanente else DESTINATARIO_TEMPORAL if codigo < 500 else POLITICA
                motivo = _motivo_rechazo(codigo, motivo)
                servidor = not permanente and (codigo == 421 or codigo >= 500)
                raise FalloEnvio(motivo, respuesta=(codigo, texto), servidor=servidor, permanente=permanente)
            codigo, texto = self._datos(conexion, contenido)
            if not 200 <= codigo < 300:
                self._tras_rechazo(codigo)
                raise FalloEnvio(_motivo_rechazo(codigo, MENSAJE), respuesta=(codigo, texto))
        except smtplib.SMTPDataError as exc:  # DATA itself refused, before the message
            self._tras_rechazo(exc.smtp_code)
            raise _fallo_de(exc) from exc
        except (smtplib.SMTPException, OSError, SoftTimeLimitExceeded) as exc:  # cut, reset, timed out
            self._descartar()
            if self.etapa == "fin":
                raise FalloEnvio(SIN_CONFIRMAR, incierto=True) from exc
            raise FalloEnvio(CORTE) from exc

    def cerrar(self):
        try:
            self.backend.close()
        except (smtplib.SMTPException, OSError):
            self._descartar()


class _Generico:
    """Any other mail backend (locmem in tests, files in development): one message at a time."""

    def __init__(self, backend):
        self.backend = backend
        self.abierto = False

    def enviar(self, mensaje, para):
        try:
            if not self.abierto:
                self.backend.open()
                self.abierto = True
            self.backend.send_messages([mensaje])
        except Exception as exc:
            raise _fallo_de(exc) from exc

    def cerrar(self):
        if self.abierto:
            try:
                self.backend.close()
            except Exception:  # closing a broken connection: nothing left to do
                log.debug("Cierre del correo con error", exc_info=True)


def _transporte():
    backend = mailers.default
    return _Smtp(backend) if isinstance(backend, SmtpBackend) else _Generico(backend)


def _mensaje(aviso, asunto, texto, html, adjuntos):
    mensaje = EmailMultiAlternatives(
        subject=asunto,
        body=texto,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[aviso.para],
        reply_to=aviso.responder_a or None,
        headers={"Message-ID": aviso.message_id},
    )
    if html:
        mensaje.attach_alternative(html, "text/html")
    for adjunto in adjuntos:
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


# --- The database, insisted on ---------------------------------------------------------------------------


def _insistir(funcion, *, segundos=None):
    """Runs a write that must not be lost (above all "sent") through a database outage: reconnects and retries
    for up to `segundos` (half a lease by default), then lets the last error go."""
    plazo = settings.AVISOS_ENVIANDO_MAX_SEGUNDOS / 2 if segundos is None else segundos
    limite = time.monotonic() + plazo
    espera = 0.1
    while True:
        try:
            return funcion()
        except ERRORES_DE_BASE:
            if time.monotonic() + espera > limite:
                raise
            log.warning("Base de datos no disponible; nuevo intento en %.1f s", espera)
            connection.close()  # a broken connection is not reused: the next query reconnects
            time.sleep(espera)
            espera = min(espera * 2, 2.0)


# Notices this process saw accepted by the server but could not record (the database stayed away): recorded
# before anything else the next time this process sends, so they are not sent again.
_ACEPTADOS_SIN_REGISTRAR = []


def _registrar_enviado(aviso_id, asunto, cuando):
    # Whatever its state now: the server accepted it, so it is sent (a row freed meanwhile is not re-sent).
    # The body goes: it may carry one-time links (invitations, password resets) that must not rest in backups.
    return (
        Aviso.objects.filter(pk=aviso_id)
        .exclude(estado=Aviso.Estado.ENVIADO)
        .update(
            estado=Aviso.Estado.ENVIADO,
            enviado_en=cuando,
            asunto=asunto,
            error="",
            lote="",
            fallido_en=None,
            texto="",
            html="",
            adjuntos=[],
        )
    )


def _registrar_aceptados():
    while _ACEPTADOS_SIN_REGISTRAR:
        _insistir(lambda: _registrar_enviado(*_ACEPTADOS_SIN_REGISTRAR[0]), segundos=0)
        _ACEPTADOS_SIN_REGISTRAR.pop(0)


def _marcar_enviado(aviso, asunto):
    cuando = timezone.now()
    try:
        _insistir(lambda: _registrar_enviado(aviso.pk, asunto, cuando))
    except BaseException:
        _ACEPTADOS_SIN_REGISTRAR.append((aviso.pk, asunto, cuando))
        raise


# --- Claiming -------------------------------------------------------------------------------------------


def avisos_reclamar(*, cuantos, desde=None, hasta=None, ahora=None):
    """Takes up to `cuantos` due notices (with ids in [desde, hasta] when given) for this process and returns
    (lote, notices): one transaction that locks them skipping rows another worker holds (FOR UPDATE SKIP LOCKED)
    and marks them with a conditional UPDATE over their ids. Each counts an attempt: a notice whose worker
    vanishes mid-send is retried only up to AVISOS_MAX_INTENTOS."""
    ahora = ahora or timezone.now()
    lote = uuid.uuid4().hex
    debidos = Aviso.objects.debidos(ahora=ahora)
    if desde is not None:
        debidos = debidos.filter(pk__gte=desde)
    if hasta is not None:
        debidos = debidos.filter(pk__lte=hasta)
    candidatos = debidos.order_by("programado_para", "pk")
    if connection.features.has_select_for_update_skip_locked:
        candidatos = candidatos.select_for_update(skip_locked=True)
    # Not one UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED): PostgreSQL may run that subquery
    # again for each row and, skipping the rows the UPDATE itself just locked, take more than n.
    with transaction.atomic():
        ids = list(candidatos.values_list("pk", flat=True)[:cuantos])
        if ids:
            Aviso.objects.filter(pk__in=ids, estado=Aviso.Estado.PENDIENTE).update(
                estado=Aviso.Estado.ENVIANDO, lote=lote, reclamado_en=ahora, intentos=F("intentos") + 1
            )
    if not ids:
        return lote, []
    filas = Aviso.objects.filter(pk__in=ids, lote=lote, estado=Aviso.Estado.ENVIANDO).select_related("usuario")
    return lote, list(filas.order_by("programado_para", "pk"))


def _mio(aviso, lote):
    return Aviso.objects.filter(pk=aviso.pk, lote=lote, estado=Aviso.Estado.ENVIANDO)


def _renovar(lote, restantes):
    """Renews the lease of what is left of the batch; returns the notices still this batch's (the sweeper may
    have freed some if a message took longer than the lease)."""
    ids = [a.pk for a in restantes]
    Aviso.objects.filter(pk__in=ids, lote=lote, estado=Aviso.Estado.ENVIANDO).update(reclamado_en=timezone.now())
    mios = set(Aviso.objects.filter(pk__in=ids, lote=lote, estado=Aviso.Estado.ENVIANDO).values_list("pk", flat=True))
    return [a for a in restantes if a.pk in mios]


def _devolver(lote, restantes, *, hasta=None, error=None):
    """Gives back notices of the batch without counting their attempt: pending again (until `hasta`)."""
    if not restantes:
        return
    cambios = {"estado": Aviso.Estado.PENDIENTE, "lote": "", "intentos": F("intentos") - 1}
    if hasta is not None:
        cambios["programado_para"] = hasta
    if error is not None:
        cambios["error"] = error
    ids = [a.pk for a in restantes]
    _insistir(lambda: Aviso.objects.filter(pk__in=ids, lote=lote, estado=Aviso.Estado.ENVIANDO).update(**cambios))


def _espera(intentos):
    """Exponential backoff with jitter, in seconds, after the given number of attempts."""
    tope = min(settings.AVISOS_BACKOFF_MAX, settings.AVISOS_BACKOFF_BASE * 2 ** max(0, intentos - 1))
    return tope * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not a secret)


def _pausa(aviso):
    """How long a batch waits after a server failure: as long as its first notice has already waited (so the
    waits double while the server stays unwell), between AVISOS_BACKOFF_BASE and AVISOS_BACKOFF_MAX."""
    espera = (timezone.now() - aviso.en_cola_desde).total_seconds()
    tope = min(settings.AVISOS_BACKOFF_MAX, max(settings.AVISOS_BACKOFF_BASE, espera))
    return timezone.now() + timedelta(seconds=tope * random.uniform(0.5, 1.0))  # noqa: S311


def _fallar(aviso, lote, motivo, *, estado=Aviso.Estado.FALLIDO):
    ahora = timezone.now()
    _insistir(lambda: _mio(aviso, lote).update(estado=estado, error=motivo, fallido_en=ahora, lote=""))
    log.warning("Aviso %s %s: %s", aviso.pk, estado, motivo)


def _reintentar(aviso, lote, motivo):
    """Pending again after its backoff, or failed after the last attempt. Returns when it is due, or None."""
    if aviso.intentos >= settings.AVISOS_MAX_INTENTOS:
        _fallar(aviso, lote, f"No se pudo entregar tras {aviso.intentos} intentos. Último problema: {motivo}.")
        return None
    hasta = timezone.now() + timedelta(seconds=_espera(aviso.intentos))
    error = f"{motivo}. Se reintentará."
    _insistir(
        lambda: _mio(aviso, lote).update(estado=Aviso.Estado.PENDIENTE, error=error, programado_para=hasta, lote="")
    )
    return hasta


def _pausar(aviso, lote, restantes, fallo):
    """The server failed: this notice and the rest of the batch wait together, with the reason, uncharged
    (except a message whose acceptance was never confirmed: after AVISOS_MAX_INTENTOS of those, a person
    checks whether it arrived). Returns when they are due again."""
    hasta = _pausa(aviso)
    error = f"{fallo}. Se reintentará."
    if fallo.incierto and aviso.intentos >= settings.AVISOS_MAX_INTENTOS:
        _fallar(aviso, lote, f"{fallo}, {aviso.intentos} veces. Revise si llegó antes de reenviarlo.",
                estado=Aviso.Estado.REVISAR)  # fmt: skip
    else:
        sin_cobrar = [] if fallo.incierto else [aviso]
        _devolver(lote, sin_cobrar, hasta=hasta, error=error)
        if fallo.incierto:
            _insistir(
                lambda: _mio(aviso, lote).update(
                    estado=Aviso.Estado.PENDIENTE, error=error, programado_para=hasta, lote=""
                )
            )
    _devolver(lote, restantes, hasta=hasta, error=error)
    log.warning("Envío de avisos en pausa hasta %s: %s", hasta, fallo)
    return hasta


# --- The senders' turn ----------------------------------------------------------------------------------


def _turno_renovar():
    ahora = timezone.now()
    if not Latido.objects.filter(nombre=TURNO).update(ultimo=ahora):
        Latido.objects.get_or_create(nombre=TURNO, defaults={"ultimo": ahora})


def _turno_soltar():
    """A sender ran out of due work (or paused): the sweeper may start one as soon as something is due."""
    vencido = timezone.now() - timedelta(seconds=settings.AVISOS_REENCOLAR_SEGUNDOS + 1)
    Latido.objects.filter(nombre=TURNO).update(ultimo=vencido)


def _turno_tomar(ahora):
    """True for exactly one caller per lease, even with two beats: a conditional UPDATE."""
    limite = ahora - timedelta(seconds=settings.AVISOS_REENCOLAR_SEGUNDOS)
    if Latido.objects.filter(nombre=TURNO, ultimo__lt=limite).update(ultimo=ahora):
        return True
    _, creado = Latido.objects.get_or_create(nombre=TURNO, defaults={"ultimo": ahora})
    return creado


# --- Sending --------------------------------------------------------------------------------------------


def avisos_enviar(*, cuantos=None, desde=None, hasta=None):
    """Sends one batch of due notices (those with ids in [desde, hasta] when given) and, if it was full, starts
    a successor for the same range. Returns a summary."""
    _registrar_aceptados()
    cuantos = cuantos or settings.AVISOS_LOTE
    lote, tomados = avisos_reclamar(cuantos=cuantos, desde=desde, hasta=hasta)
    resumen = {"tomados": len(tomados), "enviados": 0, "reintentos": 0, "fallidos": 0, "pausa": False}
    if not tomados:
        _turno_soltar()
        return resumen
    inicio = time.monotonic()
    restantes = list(tomados)
    transporte = _transporte()
    try:
        _turno_renovar()
        redactados = avisos.redactar(tomados)
        _enviar_lote(lote, restantes, redactados, transporte, resumen, inicio=inicio)
    finally:
        # Whatever was not tried goes back uncharged (a database error mid-batch included, once it is back).
        transporte.cerrar()
        _devolver(lote, restantes)
    log.info(
        "Lote de %s avisos: %s enviados, %s reintentos, %s fallidos en %.2f s",
        resumen["tomados"],
        resumen["enviados"],
        resumen["reintentos"],
        resumen["fallidos"],
        time.monotonic() - inicio,
    )
    if resumen["pausa"] or len(tomados) < cuantos or not avisos.envio_iniciar(desde=desde, hasta=hasta):
        _turno_soltar()
    return resumen


def _enviar_lote(lote, restantes, redactados, transporte, resumen, *, inicio):
    """The batch, one message after another over one connection; `restantes` shrinks as they are tried."""
    renovado = inicio
    while restantes:
        if time.monotonic() - inicio > settings.AVISOS_LOTE_SEGUNDOS:
            return  # a slow server: hand the rest over rather than hold them
        if time.monotonic() - renovado > settings.AVISOS_ENVIANDO_MAX_SEGUNDOS / 3:
            restantes[:] = _insistir(lambda: _renovar(lote, restantes))
            renovado = time.monotonic()
            if not restantes:
                return
        aviso = restantes.pop(0)
        redactado = redactados[aviso.pk]
        if isinstance(redactado, avisos.ObjetoAusente):
            _fallar(aviso, lote, f"{YA_NO_EXISTE}.")
            resumen["fallidos"] += 1
            continue
        try:
            if isinstance(redactado, Exception):
                raise redactado
            asunto = redactado[0]
            mensaje = _mensaje(aviso, *redactado)
        except Exception:  # a template error, a malformed attachment: retried, then failed
            log.exception("No se pudo redactar el aviso %s", aviso.pk)
            resumen["reintentos" if _reintentar(aviso, lote, NO_REDACTADO) else "fallidos"] += 1
            continue
        try:
            transporte.enviar(mensaje, aviso.para)
        except FalloEnvio as fallo:
            if fallo.permanente:
                _fallar(aviso, lote, f"{fallo}.")
                resumen["fallidos"] += 1
            elif fallo.servidor:
                _pausar(aviso, lote, restantes, fallo)
                restantes.clear()
                resumen["pausa"] = True
            else:
                resumen["reintentos" if _reintentar(aviso, lote, str(fallo)) else "fallidos"] += 1
            continue
        _marcar_enviado(aviso, asunto)
        resumen["enviados"] += 1


def avisos_barrer(*, ahora=None):
    """Beat's safety net. Frees notices whose claim expired (their worker vanished): pending again, or, after
    AVISOS_MAX_INTENTOS attempts, "por revisar" (it may have gone out; a person decides). Then, if notices are due
    and no sender has taken a batch for AVISOS_REENCOLAR_SEGUNDOS, starts senders, once per such lease."""
    ahora = ahora or timezone.now()
    vencidos = Aviso.objects.filter(
        estado=Aviso.Estado.ENVIANDO,
        reclamado_en__lt=ahora - timedelta(seconds=settings.AVISOS_ENVIANDO_MAX_SEGUNDOS),
    )
    por_revisar = vencidos.filter(intentos__gte=settings.AVISOS_MAX_INTENTOS).update(
        estado=Aviso.Estado.REVISAR,
        lote="",
        fallido_en=ahora,
        error=(
            f"El envío se interrumpió {settings.AVISOS_MAX_INTENTOS} veces (el proceso que lo enviaba se detuvo): "
            "puede que haya llegado. Revise con la persona antes de reenviarlo."
        ),
    )
    liberados = vencidos.update(estado=Aviso.Estado.PENDIENTE, lote="", programado_para=ahora, error=INTERRUMPIDO)
    if liberados or por_revisar:
        log.warning("Avisos de procesos detenidos: %s vuelven a la cola, %s por revisar", liberados, por_revisar)
    iniciados = 0
    debidos = Aviso.objects.debidos(ahora=ahora)
    if debidos.exists() and _turno_tomar(ahora):
        iniciados = avisos.envio_iniciar(cuantos=debidos.count())
    return {"liberados": liberados, "por_revisar": por_revisar, "iniciados": iniciados}


@transaction.atomic
def avisos_reenviar(*, seleccion, por):
    """Failed (or to-be-reviewed) notices among `seleccion` go back to the queue as new: attempts from zero,
    queued now. A mass notice is written afresh (new links); a rendered one sends its kept body."""
    ahora = timezone.now()
    ids = list(seleccion.filter(estado__in=Aviso.PROBLEMAS).values_list("pk", flat=True))
    reenviados = Aviso.objects.filter(pk__in=ids, estado__in=Aviso.PROBLEMAS).update(
        estado=Aviso.Estado.PENDIENTE,
        intentos=0,
        error="",
        lote="",
        fallido_en=None,
        programado_para=ahora,
        en_cola_desde=ahora,
    )
    if reenviados:
        log.info("%s reenvía %s avisos", por, reenviados)
        inicio = partial(avisos.envio_iniciar, cuantos=reenviados, desde=min(ids), hasta=max(ids))
        transaction.on_commit(inicio, robust=True)
    return reenviados


@transaction.atomic
def avisos_resumir(*, ahora=None):
    """The daily digest: one notice per person gathering their deferred, non-essential notices."""
    ahora = ahora or timezone.now()
    diferidos = list(
        Aviso.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(estado=Aviso.Estado.PENDIENTE, diferido=True, creado__lte=ahora)
        .select_related("usuario")
        .order_by("para", "creado")
    )
    redactados = avisos.redactar(diferidos)  # mass notices are written now, for the digest's template
    for aviso in diferidos:
        if not isinstance(redactados[aviso.pk], Exception):
            aviso.asunto, aviso.texto = redactados[aviso.pk][:2]
    por_persona = {}
    for aviso in diferidos:
        por_persona.setdefault(aviso.para, []).append(aviso)
    resumenes = []
    for para, suyos in por_persona.items():
        usuario = suyos[0].usuario
        resumen = avisos.aviso_crear(
            para=usuario or para,
            plantilla="resumen_diario",
            contexto={"avisos": suyos, "fecha": timezone.localdate(ahora)},
            clave=f"resumen:{para}:{timezone.localdate(ahora):%Y-%m-%d}:{suyos[-1].pk}",
        )
        # Their bodies now live in the digest (emptied in turn once it is sent).
        Aviso.objects.filter(pk__in=[a.pk for a in suyos]).update(
            estado=Aviso.Estado.RESUMIDO, incluido_en=resumen, texto="", html="", adjuntos=[]
        )
        resumenes.append(resumen)
    return resumenes


@transaction.atomic
def preferencia_avisos_guardar(*, usuario, frecuencia):
    if frecuencia not in PreferenciaAvisos.Frecuencia.values:
        raise ValidationError("Elija cómo quiere recibir los avisos.")
    preferencia, _ = PreferenciaAvisos.objects.update_or_create(usuario=usuario, defaults={"frecuencia": frecuencia})
    return preferencia
