"""The CEAD taxonomy as versioned hierarchical data: the 2024 families → groups → subgroups in force, the earlier
flat scheme kept with its three families, and the crosswalk between them."""

import pytest

from comunas import taxonomia as tx
from comunas.models import Categoria, Taxonomia

pytestmark = pytest.mark.django_db


@pytest.fixture
def vigente():
    return tx.asegurar()


def test_la_cead_2024_tiene_familias_grupos_y_subgrupos(vigente):
    assert vigente.version == "CEAD 2024" and vigente.vigente
    familias = list(vigente.categorias.filter(nivel="familia").values_list("nombre", flat=True))
    assert familias[:2] == ["Delitos contra la vida o integridad de las personas", "Robos violentos"]
    assert "Delitos contra la propiedad no violentos" in familias and len(familias) == 8
    robos = vigente.categorias.get(slug="robos-violentos")
    assert {c.slug for c in robos.hijas.all()} == {
        "robo-con-violencia-o-intimidacion",
        "robo-violento-vehiculo",
        "robo-por-sorpresa",
    }
    femicidios = vigente.categorias.get(slug="femicidios")
    assert femicidios.nivel == "subgrupo" and femicidios.padre.slug == "homicidios-femicidios"
    assert femicidios.padre.padre.slug == "vida-integridad"


def test_la_version_anterior_queda_con_sus_familias_y_su_equivalencia(vigente):
    anterior = Taxonomia.objects.get(version=tx.VERSION_ANTERIOR)
    assert not anterior.vigente
    conteo = {f.slug: f.hijas.count() for f in anterior.categorias.filter(nivel="familia")}
    assert conteo == {"dmcs": 12, "incivilidades": 9, "vif": 5}
    lesiones = anterior.categorias.get(slug="lesiones-menos-graves-graves-o-gravisimas")
    assert {c.slug for c in lesiones.equivale_a.all()} == {"lesiones-graves-gravisimas", "lesiones-menos-graves"}
    assert all(c.taxonomia_id == vigente.pk for c in lesiones.equivale_a.all())


def test_cargar_es_idempotente(vigente):
    antes = Categoria.objects.count()
    tx.cargar_versiones(Taxonomia, Categoria)
    assert Categoria.objects.count() == antes and Taxonomia.objects.count() == 2
    assert list(Taxonomia.objects.filter(vigente=True).values_list("version", flat=True)) == ["CEAD 2024"]


def test_el_arbol_suma_y_etiqueta(vigente):
    arbol = tx.Arbol.vigente()
    familia = next(c for c in arbol.categorias if c.slug == "propiedad-no-violentos")
    assert {c.slug for c in arbol.hojas(familia)} >= {"hurtos", "robo-en-lugar-habitado", "abigeato"}
    hoja = next(c for c in arbol.categorias if c.slug == "robo-en-lugar-habitado")
    assert arbol.etiqueta(hoja) == (
        "Delitos contra la propiedad no violentos › Robos en lugares habitados y no habitados › Robo en lugar habitado"
    )
