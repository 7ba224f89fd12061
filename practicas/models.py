"""The best-practice library: a versioned crime taxonomy (data, not code), practices, outcomes, versions."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.safestring import mark_safe

from comunas.models import Categoria
from nucleo.adjuntos import AdjuntoBase, RutaAleatoria
from nucleo.versiones import VersionBase
from practicas.markdown import html_seguro, huella

# Length limits of the long texts (characters), checked by forms and services (nucleo.largos): a text
# without a limit makes every page that shows it slow, and public practices are open to anyone.
MAX_RESUMEN = 2_000
MAX_TEXTO = 15_000  # each section of a practice
MAX_MEDICION = 2_000  # how an outcome was measured
MAX_ADAPTACIONES = 10_000
MAX_COMENTARIO = 5_000


class PracticaQuerySet(models.QuerySet):
    def publicadas(self):
        return self.filter(estado=Practica.Estado.PUBLICADA)

    def publicas(self):
        return self.publicadas().filter(visibilidad=Practica.Visibilidad.PUBLICA)

    def de_organizaciones(self, ids):
        return self.filter(organizacion_id__in=ids)

    def para_listar(self):
        return self.select_related("organizacion", "comuna", "provincia", "region").prefetch_related("categorias")

    def con_html(self):
        """With the rendered texts (Practica.html), which the manager leaves out: only a practice's page reads them."""
        return self.defer(None)


class PracticaManager(models.Manager.from_queryset(PracticaQuerySet)):
    def get_queryset(self):
        # Lists, searches and choices never read the rendered texts (up to a few hundred KB per practice).
        return super().get_queryset().defer("html")


PUNTAJE_EVIDENCIA = [
    (0, "0 — sin evidencia"),
    (1, "1 — evidencia débil"),
    (2, "2 — evidencia moderada"),
    (3, "3 — evidencia sólida"),
    (4, "4 — evidencia muy sólida"),
]
# The five EMMIE sections: (text field, score field, label).
EMMIE = [
    ("efecto", "efecto_puntaje", "Efecto"),
    ("mecanismo", "mecanismo_puntaje", "Mecanismo"),
    ("moderadores", "moderadores_puntaje", "Moderadores"),
    ("implementacion", "implementacion_puntaje", "Implementación"),
    ("costo", "costo_puntaje", "Costo económico"),
]

# The same, as a director reads them: the five EMMIE questions in plain words, and how solid the evidence behind
# each answer is (the 0–4 score), shown on the form and the practice's page instead of the framework's terms.
PREGUNTAS_EVIDENCIA = {
    "efecto": "¿Funcionó? ¿Cuánto cambió?",
    "mecanismo": "¿Por qué funcionó?",
    "moderadores": "¿Dónde y con quiénes funciona mejor o peor?",
    "implementacion": "¿Qué se necesitó para hacerla?",
    "costo": "¿Cuánto costó?",
}
SOLIDEZ = {0: "sin evidencia", 1: "débil", 2: "moderada", 3: "sólida", 4: "muy sólida"}


def solidez(puntaje):
    """ "Evidencia débil (1 de 4)"; "" without a score."""
    return "" if puntaje is None else f"Evidencia {SOLIDEZ[puntaje]} ({puntaje} de 4)"


# The practice's texts written in Markdown (rendered to HTML when saved: Practica.html).
TEXTOS_MARKDOWN = [
    "resumen",
    "contexto",
    "poblacion_objetivo",
    "socios",
    "actividades",
    *[texto for texto, _, _ in EMMIE],
    "transferibilidad",
    "sostenibilidad",
]


def _puntaje(label):
    return models.PositiveSmallIntegerField(
        f"calidad de la evidencia: {label.lower()}",
        choices=PUNTAJE_EVIDENCIA,
        null=True,
        blank=True,
        validators=[MaxValueValidator(4)],
    )


class Practica(models.Model):
    """A practice told by the organization that ran it, with its evidence (EMMIE) and outcomes."""

    class Estado(models.TextChoices):
        BORRADOR = "borrador", "Borrador"
        PUBLICADA = "publicada", "Publicada"
        ARCHIVADA = "archivada", "Archivada"

    class Visibilidad(models.TextChoices):
        # MESA: the organizations sharing an accepted mesa with the author's (practicas.access).
        MESA = "mesa", "Integrantes de una mesa"
        PLATAFORMA = "plataforma", "Todas las organizaciones de la plataforma"
        PUBLICA = "publica", "Pública (sin ingresar)"

    class Calificacion(models.TextChoices):
        # CrimeSolutions ratings, in the order from strongest to weakest claim.
        EFECTIVA = "efectiva", "Efectiva"
        PROMETEDORA = "prometedora", "Prometedora"
        SIN_EFECTO = "sin_efecto", "Sin efecto"
        EFECTO_NEGATIVO = "efecto_negativo", "Efecto negativo"
        INSUFICIENTE = "insuficiente", "Evidencia insuficiente"

    titulo = models.CharField("título", max_length=200)
    resumen = models.TextField(
        "resumen", blank=True, max_length=MAX_RESUMEN, help_text="Qué se hizo y qué se logró, en pocas líneas."
    )
    categorias = models.ManyToManyField(
        Categoria, related_name="practicas", blank=True, verbose_name="problemas que aborda"
    )
    organizacion = models.ForeignKey(
        "comunas.Organizacion", on_delete=models.PROTECT, related_name="practicas", verbose_name="organización"
    )
    # Territory copied from the organization when the practice is saved (facets filter on these columns).
    region = models.ForeignKey("comunas.Region", on_delete=models.PROTECT, related_name="+", verbose_name="región")
    provincia = models.ForeignKey(
        "comunas.Provincia", on_delete=models.PROTECT, related_name="+", verbose_name="provincia"
    )
    comuna = models.ForeignKey(
        "comunas.Comuna", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="comuna"
    )
    contexto = models.TextField("contexto y diagnóstico", blank=True, max_length=MAX_TEXTO)
    poblacion_objetivo = models.TextField("población objetivo", blank=True, max_length=MAX_TEXTO)
    socios = models.TextField(
        "socios", blank=True, max_length=MAX_TEXTO, help_text="Carabineros, PDI, fiscalía, juntas de vecinos…"
    )
    actividades = models.TextField("actividades", blank=True, max_length=MAX_TEXTO)
    periodo_inicio = models.DateField("inicio", null=True, blank=True)
    periodo_fin = models.DateField("término", null=True, blank=True, help_text="En blanco si sigue en curso.")
    presupuesto = models.PositiveBigIntegerField("presupuesto (CLP)", null=True, blank=True)
    fuente_financiamiento = models.CharField("fuente de financiamiento", max_length=200, blank=True)

    efecto = models.TextField("efecto: ¿funcionó y cuánto?", blank=True, max_length=MAX_TEXTO)
    efecto_puntaje = _puntaje("efecto")
    mecanismo = models.TextField("mecanismo: ¿por qué funciona?", blank=True, max_length=MAX_TEXTO)
    mecanismo_puntaje = _puntaje("mecanismo")
    moderadores = models.TextField("moderadores: ¿dónde y para quién?", blank=True, max_length=MAX_TEXTO)
    moderadores_puntaje = _puntaje("moderadores")
    implementacion = models.TextField("implementación: ¿qué se necesita?", blank=True, max_length=MAX_TEXTO)
    implementacion_puntaje = _puntaje("implementación")
    costo = models.TextField("costo económico", blank=True, max_length=MAX_TEXTO)
    costo_puntaje = _puntaje("costo económico")

    calificacion = models.CharField(
        "calificación de la evidencia (autoevaluada)", max_length=16, choices=Calificacion.choices, blank=True
    )
    transferibilidad = models.TextField("transferibilidad", blank=True, max_length=MAX_TEXTO)
    sostenibilidad = models.TextField("sostenibilidad", blank=True, max_length=MAX_TEXTO)
    contacto_nombre = models.CharField("persona de contacto", max_length=150, blank=True)
    contacto_email = models.EmailField("correo de contacto", blank=True)
    contacto_telefono = models.CharField("teléfono de contacto", max_length=30, blank=True)
    etiquetas = models.CharField("etiquetas", max_length=250, blank=True, help_text="Separadas por comas.")

    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.BORRADOR)
    visibilidad = models.CharField(
        "visibilidad", max_length=10, choices=Visibilidad.choices, default=Visibilidad.PLATAFORMA
    )
    autor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="practicas",
        verbose_name="autor(a)",
    )
    creada = models.DateTimeField("creada", auto_now_add=True)
    actualizada = models.DateTimeField("actualizada", auto_now=True)
    publicada_en = models.DateTimeField("publicada el", null=True, blank=True)
    archivada_en = models.DateTimeField("archivada el", null=True, blank=True)

    # Search: the accent-folded text of everything the search covers (written by services.practica_indexar); on
    # PostgreSQL its weighted tsvector lives in PracticaIndice, the narrow table searches and facets scan.
    texto_busqueda = models.TextField(editable=False, blank=True)
    # The Markdown texts rendered to sanitized HTML when saved (services), so a page view never renders them:
    # {campo: [huella of the source text, html]}. A text changed elsewhere (the admin) no longer matches its
    # huella and is rendered on view until the next save through the site (Practica.html_de).
    html = models.JSONField("textos en HTML (caché)", default=dict, blank=True, editable=False)

    objects = PracticaManager()

    class Meta:
        verbose_name = "práctica"
        verbose_name_plural = "prácticas"
        ordering = ["-publicada_en", "-creada"]
        indexes = [models.Index(fields=["estado", "visibilidad"], name="practica_estado_visib")]
        constraints = [
            models.CheckConstraint(
                condition=Q(periodo_fin__isnull=True)
                | Q(periodo_inicio__isnull=True)
                | Q(periodo_fin__gte=models.F("periodo_inicio")),
                name="practica_periodo_ordenado",
                violation_error_message="El término no puede ser anterior al inicio.",
            )
        ]

    def __str__(self):
        return self.titulo

    @property
    def territorio(self):
        return self.comuna or self.provincia

    @property
    def lista_etiquetas(self):
        return [e.strip() for e in self.etiquetas.split(",") if e.strip()]

    @property
    def secciones_emmie(self):
        """(the question in plain words, the answer as HTML, how solid its evidence is) of each EMMIE section."""
        return [
            (PREGUNTAS_EVIDENCIA[texto], self.html_de(texto), solidez(getattr(self, puntaje)))
            for texto, puntaje, _ in EMMIE
        ]

    def html_de(self, campo):
        """The sanitized HTML of one Markdown text, as rendered when saved (rendered now only if stale)."""
        texto = getattr(self, campo)
        guardado = self.html.get(campo)
        if guardado and guardado[0] == huella(texto):
            return mark_safe(guardado[1])  # noqa: S308 — sanitized by nh3 when saved (practicas.markdown)
        return html_seguro(texto)

    @property
    def es_borrador(self):
        return self.estado == self.Estado.BORRADOR

    @property
    def es_publicada(self):
        return self.estado == self.Estado.PUBLICADA

    @property
    def es_archivada(self):
        return self.estado == self.Estado.ARCHIVADA


class Maryland(models.IntegerChoices):
    N1 = 1, "Nivel 1 — correlación en un solo momento"
    N2 = 2, "Nivel 2 — antes y después, sin grupo de comparación"
    N3 = 3, "Nivel 3 — antes y después, con grupo de comparación"
    N4 = 4, "Nivel 4 — varias unidades comparadas, controlando otras variables"
    N5 = 5, "Nivel 5 — asignación aleatoria"


class Medicion(models.Model):
    """The fields of a measured outcome, shared by a practice's and a replication's outcomes (so the two can be
    compared indicator by indicator)."""

    Maryland = Maryland

    indicador = models.CharField("indicador", max_length=200)
    linea_base = models.CharField("línea base", max_length=120, blank=True)
    resultado = models.CharField("resultado", max_length=120, blank=True)
    como_se_midio = models.TextField("cómo se midió", blank=True, max_length=MAX_MEDICION)
    nivel_maryland = models.PositiveSmallIntegerField(
        "nivel de la escala Maryland",
        choices=Maryland.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    orden = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return self.indicador


class Resultado(Medicion):
    """A measured outcome of a practice, with the strength of its evaluation design (Maryland scale)."""

    practica = models.ForeignKey(Practica, on_delete=models.CASCADE, related_name="resultados", verbose_name="práctica")

    class Meta:
        verbose_name = "resultado"
        verbose_name_plural = "resultados"
        ordering = ["practica", "orden", "pk"]


class VersionPractica(VersionBase):
    """A snapshot of a practice as it was published (at publication and at every later change)."""

    practica = models.ForeignKey(Practica, on_delete=models.CASCADE, related_name="versiones", verbose_name="práctica")

    class Meta:
        verbose_name = "versión publicada"
        verbose_name_plural = "versiones publicadas"
        ordering = ["practica", "-numero"]
        constraints = [models.UniqueConstraint(fields=["practica", "numero"], name="version_practica_unica")]

    def __str__(self):
        return f"{self.practica} — versión {self.numero}"


class AdjuntoPractica(AdjuntoBase):
    """A file attached to a practice. Stored under MEDIA_ROOT with a random name and served only by
    `views.adjunto` after the access gate: there is no public media URL."""

    practica = models.ForeignKey(Practica, on_delete=models.CASCADE, related_name="adjuntos", verbose_name="práctica")
    archivo = models.FileField("archivo", upload_to=RutaAleatoria("practicas/adjuntos"), max_length=200)

    class Meta:
        verbose_name = "archivo adjunto"
        verbose_name_plural = "archivos adjuntos"
        ordering = ["practica", "creado", "pk"]

    def url_descarga(self):
        return reverse("practicas:adjunto", args=[self.practica_id, self.pk])

    def url_borrar(self):
        return reverse("practicas:adjunto_borrar", args=[self.practica_id, self.pk])


class Replicacion(models.Model):
    """A practice adopted by another organization: what it changed, how far it got, what it measured there.

    The chain A → B → C: a Replicacion joins the origin practice (A) with the replicating organization (B).
    When B wants to tell its own version in the library, it publishes it as a Practica of its own and
    `practica_resultante` points to it; that practice can be replicated in turn (by C), and its page shows
    where it came from. One design, no second "origin" column on Practica: the link lives here.
    An action plan can later point at a Replicacion (a stable FK target).
    """

    class Estado(models.TextChoices):
        PLANIFICADA = "planificada", "Planificada"
        EN_CURSO = "en_curso", "En curso"
        FINALIZADA = "finalizada", "Finalizada"
        SUSPENDIDA = "suspendida", "Suspendida"

    practica = models.ForeignKey(
        Practica, on_delete=models.PROTECT, related_name="replicaciones", verbose_name="práctica de origen"
    )
    organizacion = models.ForeignKey(
        "comunas.Organizacion",
        on_delete=models.PROTECT,
        related_name="replicaciones",
        verbose_name="organización que replica",
    )
    adaptaciones = models.TextField(
        "adaptaciones",
        blank=True,
        max_length=MAX_ADAPTACIONES,
        help_text="Qué cambió respecto de la práctica original y por qué.",
    )
    estado = models.CharField("estado", max_length=12, choices=Estado.choices, default=Estado.PLANIFICADA)
    fecha_inicio = models.DateField("fecha de inicio", null=True, blank=True)
    practica_resultante = models.OneToOneField(
        Practica,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replica_de",
        verbose_name="práctica publicada a partir de esta réplica",
    )
    creada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="creada por"
    )
    creada = models.DateTimeField("creada", auto_now_add=True)
    actualizada = models.DateTimeField("actualizada", auto_now=True)

    class Meta:
        verbose_name = "réplica"
        verbose_name_plural = "réplicas"
        ordering = ["practica", "creada", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practica", "organizacion"],
                name="replicacion_una_por_organizacion",
                violation_error_message="Esta organización ya registró una réplica de esta práctica.",
            )
        ]

    def __str__(self):
        return f"{self.practica} — réplica de {self.organizacion}"


class ResultadoReplicacion(Medicion):
    """An outcome measured where the practice was replicated (compared with the origin's by indicator)."""

    replicacion = models.ForeignKey(
        Replicacion, on_delete=models.CASCADE, related_name="resultados", verbose_name="réplica"
    )

    class Meta:
        verbose_name = "resultado de la réplica"
        verbose_name_plural = "resultados de la réplica"
        ordering = ["replicacion", "orden", "pk"]


class Comentario(models.Model):
    """A question or comment on a practice (Markdown, rendered safely), optionally answering another one.
    Replies hang from a top-level comment: one level, like a thread under each question."""

    class Tipo(models.TextChoices):
        PREGUNTA = "pregunta", "Pregunta"
        COMENTARIO = "comentario", "Comentario"

    practica = models.ForeignKey(
        Practica, on_delete=models.CASCADE, related_name="comentarios", verbose_name="práctica"
    )
    tipo = models.CharField("tipo", max_length=10, choices=Tipo.choices, default=Tipo.COMENTARIO)
    autor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="autor(a)"
    )
    # The author's organization when writing (shown beside the name; people change organizations).
    organizacion = models.ForeignKey(
        "comunas.Organizacion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organización",
    )
    texto = models.TextField("texto", max_length=MAX_COMENTARIO)
    responde_a = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="respuestas", verbose_name="responde a"
    )
    creado = models.DateTimeField("fecha", auto_now_add=True)

    class Meta:
        verbose_name = "comentario"
        verbose_name_plural = "comentarios"
        ordering = ["practica", "creado", "pk"]

    def __str__(self):
        return f"{self.get_tipo_display()} de {self.autor} en {self.practica}"


class RevisionPares(models.Model):
    """Another organization's reading of the evidence rating the author gave itself (one per organization; a
    second review by the same organization replaces the first)."""

    practica = models.ForeignKey(Practica, on_delete=models.CASCADE, related_name="revisiones", verbose_name="práctica")
    organizacion = models.ForeignKey(
        "comunas.Organizacion", on_delete=models.PROTECT, related_name="+", verbose_name="organización revisora"
    )
    revisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="revisor(a)"
    )
    calificacion = models.CharField(
        "calificación de la evidencia", max_length=16, choices=Practica.Calificacion.choices
    )
    comentario = models.TextField("comentario", blank=True, max_length=MAX_COMENTARIO)
    creada = models.DateTimeField("fecha", auto_now_add=True)
    actualizada = models.DateTimeField("actualizada", auto_now=True)

    class Meta:
        verbose_name = "revisión de pares"
        verbose_name_plural = "revisiones de pares"
        ordering = ["practica", "creada", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practica", "organizacion"],
                name="revision_pares_una_por_organizacion",
                violation_error_message="Esta organización ya revisó esta práctica.",
            )
        ]

    def __str__(self):
        return f"Revisión de {self.organizacion} en {self.practica}"


class PracticaIndice(models.Model):
    """What the library's list, search, facets and sort read, one narrow row per practice: they scan this table,
    never the practices' long texts (issue 17). Kept by services.indice_sincronizar whenever a practice is saved
    through the services or the admin; the rows of a page are then read from Practica by id.

    `vector`: title A, summary and tags B, everything else C (the folded text), on PostgreSQL with a GIN index:
    what a search matches. `vector_titulo`: title A, summary and tags B only: what relevance ranks by (ranking
    thousands of matches by the long vector would read every one of them)."""

    practica = models.OneToOneField(
        Practica, on_delete=models.CASCADE, primary_key=True, related_name="indice", verbose_name="práctica"
    )
    estado = models.CharField("estado", max_length=10, choices=Practica.Estado.choices)
    visibilidad = models.CharField("visibilidad", max_length=10, choices=Practica.Visibilidad.choices)
    organizacion = models.ForeignKey(
        "comunas.Organizacion", on_delete=models.CASCADE, related_name="+", verbose_name="organización"
    )
    region = models.ForeignKey("comunas.Region", on_delete=models.CASCADE, related_name="+", verbose_name="región")
    provincia = models.ForeignKey(
        "comunas.Provincia", on_delete=models.CASCADE, related_name="+", verbose_name="provincia"
    )
    comuna = models.ForeignKey(
        "comunas.Comuna", on_delete=models.CASCADE, null=True, related_name="+", verbose_name="comuna"
    )
    calificacion = models.CharField("calificación", max_length=16, blank=True)
    anio = models.PositiveSmallIntegerField("año de inicio", null=True)
    publicada_en = models.DateTimeField("publicada el", null=True)
    titulo = models.CharField("título", max_length=200)
    vector = SearchVectorField(null=True)
    vector_titulo = SearchVectorField(null=True)

    class Meta:
        verbose_name = "índice de búsqueda de una práctica"
        verbose_name_plural = "índice de búsqueda de prácticas"
        indexes = [
            # The default order (most recent first) and deep pages: the index is walked in order. The GIN index on
            # `vector` is created on PostgreSQL only (migration 0010).
            models.Index(
                fields=["-publicada_en", "-practica"], name="indice_recientes", condition=Q(estado="publicada")
            ),
        ]

    def __str__(self):
        return f"Índice de {self.titulo}"
