"""The DPA in the database is the official one (comunas/data/cut_oficial.csv), code by code, and it is shown as
written: "Región Metropolitana de Santiago", "Provincia de Petorca"."""

import json

import pytest

from comunas.dpa import DPA, PROVINCIA_CAPITAL, leer_cut_oficial
from comunas.models import Comuna, Provincia, Region
from tests.conftest import cliente_de

pytestmark = pytest.mark.django_db

OFICIAL = leer_cut_oficial()


def test_el_archivo_oficial_tiene_toda_la_dpa():
    assert [len(OFICIAL[t]) for t in ("region", "provincia", "comuna")] == [16, 56, 346]


def test_la_base_coincide_con_el_archivo_oficial_codigo_por_codigo(dpa):
    assert dict(Region.objects.values_list("codigo", "nombre_oficial")) == OFICIAL["region"]
    assert dict(Provincia.objects.values_list("codigo", "nombre")) == OFICIAL["provincia"]
    assert dict(Comuna.objects.values_list("codigo", "nombre")) == OFICIAL["comuna"]


def test_dpa_json_dice_lo_mismo_que_el_archivo_oficial():
    datos = json.loads(DPA.read_text(encoding="utf-8"))
    assert {c: oficial for c, _, oficial in datos["regiones"]} == OFICIAL["region"]
    assert dict(datos["provincias"]) == OFICIAL["provincia"]
    assert dict(datos["comunas"]) == OFICIAL["comuna"]


@pytest.mark.parametrize(
    ("codigo", "nombre"),
    [
        ("16101", "Chillán"),
        ("16102", "Bulnes"),
        ("16103", "Chillán Viejo"),
        ("16104", "El Carmen"),
        ("16105", "Pemuco"),
        ("16106", "Pinto"),
        ("16107", "Quillón"),
        ("16108", "San Ignacio"),
        ("16109", "Yungay"),
        ("16201", "Quirihue"),
        ("16202", "Cobquecura"),
        ("16203", "Coelemu"),
        ("16204", "Ninhue"),
        ("16205", "Portezuelo"),
        ("16206", "Ránquil"),
        ("16207", "Treguaco"),
        ("16301", "San Carlos"),
        ("16302", "Coihueco"),
        ("16303", "Ñiquén"),
        ("16304", "San Fabián"),
        ("16305", "San Nicolás"),
    ],
)
def test_las_comunas_de_nuble_con_su_codigo_oficial(dpa, codigo, nombre):
    assert Comuna.objects.get(codigo=codigo).nombre == nombre


def test_la_region_de_valparaiso_como_en_domain_md(dpa):
    esperado = {
        "051": ["05101", "05102", "05103", "05104", "05105", "05107", "05109"],
        "052": ["05201"],
        "053": ["05301", "05302", "05303", "05304"],
        "054": ["05401", "05402", "05403", "05404", "05405"],
        "055": ["05501", "05502", "05503", "05504", "05506"],
        "056": ["05601", "05602", "05603", "05604", "05605", "05606"],
        "057": ["05701", "05702", "05703", "05704", "05705", "05706"],
        "058": ["05801", "05802", "05803", "05804"],
    }
    for provincia, comunas in esperado.items():
        assert list(Comuna.objects.filter(provincia_id=provincia).values_list("codigo", flat=True)) == comunas


@pytest.mark.parametrize(
    ("codigo", "nombre"),
    [
        ("13", "Región Metropolitana de Santiago"),
        ("07", "Región del Maule"),
        ("08", "Región del Biobío"),
        ("09", "Región de La Araucanía"),
        ("06", "Región del Libertador General Bernardo O'Higgins"),
        ("05", "Región de Valparaíso"),
        ("16", "Región de Ñuble"),
    ],
)
def test_las_regiones_se_muestran_con_su_nombre_oficial(dpa, codigo, nombre):
    region = Region.objects.get(codigo=codigo)
    assert region.nombre_oficial == nombre and str(region) == nombre
    assert str(region.provincias.order_by("codigo").first()).startswith("Provincia de ")


def test_cada_region_tiene_su_provincia_capital(dpa):
    """The province of the regional capital holds the capital's commune (its code ends in 101)."""
    capitales = {
        "01": "Iquique", "02": "Antofagasta", "03": "Copiapó", "04": "La Serena", "05": "Valparaíso",
        "06": "Rancagua", "07": "Talca", "08": "Concepción", "09": "Temuco", "10": "Puerto Montt",
        "11": "Coyhaique", "12": "Punta Arenas", "13": "Santiago", "14": "Valdivia", "15": "Arica", "16": "Chillán",
    }  # fmt: skip
    assert set(PROVINCIA_CAPITAL) == set(Region.objects.values_list("codigo", flat=True))
    for region, provincia in PROVINCIA_CAPITAL.items():
        assert Provincia.objects.get(codigo=provincia).region_id == region
        assert Comuna.objects.get(codigo=f"{provincia}01").nombre == capitales[region]


def test_las_paginas_muestran_la_region_como_se_escribe(director, org_zapallar):
    html = " ".join(cliente_de(director).get(f"/organizaciones/{org_zapallar.pk}/").content.decode().split())
    assert "Comuna de Zapallar (código 05405) · Región de Valparaíso" in html
    assert "Dirección municipal de seguridad pública" in html
    assert "Región de Región" not in cliente_de(None).get("/").content.decode()
