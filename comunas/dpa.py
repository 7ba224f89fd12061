"""The División Político-Administrativa: its loader (shared by the data migration and the tests), the official
list it must match (data/cut_oficial.csv) and the provinces that hold a regional capital."""

import csv
import json
from pathlib import Path

DATOS = Path(__file__).resolve().parent / "data"
DPA = DATOS / "dpa.json"
CUT_OFICIAL = DATOS / "cut_oficial.csv"

# The province of each regional capital. There the Delegación Presidencial Regional exercises the provincial
# functions, so no Delegación Presidencial Provincial exists there. Region → province (capital city).
PROVINCIA_CAPITAL = {
    "01": "011",  # Iquique
    "02": "021",  # Antofagasta
    "03": "031",  # Copiapó
    "04": "041",  # Elqui (La Serena)
    "05": "051",  # Valparaíso
    "06": "061",  # Cachapoal (Rancagua)
    "07": "071",  # Talca
    "08": "081",  # Concepción
    "09": "091",  # Cautín (Temuco)
    "10": "101",  # Llanquihue (Puerto Montt)
    "11": "111",  # Coyhaique
    "12": "121",  # Magallanes (Punta Arenas)
    "13": "131",  # Santiago
    "14": "141",  # Valdivia
    "15": "151",  # Arica
    "16": "161",  # Diguillín (Chillán)
}
PROVINCIAS_CAPITALES = frozenset(PROVINCIA_CAPITAL.values())


def es_provincia_capital(codigo):
    return codigo in PROVINCIAS_CAPITALES


def cargar_dpa(Region, Provincia, Comuna):
    """Creates the 16 regions, 56 provinces and 346 communes that are missing (the models may be historical:
    before migration 0010 a region has no official long name yet)."""
    datos = json.loads(DPA.read_text(encoding="utf-8"))
    con_nombre_oficial = any(f.name == "nombre_oficial" for f in Region._meta.get_fields())
    regiones = []
    for codigo, nombre, oficial in datos["regiones"]:
        extra = {"nombre_oficial": oficial} if con_nombre_oficial else {}
        regiones.append(Region(codigo=codigo, nombre=nombre, **extra))
    Region.objects.bulk_create(regiones, ignore_conflicts=True)
    Provincia.objects.bulk_create(
        [Provincia(codigo=c, nombre=n, region_id=c[:2]) for c, n in datos["provincias"]], ignore_conflicts=True
    )
    Comuna.objects.bulk_create(
        [Comuna(codigo=c, nombre=n, provincia_id=c[:3]) for c, n in datos["comunas"]], ignore_conflicts=True
    )


def leer_cut_oficial():
    """{"region" | "provincia" | "comuna": {código: nombre}} from data/cut_oficial.csv."""
    tabla = {"region": {}, "provincia": {}, "comuna": {}}
    with CUT_OFICIAL.open(encoding="utf-8", newline="") as archivo:
        for fila in csv.DictReader(archivo, delimiter=";"):
            tabla[fila["tipo"]][fila["codigo"]] = fila["nombre"]
    return tabla
