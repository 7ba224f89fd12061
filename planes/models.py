"""Action plans: the plan comunal de seguridad pública (Ley 20.965 art. 104 F), intercommunal plans born at a
mesa and institutional plans. A plan is a tree (ejes → líneas de acción → actividades, any depth) with
milestones, dated progress that rolls up by weight, and indicators with yearly targets. A plan can be adapted
from another organization's plan, node by node (kept, changed or dropped), and each approval freezes a version.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from comunas.models import Categoria, Organizacion
from diagnosticos.models import Diagnostico, Indicador, ProblemaPriorizado
from nucleo.adjuntos import AdjuntoBase, RutaAleatoria
from nucleo.versiones import VersionBase
from practicas.models import Practica, Replicacion

CIEN = Decimal(100)


class PlanQuerySet(models.QuerySet):
    def para_listar(self):
        """What a list of plans shows (planes/_lista.html): never the long texts nor the territories' lists."""
        columnas = ("tipo", "titulo", "organizacion", "anio_inicio", "anio_fin", "estado", "visibilidad", "avance")
        return self.only(*columnas, "actualizado").select_related("organizacion").prefetch_related("duenas")


class Plan(models.Model):
    class Tipo(models.TextChoices):
        COMUNAL = "comunal", "Plan comunal de seguridad pública"
        INTERCOMUNAL = "intercomunal", "Plan intercomunal"
        INSTITUCIONAL = "institucional", "Plan institucional"

    class Estado(models.TextChoices):
        BORRADOR = "borrador", "Borrador"
        EN_CONSULTA = "en_consulta", "En consulta"
        APROBADO = "aprobado", "Aprobado"
        EN_EJECUCION = "en_ejecucion", "En ejecución"
        CERRADO = "cerrado", "Cerrado"
        SUSPENDIDO = "suspendido", "Suspendido"

    class Visibilidad(models.TextChoices):
        DUENAS = "duenas", "Solo las organizaciones responsables"
        MESA = "mesa", "Integrantes de las mesas de las organizaciones responsables"
        PLATAFORMA = "plataforma", "Todas las organizaciones de la plataforma"
        PUBLICA = "publica", "Pública (sin ingresar)"

    tipo = models.CharField("tipo de plan", max_length=15, choices=Tipo.choices, default=Tipo.COMUNAL)
    titulo = models.CharField("título", max_length=200)
    objetivo = models.TextField("objetivo general", max_length=4000)
    # The lead organization; `duenas` holds every owner (the lead included).
    organizacion = models.ForeignKey(
        Organizacion, on_delete=models.PROTECT, related_name="planes_que_lidera", verbose_name="organización líder"
    )
    duenas = models.ManyToManyField(Organizacion, related_name="planes", verbose_name="organizaciones responsables")
    anio_inicio = models.PositiveSmallIntegerField("año de inicio")
    anio_fin = models.PositiveSmallIntegerField("año de término")
    territorios = models.JSONField("territorios (códigos CUT)", default=list, blank=True)
    diagnostico = models.ForeignKey(
        Diagnostico,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planes",
        verbose_name="diagnóstico en que se basa",
    )
    diagnostico_version = models.PositiveIntegerField("versión del diagnóstico", null=True, blank=True)
    problemas = models.ManyToManyField(
        ProblemaPriorizado, blank=True, related_name="planes", verbose_name="problemas priorizados que responde"
    )
    estado = models.CharField("estado", max_length=15, choices=Estado.choices, default=Estado.BORRADOR)
    visibilidad = models.CharField("visibilidad", max_length=10, choices=Visibilidad.choices, default=Visibilidad.MESA)
    avance = models.DecimalField("avance (%)", max_digits=5, decimal_places=2, default=0)
    # Lineage: the plan it was adapted from, or the practice replication it starts from.
    origen = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adaptaciones",
        verbose_name="adaptado de",
    )
    replicacion = models.ForeignKey(
        Replicacion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planes",
        verbose_name="réplica de práctica de origen",
    )
    # Communes the owners chose to compare against (measured effect); empty: same region, similar size.
    comparables = models.JSONField("territorios de comparación", default=list, blank=True)
    creado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="creado por"
    )
    creado = models.DateTimeField("creado", auto_now_add=True)
    actualizado = models.DateTimeField("actualizado", auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "plan de acción"
        verbose_name_plural = "planes de acción"
        ordering = ["-anio_inicio", "titulo"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anio_fin__gte=models.F("anio_inicio")),
                name="plan_periodo_ordenado",
                violation_error_message="El año de término no puede ser anterior al de inicio.",
            ),
            models.CheckConstraint(
                condition=Q(avance__gte=0, avance__lte=100),
                name="plan_avance_0_100",
                violation_error_message="0 a 100.",
            ),
        ]

    def __str__(self):
        return self.titulo

    def get_absolute_url(self):
        return reverse("planes:plan", args=[self.pk])

    @property
    def periodo(self):
        return f"{self.anio_inicio}–{self.anio_fin}"

    @property
    def es_borrador(self):
        return self.estado == self.Estado.BORRADOR


class EstadoActividad(models.Model):
    """The configurable catalogue of activity states, each with its default percentage of progress."""

    nombre = models.CharField("nombre", max_length=60, unique=True)
    porcentaje = models.PositiveSmallIntegerField(
        "avance por defecto (%)", validators=[MaxValueValidator(100)], default=0
    )
    terminal = models.BooleanField("termina la actividad", default=False)
    orden = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        verbose_name = "estado de actividad"
        verbose_name_plural = "estados de actividad"
        ordering = ["orden", "nombre"]

    def __str__(self):
        return self.nombre


class Nodo(models.Model):
    """A node of the plan's tree: an eje, a línea de acción or an actividad (any depth)."""

    class Tipo(models.TextChoices):
        EJE = "eje", "Eje"
        LINEA = "linea", "Línea de acción"
        ACTIVIDAD = "actividad", "Actividad"

    class Adaptacion(models.TextChoices):
        PROPIO = "", "Propio"
        MANTENIDO = "mantenido", "Se mantiene"
        CAMBIADO = "cambiado", "Se cambia"
        DESCARTADO = "descartado", "Se descarta"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodos", verbose_name="plan")
    padre = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="hijos", verbose_name="pertenece a"
    )
    tipo = models.CharField("tipo", max_length=10, choices=Tipo.choices, default=Tipo.ACTIVIDAD)
    codigo = models.CharField("código", max_length=20, blank=True, help_text="P. ej. 1.2.3")
    titulo = models.CharField("título", max_length=250)
    descripcion = models.TextField("descripción", max_length=4000, blank=True)
    responsable = models.ForeignKey(
        Organizacion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nodos_a_cargo",
        verbose_name="organización responsable",
    )
    persona = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actividades_a_cargo",
        verbose_name="persona responsable",
    )
    socios = models.CharField(
        "socios", max_length=500, blank=True, help_text="Instituciones que colaboran (Carabineros, PDI, SENDA…)."
    )
    inicio = models.DateField("inicio", null=True, blank=True)
    termino = models.DateField("término", null=True, blank=True)
    peso = models.DecimalField(
        "peso", max_digits=6, decimal_places=2, default=1, validators=[MinValueValidator(0)], help_text="Ponderación."
    )
    presupuesto = models.PositiveBigIntegerField("presupuesto (CLP)", null=True, blank=True)
    financiamiento = models.CharField("fuente de financiamiento", max_length=120, blank=True)
    problemas = models.ManyToManyField(ProblemaPriorizado, blank=True, related_name="nodos", verbose_name="problemas")
    practicas = models.ManyToManyField(Practica, blank=True, related_name="nodos_de_planes", verbose_name="prácticas")
    estado = models.ForeignKey(
        EstadoActividad, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="estado"
    )
    avance = models.DecimalField("avance (%)", max_digits=5, decimal_places=2, default=0)
    orden = models.PositiveIntegerField("orden", default=0)
    # Adaptation lineage: the node of the origin plan this one comes from, and what happened to it.
    origen = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="adaptados", verbose_name="viene de"
    )
    adaptacion = models.CharField("adaptación", max_length=10, choices=Adaptacion.choices, blank=True, default="")
    adaptacion_motivo = models.TextField("qué y por qué", max_length=2000, blank=True)

    class Meta:
        verbose_name = "elemento del plan"
        verbose_name_plural = "elementos del plan"
        ordering = ["plan", "orden", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(termino__isnull=True) | Q(inicio__isnull=True) | Q(termino__gte=models.F("inicio")),
                name="nodo_fechas_ordenadas",
                violation_error_message="El término no puede ser anterior al inicio.",
            ),
            models.CheckConstraint(
                condition=Q(avance__gte=0, avance__lte=100),
                name="nodo_avance_0_100",
                violation_error_message="0 a 100.",
            ),
        ]

    def __str__(self):
        return f"{self.codigo} {self.titulo}".strip()

    @property
    def descartado(self):
        return self.adaptacion == self.Adaptacion.DESCARTADO


class Hito(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="hitos", verbose_name="plan")
    nodo = models.ForeignKey(
        Nodo, on_delete=models.SET_NULL, null=True, blank=True, related_name="hitos", verbose_name="elemento"
    )
    titulo = models.CharField("hito", max_length=250)
    fecha = models.DateField("fecha comprometida")
    cumplido_en = models.DateField("cumplido el", null=True, blank=True)
    evidencia = models.TextField("evidencia", max_length=2000, blank=True)

    class Meta:
        verbose_name = "hito"
        verbose_name_plural = "hitos"
        ordering = ["fecha", "pk"]

    def __str__(self):
        return self.titulo


class Avance(models.Model):
    """A dated report of progress on an activity: text, a percentage or a state, and evidence."""

    nodo = models.ForeignKey(Nodo, on_delete=models.CASCADE, related_name="avances", verbose_name="actividad")
    fecha = models.DateField("fecha")
    texto = models.TextField("qué se hizo", max_length=4000)
    porcentaje = models.DecimalField(
        "avance (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    estado = models.ForeignKey(
        EstadoActividad, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="estado"
    )
    por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="informado por"
    )
    organizacion = models.ForeignKey(
        Organizacion, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="organización"
    )
    creado = models.DateTimeField("registrado", auto_now_add=True)

    class Meta:
        verbose_name = "avance"
        verbose_name_plural = "avances"
        ordering = ["-fecha", "-pk"]

    def __str__(self):
        return f"{self.nodo} — {self.fecha:%d-%m-%Y}"


class AdjuntoAvance(AdjuntoBase):
    avance = models.ForeignKey(Avance, on_delete=models.CASCADE, related_name="adjuntos", verbose_name="avance")
    archivo = models.FileField("archivo", upload_to=RutaAleatoria("planes/evidencias"), max_length=200)

    class Meta:
        verbose_name = "evidencia de avance"
        verbose_name_plural = "evidencias de avances"
        ordering = ["avance", "creado", "pk"]

    def url_descarga(self):
        return reverse("planes:evidencia", args=[self.avance.nodo.plan_id, self.pk])

    def url_borrar(self):
        return reverse("planes:evidencia_borrar", args=[self.avance.nodo.plan_id, self.pk])


class IndicadorPlan(models.Model):
    """What the plan measures, with its baseline and yearly targets. An impact indicator may follow a series of
    the plan's territory (category + measure): its values then come from the imported figures by themselves."""

    class Tipo(models.TextChoices):
        PROCESO = "proceso", "De proceso"
        RESULTADO = "resultado", "De resultado"
        IMPACTO = "impacto", "De impacto"

    class Sentido(models.TextChoices):
        SUBE = "sube", "Se busca que suba"
        BAJA = "baja", "Se busca que baje"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicadores", verbose_name="plan")
    nodo = models.ForeignKey(
        Nodo, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicadores", verbose_name="elemento"
    )
    nombre = models.CharField("indicador", max_length=250)
    tipo = models.CharField("tipo", max_length=10, choices=Tipo.choices, default=Tipo.PROCESO)
    formula = models.CharField("fórmula de cálculo", max_length=500, blank=True)
    unidad = models.CharField("unidad", max_length=60, default="%")
    sentido = models.CharField("sentido", max_length=4, choices=Sentido.choices, default=Sentido.SUBE)
    linea_base = models.DecimalField("línea base", max_digits=14, decimal_places=2, null=True, blank=True)
    linea_base_anio = models.PositiveSmallIntegerField("año de la línea base", null=True, blank=True)
    linea_base_fuente = models.CharField("fuente de la línea base", max_length=200, blank=True)
    # Following a series (impact): the rate per 100,000 of this category and measure in the plan's territory.
    serie_categoria = models.ForeignKey(
        Categoria, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="categoría"
    )
    serie_medida = models.CharField("medida", max_length=20, choices=Indicador.Medida.choices, blank=True, default="")
    serie_territorio = models.CharField("territorio de la serie (CUT)", max_length=5, blank=True)
    orden = models.PositiveIntegerField("orden", default=0)

    class Meta:
        verbose_name = "indicador del plan"
        verbose_name_plural = "indicadores del plan"
        ordering = ["plan", "orden", "pk"]

    def __str__(self):
        return self.nombre

    @property
    def sigue_serie(self):
        return self.serie_categoria_id is not None and bool(self.serie_territorio)


class MetaAnual(models.Model):
    indicador = models.ForeignKey(
        IndicadorPlan, on_delete=models.CASCADE, related_name="metas", verbose_name="indicador"
    )
    anio = models.PositiveSmallIntegerField("año")
    valor = models.DecimalField("meta", max_digits=14, decimal_places=2)

    class Meta:
        db_table = "planes_meta"
        verbose_name = "meta anual"
        verbose_name_plural = "metas anuales"
        ordering = ["indicador", "anio"]
        constraints = [models.UniqueConstraint(fields=["indicador", "anio"], name="meta_una_por_anio")]

    def __str__(self):
        return f"{self.indicador}: {self.valor} en {self.anio}"


class Medicion(models.Model):
    """A manual measurement of a process or result indicator, with its evidence."""

    indicador = models.ForeignKey(
        IndicadorPlan, on_delete=models.CASCADE, related_name="mediciones", verbose_name="indicador"
    )
    anio = models.PositiveSmallIntegerField("año")
    valor = models.DecimalField("valor", max_digits=14, decimal_places=2)
    evidencia = models.TextField("evidencia", max_length=2000, blank=True)
    por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="por"
    )
    creado = models.DateTimeField("registrada", auto_now_add=True)

    class Meta:
        verbose_name = "medición"
        verbose_name_plural = "mediciones"
        ordering = ["indicador", "anio"]
        constraints = [models.UniqueConstraint(fields=["indicador", "anio"], name="medicion_una_por_anio")]

    def __str__(self):
        return f"{self.indicador}: {self.valor} en {self.anio}"


class Aprobacion(models.Model):
    """Who approved the plan, when, and how (for a plan comunal: the consejo's opinion and the concejo's
    approval with its acuerdo number). Each approval freezes a version."""

    class Tipo(models.TextChoices):
        OPINION_CONSEJO = "opinion_consejo", "Opinión del consejo comunal de seguridad pública"
        CONCEJO = "concejo", "Aprobación del concejo municipal"
        MESA = "mesa", "Aprobación de la mesa"
        DIRECCION = "direccion", "Aprobación de la dirección"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="aprobaciones", verbose_name="plan")
    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices)
    fecha = models.DateField("fecha")
    numero_acuerdo = models.CharField("n.º de acuerdo o sesión", max_length=60, blank=True)
    observaciones = models.TextField("observaciones", max_length=2000, blank=True)
    por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="registrada por"
    )
    version = models.ForeignKey(
        "VersionPlan", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="versión aprobada"
    )
    creada = models.DateTimeField("registrada", auto_now_add=True)

    class Meta:
        verbose_name = "aprobación"
        verbose_name_plural = "aprobaciones"
        ordering = ["plan", "fecha", "pk"]

    def __str__(self):
        return f"{self.get_tipo_display()} ({self.fecha:%d-%m-%Y})"


class VersionPlan(VersionBase):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versiones", verbose_name="plan")

    class Meta:
        verbose_name = "versión del plan"
        verbose_name_plural = "versiones del plan"
        ordering = ["plan", "-numero"]
        constraints = [models.UniqueConstraint(fields=["plan", "numero"], name="version_plan_unica")]

    def __str__(self):
        return f"{self.plan} — versión {self.numero}"


class ImportacionPlan(models.Model):
    """A file with part of a plan's tree (CSV or Excel), checked and kept server-side until it is confirmed: the
    checked rows never travel back through the browser (planes/importacion.py)."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", "Por confirmar"
        CONFIRMADA = "confirmada", "Confirmada"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="importaciones", verbose_name="plan")
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="subida por"
    )
    nombre_archivo = models.CharField("archivo", max_length=200)
    huella = models.CharField("SHA-256 del archivo", max_length=64)
    filas = models.JSONField("filas válidas", default=list, blank=True)
    errores = models.JSONField("errores", default=list, blank=True)
    advertencias = models.JSONField("advertencias", default=list, blank=True)
    total_filas = models.PositiveIntegerField("filas leídas", default=0)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.PENDIENTE)
    creados = models.PositiveIntegerField("elementos creados", default=0)
    creada = models.DateTimeField("subida el", auto_now_add=True)
    confirmada_en = models.DateTimeField("confirmada el", null=True, blank=True)

    class Meta:
        verbose_name = "importación de un plan"
        verbose_name_plural = "importaciones de planes"
        ordering = ["-creada"]

    def __str__(self):
        return f"{self.nombre_archivo} ({self.get_estado_display()})"
