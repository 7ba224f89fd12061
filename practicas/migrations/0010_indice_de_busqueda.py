"""The narrow search table (issue 17): one row per practice with what lists, searches, facets and sorts read, and
the tsvectors that used to live in the practices table. Filled here from the existing practices; on PostgreSQL a
GIN index on its `vector` replaces the one on practicas_practica.vector_busqueda (dropped with that column)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# The same vectors as practicas.services.vector_de_busqueda / vector_de_titulo, frozen here.
LLENAR_PG = """
INSERT INTO practicas_practicaindice (practica_id, estado, visibilidad, organizacion_id, region_id, provincia_id,
    comuna_id, calificacion, anio, publicada_en, titulo, vector, vector_titulo)
SELECT id, estado, visibilidad, organizacion_id, region_id, provincia_id, comuna_id, calificacion,
    EXTRACT(YEAR FROM periodo_inicio), publicada_en, titulo,
    setweight(to_tsvector('spanish_unaccent', COALESCE(titulo, '')), 'A')
        || setweight(to_tsvector('spanish_unaccent', COALESCE(resumen, '') || ' ' || COALESCE(etiquetas, '')), 'B')
        || setweight(to_tsvector('spanish_unaccent', COALESCE(texto_busqueda, '')), 'C'),
    setweight(to_tsvector('spanish_unaccent', COALESCE(titulo, '')), 'A')
        || setweight(to_tsvector('spanish_unaccent', COALESCE(resumen, '') || ' ' || COALESCE(etiquetas, '')), 'B')
FROM practicas_practica;
CREATE INDEX IF NOT EXISTS practicaindice_vector_gin ON practicas_practicaindice USING gin (vector);
"""


def llenar(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LLENAR_PG)
        return
    Practica = apps.get_model("practicas", "Practica")
    PracticaIndice = apps.get_model("practicas", "PracticaIndice")
    PracticaIndice.objects.bulk_create(
        PracticaIndice(
            practica_id=p.pk,
            estado=p.estado,
            visibilidad=p.visibilidad,
            organizacion_id=p.organizacion_id,
            region_id=p.region_id,
            provincia_id=p.provincia_id,
            comuna_id=p.comuna_id,
            calificacion=p.calificacion,
            anio=p.periodo_inicio.year if p.periodo_inicio else None,
            publicada_en=p.publicada_en,
            titulo=p.titulo,
        )
        for p in Practica.objects.only(
            "estado", "visibilidad", "organizacion", "region", "provincia", "comuna", "calificacion",
            "periodo_inicio", "publicada_en", "titulo",
        ).iterator(chunk_size=2000)
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("comunas", "0012_taxonomia_jerarquica"),
        ("practicas", "0009_largos_y_html_guardado"),
    ]

    operations = [
        migrations.CreateModel(
            name="PracticaIndice",
            fields=[
                (
                    "practica",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="indice",
                        serialize=False,
                        to="practicas.practica",
                        verbose_name="práctica",
                    ),
                ),
                (
                    "estado",
                    models.CharField(
                        choices=[("borrador", "Borrador"), ("publicada", "Publicada"), ("archivada", "Archivada")],
                        max_length=10,
                        verbose_name="estado",
                    ),
                ),
                (
                    "visibilidad",
                    models.CharField(
                        choices=[
                            ("mesa", "Integrantes de una mesa"),
                            ("plataforma", "Todas las organizaciones de la plataforma"),
                            ("publica", "Pública (sin ingresar)"),
                        ],
                        max_length=10,
                        verbose_name="visibilidad",
                    ),
                ),
                ("calificacion", models.CharField(blank=True, max_length=16, verbose_name="calificación")),
                ("anio", models.PositiveSmallIntegerField(null=True, verbose_name="año de inicio")),
                ("publicada_en", models.DateTimeField(null=True, verbose_name="publicada el")),
                ("titulo", models.CharField(max_length=200, verbose_name="título")),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("vector_titulo", django.contrib.postgres.search.SearchVectorField(null=True)),
                (
                    "comuna",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="comunas.comuna",
                        verbose_name="comuna",
                    ),
                ),
                (
                    "organizacion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="comunas.organizacion",
                        verbose_name="organización",
                    ),
                ),
                (
                    "provincia",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="comunas.provincia",
                        verbose_name="provincia",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="comunas.region",
                        verbose_name="región",
                    ),
                ),
            ],
            options={
                "verbose_name": "índice de búsqueda de una práctica",
                "verbose_name_plural": "índice de búsqueda de prácticas",
                "indexes": [
                    models.Index(
                        condition=models.Q(("estado", "publicada")),
                        fields=["-publicada_en", "-practica"],
                        name="indice_recientes",
                    )
                ],
            },
        ),
        migrations.RunPython(llenar, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="practica",
            name="vector_busqueda",
        ),
    ]
