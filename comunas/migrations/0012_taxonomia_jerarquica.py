"""The CEAD taxonomy becomes hierarchical and versioned (issue 12).

- The flat scheme loaded so far under the name "CEAD 2024" is the *earlier* version: renamed "CEAD 2015–2023",
  no longer vigente, and given its three families (DMCS, incivilidades, VIF) as parent nodes.
- The 2024 hierarchy (families → groups → subgroups) is loaded as the vigente version, with the crosswalk from
  each earlier category to the new ones.
- Practices now address the new categories their old ones became (crosswalk). Indicators keep their
  categories: they are figures counted under the earlier scheme, and trends reach them through the crosswalk.
"""

import django.db.models.deletion
from django.db import migrations, models


def _sin_pendientes(schema_editor):
    # PostgreSQL checks the foreign keys written above at commit; the ALTER TABLE that follows in this
    # migration refuses to run with those checks pending, so they run now.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def a_jerarquia(apps, schema_editor):
    try:
        _a_jerarquia(apps, schema_editor)
    finally:
        _sin_pendientes(schema_editor)


def _a_jerarquia(apps, schema_editor):
    from comunas import taxonomia as tx

    Taxonomia = apps.get_model("comunas", "Taxonomia")
    Categoria = apps.get_model("comunas", "Categoria")
    # The flat scheme still under the name "CEAD 2024" (not after a rollback and a second run: then the earlier
    # version already exists and "CEAD 2024" is the hierarchy).
    ya_convertida = Taxonomia.objects.filter(version=tx.VERSION_ANTERIOR).exists()
    anterior = None if ya_convertida else Taxonomia.objects.filter(version="CEAD 2024").first()
    if anterior is not None:
        anterior.version, anterior.nombre, anterior.vigente = tx.VERSION_ANTERIOR, tx.NOMBRE_ANTERIOR, False
        anterior.save(update_fields=["version", "nombre", "vigente"])
        for orden, (clave, nombre) in enumerate(tx.FAMILIAS_ANTERIORES.items()):
            familia = Categoria.objects.create(
                taxonomia=anterior, slug=clave, nombre=nombre, nivel="familia", orden=orden * 100
            )
            Categoria.objects.filter(taxonomia=anterior, grupo=clave).exclude(pk=familia.pk).update(
                padre=familia, nivel="grupo", orden=models.F("orden") + orden * 100
            )
    nueva = tx.cargar_cead_2024(Taxonomia, Categoria)
    if anterior is None:
        return
    # Practices: each old category → the new ones it became.
    Practica = apps.get_model("practicas", "Practica")
    Enlace = Practica.categorias.through
    destinos = {}
    for origen in Categoria.objects.filter(taxonomia=anterior).prefetch_related("equivale_a"):
        destinos[origen.pk] = [d.pk for d in origen.equivale_a.all() if d.taxonomia_id == nueva.pk]
    enlaces = list(Enlace.objects.filter(categoria__taxonomia=anterior).values_list("practica_id", "categoria_id"))
    nuevos = {(p, d) for p, c in enlaces for d in destinos.get(c, [])}
    ya = set(Enlace.objects.filter(categoria__taxonomia=nueva).values_list("practica_id", "categoria_id"))
    Enlace.objects.bulk_create([Enlace(practica_id=p, categoria_id=c) for p, c in sorted(nuevos - ya)])
    Enlace.objects.filter(categoria__taxonomia=anterior).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comunas", "0011_organizacion_tipo"),
        ("practicas", "0008_taxonomia_a_comunas"),
    ]

    operations = [
        migrations.AddField(
            model_name="categoria",
            name="padre",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="hijas",
                to="comunas.categoria",
                verbose_name="pertenece a",
            ),
        ),
        migrations.AddField(
            model_name="categoria",
            name="nivel",
            field=models.CharField(
                choices=[("familia", "Familia"), ("grupo", "Grupo"), ("subgrupo", "Subgrupo")],
                default="grupo",
                max_length=10,
                verbose_name="nivel",
            ),
        ),
        migrations.AddField(
            model_name="categoria",
            name="equivale_a",
            field=models.ManyToManyField(
                blank=True, related_name="equivalencias_anteriores", to="comunas.categoria", verbose_name="equivale a"
            ),
        ),
        migrations.RunPython(a_jerarquia, migrations.RunPython.noop),
        # A default first, so that going back re-creates the column over the rows created here.
        migrations.AlterField(
            model_name="categoria",
            name="grupo",
            field=models.CharField(blank=True, default="", max_length=15, verbose_name="grupo"),
        ),
        migrations.RemoveField(model_name="categoria", name="grupo"),
    ]
