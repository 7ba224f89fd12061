"""The notice outbox now lives in nucleo and diagnoses in diagnosticos: state only (no table changes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mesa", "0007_aviso_objeto"),
        ("nucleo", "0001_initial"),
        ("diagnosticos", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="puntotabla",
                    name="diagnostico",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="puntos_tabla",
                        to="diagnosticos.diagnostico",
                        verbose_name="diagnóstico relacionado",
                    ),
                ),
                migrations.DeleteModel(name="Aviso"),
                migrations.DeleteModel(name="PreferenciaAvisos"),
                migrations.DeleteModel(name="Latido"),
            ],
        ),
    ]
