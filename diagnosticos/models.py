"""Territorial diagnoses (prioritized problems, versions, attachments) and crime indicators with their imports."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from comunas.models import Categoria, Comuna, Organizacion, Provincia, Region, Usuario, un_territorio
from nucleo.adjuntos import AdjuntoBase, RutaAleatoria
from nucleo.versiones import VersionBase


class DiagnosticoQuerySet(models.QuerySet):
    def publicados(self):
        return self.filter(estado=Diagnostico.Estado.PUBLICADO)

    def para_listar(self):
        return self.select_related("organizacion", "comuna__provincia", "provincia")


class Diagnostico(models.Model):
    """A commune's or province's security diagnosis for a period (Ley 20.965: the basis of the plan comunal)."""

    class Estado(models.TextChoices):
        BORRADOR = "borrador", "Borrador"
        PUBLICADO = "publicado", "Publicado"

    class Visibilidad(models.TextChoices):
        # Same meaning as practicas.Practica.Visibilidad. MESA: the organizations sharing an accepted mesa
        # with the author's (comunas.access.documentos_visibles).
        MESA = "mesa", "Integrantes de las mesas de la organización autora"
        PLATAFORMA = "plataforma", "Todas las organizaciones de la plataforma"
        PUBLICA = "publica", "Pública (sin ingresar)"

    class Construccion(models.TextChoices):
        CONSEJO = "consejo", "Con el consejo comunal de seguridad pública (Ley 20.965)"
        PARTICIPATIVO = "participativo", "Con participación de la comunidad (diálogos, encuestas)"
        EQUIPO = "equipo", "Por el equipo técnico de la dirección"
        EXTERNO = "externo", "Con apoyo externo (universidad, consultora)"
        OTRO = "otro", "Otra forma"

    titulo = models.CharField("título", max_length=200)
    organizacion = models.ForeignKey(
        Organizacion, on_delete=models.PROTECT, related_name="diagnosticos", verbose_name="organización autora"
    )
    comuna = models.ForeignKey(
        Comuna, on_delete=models.PROTECT, null=True, blank=True, related_name="diagnosticos", verbose_name="comuna"
    )
    provincia = models.ForeignKey(
        Provincia,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="diagnosticos",
        verbose_name="provincia",
    )
    anio_inicio = models.PositiveSmallIntegerField("año de inicio")
    anio_fin = models.PositiveSmallIntegerField("año de término")
    contexto = models.TextField("contexto del territorio", blank=True)
    fuentes = models.TextField("fuentes", blank=True, help_text="CEAD, encuestas, registros municipales…")
    construccion = models.CharField(
        "cómo se construyó", max_length=15, choices=Construccion.choices, default=Construccion.CONSEJO
    )
    construccion_detalle = models.TextField("detalle de cómo se construyó", blank=True)
    conclusiones = models.TextField("conclusiones", blank=True)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.BORRADOR)
    visibilidad = models.CharField(
        "visibilidad", max_length=10, choices=Visibilidad.choices, default=Visibilidad.PLATAFORMA
    )
    autor = models.ForeignKey(
        Usuario, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="autor(a)"
    )
    creado = models.DateTimeField("creado", auto_now_add=True)
    actualizado = models.DateTimeField("actualizado", auto_now=True)
    publicado_en = models.DateTimeField("publicado el", null=True, blank=True)

    objects = DiagnosticoQuerySet.as_manager()

    class Meta:
        db_table = "comunas_diagnostico"  # made by comunas before this app existed
        verbose_name = "diagnóstico"
        verbose_name_plural = "diagnósticos"
        ordering = ["-anio_fin", "titulo"]
        constraints = [
            un_territorio(
                "diagnostico",
                ["comuna", "provincia"],
                "Un diagnóstico es de una comuna o de una provincia, no de ambas.",
            ),
            models.CheckConstraint(
                condition=Q(anio_fin__gte=models.F("anio_inicio")),
                name="diagnostico_periodo_ordenado",
                violation_error_message="El año de término no puede ser anterior al de inicio.",
            ),
        ]

    def __str__(self):
        return self.titulo

    @property
    def territorio(self):
        return self.comuna or self.provincia

    @property
    def es_borrador(self):
        return self.estado == self.Estado.BORRADOR

    @property
    def periodo(self):
        return str(self.anio_inicio) if self.anio_inicio == self.anio_fin else f"{self.anio_inicio}–{self.anio_fin}"


class ProblemaPriorizado(models.Model):
    """A problem the diagnosis puts first: a category of the taxonomy, or a local problem in the commune's own
    words ("microtráfico en plazas", "uso del espacio público") tied to the nearest category; with the criteria
    it was prioritized by, the groups it affects and the places it concerns."""

    class Grupo(models.TextChoices):
        MUJERES = "mujeres", "Mujeres"
        NNA = "nna", "Niños, niñas y adolescentes"
        JOVENES = "jovenes", "Jóvenes"
        PERSONAS_MAYORES = "personas_mayores", "Personas mayores"
        SITUACION_CALLE = "situacion_calle", "Personas en situación de calle"
        MIGRANTES = "migrantes", "Personas migrantes"
        COMERCIO = "comercio", "Comercio y trabajadores"
        COMUNIDAD = "comunidad", "Comunidad en general"

    diagnostico = models.ForeignKey(
        Diagnostico, on_delete=models.CASCADE, related_name="problemas", verbose_name="diagnóstico"
    )
    categoria = models.ForeignKey(
        Categoria, on_delete=models.PROTECT, related_name="problemas", verbose_name="categoría"
    )
    problema_local = models.CharField(
        "problema local",
        max_length=200,
        blank=True,
        help_text="Si el problema no es una categoría del CEAD, nómbrelo; la categoría es la más cercana.",
    )
    prioridad = models.PositiveSmallIntegerField("prioridad", help_text="1 es el problema más importante.")
    justificacion = models.TextField("justificación", blank=True, max_length=4000)
    # Prioritization criteria, 1 (low) to 5 (high), as a diagnóstico comunal weighs them.
    magnitud = models.PositiveSmallIntegerField("magnitud", null=True, blank=True)
    tendencia = models.PositiveSmallIntegerField("tendencia", null=True, blank=True)
    gravedad = models.PositiveSmallIntegerField("gravedad", null=True, blank=True)
    factibilidad = models.PositiveSmallIntegerField("factibilidad de abordarlo", null=True, blank=True)
    grupos_afectados = models.JSONField("grupos afectados", default=list, blank=True)
    lugares = models.CharField(
        "lugares", max_length=300, blank=True, help_text="Barrios, unidades vecinales o cuadrantes."
    )

    CRITERIOS = ("magnitud", "tendencia", "gravedad", "factibilidad")

    class Meta:
        db_table = "comunas_problemapriorizado"  # made by comunas before this app existed
        verbose_name = "problema priorizado"
        verbose_name_plural = "problemas priorizados"
        ordering = ["diagnostico", "prioridad"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostico", "prioridad"], name="problema_prioridad_unica"),
            models.UniqueConstraint(
                fields=["diagnostico", "categoria"],
                condition=Q(problema_local=""),
                name="problema_categoria_unica",
                violation_error_message="Esa categoría ya está priorizada en este diagnóstico.",
            ),
            models.CheckConstraint(
                condition=(Q(magnitud__isnull=True) | Q(magnitud__gte=1, magnitud__lte=5))
                & (Q(tendencia__isnull=True) | Q(tendencia__gte=1, tendencia__lte=5))
                & (Q(gravedad__isnull=True) | Q(gravedad__gte=1, gravedad__lte=5))
                & (Q(factibilidad__isnull=True) | Q(factibilidad__gte=1, factibilidad__lte=5)),
                name="problema_criterios_1_a_5",
                violation_error_message="Cada criterio va de 1 a 5.",
            ),
        ]

    def __str__(self):
        return f"{self.prioridad}. {self.nombre}"

    @property
    def nombre(self):
        return self.problema_local or self.categoria.nombre

    @property
    def grupos_legibles(self):
        etiquetas = dict(self.Grupo.choices)
        return [etiquetas.get(g, g) for g in self.grupos_afectados]

    @property
    def criterios(self):
        return [(campo, getattr(self, campo)) for campo in self.CRITERIOS if getattr(self, campo)]


class VersionDiagnostico(VersionBase):
    """A snapshot of a diagnosis as it was published (at publication and at every later change)."""

    diagnostico = models.ForeignKey(
        Diagnostico, on_delete=models.CASCADE, related_name="versiones", verbose_name="diagnóstico"
    )

    class Meta:
        db_table = "comunas_versiondiagnostico"  # made by comunas before this app existed
        verbose_name = "versión publicada de diagnóstico"
        verbose_name_plural = "versiones publicadas de diagnósticos"
        ordering = ["diagnostico", "-numero"]
        constraints = [models.UniqueConstraint(fields=["diagnostico", "numero"], name="version_diagnostico_unica")]

    def __str__(self):
        return f"{self.diagnostico} — versión {self.numero}"


class IndicadorQuerySet(models.QuerySet):
    def anuales(self):
        return self.filter(periodicidad=Indicador.Periodicidad.ANUAL)

    def con_territorio(self):
        return self.select_related("comuna", "provincia", "region", "categoria")


class Indicador(models.Model):
    """A crime figure of a territory (commune, province or region, by CUT code), category, period, measure and
    source.

    `territorio` repeats the CUT code of the one territory set (checked by the database), so a row has one
    natural key — (territorio, categoria, año, trimestre, mes, medida, nombre de la medida, origen) — that imports
    use to update instead of duplicating: loading denuncias never touches casos policiales. The taxonomy version
    is the category's.
    """

    class Medida(models.TextChoices):
        CASOS_POLICIALES = "casos_policiales", "Casos policiales"
        DENUNCIAS = "denuncias", "Denuncias"
        DETENCIONES = "detenciones", "Detenciones"
        VICTIMAS = "victimas", "Víctimas"
        OTRA = "otra", "Otra medida"

    class Origen(models.TextChoices):
        CEAD = "cead", "CEAD (Subsecretaría de Prevención del Delito)"
        MUNICIPAL = "municipal", "Registros municipales"
        ENUSC = "enusc", "ENUSC (encuesta de victimización)"
        OTRO = "otro", "Otra fuente"

    class Periodicidad(models.TextChoices):
        ANUAL = "anual", "Anual"
        TRIMESTRAL = "trimestral", "Trimestral"
        MENSUAL = "mensual", "Mensual"

    territorio = models.CharField("código CUT del territorio", max_length=5, db_index=True)
    comuna = models.ForeignKey(
        Comuna, on_delete=models.CASCADE, null=True, blank=True, related_name="indicadores", verbose_name="comuna"
    )
    provincia = models.ForeignKey(
        Provincia, on_delete=models.CASCADE, null=True, blank=True, related_name="indicadores", verbose_name="provincia"
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="indicadores", verbose_name="región"
    )
    categoria = models.ForeignKey(
        Categoria, on_delete=models.PROTECT, related_name="indicadores", verbose_name="categoría"
    )
    periodicidad = models.CharField(
        "periodicidad", max_length=10, choices=Periodicidad.choices, default=Periodicidad.ANUAL
    )
    anio = models.PositiveSmallIntegerField("año")
    trimestre = models.PositiveSmallIntegerField("trimestre", null=True, blank=True)
    mes = models.PositiveSmallIntegerField("mes", null=True, blank=True)
    medida = models.CharField("qué se cuenta", max_length=20, choices=Medida.choices, default=Medida.CASOS_POLICIALES)
    medida_nombre = models.CharField(
        "nombre de la medida", max_length=80, blank=True, help_text="Solo para «Otra medida»: qué se cuenta."
    )
    unidad = models.CharField("unidad", max_length=40, blank=True, help_text="Solo para «Otra medida».")
    origen = models.CharField("fuente", max_length=10, choices=Origen.choices, default=Origen.CEAD)
    frecuencia = models.PositiveIntegerField("frecuencia (casos)", null=True, blank=True)
    tasa = models.DecimalField("tasa por 100.000 habitantes", max_digits=12, decimal_places=2, null=True, blank=True)
    fuente = models.CharField("detalle de la fuente", max_length=200, blank=True)
    importacion = models.ForeignKey(
        "ImportacionIndicadores",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicadores",
        verbose_name="importación",
    )
    actualizado = models.DateTimeField("actualizado", auto_now=True)

    objects = IndicadorQuerySet.as_manager()

    class Meta:
        db_table = "comunas_indicador"  # made by comunas before this app existed
        verbose_name = "indicador"
        verbose_name_plural = "indicadores"
        ordering = ["territorio", "categoria", "anio", "trimestre", "mes"]
        indexes = [models.Index(fields=["categoria", "anio", "periodicidad"], name="indicador_categoria_anio")]
        constraints = [
            un_territorio(
                "indicador",
                ["comuna", "provincia", "region"],
                "Un indicador es de una comuna, una provincia o una región.",
            ),
            models.CheckConstraint(
                condition=Q(comuna__isnull=False, territorio=models.F("comuna_id"))
                | Q(provincia__isnull=False, territorio=models.F("provincia_id"))
                | Q(region__isnull=False, territorio=models.F("region_id")),
                name="indicador_codigo_del_territorio",
            ),
            models.CheckConstraint(
                condition=Q(periodicidad="anual", trimestre__isnull=True, mes__isnull=True)
                | Q(periodicidad="trimestral", trimestre__gte=1, trimestre__lte=4, mes__isnull=True)
                | Q(periodicidad="mensual", mes__gte=1, mes__lte=12, trimestre__isnull=True),
                name="indicador_periodo_valido",
                violation_error_message="El período no corresponde a la periodicidad.",
            ),
            models.CheckConstraint(
                condition=Q(frecuencia__isnull=False) | Q(tasa__isnull=False),
                name="indicador_con_valor",
                violation_error_message="Indique la frecuencia, la tasa o ambas.",
            ),
            models.UniqueConstraint(
                "territorio",
                "categoria",
                "anio",
                Coalesce("trimestre", 0),
                Coalesce("mes", 0),
                "medida",
                "medida_nombre",
                "origen",
                name="indicador_unico_por_periodo",
                violation_error_message="Ya hay un indicador para ese territorio, categoría, período, medida y fuente.",
            ),
            models.CheckConstraint(
                condition=Q(medida="otra", medida_nombre__gt="") | (~Q(medida="otra") & Q(medida_nombre="")),
                name="indicador_medida_otra_con_nombre",
                violation_error_message="Una «otra medida» necesita su nombre.",
            ),
        ]

    def __str__(self):
        return f"{self.territorio} {self.categoria} {self.periodo}"

    @property
    def territorio_obj(self):
        return self.comuna or self.provincia or self.region

    @property
    def periodo(self):
        if self.trimestre:
            return f"{self.anio}-T{self.trimestre}"
        if self.mes:
            return f"{self.anio}-{self.mes:02d}"
        return str(self.anio)


class ImportacionIndicadores(models.Model):
    """An uploaded file of indicators, parsed and kept server-side until it is confirmed (never resent)."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", "Por confirmar"
        # A big upload is written by a worker (diagnosticos.tasks): it shows its progress meanwhile.
        CONFIRMANDO = "confirmando", "Confirmándose"
        CONFIRMADA = "confirmada", "Confirmada"

    usuario = models.ForeignKey(Usuario, on_delete=models.CASCADE, related_name="+", verbose_name="subida por")
    nombre_archivo = models.CharField("archivo", max_length=200)
    huella = models.CharField("SHA-256 del archivo", max_length=64)
    filas = models.JSONField("filas válidas", default=list)
    errores = models.JSONField("errores", default=list)
    total_filas = models.PositiveIntegerField("filas leídas", default=0)
    # "larga" (one row per value, the template) or "ancha" (one row per territory and category, a column per period)
    formato = models.CharField("formato reconocido", max_length=10, default="larga")
    advertencias = models.JSONField("advertencias", default=list, blank=True)
    estado = models.CharField("estado", max_length=12, choices=Estado.choices, default=Estado.PENDIENTE)
    creados = models.PositiveIntegerField("indicadores creados", default=0)
    actualizados = models.PositiveIntegerField("indicadores actualizados", default=0)
    creada = models.DateTimeField("subida el", auto_now_add=True)
    confirmada_en = models.DateTimeField("confirmada el", null=True, blank=True)
    # While a worker confirms it: rows to write and rows written (updated as it goes, so the page shows a bar),
    # and why the last attempt stopped, if it did (nothing was written then: it can be confirmed again).
    por_escribir = models.PositiveIntegerField("filas por escribir", default=0)
    escritas = models.PositiveIntegerField("filas escritas", default=0)
    encolada_en = models.DateTimeField("confirmación pedida el", null=True, blank=True)
    error = models.TextField("problema al confirmar", blank=True)

    class Meta:
        db_table = "comunas_importacionindicadores"  # made by comunas before this app existed
        verbose_name = "importación de indicadores"
        verbose_name_plural = "importaciones de indicadores"
        ordering = ["-creada"]

    def __str__(self):
        return f"{self.nombre_archivo} ({self.get_estado_display()})"

    @property
    def porcentaje(self):
        return min(100, round(100 * self.escritas / self.por_escribir)) if self.por_escribir else 0


class AdjuntoDiagnostico(AdjuntoBase):
    """A file attached to a diagnosis (survey, council minutes, maps). Stored under MEDIA_ROOT with a random
    name and served only by `diagnosticos.views.diagnostico_adjunto` after the access gate."""

    diagnostico = models.ForeignKey(
        Diagnostico, on_delete=models.CASCADE, related_name="adjuntos", verbose_name="diagnóstico"
    )
    archivo = models.FileField("archivo", upload_to=RutaAleatoria("diagnosticos/adjuntos"), max_length=200)

    class Meta:
        db_table = "comunas_adjuntodiagnostico"  # made by comunas before this app existed
        verbose_name = "archivo adjunto de diagnóstico"
        verbose_name_plural = "archivos adjuntos de diagnósticos"
        ordering = ["diagnostico", "creado", "pk"]

    def url_descarga(self):
        return reverse("diagnosticos:diagnostico_adjunto", args=[self.diagnostico_id, self.pk])

    def url_borrar(self):
        return reverse("diagnosticos:diagnostico_adjunto_borrar", args=[self.diagnostico_id, self.pk])
