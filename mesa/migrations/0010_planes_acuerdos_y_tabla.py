"""An acuerdo gets a responsible person and the plan activity it became; an agenda item may present a plan."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mesa", "0009_largos_de_textos"),
        ("planes", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="acuerdo",
            name="actividad",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="acuerdos",
                to="planes.nodo",
                verbose_name="actividad del plan",
            ),
        ),
        migrations.AddField(
            model_name="acuerdo",
            name="persona",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="acuerdos_a_cargo",
                to=settings.AUTH_USER_MODEL,
                verbose_name="persona responsable",
            ),
        ),
        migrations.AddField(
            model_name="puntotabla",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="puntos_tabla",
                to="planes.plan",
                verbose_name="plan de acción relacionado",
            ),
        ),
    ]
