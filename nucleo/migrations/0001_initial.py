"""The notice outbox and the heartbeat leave the mesa app for nucleo: state only, the mesa_* tables stay."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def mover_tipos(apps, schema_editor):
    """The moved models keep their content types (and so their permissions and generic references)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for modelo in ["aviso", "latido", "preferenciaavisos"]:
        ContentType.objects.filter(app_label="mesa", model=modelo).update(app_label="nucleo")


def mover_tipos_atras(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for modelo in ["aviso", "latido", "preferenciaavisos"]:
        ContentType.objects.filter(app_label="nucleo", model=modelo).update(app_label="mesa")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("mesa", "0007_aviso_objeto"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Latido",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("nombre", models.CharField(max_length=50, unique=True, verbose_name="proceso")),
                        ("ultimo", models.DateTimeField(verbose_name="último latido")),
                    ],
                    options={
                        "verbose_name": "latido",
                        "verbose_name_plural": "latidos",
                        "db_table": "mesa_latido",
                    },
                ),
                migrations.CreateModel(
                    name="PreferenciaAvisos",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "frecuencia",
                            models.CharField(
                                choices=[("inmediata", "Al momento"), ("diaria", "Resumen diario")],
                                default="inmediata",
                                max_length=10,
                                verbose_name="avisos no esenciales",
                            ),
                        ),
                        (
                            "usuario",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="preferencia_avisos",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="usuario",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "preferencia de avisos",
                        "verbose_name_plural": "preferencias de avisos",
                        "db_table": "mesa_preferenciaavisos",
                    },
                ),
                migrations.CreateModel(
                    name="Aviso",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("clave", models.CharField(max_length=255, unique=True, verbose_name="clave de idempotencia")),
                        ("para", models.EmailField(max_length=254, verbose_name="correo del destinatario")),
                        ("plantilla", models.CharField(max_length=100, verbose_name="plantilla")),
                        ("asunto", models.CharField(max_length=255, verbose_name="asunto")),
                        ("texto", models.TextField(verbose_name="texto")),
                        ("html", models.TextField(blank=True, verbose_name="HTML")),
                        ("adjuntos", models.JSONField(blank=True, default=list, verbose_name="adjuntos")),
                        ("message_id", models.CharField(max_length=255, verbose_name="Message-ID")),
                        ("esencial", models.BooleanField(default=True, verbose_name="esencial")),
                        ("diferido", models.BooleanField(default=False, verbose_name="espera el resumen diario")),
                        (
                            "estado",
                            models.CharField(
                                choices=[
                                    ("pendiente", "Pendiente"),
                                    ("enviando", "Enviando"),
                                    ("enviado", "Enviado"),
                                    ("fallido", "Fallido"),
                                    ("resumido", "Incluido en el resumen diario"),
                                ],
                                default="pendiente",
                                max_length=10,
                                verbose_name="estado",
                            ),
                        ),
                        ("intentos", models.PositiveIntegerField(default=0, verbose_name="intentos")),
                        (
                            "creado",
                            models.DateTimeField(
                                db_index=True, default=django.utils.timezone.now, verbose_name="creado"
                            ),
                        ),
                        (
                            "programado_para",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="programado para"),
                        ),
                        (
                            "reclamado_en",
                            models.DateTimeField(blank=True, null=True, verbose_name="tomado por un proceso el"),
                        ),
                        ("enviado_en", models.DateTimeField(blank=True, null=True, verbose_name="enviado el")),
                        ("error", models.TextField(blank=True, verbose_name="último error")),
                        (
                            "objeto_id",
                            models.PositiveBigIntegerField(blank=True, null=True, verbose_name="id del objeto"),
                        ),
                        (
                            "objeto_tipo",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="contenttypes.contenttype",
                                verbose_name="tipo de objeto",
                            ),
                        ),
                        (
                            "incluido_en",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="incluidos",
                                to="nucleo.aviso",
                                verbose_name="resumen",
                            ),
                        ),
                        (
                            "usuario",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="avisos",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="destinatario",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "aviso",
                        "verbose_name_plural": "avisos",
                        "db_table": "mesa_aviso",
                        "ordering": ["-creado"],
                        "indexes": [
                            models.Index(fields=["estado", "programado_para"], name="aviso_estado_programado"),
                            models.Index(fields=["objeto_tipo", "objeto_id"], name="aviso_objeto"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(mover_tipos, mover_tipos_atras),
    ]
