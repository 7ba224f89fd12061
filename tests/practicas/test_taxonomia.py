import pytest

from comunas.models import Categoria, Taxonomia
from comunas.taxonomia import cargar_taxonomia

pytestmark = pytest.mark.django_db


def test_la_taxonomia_cead_2024_tiene_12_dmcs_9_incivilidades_y_5_vif(taxonomia):
    assert taxonomia.version == "CEAD 2024" and taxonomia.vigente
    conteo = {g: taxonomia.categorias.filter(grupo=g).count() for g in ("dmcs", "incivilidades", "vif")}
    assert conteo == {"dmcs": 12, "incivilidades": 9, "vif": 5}
    assert taxonomia.categorias.get(slug="rina-publica").nombre == "Riña pública"
    assert list(taxonomia.categorias.values_list("orden", flat=True)) == list(range(1, 27))


def test_cargar_la_taxonomia_es_idempotente(taxonomia):
    cargar_taxonomia(Taxonomia, Categoria)
    assert Taxonomia.objects.count() == 1
    assert Categoria.objects.count() == 26


def test_solo_una_taxonomia_vigente(taxonomia, tmp_path):
    otra = tmp_path / "otra.json"
    otra.write_text('{"version": "CEAD 2030", "nombre": "Futura", "grupos": []}', encoding="utf-8")
    cargar_taxonomia(Taxonomia, Categoria, ruta=otra)
    assert list(Taxonomia.objects.filter(vigente=True).values_list("version", flat=True)) == ["CEAD 2030"]
    assert Categoria.objects.vigentes().count() == 0
