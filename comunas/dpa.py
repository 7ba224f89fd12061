"""The División Político-Administrativa loader, shared by the data migration and the tests."""

import json
from pathlib import Path

DPA = Path(__file__).resolve().parent / "data" / "dpa.json"


def cargar_dpa(Region, Provincia, Comuna):
    """Creates the 16 regions, 56 provinces and 346 communes that are missing (the models may be historical)."""
    datos = json.loads(DPA.read_text(encoding="utf-8"))
    Region.objects.bulk_create([Region(codigo=c, nombre=n) for c, n in datos["regiones"]], ignore_conflicts=True)
    Provincia.objects.bulk_create(
        [Provincia(codigo=c, nombre=n, region_id=c[:2]) for c, n in datos["provincias"]], ignore_conflicts=True
    )
    Comuna.objects.bulk_create(
        [Comuna(codigo=c, nombre=n, provincia_id=c[:3]) for c, n in datos["comunas"]], ignore_conflicts=True
    )
