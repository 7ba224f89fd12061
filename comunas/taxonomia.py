"""The CEAD crime taxonomy as versioned data (not code): loaders shared by the data migrations, the demo and the
tests, and `Arbol`, the hierarchy of one version read once (families → groups → subgroups).

Two versions live side by side: the earlier flat scheme (CEAD 2015–2023: DMCS, incivilidades, VIF) that old
figures were loaded with, and the 2024 hierarchy (vigente). A crosswalk (`Categoria.equivale_a`) maps each old
category to the new ones, so a trend can span the change.
"""

import json
from pathlib import Path

from comunas.models import Categoria, Taxonomia

DATOS = Path(__file__).resolve().parent / "data"
CEAD_ANTERIOR = DATOS / "taxonomia_cead_anterior.json"
CEAD_2024 = DATOS / "taxonomia_cead_2024.json"
VERSION_ANTERIOR = "CEAD 2015–2023"
NOMBRE_ANTERIOR = "Clasificación anterior del CEAD (2015–2023): DMCS, incivilidades y violencia intrafamiliar"
FAMILIAS_ANTERIORES = {
    "dmcs": "Delitos de mayor connotación social",
    "incivilidades": "Incivilidades",
    "vif": "Violencia intrafamiliar",
}


def cargar_taxonomia(Taxonomia, Categoria, ruta=CEAD_ANTERIOR, vigente=True):
    """The earlier flat scheme as it was first loaded (practicas' migration 0002): missing categories only."""
    datos = json.loads(Path(ruta).read_text(encoding="utf-8"))
    taxonomia, _ = Taxonomia.objects.get_or_create(
        version=datos["version"], defaults={"nombre": datos["nombre"], "fuente": datos.get("fuente", "")}
    )
    if vigente and not taxonomia.vigente:
        Taxonomia.objects.filter(vigente=True).update(vigente=False)
        taxonomia.vigente = True
        taxonomia.save(update_fields=["vigente"])
    orden = 0
    campos = {f.name for f in Categoria._meta.get_fields()}
    for grupo in datos["grupos"]:
        for slug, nombre in grupo["categorias"]:
            orden += 1
            extra = {"grupo": grupo["grupo"]} if "grupo" in campos else {}
            Categoria.objects.get_or_create(
                taxonomia=taxonomia, slug=slug, defaults={"nombre": nombre, "orden": orden, **extra}
            )
    taxonomia.refresh_from_db()
    return taxonomia


def asegurar():
    """The taxonomy versions, loaded when missing (a demo or a test after the database was flushed). Returns
    the version in force."""
    vigente = Taxonomia.objects.filter(vigente=True).first()
    return vigente if vigente is not None and vigente.categorias.exists() else cargar_versiones(Taxonomia, Categoria)


def cargar_versiones(Taxonomia, Categoria):
    """Both versions as the migrations leave them (for the demo and for tests after a database flush): the
    earlier scheme with its three families, then the 2024 hierarchy, vigente, with the crosswalk."""
    datos = json.loads(CEAD_ANTERIOR.read_text(encoding="utf-8"))
    anterior, _ = Taxonomia.objects.get_or_create(
        version=VERSION_ANTERIOR, defaults={"nombre": NOMBRE_ANTERIOR, "fuente": datos.get("fuente", "")}
    )
    orden = 0
    for grupo in datos["grupos"]:
        orden += 1
        familia, _ = Categoria.objects.get_or_create(
            taxonomia=anterior,
            slug=grupo["grupo"],
            defaults={"nombre": FAMILIAS_ANTERIORES[grupo["grupo"]], "nivel": "familia", "orden": orden},
        )
        for slug, nombre in grupo["categorias"]:
            orden += 1
            Categoria.objects.get_or_create(
                taxonomia=anterior,
                slug=slug,
                defaults={"nombre": nombre, "nivel": "grupo", "padre": familia, "orden": orden},
            )
    return cargar_cead_2024(Taxonomia, Categoria)


def cargar_cead_2024(Taxonomia, Categoria, ruta=CEAD_2024):
    """Creates the 2024 hierarchy (vigente) and its crosswalk from the earlier version when that one exists.
    Idempotent; the models may be historical. Returns the taxonomy."""
    datos = json.loads(Path(ruta).read_text(encoding="utf-8"))
    taxonomia, _ = Taxonomia.objects.get_or_create(
        version=datos["version"], defaults={"nombre": datos["nombre"], "fuente": datos["fuente"]}
    )
    Taxonomia.objects.exclude(pk=taxonomia.pk).filter(vigente=True).update(vigente=False)
    Taxonomia.objects.filter(pk=taxonomia.pk).update(vigente=True, nombre=datos["nombre"], fuente=datos["fuente"])
    orden = 0

    def nodo(slug, nombre, nivel, padre):
        nonlocal orden
        orden += 1
        categoria, _ = Categoria.objects.update_or_create(
            taxonomia=taxonomia, slug=slug, defaults={"nombre": nombre, "nivel": nivel, "padre": padre, "orden": orden}
        )
        return categoria

    por_slug = {}
    for familia in datos["familias"]:
        f = por_slug[familia["slug"]] = nodo(familia["slug"], familia["nombre"], "familia", None)
        for grupo in familia["grupos"]:
            g = por_slug[grupo["slug"]] = nodo(grupo["slug"], grupo["nombre"], "grupo", f)
            for slug, nombre in grupo["subgrupos"]:
                por_slug[slug] = nodo(slug, nombre, "subgrupo", g)
    anterior = Taxonomia.objects.filter(version=datos["equivalencias_desde"]).first()
    if anterior is not None:
        for origen in Categoria.objects.filter(taxonomia=anterior, slug__in=list(datos["equivalencias"])):
            origen.equivale_a.add(*[por_slug[s] for s in datos["equivalencias"][origen.slug]])
    taxonomia.refresh_from_db()
    return taxonomia


class Arbol:
    """One taxonomy version's categories in memory (about 70 rows): parents, children, subtrees, labels."""

    def __init__(self, categorias):
        self.categorias = sorted(categorias, key=lambda c: c.orden)
        self.por_pk = {c.pk: c for c in self.categorias}
        self.hijos = {}
        for c in self.categorias:
            self.hijos.setdefault(c.padre_id, []).append(c)

    @classmethod
    def vigente(cls):
        return cls(Categoria.objects.vigentes())

    def raices(self):
        return self.hijos.get(None, [])

    def descendientes(self, categoria):
        """The category and everything below it."""
        salida, pendientes = [], [categoria]
        while pendientes:
            actual = pendientes.pop()
            salida.append(actual)
            pendientes.extend(self.hijos.get(actual.pk, []))
        return salida

    def hojas(self, categoria):
        return [c for c in self.descendientes(categoria) if not self.hijos.get(c.pk)]

    def ruta(self, categoria):
        """[familia, grupo, subgrupo] down to the category."""
        ruta = []
        while categoria is not None:
            ruta.append(categoria)
            categoria = self.por_pk.get(categoria.padre_id)
        return ruta[::-1]

    def etiqueta(self, categoria):
        return " › ".join(c.nombre for c in self.ruta(categoria))

    def opciones(self, *, valor=lambda c: c.pk):
        """Choices for a select: every node in order, indented by level (families, groups, subgroups)."""
        sangria = {"familia": "", "grupo": "\u2003", "subgrupo": "\u2003\u2003"}
        return [(valor(c), f"{sangria.get(c.nivel, '')}{c.nombre}") for c in self.categorias]
