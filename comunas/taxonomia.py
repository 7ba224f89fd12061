"""Loads the vendored crime taxonomy (data, not code); shared by the data migration, the demo and the tests."""

import json
from pathlib import Path

CEAD_2024 = Path(__file__).resolve().parent / "data" / "taxonomia_cead_2024.json"


def cargar_taxonomia(Taxonomia, Categoria, ruta=CEAD_2024, vigente=True):
    """Creates the taxonomy version and its missing categories (the models may be historical). Idempotent."""
    datos = json.loads(Path(ruta).read_text(encoding="utf-8"))
    taxonomia, _ = Taxonomia.objects.get_or_create(
        version=datos["version"], defaults={"nombre": datos["nombre"], "fuente": datos.get("fuente", "")}
    )
    if vigente and not taxonomia.vigente:
        Taxonomia.objects.filter(vigente=True).update(vigente=False)
        taxonomia.vigente = True
        taxonomia.save(update_fields=["vigente"])
    orden = 0
    for grupo in datos["grupos"]:
        for slug, nombre in grupo["categorias"]:
            orden += 1
            Categoria.objects.get_or_create(
                taxonomia=taxonomia, slug=slug, defaults={"nombre": nombre, "grupo": grupo["grupo"], "orden": orden}
            )
    return taxonomia
