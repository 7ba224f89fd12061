import pytest
from django.contrib.admin.sites import site
from django.test import Client

from comunas.models import Comuna, Provincia, Region

pytestmark = pytest.mark.django_db


def test_la_migracion_carga_toda_la_dpa():
    assert Region.objects.count() == 16
    assert Provincia.objects.count() == 56
    assert Comuna.objects.count() == 346


@pytest.mark.parametrize(
    ("modelo", "codigo", "nombre"),
    [
        (Region, "05", "Valparaíso"),
        (Region, "13", "Metropolitana de Santiago"),
        (Region, "16", "Ñuble"),
        (Region, "06", "Libertador General Bernardo O'Higgins"),
        (Provincia, "054", "Petorca"),
        (Provincia, "058", "Marga Marga"),
        (Comuna, "05405", "Zapallar"),
        (Comuna, "05101", "Valparaíso"),
        (Comuna, "05502", "La Calera"),
        (Comuna, "05801", "Quilpué"),
        (Comuna, "05804", "Villa Alemana"),
        (Comuna, "01101", "Iquique"),
    ],
)
def test_codigos_cut_conocidos(modelo, codigo, nombre):
    assert modelo.objects.get(codigo=codigo).nombre == nombre


def test_los_codigos_guardan_ceros_y_jerarquia():
    zapallar = Comuna.objects.select_related("provincia__region").get(codigo="05405")
    assert zapallar.provincia.codigo == "054"
    assert zapallar.region.codigo == "05"
    for comuna in Comuna.objects.all():
        assert len(comuna.codigo) == 5
        assert comuna.codigo.startswith(comuna.provincia_id)
    assert all(p.codigo.startswith(p.region_id) for p in Provincia.objects.all())


def test_cada_region_tiene_provincias_y_cada_provincia_comunas():
    assert not Region.objects.filter(provincias__isnull=True).exists()
    assert not Provincia.objects.filter(comunas__isnull=True).exists()


def test_admin_busca_comunas_por_nombre_y_codigo(admin):
    client = Client()
    client.force_login(admin)
    por_nombre = client.get("/admin/comunas/comuna/", {"q": "Zapallar"})
    assert por_nombre.status_code == 200
    assert "05405" in por_nombre.content.decode()
    por_codigo = client.get("/admin/comunas/comuna/", {"q": "05804"})
    assert "Villa Alemana" in por_codigo.content.decode()
    assert Comuna in site._registry and Provincia in site._registry and Region in site._registry
