"""Who else sits at a session besides the members: guests without an account (Carabineros, PDI, Fiscalía, SENDA…)
and subrogantes named by a member for one session; and the quorum rules a mesa may set.

Imported by mesa/models.py (so Django registers these models with the mesa app); it imports nothing from it:
its references to sessions and organizations are by name.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

# The answers a person gives for themself (members and guests alike). A member who named a subrogante reads
# "Asistirá por subrogante" (Respuesta.Opcion.SUBROGANTE), an answer nobody picks by hand.
OPCIONES_PERSONALES = ("asistire", "no_asistire", "tal_vez")
# At most this many guests (external subrogantes included) per session: each one is an e-mail to an address
# without an account.
MAX_INVITADOS_POR_SESION = 40


class RespuestaInvitado(models.TextChoices):
    ASISTIRE = "asistire", "Asistiré"
    NO_ASISTIRE = "no_asistire", "No asistiré"
    TAL_VEZ = "tal_vez", "Tal vez"


class ReglaQuorum(models.TextChoices):
    """How many member organizations must be present for a session to hold (by n, the number of member
    organizations: the host and those that accepted)."""

    NINGUNA = "ninguna", "Sin quórum exigido"
    NUMERO = "numero", "Un número mínimo de organizaciones"
    MAYORIA_ABSOLUTA = "mayoria_absoluta", "Mayoría absoluta (más de la mitad)"
    MITAD = "mitad", "La mitad"
    TRES_QUINTOS = "tres_quintos", "Tres quintos"
    DOS_TERCIOS = "dos_tercios", "Dos tercios"
    UN_TERCIO = "un_tercio", "Un tercio"


class InvitadoSesion(models.Model):
    """A person without an account invited to one session. They get the convocatoria (and its changes) by e-mail,
    answer through signed links bound to this row and this session, and appear in the attendance and in the acta
    by institution. Being a guest creates no account and opens nothing else of the platform.

    An external subrogante (named by a member) is also a guest: its `subrogacion` says whom they represent."""

    sesion = models.ForeignKey("mesa.Sesion", on_delete=models.CASCADE, related_name="invitados", verbose_name="sesión")
    nombre = models.CharField("nombre", max_length=150)
    institucion = models.CharField("institución", max_length=200)
    cargo = models.CharField("cargo", max_length=150, blank=True)
    email = models.EmailField("correo electrónico")  # stored in lower case (services_participantes)
    respuesta = models.CharField("respuesta", max_length=12, choices=RespuestaInvitado.choices, blank=True)
    respondida_en = models.DateTimeField("respondida el", null=True, blank=True)
    asistio = models.BooleanField("asistió", default=False)
    invitado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="invitado(a) por",
    )
    creado = models.DateTimeField("invitado(a) el", auto_now_add=True)

    class Meta:
        verbose_name = "invitado(a) a una sesión"
        verbose_name_plural = "invitados a sesiones"
        ordering = ["institucion", "nombre", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sesion", "email"],
                name="invitado_unico_por_sesion",
                violation_error_message="Esa persona ya está invitada a esta sesión.",
            )
        ]

    def __str__(self):
        return f"{self.nombre} ({self.institucion})"

    @property
    def nombre_con_cargo(self):
        return f"{self.nombre}, {self.cargo}" if self.cargo else self.nombre


class Subrogacion(models.Model):
    """A member who will not attend names who stands in for them at one session: a colleague of the same
    organization (an account, already convened as a member) or an external person (a guest row). Attendance and
    the acta say "X en representación de Y"; the member's own answer becomes "Asistirá por subrogante"."""

    sesion = models.ForeignKey(
        "mesa.Sesion", on_delete=models.CASCADE, related_name="subrogaciones", verbose_name="sesión"
    )
    titular = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subrogaciones_como_titular",
        verbose_name="titular",
    )
    organizacion = models.ForeignKey(
        "comunas.Organizacion", on_delete=models.CASCADE, related_name="+", verbose_name="organización representada"
    )
    subrogante = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subrogaciones_como_subrogante",
        verbose_name="subrogante (colega)",
    )
    invitado = models.OneToOneField(
        InvitadoSesion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subrogacion",
        verbose_name="subrogante externo(a)",
    )
    designada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="designada por"
    )
    creada = models.DateTimeField("designada el", auto_now_add=True)

    class Meta:
        verbose_name = "subrogancia"
        verbose_name_plural = "subrogancias"
        ordering = ["creada", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sesion", "titular"],
                name="subrogacion_unica_por_titular",
                violation_error_message="Ya designó un(a) subrogante para esta sesión.",
            ),
            models.UniqueConstraint(
                fields=["sesion", "subrogante"],
                name="subrogante_unico_por_sesion",
                violation_error_message="Esa persona ya subroga a otro miembro en esta sesión.",
            ),
            models.CheckConstraint(
                condition=Q(subrogante__isnull=False, invitado__isnull=True)
                | Q(subrogante__isnull=True, invitado__isnull=False),
                name="subrogacion_una_persona",
                violation_error_message="Indique un(a) colega o una persona externa, no ambos.",
            ),
        ]

    def __str__(self):
        return f"{self.nombre_subrogante} en representación de {self.titular}"

    @property
    def nombre_subrogante(self):
        return self.subrogante.nombre if self.subrogante_id else self.invitado.nombre

    @property
    def externo(self):
        return self.invitado_id is not None
