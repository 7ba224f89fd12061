"""The mesa domain: mesas, their sessions (tabla, RSVP, attendance), actas, acuerdos and calendar feeds."""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

# Guests, subrogantes and quorum rules live in their own module (registered with this app from here).
from mesa.models_participantes import InvitadoSesion, ReglaQuorum, Subrogacion  # noqa: F401
from nucleo.adjuntos import AdjuntoBase, RutaAleatoria
from nucleo.formato import con_articulo, dia_largo

# Length limits of the long texts (characters), checked by forms and services (nucleo.largos): they show on
# every page, PDF and e-mail of the mesa, and a text without a limit would make all of them slow.
MAX_DESCRIPCION = 5_000  # a mesa's description and scope
MAX_RESUMEN_ACTA = 10_000
MAX_SECCION_ACTA = 20_000
MAX_COMENTARIO_ACTA = 4_000
MAX_ACUERDO = 2_000
MAX_MOTIVO = 2_000  # why a session was cancelled, an invitation declined, a request made or rejected (sent by e-mail)
MAX_DESCRIPCION_PUNTO = 2_000  # what an agenda item is about (shown in the agenda)
MAX_DIAS_RECORDAR_ACUERDOS = 30


# How long members have to comment on a circulated acta, unless the coordination chooses otherwise.
PLAZO_COMENTARIOS_DIAS = 7


def ruta_pdf_acta(acta, nombre):
    """Where an approved acta's frozen PDF is stored: a random name (never guessable), served only through the
    acta's gate (mesa.views_actas.acta_pdf), like nucleo.adjuntos.RutaAleatoria."""
    return f"mesa/actas/{uuid.uuid4().hex}.pdf"


def _recordatorios_por_defecto():
    return [48 * 60, 2 * 60]


class Mesa(models.Model):
    """A round table of security directorates, hosted by one of them and run by its coordinators.

    A consejo comunal de seguridad pública (Ley 20.965, art. 104 A–B) is a kind of mesa: it belongs to one commune,
    its directorate hosts it, the alcalde (or a delegate) chairs it, and its standing members are mostly institutions
    without an account (IntegranteInstitucional). Sessions, agenda, RSVP, attendance, actas and acuerdos are the same.
    """

    class Tipo(models.TextChoices):
        MESA = "mesa", "Mesa intercomunal de buenas prácticas"
        CONSEJO = "consejo", "Consejo comunal de seguridad pública"

    tipo = models.CharField("tipo", max_length=10, choices=Tipo.choices, default=Tipo.MESA)
    nombre = models.CharField("nombre", max_length=200)
    anfitriona = models.ForeignKey(
        "comunas.Organizacion", on_delete=models.PROTECT, related_name="mesas_anfitrionas", verbose_name="anfitriona"
    )
    coordinadores = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="mesas_coordinadas", blank=True, verbose_name="coordinadores"
    )
    organizaciones = models.ManyToManyField(
        "comunas.Organizacion",
        through="Participacion",
        related_name="mesas",
        blank=True,
        verbose_name="organizaciones miembro",
    )
    descripcion = models.TextField("descripción", blank=True, max_length=MAX_DESCRIPCION)
    alcance = models.TextField("alcance", blank=True, max_length=MAX_DESCRIPCION)
    # Before each session, those responsible for open acuerdos of the mesa get a reminder (mesa.services.
    # acuerdos_recordar_antes_de_sesion), this many days before.
    recordar_acuerdos = models.BooleanField("recordar los acuerdos abiertos antes de cada sesión", default=True)
    dias_recordar_acuerdos = models.PositiveSmallIntegerField(
        "días antes de la sesión",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DIAS_RECORDAR_ACUERDOS)],
    )
    # Quorum: how many member organizations must be present (mesa.services_participantes.quorum_calcular).
    quorum_regla = models.CharField("quórum", max_length=20, choices=ReglaQuorum.choices, default=ReglaQuorum.NINGUNA)
    quorum_minimo = models.PositiveSmallIntegerField("mínimo de organizaciones", null=True, blank=True)
    # Only a consejo comunal: its commune (one consejo per commune) and who chairs it.
    comuna = models.ForeignKey(
        "comunas.Comuna",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consejos",
        verbose_name="comuna del consejo",
    )
    presidencia_nombre = models.CharField("preside", max_length=200, blank=True)
    presidencia_cargo = models.CharField("cargo de quien preside", max_length=200, blank=True)
    # Listed in "Mesas" to every directorate outside it, which may ask to join (mesa.services_participacion).
    acepta_solicitudes = models.BooleanField(
        "acepta solicitudes para unirse",
        default=True,
        help_text="Las direcciones que no participan ven la mesa en «Mesas» y pueden pedir unirse; la coordinación "
        "acepta o rechaza cada solicitud.",
    )
    creada = models.DateTimeField("creada", auto_now_add=True)

    class Meta:
        verbose_name = "mesa"
        verbose_name_plural = "mesas"
        ordering = ["nombre"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tipo="mesa", comuna__isnull=True) | Q(tipo="consejo", comuna__isnull=False),
                name="mesa_consejo_con_comuna",
                violation_error_message="Un consejo comunal pertenece a una comuna; una mesa intercomunal, a ninguna.",
            ),
            models.UniqueConstraint(
                fields=["comuna"],
                condition=Q(tipo="consejo"),
                name="consejo_unico_por_comuna",
                violation_error_message="Esa comuna ya tiene su consejo comunal de seguridad pública en la plataforma.",
            ),
        ]

    def __str__(self):
        return self.nombre

    @property
    def es_consejo(self):
        return self.tipo == self.Tipo.CONSEJO


class IntegranteInstitucional(models.Model):
    """A standing member of a consejo comunal who represents an institution, usually without an account in the
    platform (Carabineros, PDI, Fiscalía…). Art. 104 B of the Ley Orgánica de Municipalidades names who must sit
    in the consejo (REQUERIDOS); the consejo's page says which of them are still missing."""

    class Institucion(models.TextChoices):
        CONCEJO = "concejo", "Concejo municipal"
        DELEGACION = "delegacion", "Delegación Presidencial"
        CARABINEROS = "carabineros", "Carabineros de Chile"
        PDI = "pdi", "Policía de Investigaciones (PDI)"
        FISCALIA = "fiscalia", "Fiscalía (Ministerio Público)"
        SOCIEDAD_CIVIL = "sociedad_civil", "Consejo comunal de organizaciones de la sociedad civil"
        GENDARMERIA = "gendarmeria", "Gendarmería de Chile"
        SENDA = "senda", "SENDA"
        SERNAMEG = "sernameg", "SernamEG"
        MUNICIPALIDAD = "municipalidad", "Municipalidad"
        OTRA = "otra", "Otra institución"

    # Who art. 104 B requires at least, and how many: two concejales and two civil-society representatives.
    REQUERIDOS = {
        Institucion.CONCEJO: 2,
        Institucion.DELEGACION: 1,
        Institucion.CARABINEROS: 1,
        Institucion.PDI: 1,
        Institucion.FISCALIA: 1,
        Institucion.SOCIEDAD_CIVIL: 2,
        Institucion.GENDARMERIA: 1,
        Institucion.SENDA: 1,
    }

    mesa = models.ForeignKey(
        Mesa, on_delete=models.CASCADE, related_name="integrantes_institucionales", verbose_name="consejo"
    )
    institucion = models.CharField("institución", max_length=20, choices=Institucion.choices)
    unidad = models.CharField(
        "unidad o repartición", max_length=200, blank=True, help_text="Por ejemplo: «1.ª Comisaría de Zapallar»."
    )
    nombre = models.CharField("nombre", max_length=200)
    cargo = models.CharField("cargo", max_length=200, blank=True)
    email = models.EmailField("correo electrónico", blank=True)
    creado = models.DateTimeField("registrado", auto_now_add=True)

    class Meta:
        verbose_name = "integrante institucional"
        verbose_name_plural = "integrantes institucionales"
        ordering = ["institucion", "nombre", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mesa", "email"],
                condition=~Q(email=""),
                name="integrante_institucional_email_unico",
                violation_error_message="Ya hay un integrante del consejo con ese correo.",
            )
        ]

    def __str__(self):
        return f"{self.nombre} ({self.get_institucion_display()})"

    @property
    def institucion_descrita(self):
        """ "Carabineros de Chile, 1.ª Comisaría de Zapallar"."""
        return ", ".join(x for x in (self.get_institucion_display(), self.unidad) if x)


class Participacion(models.Model):
    """An organization's place in a mesa: invited by the coordination (its director(a) accepts or declines), or
    asked for by its director(a) (the coordination accepts or rejects). It takes part once accepted. A declined
    or rejected row is kept for the record; a new invitation or request reopens it."""

    class Estado(models.TextChoices):
        INVITADA = "invitada", "Invitada"
        SOLICITADA = "solicitada", "Solicitud pendiente"
        ACEPTADA = "aceptada", "Aceptada"
        RECHAZADA = "rechazada", "Rechazada"

    class Origen(models.TextChoices):
        INVITACION = "invitacion", "Invitación de la mesa"
        SOLICITUD = "solicitud", "Solicitud de la organización"

    mesa = models.ForeignKey(Mesa, on_delete=models.CASCADE, related_name="participaciones", verbose_name="mesa")
    organizacion = models.ForeignKey(
        "comunas.Organizacion", on_delete=models.CASCADE, related_name="participaciones", verbose_name="organización"
    )
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.INVITADA)
    origen = models.CharField("origen", max_length=10, choices=Origen.choices, default=Origen.INVITACION)
    # When it was invited or asked for (the last time, if reopened).
    invitada_en = models.DateTimeField("invitada o pedida el", auto_now_add=True)
    invitada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="invitada o pedida por",
    )
    mensaje = models.TextField("mensaje de la solicitud", blank=True, max_length=MAX_MOTIVO)
    aceptada_en = models.DateTimeField("aceptada el", null=True, blank=True)
    aceptada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="aceptada por",
    )
    rechazada_en = models.DateTimeField("rechazada el", null=True, blank=True)
    rechazada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="rechazada por",
    )
    motivo_rechazo = models.TextField("motivo del rechazo", blank=True, max_length=MAX_MOTIVO)

    class Meta:
        verbose_name = "participación"
        verbose_name_plural = "participaciones"
        ordering = ["organizacion__nombre"]
        constraints = [
            models.UniqueConstraint(
                fields=["mesa", "organizacion"],
                name="participacion_unica",
                violation_error_message="Esa organización ya fue invitada a la mesa.",
            )
        ]

    def __str__(self):
        return f"{self.organizacion} en {self.mesa} ({self.get_estado_display()})"

    def reabrir(self, *, estado, por, mensaje=""):
        """Saves it as a new invitation (estado INVITADA) or request (SOLICITADA) by `por`: a row declined or
        rejected before starts a new round (the rejection is cleared; its date names the round)."""
        self.estado = estado
        self.origen = self.Origen.INVITACION if estado == self.Estado.INVITADA else self.Origen.SOLICITUD
        self.invitada_en, self.invitada_por, self.mensaje = timezone.now(), por, mensaje
        self.aceptada_en = self.aceptada_por = self.rechazada_en = self.rechazada_por = None
        self.motivo_rechazo = ""
        try:
            with transaction.atomic():
                self.save()
        except IntegrityError:  # another invitation or request for the same organization, at the same moment
            raise ValidationError("Esa organización ya fue invitada a la mesa o pidió unirse recién.") from None
        return self


class Sesion(models.Model):
    """A meeting of a mesa. `secuencia` is the iCalendar SEQUENCE: it grows with every change sent out."""

    class Tipo(models.TextChoices):
        ORDINARIA = "ordinaria", "Ordinaria"
        EXTRAORDINARIA = "extraordinaria", "Extraordinaria"

    class Modalidad(models.TextChoices):
        PRESENCIAL = "presencial", "Presencial"
        EN_LINEA = "en_linea", "En línea"
        HIBRIDA = "hibrida", "Híbrida"

    class Estado(models.TextChoices):
        BORRADOR = "borrador", "Borrador"
        CONVOCADA = "convocada", "Convocada"
        REALIZADA = "realizada", "Realizada"
        CANCELADA = "cancelada", "Cancelada"

    mesa = models.ForeignKey(Mesa, on_delete=models.CASCADE, related_name="sesiones", verbose_name="mesa")
    numero = models.PositiveIntegerField("número")
    tipo = models.CharField("tipo", max_length=15, choices=Tipo.choices, default=Tipo.ORDINARIA)
    inicio = models.DateTimeField("inicio")
    fin = models.DateTimeField("término")
    modalidad = models.CharField("modalidad", max_length=10, choices=Modalidad.choices, default=Modalidad.PRESENCIAL)
    lugar = models.CharField("lugar", max_length=250, blank=True)
    enlace = models.URLField("enlace de la reunión", blank=True)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.BORRADOR)
    secuencia = models.PositiveIntegerField("secuencia (iCalendar)", default=0)
    uid = models.UUIDField("identificador de calendario", default=uuid.uuid4, unique=True, editable=False)
    # Minutes before the start at which reminders go out.
    recordatorios = models.JSONField("recordatorios (minutos antes)", default=_recordatorios_por_defecto, blank=True)
    convocada_en = models.DateTimeField("convocada el", null=True, blank=True)
    # Who convened it: the ORGANIZER of its invitations while she coordinates (mesa.access.organizador_de).
    convocada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="convocada por",
    )
    # The last "Recordar a quienes no han respondido" (mesa.services.sesion_recordar_pendientes).
    recordada_en = models.DateTimeField("último recordatorio a quienes no respondieron", null=True, blank=True)
    recordada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="recordatorio enviado por",
    )
    # The quorum as it stood when attendance was recorded ({"presentes", "miembros", "minimo", "regla",
    # "alcanzado"}: mesa.services_participantes.quorum_guardar): the session and its acta keep it.
    quorum = models.JSONField("quórum registrado", null=True, blank=True)
    creada = models.DateTimeField("creada", auto_now_add=True)
    # The notices sent about this session (convocatoria, changes, reminders): nucleo.Aviso's generic subject.
    avisos = GenericRelation(
        "nucleo.Aviso", content_type_field="objeto_tipo", object_id_field="objeto_id", related_query_name="sesion"
    )

    class Meta:
        verbose_name = "sesión"
        verbose_name_plural = "sesiones"
        ordering = ["-inicio"]
        constraints = [
            models.UniqueConstraint(
                fields=["mesa", "numero"],
                name="sesion_numero_unico",
                violation_error_message="Ya hay una sesión con ese número en la mesa.",
            ),
            models.CheckConstraint(
                condition=Q(fin__gt=models.F("inicio")),
                name="sesion_fin_despues_de_inicio",
                violation_error_message="La sesión debe terminar después de empezar.",
            ),
        ]

    def __str__(self):
        return f"Sesión {self.get_tipo_display().lower()} n.º {self.numero} {con_articulo(self.mesa, 'de')}"

    @property
    def empezo(self):
        """Attendance is recorded from the start (mesa.services.asistencia_registrar refuses it before)."""
        return self.inicio <= timezone.now()

    @property
    def duracion_tabla(self):
        return sum(p.duracion_minutos for p in self.puntos.all())


class PuntoTabla(models.Model):
    """An item of the agenda, in order."""

    sesion = models.ForeignKey(Sesion, on_delete=models.CASCADE, related_name="puntos", verbose_name="sesión")
    orden = models.PositiveIntegerField("orden", default=0)
    titulo = models.CharField("título", max_length=250)
    descripcion = models.TextField("descripción", blank=True, max_length=MAX_DESCRIPCION_PUNTO)
    organizacion = models.ForeignKey(
        "comunas.Organizacion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="puntos_presentados",
        verbose_name="organización presentadora",
    )
    # Who presents, when it is not an organization of the platform (a consejo's Carabineros officer, a guest).
    expositor = models.CharField("expone", max_length=200, blank=True)
    duracion_minutos = models.PositiveIntegerField("duración (minutos)", default=15)
    # Optional fixed start (local time); without it the item starts when the previous one ends (mesa.tabla).
    hora_inicio = models.TimeField("hora de inicio", null=True, blank=True)
    practica = models.ForeignKey(
        "practicas.Practica",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="puntos_tabla",
        verbose_name="práctica relacionada",
    )
    diagnostico = models.ForeignKey(
        "diagnosticos.Diagnostico",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="puntos_tabla",
        verbose_name="diagnóstico relacionado",
    )
    # A plan whose progress is presented (one every member of the mesa may see: mesa.access.planes_para_la_tabla).
    plan = models.ForeignKey(
        "planes.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="puntos_tabla",
        verbose_name="plan de acción relacionado",
    )
    # "Aprobación del acta anterior": the acta this item submits for approval (mesa.services_actas.acta_a_la_tabla).
    acta_a_aprobar = models.ForeignKey(
        "Acta",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="puntos_de_aprobacion",
        verbose_name="acta a aprobar",
    )

    class Meta:
        verbose_name = "punto de la tabla"
        verbose_name_plural = "puntos de la tabla"
        ordering = ["orden", "pk"]

    def __str__(self):
        return f"{self.orden}. {self.titulo}"


class DocumentoSesion(AdjuntoBase):
    """A document of a session (a report, the presentation of an agenda item): gated like every attachment
    (nucleo.adjuntos), downloaded by whoever sees the session (mesa.documentos). A removed item's documents stay
    with the session."""

    sesion = models.ForeignKey(Sesion, on_delete=models.CASCADE, related_name="documentos", verbose_name="sesión")
    punto = models.ForeignKey(
        PuntoTabla,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documentos",
        verbose_name="punto de la tabla",
    )
    archivo = models.FileField("archivo", upload_to=RutaAleatoria("mesa/documentos"), max_length=200)

    class Meta:
        verbose_name = "documento de sesión"
        verbose_name_plural = "documentos de sesiones"
        ordering = ["creado", "pk"]

    def url_descarga(self):
        return reverse("mesa:documento", args=[self.pk])

    def url_borrar(self):
        return reverse("mesa:documento_borrar", args=[self.pk])


class Respuesta(models.Model):
    """A person's RSVP to a session (from the e-mail link or in the app); the last answer counts."""

    class Opcion(models.TextChoices):
        ASISTIRE = "asistire", "Asistiré"
        NO_ASISTIRE = "no_asistire", "No asistiré"
        TAL_VEZ = "tal_vez", "Tal vez"
        # Set when the member names a subrogante (mesa.services_participantes.subrogante_designar), never by hand.
        SUBROGANTE = "subrogante", "Asistirá por subrogante"

    class Via(models.TextChoices):
        CORREO = "correo", "Enlace del correo"
        APLICACION = "app", "En la plataforma"

    sesion = models.ForeignKey(Sesion, on_delete=models.CASCADE, related_name="respuestas", verbose_name="sesión")
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="respuestas_sesion", verbose_name="persona"
    )
    opcion = models.CharField("respuesta", max_length=12, choices=Opcion.choices)
    via = models.CharField("vía", max_length=6, choices=Via.choices, default=Via.APLICACION)
    respondida_en = models.DateTimeField("respondida el", auto_now=True)

    class Meta:
        verbose_name = "respuesta a la convocatoria"
        verbose_name_plural = "respuestas a la convocatoria"
        ordering = ["usuario__nombre"]
        constraints = [models.UniqueConstraint(fields=["sesion", "usuario"], name="respuesta_unica_por_sesion")]

    def __str__(self):
        return f"{self.usuario}: {self.get_opcion_display()} ({self.sesion})"


class Asistencia(models.Model):
    """Whether a convened person attended, and for which organization (attendance per person and per org)."""

    sesion = models.ForeignKey(Sesion, on_delete=models.CASCADE, related_name="asistencias", verbose_name="sesión")
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="asistencias", verbose_name="persona"
    )
    organizacion = models.ForeignKey(
        "comunas.Organizacion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="asistencias",
        verbose_name="organización",
    )
    presente = models.BooleanField("asistió", default=False)
    registrada_en = models.DateTimeField("registrada el", auto_now=True)

    class Meta:
        verbose_name = "asistencia"
        verbose_name_plural = "asistencias"
        ordering = ["organizacion__nombre", "usuario__nombre"]
        constraints = [models.UniqueConstraint(fields=["sesion", "usuario"], name="asistencia_unica_por_sesion")]

    def __str__(self):
        return f"{self.usuario} {'asistió' if self.presente else 'no asistió'} ({self.sesion})"


class Acta(models.Model):
    """The minutes of a held session: borrador → en revisión (circulated for comments) → aprobada → publicada.

    Attendance is not copied: it is read from `Asistencia`, so the acta always shows what was recorded.
    """

    class Estado(models.TextChoices):
        BORRADOR = "borrador", "Borrador"
        EN_REVISION = "en_revision", "En revisión"
        APROBADA = "aprobada", "Aprobada"
        PUBLICADA = "publicada", "Publicada"

    sesion = models.OneToOneField(Sesion, on_delete=models.CASCADE, related_name="acta", verbose_name="sesión")
    estado = models.CharField("estado", max_length=12, choices=Estado.choices, default=Estado.BORRADOR)
    resumen = models.TextField("introducción", blank=True, max_length=MAX_RESUMEN_ACTA)
    # How many times it went out for comments (part of the notices' idempotency key).
    vueltas = models.PositiveIntegerField("vueltas de revisión", default=0)
    redactada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="redactada por"
    )
    creada = models.DateTimeField("creada", auto_now_add=True)
    circulada_en = models.DateTimeField("circulada el", null=True, blank=True)
    # Last day (inclusive, America/Santiago) members may comment on the circulated draft; none: no deadline.
    plazo_comentarios = models.DateField("comentarios hasta", null=True, blank=True)
    aprobada_en = models.DateTimeField("aprobada el", null=True, blank=True)
    aprobada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="aprobada por",
    )
    aprobada_en_sesion = models.ForeignKey(
        Sesion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actas_aprobadas",
        verbose_name="aprobada en la sesión",
    )
    publicada_en = models.DateTimeField("publicada el", null=True, blank=True)
    # The PDF as approved, rendered once at approval and served from then on: an approved acta never changes
    # (no acuerdo turns "Vencido" in it later). Drafts are rendered on each request.
    pdf_aprobado = models.FileField("PDF aprobado", upload_to=ruta_pdf_acta, blank=True, max_length=200)

    class Meta:
        verbose_name = "acta"
        verbose_name_plural = "actas"

    def __str__(self):
        return f"Acta de la {str(self.sesion)[0].lower()}{str(self.sesion)[1:]}"

    @property
    def editable(self):
        return self.estado in (self.Estado.BORRADOR, self.Estado.EN_REVISION)

    @property
    def aprobada(self):
        return self.estado in (self.Estado.APROBADA, self.Estado.PUBLICADA)

    @staticmethod
    def plazo_por_defecto(hoy=None):
        return (hoy or timezone.localdate()) + timedelta(days=PLAZO_COMENTARIOS_DIAS)

    @property
    def aprobacion(self):
        """ "Aprobada en la sesión del miércoles 13 de enero de 2027" or "Aprobada por la coordinación el …"."""
        if not self.aprobada or self.aprobada_en is None:
            return ""
        if self.aprobada_en_sesion_id:
            return f"Aprobada en la sesión del {dia_largo(self.aprobada_en_sesion.inicio)}"
        return f"Aprobada por la coordinación el {dia_largo(self.aprobada_en)}"

    def plazo_vencido(self, hoy=None):
        """Past the last day to comment (an acta circulated without deadline never closes)."""
        return self.plazo_comentarios is not None and (hoy or timezone.localdate()) > self.plazo_comentarios


class SeccionActa(models.Model):
    """What was said and decided on one agenda item (or a free section, without item)."""

    acta = models.ForeignKey(Acta, on_delete=models.CASCADE, related_name="secciones", verbose_name="acta")
    punto = models.ForeignKey(
        PuntoTabla, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="punto"
    )
    orden = models.PositiveIntegerField("orden", default=0)
    titulo = models.CharField("título", max_length=250)
    texto = models.TextField("resumen", blank=True, max_length=MAX_SECCION_ACTA)

    class Meta:
        verbose_name = "sección del acta"
        verbose_name_plural = "secciones del acta"
        ordering = ["orden", "pk"]

    def __str__(self):
        return f"{self.orden}. {self.titulo}"


class ComentarioActa(models.Model):
    """A member's comment on the draft while it circulates."""

    acta = models.ForeignKey(Acta, on_delete=models.CASCADE, related_name="comentarios", verbose_name="acta")
    autor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comentarios_acta", verbose_name="autor(a)"
    )
    texto = models.TextField("comentario", max_length=MAX_COMENTARIO_ACTA)
    creado = models.DateTimeField("creado", auto_now_add=True)
    # The coordination marks a comment as attended (taken into the text, or answered); the others are "open" and
    # approving with open comments needs an explicit confirmation (mesa.services_actas.acta_aprobar).
    atendido_en = models.DateTimeField("atendido el", null=True, blank=True)
    atendido_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="atendido por",
    )

    class Meta:
        verbose_name = "comentario al acta"
        verbose_name_plural = "comentarios al acta"
        ordering = ["creado", "pk"]

    def __str__(self):
        return f"{self.autor}: {self.texto[:40]}"

    @property
    def abierto(self):
        return self.atendido_en is None


class AcuerdoQuerySet(models.QuerySet):
    def vigentes(self):
        """Acuerdos of actas already approved (or published): drafts do not bind anyone yet."""
        return self.filter(acta__estado__in=[Acta.Estado.APROBADA, Acta.Estado.PUBLICADA])

    def en_estado(self, estado):
        """In that state as people read it: the stored one, or the one its plan activity gives (Acuerdo.actual)."""
        return self.filter(Acuerdo.q_estado(estado))

    def abiertos(self):
        return self.filter(Acuerdo.q_estado(Acuerdo.Estado.PENDIENTE) | Acuerdo.q_estado(Acuerdo.Estado.EN_CURSO))

    def cumplidos(self):
        return self.en_estado(Acuerdo.Estado.CUMPLIDO)

    def vencidos(self, hoy=None):
        return self.abiertos().filter(plazo__lt=hoy or timezone.localdate())


class Acuerdo(models.Model):
    """An agreement recorded in an acta, owned by one organization (and, optionally, one of its people), with a
    deadline.

    The stored state is what the people say (pendiente, en curso, cumplido); "vencido" is computed: open
    (not cumplido) and past its deadline, so it never goes stale and nobody has to mark it. Once the acuerdo
    became an activity of a plan (`actividad`), its state is derived from the activity's progress instead:
    0 % pendiente, 1–99 % en curso, 100 % cumplido (planes knows nothing of acuerdos: the mesa reads the plan).
    """

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", "Pendiente"
        EN_CURSO = "en_curso", "En curso"
        CUMPLIDO = "cumplido", "Cumplido"

    acta = models.ForeignKey(Acta, on_delete=models.CASCADE, related_name="acuerdos", verbose_name="acta")
    descripcion = models.TextField("acuerdo", max_length=MAX_ACUERDO)
    organizacion = models.ForeignKey(
        "comunas.Organizacion",
        on_delete=models.PROTECT,
        related_name="acuerdos",
        verbose_name="organización responsable",
    )
    persona = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acuerdos_a_cargo",
        verbose_name="persona responsable",
    )
    plazo = models.DateField("plazo")
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.PENDIENTE)
    cumplido_en = models.DateTimeField("cumplido el", null=True, blank=True)
    actividad = models.ForeignKey(
        "planes.Nodo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acuerdos",
        verbose_name="actividad del plan",
    )
    creado = models.DateTimeField("creado", auto_now_add=True)

    objects = AcuerdoQuerySet.as_manager()

    class Meta:
        verbose_name = "acuerdo"
        verbose_name_plural = "acuerdos"
        ordering = ["plazo", "pk"]

    def __str__(self):
        return self.descripcion[:60]

    @staticmethod
    def q_estado(estado):
        """The filter of one state as `actual` reads it (positive terms only: no NULL traps in negations)."""
        propio = Q(actividad__isnull=True, estado=estado)
        if estado == Acuerdo.Estado.CUMPLIDO:
            return propio | Q(actividad__isnull=False, actividad__avance__gte=100)
        if estado == Acuerdo.Estado.EN_CURSO:
            return propio | Q(actividad__isnull=False, actividad__avance__gt=0, actividad__avance__lt=100)
        return propio | Q(actividad__isnull=False, actividad__avance__lte=0)

    @property
    def actual(self):
        """The state people read: the stored one, or the one its activity's progress gives (load `actividad`)."""
        if self.actividad_id is None:
            return self.estado
        if self.actividad.avance >= 100:
            return self.Estado.CUMPLIDO
        return self.Estado.EN_CURSO if self.actividad.avance > 0 else self.Estado.PENDIENTE

    @property
    def sigue_actividad(self):
        return self.actividad_id is not None

    def get_actual_display(self):
        return self.Estado(self.actual).label

    @property
    def vencido(self):
        return self.actual != self.Estado.CUMPLIDO and self.plazo < timezone.localdate()

    @property
    def estado_visible(self):
        return "Vencido" if self.vencido else self.get_actual_display()


class CalendarioPersonal(models.Model):
    """A person's secret iCal feed. Only the SHA-256 of the token is kept: the URL is shown once."""

    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendario_personal", verbose_name="usuario"
    )
    token_hash = models.CharField("huella del token", max_length=64, unique=True)
    creado = models.DateTimeField("creado", auto_now_add=True)
    usado_en = models.DateTimeField("último uso", null=True, blank=True)

    class Meta:
        verbose_name = "calendario personal"
        verbose_name_plural = "calendarios personales"

    def __str__(self):
        return f"Calendario de {self.usuario}"

    @staticmethod
    def huella(token):
        return hashlib.sha256(token.encode()).hexdigest()
