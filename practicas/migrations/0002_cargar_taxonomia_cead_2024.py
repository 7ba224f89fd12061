from django.db import migrations


def cargar(apps, schema_editor):
    from comunas.taxonomia import cargar_taxonomia

    cargar_taxonomia(apps.get_model("practicas", "Taxonomia"), apps.get_model("practicas", "Categoria"))


class Migration(migrations.Migration):
    dependencies = [("practicas", "0001_initial")]

    operations = [migrations.RunPython(cargar, migrations.RunPython.noop)]
