"""A database made before the DPA correction (comunas 0009, Ñuble as django-chile-cities had it) migrates to the
official DPA: rows chosen by name follow their commune to its code, indicators keep theirs (0010); organizations
get their kind (0011)."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comunas.dpa import cargar_dpa
from comunas.models import Comuna, Organizacion, Poblacion, Provincia, Region
from diagnosticos.models import Indicador

ANTES = [("comunas", "0009_diagnosticos_a_su_app")]
NUBLE_ANTES = importlib.import_module("comunas.migrations.0010_dpa_oficial").NUBLE_ANTES


def _estado_aplicado():
    """Historical models of every migration applied right now (all apps), to write rows as that database had them."""
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def _a_la_ultima():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _filas_de_antes(apps):
    Organizacion_ = apps.get_model("comunas", "Organizacion")
    comun = {"email_contacto": "seguridad@muni.example", "estado": "activa"}
    # Picked by name in the UI: "Chillán Viejo" was stored as 16102, "Quillón" as 16103 (a cycle of moves).
    chillan_viejo = Organizacion_.objects.create(nombre="Seguridad Chillán Viejo", comuna_id="16102", **comun)
    quillon = Organizacion_.objects.create(nombre="Seguridad Quillón", comuna_id="16103", **comun)
    valparaiso = Organizacion_.objects.create(nombre="Delegación Valparaíso", provincia_id="051", **comun)
    petorca = Organizacion_.objects.create(nombre="Delegación Petorca", provincia_id="054", **comun)
    apps.get_model("comunas", "Poblacion").objects.create(comuna_id="16302", anio=2024, habitantes=11_000)  # Ñiquén
    # Imported by official CUT code: 16102 is Bulnes' figure, whatever name the page showed next to it.
    taxonomia = apps.get_model("comunas", "Taxonomia").objects.create(version="prueba-0010", nombre="Prueba")
    categoria = apps.get_model("comunas", "Categoria").objects.create(
        taxonomia=taxonomia, grupo="dmcs", nombre="Hurtos", slug="hurtos"
    )
    indicador = apps.get_model("diagnosticos", "Indicador").objects.create(
        territorio="16102", comuna_id="16102", categoria=categoria, periodicidad="anual", anio=2024, frecuencia=42
    )
    return {
        "chillan_viejo": chillan_viejo.pk,
        "quillon": quillon.pk,
        "valparaiso": valparaiso.pk,
        "petorca": petorca.pk,
        "indicador": indicador.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_una_base_anterior_pasa_a_la_dpa_oficial_sin_perder_a_nadie():
    cargar_dpa(Region, Provincia, Comuna)  # the rows 0002 loaded (a transactional test before may have flushed)
    MigrationExecutor(connection).migrate(ANTES)
    try:
        apps = _estado_aplicado()
        nuble = apps.get_model("comunas", "Comuna").objects.filter(codigo__startswith="16")
        nombres = dict(nuble.values_list("codigo", "nombre"))
        assert {c: nombres[c] for c in NUBLE_ANTES} == NUBLE_ANTES  # going back restored what 0002 had loaded
        pk = _filas_de_antes(apps)
    finally:
        _a_la_ultima()

    assert (Comuna.objects.get(codigo="16102").nombre, Comuna.objects.get(codigo="16103").nombre) == (
        "Bulnes",
        "Chillán Viejo",
    )
    assert Comuna.objects.get(codigo="16303").nombre == "Ñiquén"
    assert Comuna.objects.count() == 346  # the temporary communes of the move are gone
    # Chosen by name: they follow their commune to its official code.
    assert Organizacion.objects.get(pk=pk["chillan_viejo"]).comuna_id == "16103"
    assert Organizacion.objects.get(pk=pk["quillon"]).comuna_id == "16107"
    assert Poblacion.objects.get(anio=2024, habitantes=11_000).comuna_id == "16303"
    # Imported by code: it stays, and is now shown as Bulnes'.
    indicador = Indicador.objects.get(pk=pk["indicador"])
    assert (indicador.territorio, indicador.comuna_id, indicador.comuna.nombre) == ("16102", "16102", "Bulnes")
    # Long region names, and kinds for the organizations already there (0011).
    assert Region.objects.get(codigo="16").nombre_oficial == "Región de Ñuble"
    tipos = dict(Organizacion.objects.values_list("pk", "tipo"))
    assert tipos[pk["chillan_viejo"]] == tipos[pk["quillon"]] == Organizacion.Tipo.DIRECCION_MUNICIPAL
    assert tipos[pk["valparaiso"]] == Organizacion.Tipo.DELEGACION_REGIONAL  # capital's province
    assert tipos[pk["petorca"]] == Organizacion.Tipo.DELEGACION_PROVINCIAL
