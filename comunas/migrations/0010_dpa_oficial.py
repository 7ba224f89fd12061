"""The official DPA in databases made before it was corrected: Ñuble's commune codes and the regions' long names.

Until now comunas/data/dpa.json (from django-chile-cities) had 14 of Ñuble's 21 communes under another commune's
CUT code: 16102 was called "Chillán Viejo" although 16102 is Bulnes, 16103 "Quillón" although it is Chillán
Viejo, and so on. This migration gives each of those codes its official name.

Which rows follow which commune (the rule):
- Rows that point at a commune **chosen by its name** in the UI move to the code that now carries that name:
  organizations, practices, diagnoses and population — and any other foreign key to Comuna. Someone who picked
  "Chillán Viejo" (stored as 16102) stays with Chillán Viejo (now 16103).
- Rows **imported by official CUT code** keep their code: crime indicators (diagnosticos.Indicador). An indicator
  loaded for 16102 was Bulnes' figure all along; only the name shown next to it was wrong.
Every move stays inside its province (Ñuble's mix-ups never crossed one), so the province and region that
practices copy from their organization remain right.

The names and moves are frozen here, not read from the data files, so this migration does the same thing
whatever those files say later. It is reversible: going back restores the names 0002 had loaded and moves the
rows chosen by name back with them.
"""

from django.db import migrations, models

# The official Ñuble list (CUT, Ley 21.033).
NUBLE_OFICIAL = {
    "16101": "Chillán",
    "16102": "Bulnes",
    "16103": "Chillán Viejo",
    "16104": "El Carmen",
    "16105": "Pemuco",
    "16106": "Pinto",
    "16107": "Quillón",
    "16108": "San Ignacio",
    "16109": "Yungay",
    "16201": "Quirihue",
    "16202": "Cobquecura",
    "16203": "Coelemu",
    "16204": "Ninhue",
    "16205": "Portezuelo",
    "16206": "Ránquil",
    "16207": "Treguaco",
    "16301": "San Carlos",
    "16302": "Coihueco",
    "16303": "Ñiquén",
    "16304": "San Fabián",
    "16305": "San Nicolás",
}
# What 0002 loaded from django-chile-cities 1.0.1 before the correction (the reverse restores it).
NUBLE_ANTES = {
    **NUBLE_OFICIAL,
    "16102": "Chillán Viejo",
    "16103": "Quillón",
    "16104": "Bulnes",
    "16105": "San Ignacio",
    "16106": "El Carmen",
    "16107": "Pinto",
    "16108": "Pemuco",
    "16203": "Ninhue",
    "16204": "Treguaco",
    "16205": "Coelemu",
    "16206": "Portezuelo",
    "16207": "Ránquil",
    "16302": "Ñiquén",
    "16303": "Coihueco",
}
REGIONES_OFICIAL = {
    "01": "Región de Tarapacá",
    "02": "Región de Antofagasta",
    "03": "Región de Atacama",
    "04": "Región de Coquimbo",
    "05": "Región de Valparaíso",
    "06": "Región del Libertador General Bernardo O'Higgins",
    "07": "Región del Maule",
    "08": "Región del Biobío",
    "09": "Región de La Araucanía",
    "10": "Región de Los Lagos",
    "11": "Región de Aysén del General Carlos Ibáñez del Campo",
    "12": "Región de Magallanes y de la Antártica Chilena",
    "13": "Región Metropolitana de Santiago",
    "14": "Región de Los Ríos",
    "15": "Región de Arica y Parinacota",
    "16": "Región de Ñuble",
}
# Models whose commune comes from an official CUT code, not from a name picked in the UI: they keep their code.
POR_CODIGO = {"diagnosticos.indicador"}


def _referencias_por_nombre(apps):
    """(model, column) of every foreign key to Comuna in the state being migrated, except POR_CODIGO."""
    referencias = []
    for modelo in apps.get_models():
        opciones = modelo._meta
        if opciones.label_lower in POR_CODIGO or opciones.proxy or not opciones.managed:
            continue
        for campo in opciones.concrete_fields:
            if campo.is_relation and campo.related_model._meta.label_lower == "comunas.comuna":
                referencias.append((modelo, campo.attname))
    return referencias


def _mover_referencias(apps, mover):
    """Re-points the rows chosen by name, old code → new code, through temporary communes: the moves form cycles
    (16102 → 16103 → 16107 → 16106 → 16104 → 16102) and a commune holds one directorate only, so rows cannot go
    straight to a code that is still occupied."""
    Comuna = apps.get_model("comunas", "Comuna")
    referencias = _referencias_por_nombre(apps)
    temporal = {codigo: f"T{codigo[1:]}" for codigo in mover}
    provincias = dict(Comuna.objects.filter(codigo__in=mover).values_list("codigo", "provincia_id"))
    Comuna.objects.bulk_create(
        [Comuna(codigo=t, nombre=f"(temporal {c})", provincia_id=provincias[c]) for c, t in temporal.items()]
    )
    for pasos in ([(c, temporal[c]) for c in mover], [(temporal[c], nuevo) for c, nuevo in mover.items()]):
        for modelo, columna in referencias:
            for desde, hacia in pasos:
                modelo._base_manager.filter(**{columna: desde}).update(**{columna: hacia})
    Comuna.objects.filter(codigo__in=temporal.values()).delete()


def _nombrar_comunas(apps, nombres):
    """Gives each code its name in `nombres`; the rows chosen by name follow their name to its new code."""
    Comuna = apps.get_model("comunas", "Comuna")
    actuales = dict(Comuna.objects.filter(codigo__in=nombres).values_list("codigo", "nombre"))
    codigo_de = {nombre: codigo for codigo, nombre in nombres.items()}
    mover = {c: codigo_de[n] for c, n in actuales.items() if n in codigo_de and codigo_de[n] != c}
    if any(c[:3] != nuevo[:3] for c, nuevo in mover.items()):
        raise RuntimeError(f"Un cambio de código cruzaría provincias: {mover}")
    if mover:
        _mover_referencias(apps, mover)
    for codigo, nombre in nombres.items():
        if actuales.get(codigo, nombre) != nombre:
            Comuna.objects.filter(codigo=codigo).update(nombre=nombre)


def corregir(apps, schema_editor):
    Region = apps.get_model("comunas", "Region")
    for codigo, nombre in REGIONES_OFICIAL.items():
        Region.objects.filter(codigo=codigo).update(nombre_oficial=nombre)
    _nombrar_comunas(apps, NUBLE_OFICIAL)


def revertir(apps, schema_editor):
    _nombrar_comunas(apps, NUBLE_ANTES)


class Migration(migrations.Migration):
    dependencies = [("comunas", "0009_diagnosticos_a_su_app")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="nombre_oficial",
            field=models.CharField(
                default="",
                help_text="Como se escribe: «Región del Maule», «Región de Ñuble».",
                max_length=120,
                verbose_name="nombre oficial",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(corregir, revertir),
    ]
