"""Territory (DPA with CUT codes, population), accounts, member organizations, roles, audit and the CEAD taxonomy."""

import hashlib
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from comunas.dpa import PROVINCIAS_CAPITALES, es_provincia_capital

CAPITALES = sorted(PROVINCIAS_CAPITALES)


class Region(models.Model):
    codigo = models.CharField("código CUT", max_length=2, primary_key=True)
    nombre = models.CharField("nombre", max_length=80)
    # Shown as written: "Región del Maule", "Región Metropolitana de Santiago" (never "Región de " + nombre).
    nombre_oficial = models.CharField(
        "nombre oficial", max_length=120, help_text="Como se escribe: «Región del Maule», «Región de Ñuble»."
    )

    class Meta:
        verbose_name = "región"
        verbose_name_plural = "regiones"
        ordering = ["codigo"]

    def __str__(self):
        return self.nombre_oficial or self.nombre


class Provincia(models.Model):
    codigo = models.CharField("código CUT", max_length=3, primary_key=True)
    nombre = models.CharField("nombre", max_length=80)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provincias", verbose_name="región")

    class Meta:
        verbose_name = "provincia"
        verbose_name_plural = "provincias"
        ordering = ["codigo"]

    def __str__(self):
        return f"Provincia de {self.nombre}"


class Comuna(models.Model):
    codigo = models.CharField("código CUT", max_length=5, primary_key=True)
    nombre = models.CharField("nombre", max_length=80)
    provincia = models.ForeignKey(Provincia, on_delete=models.PROTECT, related_name="comunas", verbose_name="provincia")

    class Meta:
        verbose_name = "comuna"
        verbose_name_plural = "comunas"
        ordering = ["codigo"]

    def __str__(self):
        return self.nombre

    @property
    def region(self):
        return self.provincia.region


class UsuarioManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # E-mail addresses are compared without case: "Ana@Muni.cl" and "ana@muni.cl" are one account.
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("El correo electrónico es obligatorio.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class Usuario(AbstractBaseUser, PermissionsMixin):
    """An account; the e-mail address is the login. Platform admins are staff."""

    email = models.EmailField("correo electrónico", unique=True)
    nombre = models.CharField("nombre completo", max_length=150)
    cargo = models.CharField("cargo", max_length=150, blank=True)
    telefono = models.CharField("teléfono", max_length=30, blank=True)
    is_active = models.BooleanField("activo", default=True)
    is_staff = models.BooleanField(
        "administración de la plataforma",
        default=False,
        help_text="Puede administrar comunas, organizaciones y cuentas.",
    )
    date_joined = models.DateTimeField("fecha de alta", default=timezone.now)

    objects = UsuarioManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nombre"]

    class Meta:
        verbose_name = "usuario"
        verbose_name_plural = "usuarios"
        ordering = ["nombre"]

    def __str__(self):
        return self.nombre or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.nombre

    def get_short_name(self):
        return self.nombre.split(" ")[0] if self.nombre else self.email


class OrganizacionQuerySet(models.QuerySet):
    def activas(self):
        return self.filter(estado=Organizacion.Estado.ACTIVA)

    def titular(self, *, tipo, comuna=None, provincia=None, institucion=""):
        """The organization of that kind already in the platform for that territory (active or suspended).

        A pending request holds nothing: several may wait for the same territory and the admin approves one.
        Partner institutions are told apart by their name."""
        filtro = {"comuna": comuna} if comuna is not None else {"provincia": provincia}
        if tipo == Organizacion.Tipo.INSTITUCION:
            filtro.update(tipo=tipo, institucion__iexact=institucion.strip())
        elif tipo == Organizacion.Tipo.DIRECCION_MUNICIPAL:
            filtro["tipo"] = tipo
        else:
            filtro["tipo__in"] = Organizacion.DELEGACIONES
        return self.filter(estado__in=Organizacion.TITULARES, **filtro)

    def con_territorio(self):
        return self.select_related("comuna__provincia__region", "provincia__region")


class Organizacion(models.Model):
    """A member organization, tied to exactly one commune or one province: a commune's security directorate,
    a Delegación Presidencial Provincial, the Delegación Presidencial Regional (in the province of the regional
    capital, where it acts for the province), or a partner institution (Carabineros, PDI, Fiscalía…).

    Region-level ties (a SEREMI or Gobierno Regional acting for the whole region) are not modelled yet: practices,
    diagnoses and indicator rights hang off a commune or a province."""

    class Tipo(models.TextChoices):
        DIRECCION_MUNICIPAL = "municipal", "Dirección municipal de seguridad pública"
        DELEGACION_PROVINCIAL = "delegacion_provincial", "Delegación Presidencial Provincial"
        DELEGACION_REGIONAL = "delegacion_regional", "Delegación Presidencial Regional"
        INSTITUCION = "institucion", "Institución asociada"

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", "Pendiente"
        ACTIVA = "activa", "Activa"
        SUSPENDIDA = "suspendida", "Suspendida"
        # A rejected request for a new directorate: kept for the record, but it frees the territory.
        RECHAZADA = "rechazada", "Rechazada"

    nombre = models.CharField("nombre", max_length=200)
    tipo = models.CharField("tipo", max_length=24, choices=Tipo.choices)
    institucion = models.CharField(
        "institución",
        max_length=120,
        blank=True,
        help_text="Solo institución asociada: Carabineros, PDI, Fiscalía, SENDA, SernamEG, Gendarmería, SEREMI…",
    )
    comuna = models.ForeignKey(
        Comuna, on_delete=models.PROTECT, null=True, blank=True, related_name="organizaciones", verbose_name="comuna"
    )
    provincia = models.ForeignKey(
        Provincia,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizaciones",
        verbose_name="provincia",
    )
    email_contacto = models.EmailField("correo de contacto")
    telefono = models.CharField("teléfono", max_length=30, blank=True)
    direccion = models.CharField("dirección", max_length=250, blank=True)
    estado = models.CharField("estado", max_length=12, choices=Estado.choices, default=Estado.PENDIENTE)
    creada = models.DateTimeField("creada", auto_now_add=True)
    actualizada = models.DateTimeField("actualizada", auto_now=True)

    objects = OrganizacionQuerySet.as_manager()

    class Meta:
        verbose_name = "organización"
        verbose_name_plural = "organizaciones"
        ordering = ["nombre"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(comuna__isnull=False, provincia__isnull=True) | Q(comuna__isnull=True, provincia__isnull=False)
                ),
                name="organizacion_una_comuna_o_una_provincia",
                violation_error_message="Una organización pertenece a una comuna o a una provincia, no a ambas.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(tipo="municipal", comuna__isnull=False)
                    | (Q(tipo="delegacion_provincial", provincia__isnull=False) & ~Q(provincia__in=CAPITALES))
                    | Q(tipo="delegacion_regional", provincia__in=CAPITALES)
                    | (Q(tipo="institucion") & ~Q(institucion=""))
                ),
                name="organizacion_tipo_segun_territorio",
                violation_error_message=(
                    "Una dirección municipal es de una comuna; una Delegación Presidencial Provincial, de una "
                    "provincia sin capital regional; la Regional, de la provincia de la capital; una institución "
                    "asociada lleva el nombre de la institución."
                ),
            ),
            # One directorate per commune and one delegation per province; a pending request does not hold
            # the territory (several may wait; the admin approves one) and a rejected one frees nothing.
            models.UniqueConstraint(
                fields=["comuna"],
                condition=Q(tipo="municipal", estado__in=["activa", "suspendida"]),
                name="organizacion_unica_por_comuna",
                violation_error_message="Esa comuna ya tiene una dirección de seguridad en la plataforma.",
            ),
            models.UniqueConstraint(
                fields=["provincia"],
                condition=Q(tipo__in=["delegacion_provincial", "delegacion_regional"])
                & Q(estado__in=["activa", "suspendida"]),
                name="organizacion_unica_por_provincia",
                violation_error_message="Esa provincia ya tiene su Delegación Presidencial en la plataforma.",
            ),
        ]

    # States in which an organization holds its territory.
    TITULARES = ("activa", "suspendida")
    DELEGACIONES = ("delegacion_provincial", "delegacion_regional")

    def __str__(self):
        return self.nombre

    def save(self, *args, **kwargs):
        # Callers that do not say the kind get the one their territory implies (a commune: its directorate;
        # a province: its delegation). Partner institutions always say it.
        if not self.tipo:
            self.tipo = self.tipo_del_territorio(comuna_id=self.comuna_id, provincia_id=self.provincia_id)
        super().save(*args, **kwargs)

    @classmethod
    def tipo_del_territorio(cls, *, comuna_id=None, provincia_id=None):
        if comuna_id:
            return cls.Tipo.DIRECCION_MUNICIPAL
        if provincia_id and es_provincia_capital(provincia_id):
            return cls.Tipo.DELEGACION_REGIONAL
        return cls.Tipo.DELEGACION_PROVINCIAL

    @property
    def territorio(self):
        return self.comuna or self.provincia

    @property
    def territorio_nombre(self):
        """ "Comuna de Zapallar", "Provincia de Petorca"."""
        return f"Comuna de {self.comuna.nombre}" if self.comuna_id else str(self.provincia)

    @property
    def es_institucion(self):
        return self.tipo == self.Tipo.INSTITUCION

    @property
    def tipo_descrito(self):
        """The kind as the UI shows it: "Institución asociada (Carabineros)"; the regional delegation notes
        that it acts for its province."""
        if self.es_institucion:
            return f"{self.get_tipo_display()} ({self.institucion})"
        if self.tipo == self.Tipo.DELEGACION_REGIONAL:
            return f"{self.get_tipo_display()}, a cargo de la provincia"
        return self.get_tipo_display()

    @property
    def es_provincial(self):
        return self.provincia_id is not None

    @property
    def region(self):
        return self.comuna.provincia.region if self.comuna_id else self.provincia.region

    @property
    def activa(self):
        return self.estado == self.Estado.ACTIVA


class Membresia(models.Model):
    """A user's place in an organization, with a role."""

    class Rol(models.TextChoices):
        DIRECTOR = "director", "Director(a)"
        INTEGRANTE = "integrante", "Integrante"
        LECTOR = "lector", "Lector(a)"

    usuario = models.ForeignKey(Usuario, on_delete=models.CASCADE, related_name="membresias", verbose_name="usuario")
    organizacion = models.ForeignKey(
        Organizacion, on_delete=models.CASCADE, related_name="membresias", verbose_name="organización"
    )
    rol = models.CharField("rol", max_length=12, choices=Rol.choices, default=Rol.INTEGRANTE)
    creada = models.DateTimeField("desde", auto_now_add=True)
    # The home page's "Primeros pasos" of the organization, hidden by this person (it also hides itself once done).
    primeros_pasos_ocultos_en = models.DateTimeField("primeros pasos ocultos el", null=True, blank=True)

    class Meta:
        verbose_name = "membresía"
        verbose_name_plural = "membresías"
        ordering = ["organizacion__nombre", "usuario__nombre"]
        constraints = [
            models.UniqueConstraint(
                fields=["usuario", "organizacion"],
                name="membresia_unica",
                violation_error_message="Esta persona ya integra esa organización.",
            )
        ]

    def __str__(self):
        return f"{self.usuario} — {self.get_rol_display()} en {self.organizacion}"


class SolicitudAcceso(models.Model):
    """A request to join the platform: a new directorate, or joining an existing active one."""

    class Tipo(models.TextChoices):
        NUEVA_ORGANIZACION = "nueva", "Nueva dirección en la plataforma"
        UNIRSE = "unirse", "Unirse a una dirección existente"

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", "Pendiente"
        APROBADA = "aprobada", "Aprobada"
        RECHAZADA = "rechazada", "Rechazada"

    tipo = models.CharField("tipo", max_length=10, choices=Tipo.choices)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.PENDIENTE)
    usuario = models.ForeignKey(
        Usuario, on_delete=models.CASCADE, related_name="solicitudes", verbose_name="solicitante"
    )
    organizacion = models.ForeignKey(
        Organizacion, on_delete=models.CASCADE, related_name="solicitudes", verbose_name="organización"
    )
    mensaje = models.TextField("mensaje del solicitante", blank=True)
    motivo_rechazo = models.TextField("motivo del rechazo", blank=True)
    resuelta_por = models.ForeignKey(
        Usuario,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="solicitudes_resueltas",
        verbose_name="resuelta por",
    )
    resuelta_en = models.DateTimeField("resuelta el", null=True, blank=True)
    creada = models.DateTimeField("recibida el", auto_now_add=True)

    class Meta:
        verbose_name = "solicitud de acceso"
        verbose_name_plural = "solicitudes de acceso"
        ordering = ["-creada"]
        constraints = [
            models.UniqueConstraint(
                fields=["usuario", "organizacion"],
                condition=Q(estado="pendiente"),
                name="solicitud_pendiente_unica",
                violation_error_message="Ya hay una solicitud pendiente de esta persona para esa dirección.",
            )
        ]

    def __str__(self):
        return f"{self.usuario} → {self.organizacion} ({self.get_estado_display()})"


class InvitacionQuerySet(models.QuerySet):
    def pendientes(self):
        return self.filter(aceptada_en__isnull=True, revocada_en__isnull=True)


class Invitacion(models.Model):
    """A single-use invitation to join an organization's team; valid for 7 days."""

    VIGENCIA = timedelta(days=7)

    organizacion = models.ForeignKey(
        Organizacion, on_delete=models.CASCADE, related_name="invitaciones", verbose_name="organización"
    )
    email = models.EmailField("correo invitado")
    rol = models.CharField("rol", max_length=12, choices=Membresia.Rol.choices, default=Membresia.Rol.INTEGRANTE)
    # Only a hash of the token is stored: a database leak does not leak usable links.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invitada_por = models.ForeignKey(
        Usuario, on_delete=models.SET_NULL, null=True, related_name="invitaciones_enviadas", verbose_name="invitada por"
    )
    creada = models.DateTimeField("enviada el", auto_now_add=True)
    expira = models.DateTimeField("vence el")
    aceptada_en = models.DateTimeField("aceptada el", null=True, blank=True)
    aceptada_por = models.ForeignKey(
        Usuario,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitaciones_aceptadas",
        verbose_name="aceptada por",
    )
    revocada_en = models.DateTimeField("revocada el", null=True, blank=True)

    objects = InvitacionQuerySet.as_manager()

    class Meta:
        verbose_name = "invitación"
        verbose_name_plural = "invitaciones"
        ordering = ["-creada"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizacion", "email"],
                condition=Q(aceptada_en__isnull=True, revocada_en__isnull=True),
                name="invitacion_vigente_unica",
                violation_error_message="Ya hay una invitación vigente para ese correo.",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.organizacion}"

    @property
    def vigente(self):
        return self.aceptada_en is None and self.revocada_en is None and self.expira > timezone.now()

    @staticmethod
    def huella(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def vencida(self):
        return self.aceptada_en is None and self.revocada_en is None and self.expira <= timezone.now()


class Auditoria(models.Model):
    """Who did what to whom, with before/after: approvals, rejections, invitations, roles, suspensions."""

    class Accion(models.TextChoices):
        SOLICITAR = "solicitar", "Solicitó acceso"
        APROBAR = "aprobar", "Aprobó una solicitud"
        RECHAZAR = "rechazar", "Rechazó una solicitud"
        SUSPENDER = "suspender", "Suspendió una organización"
        REACTIVAR = "reactivar", "Reactivó una organización"
        INVITAR = "invitar", "Invitó a una persona"
        REENVIAR = "reenviar", "Reenvió una invitación"
        REVOCAR = "revocar", "Revocó una invitación"
        ACEPTAR = "aceptar", "Aceptó una invitación"
        CAMBIAR_ROL = "cambiar_rol", "Cambió un rol"
        QUITAR = "quitar", "Quitó a un integrante"
        EDITAR = "editar", "Editó datos"
        CERRAR_SESIONES = "cerrar_sesiones", "Cerró sus otras sesiones"
        DOS_FACTORES = "dos_factores", "Cambió su verificación en dos pasos"

    actor = models.ForeignKey(
        Usuario, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="quién"
    )
    accion = models.CharField("acción", max_length=20, choices=Accion.choices)
    organizacion = models.ForeignKey(
        Organizacion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="auditoria",
        verbose_name="organización",
    )
    objeto = models.CharField("sobre", max_length=250, blank=True)
    antes = models.JSONField("antes", default=dict, blank=True)
    despues = models.JSONField("después", default=dict, blank=True)
    motivo = models.TextField("motivo", blank=True)
    creada = models.DateTimeField("cuándo", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "registro de auditoría"
        verbose_name_plural = "auditoría"
        ordering = ["-creada"]

    def __str__(self):
        return f"{self.creada:%Y-%m-%d %H:%M} {self.actor} {self.get_accion_display()} {self.objeto}"


# --- Helpers for models tied to a territory (organizations here, diagnoses and indicators in diagnosticos) --


def un_territorio(prefijo, campos, mensaje):
    """CheckConstraint: exactly one of the territory foreign keys is set."""
    opciones = Q()
    for campo in campos:
        opciones |= Q(**{f"{c}__isnull": c != campo for c in campos})
    return models.CheckConstraint(condition=opciones, name=f"{prefijo}_un_territorio", violation_error_message=mensaje)


# --- The crime taxonomy (CEAD): reference data, like the DPA ----------------------------------------------


class Taxonomia(models.Model):
    """A version of a crime classification (e.g. CEAD 2024). Diagnoses and practices point at its categories."""

    version = models.CharField("versión", max_length=40, unique=True)
    nombre = models.CharField("nombre", max_length=250)
    fuente = models.TextField("fuente", blank=True)
    vigente = models.BooleanField("vigente", default=False)

    class Meta:
        db_table = "practicas_taxonomia"  # created by the practices app before the taxonomy moved here
        verbose_name = "taxonomía de delitos"
        verbose_name_plural = "taxonomías de delitos"
        ordering = ["-vigente", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["vigente"],
                condition=Q(vigente=True),
                name="taxonomia_una_vigente",
                violation_error_message="Solo una taxonomía puede estar vigente.",
            )
        ]

    def __str__(self):
        return self.version


class CategoriaQuerySet(models.QuerySet):
    def vigentes(self):
        return self.filter(taxonomia__vigente=True)


class Categoria(models.Model):
    """A node of a taxonomy version: a family, a group or a subgroup (CEAD 2024), or, in the earlier flat scheme,
    one of its three families and their categories. Figures may be stored at any level; a node without its own
    figure is the sum of its children (diagnosticos.selectors)."""

    class Nivel(models.TextChoices):
        FAMILIA = "familia", "Familia"
        GRUPO = "grupo", "Grupo"
        SUBGRUPO = "subgrupo", "Subgrupo"

    taxonomia = models.ForeignKey(
        Taxonomia, on_delete=models.PROTECT, related_name="categorias", verbose_name="taxonomía"
    )
    padre = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="hijas", verbose_name="pertenece a"
    )
    nivel = models.CharField("nivel", max_length=10, choices=Nivel.choices, default=Nivel.GRUPO)
    nombre = models.CharField("nombre", max_length=120)
    slug = models.SlugField("identificador", max_length=80)
    orden = models.PositiveSmallIntegerField("orden", default=0)
    # The crosswalk from an earlier version's category to the current ones it became (a trend spans the change).
    equivale_a = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="equivalencias_anteriores", verbose_name="equivale a"
    )

    objects = CategoriaQuerySet.as_manager()

    class Meta:
        db_table = "practicas_categoria"
        verbose_name = "categoría de delito"
        verbose_name_plural = "categorías de delitos"
        ordering = ["taxonomia", "orden"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomia", "slug"], name="categoria_slug_unico_por_taxonomia"),
        ]

    def __str__(self):
        return self.nombre


class Poblacion(models.Model):
    """Inhabitants of a commune in a year: the denominator of rates per 100,000 when only frequencies come."""

    comuna = models.ForeignKey(Comuna, on_delete=models.CASCADE, related_name="poblaciones", verbose_name="comuna")
    anio = models.PositiveSmallIntegerField("año")
    habitantes = models.PositiveIntegerField("habitantes")
    fuente = models.CharField("fuente", max_length=200, blank=True)

    class Meta:
        verbose_name = "población"
        verbose_name_plural = "poblaciones"
        ordering = ["comuna", "anio"]
        constraints = [models.UniqueConstraint(fields=["comuna", "anio"], name="poblacion_unica_por_comuna_anio")]

    def __str__(self):
        return f"{self.comuna} {self.anio}: {self.habitantes}"
