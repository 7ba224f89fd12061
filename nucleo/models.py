"""The platform's own rows: the notice outbox (Aviso, preferences) and the heartbeat of periodic processes.

No feature's words here: a notice knows its recipient, its templates' output and, generically, what it is about.
"""

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Latido(models.Model):
    """Last tick of a periodic process (one row per name, e.g. "beat")."""

    nombre = models.CharField("proceso", max_length=50, unique=True)
    ultimo = models.DateTimeField("último latido")

    class Meta:
        db_table = "mesa_latido"  # created by the mesa app before nucleo existed; the table stays
        verbose_name = "latido"
        verbose_name_plural = "latidos"

    def __str__(self):
        return f"{self.nombre}: {self.ultimo:%Y-%m-%d %H:%M:%S}"


class PreferenciaAvisos(models.Model):
    """How a person wants the non-essential notices: one by one, or in a daily digest."""

    class Frecuencia(models.TextChoices):
        INMEDIATA = "inmediata", "Al momento"
        DIARIA = "diaria", "Resumen diario"

    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferencia_avisos", verbose_name="usuario"
    )
    frecuencia = models.CharField(
        "avisos no esenciales", max_length=10, choices=Frecuencia.choices, default=Frecuencia.INMEDIATA
    )

    class Meta:
        db_table = "mesa_preferenciaavisos"
        verbose_name = "preferencia de avisos"
        verbose_name_plural = "preferencias de avisos"

    def __str__(self):
        return f"{self.usuario}: {self.get_frecuencia_display()}"


class AvisoQuerySet(models.QuerySet):
    def por_enviar(self):
        """Pending notices that go out one by one (not waiting for a daily digest)."""
        return self.filter(estado=Aviso.Estado.PENDIENTE, diferido=False)

    def debidos(self, *, ahora=None):
        """Pending, not deferred, and due now (a retry waits for its backoff in `programado_para`)."""
        return self.por_enviar().filter(programado_para__lte=ahora or timezone.now())

    def abiertos(self):
        return self.filter(estado__in=Aviso.ABIERTOS)

    def atrasados(self, *, ahora=None, segundos=None):
        """Queued and unsent for longer than the threshold, counted from when each entered the queue (its
        creation, or a re-send), whatever its retries; a deferred one is due a day after it was queued."""
        ahora = ahora or timezone.now()
        limite = ahora - timedelta(seconds=segundos or settings.AVISOS_ATRASO_SEGUNDOS)
        return self.abiertos().filter(
            Q(diferido=False, en_cola_desde__lt=limite) | Q(diferido=True, en_cola_desde__lt=limite - timedelta(days=1))
        )


class Aviso(models.Model):
    """One e-mail to one person, sent (at most once where the protocol allows) by a worker.

    `clave` makes creation idempotent ("<causa>:<objeto>:<destinatario>:<versión>"); the Message-ID derives
    from it, so a retry re-sends the same message, which mail systems recognize as a duplicate.

    The body is either rendered when the cause happened (`texto`, `html`, `adjuntos`; emptied once sent, since
    it may carry one-time links) or, for a mass notice (`al_enviar`), written by the worker at send time from
    `contexto` (references to rows, never secrets) and, optionally, a registered `redactor` that adds each
    recipient's own part (signed links, a personal .ics).
    """

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", "Pendiente"
        ENVIANDO = "enviando", "Enviando"
        ENVIADO = "enviado", "Enviado"
        FALLIDO = "fallido", "Fallido"
        # Its worker vanished mid-send too many times: it may or may not have gone out; a person decides.
        REVISAR = "revisar", "Por revisar"
        RESUMIDO = "resumido", "Incluido en el resumen diario"

    ABIERTOS = (Estado.PENDIENTE, Estado.ENVIANDO)
    PROBLEMAS = (Estado.FALLIDO, Estado.REVISAR)

    clave = models.CharField("clave de idempotencia", max_length=255, unique=True)
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="avisos",
        verbose_name="destinatario",
    )
    para = models.EmailField("correo del destinatario")
    plantilla = models.CharField("plantilla", max_length=100)
    asunto = models.CharField("asunto", max_length=255)
    texto = models.TextField("texto")
    html = models.TextField("HTML", blank=True)
    # [{"nombre": "sesion.ics", "tipo": "text/calendar; method=REQUEST", "contenido": "...", "base64": false}]
    adjuntos = models.JSONField("adjuntos", default=list, blank=True)
    # Where a reply goes (the Reply-To header), e.g. a mesa's coordinators: the sender address takes no replies.
    responder_a = models.JSONField("responder a", default=list, blank=True)
    al_enviar = models.BooleanField("se redacta al enviar", default=False)
    # {"sesion": {"$modelo": "mesa.sesion", "pk": 7}, "motivo": "…"}: see nucleo.avisos.contexto_guardar.
    contexto = models.JSONField("contexto (referencias)", default=dict, blank=True)
    redactor = models.CharField("redactor", max_length=50, blank=True)
    message_id = models.CharField("Message-ID", max_length=255)
    esencial = models.BooleanField("esencial", default=True)
    diferido = models.BooleanField("espera el resumen diario", default=False)
    incluido_en = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="incluidos", verbose_name="resumen"
    )
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.PENDIENTE)
    intentos = models.PositiveIntegerField("intentos", default=0)
    creado = models.DateTimeField("creado", default=timezone.now, db_index=True)
    # Since when it waits to go out (creation, or a re-send): /salud/ measures the backlog's age from here.
    en_cola_desde = models.DateTimeField("en cola desde", default=timezone.now)
    # Not claimed before this: now for a new notice, later for a retry waiting for its backoff.
    programado_para = models.DateTimeField("programado para", default=timezone.now)
    # The claim: a batch token and its lease (renewed while the batch is sent; the sweeper frees an expired one).
    lote = models.CharField("lote", max_length=32, blank=True)
    reclamado_en = models.DateTimeField("tomado por un proceso el", null=True, blank=True)
    enviado_en = models.DateTimeField("enviado el", null=True, blank=True)
    fallido_en = models.DateTimeField("falló el", null=True, blank=True)
    error = models.TextField("último problema", blank=True)
    # What the notice is about (e.g. a session), for the feature that sent it: a generic reference so the
    # outbox knows no feature's models. The feature declares a GenericRelation to query its notices.
    objeto_tipo = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="tipo de objeto"
    )
    objeto_id = models.PositiveBigIntegerField("id del objeto", null=True, blank=True)
    objeto = GenericForeignKey("objeto_tipo", "objeto_id")

    objects = AvisoQuerySet.as_manager()

    class Meta:
        db_table = "mesa_aviso"
        verbose_name = "aviso"
        verbose_name_plural = "avisos"
        ordering = ["-creado"]
        indexes = [
            models.Index(fields=["estado", "programado_para"], name="aviso_estado_programado"),
            models.Index(fields=["objeto_tipo", "objeto_id"], name="aviso_objeto"),
        ]

    def __str__(self):
        return f"{self.asunto} → {self.para} ({self.get_estado_display()})"

    @staticmethod
    def message_id_para(clave):
        dominio = urlsplit(settings.SITE_URL).hostname or "mesa.localhost"
        return f"<{hashlib.sha256(clave.encode()).hexdigest()[:40]}@{dominio}>"
