"""Loads the 16 regions, 56 provinces and 346 communes (CUT codes) from comunas/data/dpa.json."""

from django.db import migrations

from comunas.dpa import cargar_dpa


def cargar(apps, schema_editor):
    cargar_dpa(
        apps.get_model("comunas", "Region"), apps.get_model("comunas", "Provincia"), apps.get_model("comunas", "Comuna")
    )


def descargar(apps, schema_editor):
    apps.get_model("comunas", "Comuna").objects.all().delete()
    apps.get_model("comunas", "Provincia").objects.all().delete()
    apps.get_model("comunas", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("comunas", "0001_initial")]
    operations = [migrations.RunPython(cargar, descargar)]
