"""Before the outbox moves to nucleo, a notice stops pointing at a mesa session: it gets a generic "objeto" (what it is about)
(content type + id), filled from the old `sesion` column, which then goes away. Real schema change."""

import django.db.models.deletion
from django.db import migrations, models


def sesion_a_objeto(apps, schema_editor):
    Aviso = apps.get_model("mesa", "Aviso")
    if not Aviso.objects.filter(sesion__isnull=False).exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    tipo, _ = ContentType.objects.get_or_create(app_label="mesa", model="sesion")
    Aviso.objects.filter(sesion__isnull=False).update(objeto_tipo=tipo, objeto_id=models.F("sesion_id"))


def objeto_a_sesion(apps, schema_editor):
    Aviso = apps.get_model("mesa", "Aviso")
    ContentType = apps.get_model("contenttypes", "ContentType")
    tipo = ContentType.objects.filter(app_label="mesa", model="sesion").first()
    if tipo is not None:
        Aviso.objects.filter(objeto_tipo=tipo).update(sesion_id=models.F("objeto_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("mesa", "0006_punto_practica_diagnostico"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="aviso",
            name="objeto_tipo",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="tipo de objeto",
            ),
        ),
        migrations.AddField(
            model_name="aviso",
            name="objeto_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="id del objeto"),
        ),
        migrations.RunPython(sesion_a_objeto, objeto_a_sesion),
        migrations.RemoveField(model_name="aviso", name="sesion"),
        migrations.AddIndex(
            model_name="aviso",
            index=models.Index(fields=["objeto_tipo", "objeto_id"], name="aviso_objeto"),
        ),
    ]
