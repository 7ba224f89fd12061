"""Diagnoses and indicators now live in the diagnosticos app: state only (the comunas_* tables stay)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comunas", "0008_taxonomia_desde_practicas"),
        ("diagnosticos", "0001_initial"),
        ("mesa", "0008_fuera_avisos_y_diagnosticos"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AdjuntoDiagnostico"),
                migrations.DeleteModel(name="VersionDiagnostico"),
                migrations.DeleteModel(name="ProblemaPriorizado"),
                migrations.DeleteModel(name="Indicador"),
                migrations.DeleteModel(name="ImportacionIndicadores"),
                migrations.DeleteModel(name="Diagnostico"),
            ],
        ),
    ]
