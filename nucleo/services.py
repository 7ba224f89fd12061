"""The notice outbox at work: claim, send, sweep and digest (nucleo/avisos.py creates notices), and the heartbeat."""

import base64
import logging
import smtplib
from datetime import timedelta
from email.message import MIMEPart

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nucleo import avisos
from nucleo.errores import ErrorTemporal
from nucleo.models import Aviso, Latido, PreferenciaAvisos

log = logging.getLogger(__name__)


def latido_registrar(*, nombre):
    latido, _ = Latido.objects.update_or_create(nombre=nombre, defaults={"ultimo": timezone.now()})
    return latido


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
        avisos.encolar(aviso_id)
    return len(ids)


@transaction.atomic
def avisos_resumir(*, ahora=None):
    """The daily digest: one notice per person gathering their deferred, non-essential notices."""
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
    for para, suyos in por_persona.items():
        usuario = suyos[0].usuario
        resumen = avisos.aviso_crear(
            para=usuario or para,
            plantilla="resumen_diario",
            contexto={"avisos": suyos, "fecha": timezone.localdate(ahora)},
            clave=f"resumen:{para}:{timezone.localdate(ahora):%Y-%m-%d}:{suyos[-1].pk}",
        )
        Aviso.objects.filter(pk__in=[a.pk for a in suyos]).update(estado=Aviso.Estado.RESUMIDO, incluido_en=resumen)
        resumenes.append(resumen)
    return resumenes


@transaction.atomic
def preferencia_avisos_guardar(*, usuario, frecuencia):
    if frecuencia not in PreferenciaAvisos.Frecuencia.values:
        raise ValidationError("Elija cómo quiere recibir los avisos.")
    preferencia, _ = PreferenciaAvisos.objects.update_or_create(usuario=usuario, defaults={"frecuencia": frecuencia})
    return preferencia
