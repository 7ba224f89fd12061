"""Diagnoses and indicators leave comunas for their own app: state only, the comunas_* tables stay."""

import django.db.models.deletion
import django.db.models.functions.comparison
import nucleo.adjuntos
from django.conf import settings
from django.db import migrations, models


def mover_tipos(apps, schema_editor):
    """The moved models keep their content types (and so their permissions and generic references)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for modelo in [
        "diagnostico",
        "adjuntodiagnostico",
        "importacionindicadores",
        "indicador",
        "problemapriorizado",
        "versiondiagnostico",
    ]:
        ContentType.objects.filter(app_label="comunas", model=modelo).update(app_label="diagnosticos")


def mover_tipos_atras(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for modelo in [
        "diagnostico",
        "adjuntodiagnostico",
        "importacionindicadores",
        "indicador",
        "problemapriorizado",
        "versiondiagnostico",
    ]:
        ContentType.objects.filter(app_label="diagnosticos", model=modelo).update(app_label="comunas")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("comunas", "0008_taxonomia_desde_practicas"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Diagnostico",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("titulo", models.CharField(max_length=200, verbose_name="título")),
                        ("anio_inicio", models.PositiveSmallIntegerField(verbose_name="año de inicio")),
                        ("anio_fin", models.PositiveSmallIntegerField(verbose_name="año de término")),
                        ("contexto", models.TextField(blank=True, verbose_name="contexto del territorio")),
                        (
                            "fuentes",
                            models.TextField(
                                blank=True, help_text="CEAD, encuestas, registros municipales…", verbose_name="fuentes"
                            ),
                        ),
                        (
                            "construccion",
                            models.CharField(
                                choices=[
                                    ("consejo", "Con el consejo comunal de seguridad pública (Ley 20.965)"),
                                    ("participativo", "Con participación de la comunidad (diálogos, encuestas)"),
                                    ("equipo", "Por el equipo técnico de la dirección"),
                                    ("externo", "Con apoyo externo (universidad, consultora)"),
                                    ("otro", "Otra forma"),
                                ],
                                default="consejo",
                                max_length=15,
                                verbose_name="cómo se construyó",
                            ),
                        ),
                        (
                            "construccion_detalle",
                            models.TextField(blank=True, verbose_name="detalle de cómo se construyó"),
                        ),
                        ("conclusiones", models.TextField(blank=True, verbose_name="conclusiones")),
                        (
                            "estado",
                            models.CharField(
                                choices=[("borrador", "Borrador"), ("publicado", "Publicado")],
                                default="borrador",
                                max_length=10,
                                verbose_name="estado",
                            ),
                        ),
                        (
                            "visibilidad",
                            models.CharField(
                                choices=[
                                    ("mesa", "Integrantes de las mesas de la organización autora"),
                                    ("plataforma", "Todas las organizaciones de la plataforma"),
                                    ("publica", "Pública (sin ingresar)"),
                                ],
                                default="plataforma",
                                max_length=10,
                                verbose_name="visibilidad",
                            ),
                        ),
                        ("creado", models.DateTimeField(auto_now_add=True, verbose_name="creado")),
                        ("actualizado", models.DateTimeField(auto_now=True, verbose_name="actualizado")),
                        ("publicado_en", models.DateTimeField(blank=True, null=True, verbose_name="publicado el")),
                        (
                            "autor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="autor(a)",
                            ),
                        ),
                        (
                            "comuna",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="diagnosticos",
                                to="comunas.comuna",
                                verbose_name="comuna",
                            ),
                        ),
                        (
                            "organizacion",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="diagnosticos",
                                to="comunas.organizacion",
                                verbose_name="organización autora",
                            ),
                        ),
                        (
                            "provincia",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="diagnosticos",
                                to="comunas.provincia",
                                verbose_name="provincia",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "diagnóstico",
                        "verbose_name_plural": "diagnósticos",
                        "db_table": "comunas_diagnostico",
                        "ordering": ["-anio_fin", "titulo"],
                    },
                ),
                migrations.CreateModel(
                    name="AdjuntoDiagnostico",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("nombre", models.CharField(max_length=200, verbose_name="nombre original")),
                        ("tipo", models.CharField(max_length=10, verbose_name="tipo (según su contenido)")),
                        ("tamano", models.PositiveBigIntegerField(verbose_name="tamaño (bytes)")),
                        ("creado", models.DateTimeField(auto_now_add=True, verbose_name="subido el")),
                        (
                            "archivo",
                            models.FileField(
                                max_length=200,
                                upload_to=nucleo.adjuntos.RutaAleatoria("diagnosticos/adjuntos"),
                                verbose_name="archivo",
                            ),
                        ),
                        (
                            "subido_por",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="subido por",
                            ),
                        ),
                        (
                            "diagnostico",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="adjuntos",
                                to="diagnosticos.diagnostico",
                                verbose_name="diagnóstico",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "archivo adjunto de diagnóstico",
                        "verbose_name_plural": "archivos adjuntos de diagnósticos",
                        "db_table": "comunas_adjuntodiagnostico",
                        "ordering": ["diagnostico", "creado", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="ImportacionIndicadores",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("nombre_archivo", models.CharField(max_length=200, verbose_name="archivo")),
                        ("huella", models.CharField(max_length=64, verbose_name="SHA-256 del archivo")),
                        ("filas", models.JSONField(default=list, verbose_name="filas válidas")),
                        ("errores", models.JSONField(default=list, verbose_name="errores")),
                        ("total_filas", models.PositiveIntegerField(default=0, verbose_name="filas leídas")),
                        (
                            "estado",
                            models.CharField(
                                choices=[("pendiente", "Por confirmar"), ("confirmada", "Confirmada")],
                                default="pendiente",
                                max_length=10,
                                verbose_name="estado",
                            ),
                        ),
                        ("creados", models.PositiveIntegerField(default=0, verbose_name="indicadores creados")),
                        (
                            "actualizados",
                            models.PositiveIntegerField(default=0, verbose_name="indicadores actualizados"),
                        ),
                        ("creada", models.DateTimeField(auto_now_add=True, verbose_name="subida el")),
                        ("confirmada_en", models.DateTimeField(blank=True, null=True, verbose_name="confirmada el")),
                        (
                            "usuario",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="subida por",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "importación de indicadores",
                        "verbose_name_plural": "importaciones de indicadores",
                        "db_table": "comunas_importacionindicadores",
                        "ordering": ["-creada"],
                    },
                ),
                migrations.CreateModel(
                    name="Indicador",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "territorio",
                            models.CharField(db_index=True, max_length=5, verbose_name="código CUT del territorio"),
                        ),
                        (
                            "periodicidad",
                            models.CharField(
                                choices=[("anual", "Anual"), ("trimestral", "Trimestral"), ("mensual", "Mensual")],
                                default="anual",
                                max_length=10,
                                verbose_name="periodicidad",
                            ),
                        ),
                        ("anio", models.PositiveSmallIntegerField(verbose_name="año")),
                        (
                            "trimestre",
                            models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="trimestre"),
                        ),
                        ("mes", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="mes")),
                        (
                            "frecuencia",
                            models.PositiveIntegerField(blank=True, null=True, verbose_name="frecuencia (casos)"),
                        ),
                        (
                            "tasa",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=12,
                                null=True,
                                verbose_name="tasa por 100.000 habitantes",
                            ),
                        ),
                        ("fuente", models.CharField(blank=True, max_length=200, verbose_name="fuente")),
                        ("actualizado", models.DateTimeField(auto_now=True, verbose_name="actualizado")),
                        (
                            "categoria",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="indicadores",
                                to="comunas.categoria",
                                verbose_name="categoría",
                            ),
                        ),
                        (
                            "comuna",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="indicadores",
                                to="comunas.comuna",
                                verbose_name="comuna",
                            ),
                        ),
                        (
                            "importacion",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="indicadores",
                                to="diagnosticos.importacionindicadores",
                                verbose_name="importación",
                            ),
                        ),
                        (
                            "provincia",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="indicadores",
                                to="comunas.provincia",
                                verbose_name="provincia",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="indicadores",
                                to="comunas.region",
                                verbose_name="región",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "indicador",
                        "verbose_name_plural": "indicadores",
                        "db_table": "comunas_indicador",
                        "ordering": ["territorio", "categoria", "anio", "trimestre", "mes"],
                    },
                ),
                migrations.CreateModel(
                    name="ProblemaPriorizado",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "prioridad",
                            models.PositiveSmallIntegerField(
                                help_text="1 es el problema más importante.", verbose_name="prioridad"
                            ),
                        ),
                        ("justificacion", models.TextField(blank=True, verbose_name="justificación")),
                        (
                            "categoria",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="problemas",
                                to="comunas.categoria",
                                verbose_name="categoría",
                            ),
                        ),
                        (
                            "diagnostico",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="problemas",
                                to="diagnosticos.diagnostico",
                                verbose_name="diagnóstico",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "problema priorizado",
                        "verbose_name_plural": "problemas priorizados",
                        "db_table": "comunas_problemapriorizado",
                        "ordering": ["diagnostico", "prioridad"],
                    },
                ),
                migrations.CreateModel(
                    name="VersionDiagnostico",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("numero", models.PositiveIntegerField(verbose_name="versión")),
                        ("datos", models.JSONField(verbose_name="contenido")),
                        ("creada", models.DateTimeField(auto_now_add=True, verbose_name="fecha")),
                        (
                            "diagnostico",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="versiones",
                                to="diagnosticos.diagnostico",
                                verbose_name="diagnóstico",
                            ),
                        ),
                        (
                            "por",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="por",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "versión publicada de diagnóstico",
                        "verbose_name_plural": "versiones publicadas de diagnósticos",
                        "db_table": "comunas_versiondiagnostico",
                        "ordering": ["diagnostico", "-numero"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="diagnostico",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("comuna__isnull", False), ("provincia__isnull", True)),
                            models.Q(("comuna__isnull", True), ("provincia__isnull", False)),
                            _connector="OR",
                        ),
                        name="diagnostico_un_territorio",
                        violation_error_message="Un diagnóstico es de una comuna o de una provincia, no de ambas.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="diagnostico",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("anio_fin__gte", models.F("anio_inicio"))),
                        name="diagnostico_periodo_ordenado",
                        violation_error_message="El año de término no puede ser anterior al de inicio.",
                    ),
                ),
                migrations.AddIndex(
                    model_name="indicador",
                    index=models.Index(fields=["categoria", "anio", "periodicidad"], name="indicador_categoria_anio"),
                ),
                migrations.AddConstraint(
                    model_name="indicador",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("comuna__isnull", False), ("provincia__isnull", True), ("region__isnull", True)),
                            models.Q(("comuna__isnull", True), ("provincia__isnull", False), ("region__isnull", True)),
                            models.Q(("comuna__isnull", True), ("provincia__isnull", True), ("region__isnull", False)),
                            _connector="OR",
                        ),
                        name="indicador_un_territorio",
                        violation_error_message="Un indicador es de una comuna, una provincia o una región.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="indicador",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("comuna__isnull", False), ("territorio", models.F("comuna_id"))),
                            models.Q(("provincia__isnull", False), ("territorio", models.F("provincia_id"))),
                            models.Q(("region__isnull", False), ("territorio", models.F("region_id"))),
                            _connector="OR",
                        ),
                        name="indicador_codigo_del_territorio",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="indicador",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("mes__isnull", True), ("periodicidad", "anual"), ("trimestre__isnull", True)),
                            models.Q(
                                ("mes__isnull", True),
                                ("periodicidad", "trimestral"),
                                ("trimestre__gte", 1),
                                ("trimestre__lte", 4),
                            ),
                            models.Q(
                                ("mes__gte", 1),
                                ("mes__lte", 12),
                                ("periodicidad", "mensual"),
                                ("trimestre__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="indicador_periodo_valido",
                        violation_error_message="El período no corresponde a la periodicidad.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="indicador",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("frecuencia__isnull", False), ("tasa__isnull", False), _connector="OR"),
                        name="indicador_con_valor",
                        violation_error_message="Indique la frecuencia, la tasa o ambas.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="indicador",
                    constraint=models.UniqueConstraint(
                        models.F("territorio"),
                        models.F("categoria"),
                        models.F("anio"),
                        django.db.models.functions.comparison.Coalesce("trimestre", 0),
                        django.db.models.functions.comparison.Coalesce("mes", 0),
                        name="indicador_unico_por_periodo",
                        violation_error_message="Ya hay un indicador para ese territorio, categoría y período.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="problemapriorizado",
                    constraint=models.UniqueConstraint(
                        fields=("diagnostico", "prioridad"), name="problema_prioridad_unica"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="problemapriorizado",
                    constraint=models.UniqueConstraint(
                        fields=("diagnostico", "categoria"),
                        name="problema_categoria_unica",
                        violation_error_message="Esa categoría ya está priorizada en este diagnóstico.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="versiondiagnostico",
                    constraint=models.UniqueConstraint(
                        fields=("diagnostico", "numero"), name="version_diagnostico_unica"
                    ),
                ),
            ],
        ),
        migrations.RunPython(mover_tipos, mover_tipos_atras),
    ]
