"""The gate, through get_practica_for: who sees and who edits each state and visibility."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from comunas.models import Comuna
from practicas.access import get_practica_for, practicas_visibles
from tests.conftest import crear_organizacion
from tests.mesa.utiles import crear_mesa
from tests.practicas.utiles import crear_practica, participar

pytestmark = pytest.mark.django_db

ELENCO = ("admin", "director", "integrante", "lector", "ajeno", "anonimo")


def _resultado(usuario, pk, need):
    try:
        get_practica_for(usuario or AnonymousUser(), pk, need=need)
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return 200


@pytest.fixture
def cast(admin, director, integrante, lector, ajeno, anonimo):
    return {"admin": admin, "director": director, "integrante": integrante, "lector": lector, "ajeno": ajeno,
            "anonimo": anonimo}  # fmt: skip


@pytest.mark.parametrize(
    ("estado", "visibilidad", "ver", "editar"),
    [
        ("borrador", "plataforma", [200, 200, 200, 200, 404, 404], [200, 200, 200, 403, 404, 404]),
        ("publicada", "plataforma", [200, 200, 200, 200, 200, 404], [200, 200, 200, 403, 403, 404]),
        ("publicada", "publica", [200, 200, 200, 200, 200, 200], [200, 200, 200, 403, 403, 403]),
        ("archivada", "plataforma", [200, 200, 200, 200, 404, 404], [200, 200, 200, 403, 404, 404]),
        # ajeno's organization is not in Zapallar's mesa (tests/practicas/test_visibilidad_mesa.py: who is).
        ("publicada", "mesa", [200, 200, 200, 200, 404, 404], [200, 200, 200, 403, 404, 404]),
    ],
)
def test_matriz_del_gate(cast, org_zapallar, director, coordinador, estado, visibilidad, ver, editar):
    if visibilidad == "mesa":
        otra = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
        participar(crear_mesa(org_zapallar, coordinador), otra)
    practica = crear_practica(org_zapallar, director, estado=estado, visibilidad=visibilidad)
    assert [_resultado(cast[q], practica.pk, "ver") for q in ELENCO] == ver
    assert [_resultado(cast[q], practica.pk, "editar") for q in ELENCO] == editar


def test_id_inexistente_o_invalido_es_404(director):
    assert _resultado(director, 999999, "ver") == 404
    assert _resultado(director, "abc", "ver") == 404


def test_miembro_de_organizacion_suspendida_no_ve_lo_de_la_plataforma(org_zapallar, director, ajeno, org_ajena):
    practica = crear_practica(org_zapallar, director, estado="publicada")
    org_ajena.estado = "suspendida"
    org_ajena.save()
    assert _resultado(ajeno, practica.pk, "ver") == 404


def test_practicas_visibles_para_listas(cast, org_zapallar, director, ajeno, org_ajena):
    borrador = crear_practica(org_zapallar, director, titulo="B")
    plataforma = crear_practica(org_zapallar, director, titulo="P", estado="publicada")
    publica = crear_practica(org_zapallar, director, titulo="U", estado="publicada", visibilidad="publica")
    borrador_ajeno = crear_practica(org_ajena, ajeno, titulo="BA")

    def ids(quien):
        return set(practicas_visibles(cast[quien] or AnonymousUser()).values_list("pk", flat=True))

    assert ids("director") == {borrador.pk, plataforma.pk, publica.pk}
    assert ids("ajeno") == {plataforma.pk, publica.pk, borrador_ajeno.pk}
    assert ids("anonimo") == {publica.pk}
    assert ids("admin") == {borrador.pk, plataforma.pk, publica.pk, borrador_ajeno.pk}
