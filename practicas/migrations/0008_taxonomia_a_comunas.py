"""The CEAD taxonomy now lives in comunas: state only (the tables practicas_taxonomia and practicas_categoria
and the practice ↔ category table stay as they are)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("practicas", "0007_revision_pares"),
        ("comunas", "0009_diagnosticos_a_su_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="practica",
                    name="categorias",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="practicas",
                        to="comunas.categoria",
                        verbose_name="problemas que aborda",
                    ),
                ),
                migrations.DeleteModel(name="Categoria"),
                migrations.DeleteModel(name="Taxonomia"),
            ],
        ),
    ]
