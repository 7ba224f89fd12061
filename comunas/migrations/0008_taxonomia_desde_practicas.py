"""The CEAD taxonomy moves from practicas to comunas (reference data, like the DPA): state only, the tables
practicas_taxonomia and practicas_categoria stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


def mover_tipos(apps, schema_editor):
    """The moved models keep their content types (and so their permissions and generic references)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for modelo in ["taxonomia", "categoria"]:
        ContentType.objects.filter(app_label="practicas", model=modelo).update(app_label="comunas")


def mover_tipos_atras(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for modelo in ["taxonomia", "categoria"]:
        ContentType.objects.filter(app_label="comunas", model=modelo).update(app_label="practicas")


class Migration(migrations.Migration):
    dependencies = [
        ("comunas", "0007_adjunto_diagnostico"),
        ("practicas", "0007_revision_pares"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Taxonomia",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("version", models.CharField(max_length=40, unique=True, verbose_name="versión")),
                        ("nombre", models.CharField(max_length=250, verbose_name="nombre")),
                        ("fuente", models.TextField(blank=True, verbose_name="fuente")),
                        ("vigente", models.BooleanField(default=False, verbose_name="vigente")),
                    ],
                    options={
                        "verbose_name": "taxonomía de delitos",
                        "verbose_name_plural": "taxonomías de delitos",
                        "db_table": "practicas_taxonomia",
                        "ordering": ["-vigente", "version"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="taxonomia",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("vigente", True)),
                        fields=("vigente",),
                        name="taxonomia_una_vigente",
                        violation_error_message="Solo una taxonomía puede estar vigente.",
                    ),
                ),
                migrations.CreateModel(
                    name="Categoria",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "grupo",
                            models.CharField(
                                choices=[
                                    ("dmcs", "Delitos de mayor connotación social"),
                                    ("incivilidades", "Incivilidades"),
                                    ("vif", "Violencia intrafamiliar"),
                                ],
                                max_length=15,
                                verbose_name="grupo",
                            ),
                        ),
                        ("nombre", models.CharField(max_length=120, verbose_name="nombre")),
                        ("slug", models.SlugField(max_length=80, verbose_name="identificador")),
                        ("orden", models.PositiveSmallIntegerField(default=0, verbose_name="orden")),
                    ],
                    options={
                        "verbose_name": "categoría de delito",
                        "verbose_name_plural": "categorías de delitos",
                        "db_table": "practicas_categoria",
                        "ordering": ["taxonomia", "orden"],
                    },
                ),
                migrations.AddField(
                    model_name="categoria",
                    name="taxonomia",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="categorias",
                        to="comunas.taxonomia",
                        verbose_name="taxonomía",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="categoria",
                    constraint=models.UniqueConstraint(
                        fields=("taxonomia", "slug"), name="categoria_slug_unico_por_taxonomia"
                    ),
                ),
            ],
        ),
        migrations.RunPython(mover_tipos, mover_tipos_atras),
    ]
