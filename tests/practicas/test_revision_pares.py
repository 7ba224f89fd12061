"""Peer review of the evidence rating: directors/integrantes of other organizations, one review each."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comunas.models import Comuna, Membresia
from nucleo.models import Aviso
from practicas.models import RevisionPares
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


@pytest.fixture
def publicada(org_zapallar, director, integrante, taxonomia):
    return crear_practica(org_zapallar, director, titulo="Ferias libres seguras", estado="publicada")


def _revisar(usuario, practica, calificacion="efectiva", comentario="", **extra):
    url = f"/practicas/{practica.pk}/revision/"
    return cliente_de(usuario).post(url, {"calificacion": calificacion, "comentario": comentario}, **extra)


def test_una_organizacion_par_revisa_y_se_muestra_junto_a_la_autoevaluacion(
    publicada, ajeno, org_ajena, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = _revisar(ajeno, publicada, "sin_efecto", "El grupo de **comparación** es pequeño.", follow=True)
    revision = RevisionPares.objects.get()
    assert (revision.organizacion, revision.revisor, revision.calificacion) == (org_ajena, ajeno, "sin_efecto")
    html = respuesta.content.decode()
    assert "Revisión registrada." in html
    assert "Autoevaluación: Prometedora" in html and "Revisión de pares:" in html
    seccion = html.split('id="revisiones"', 1)[1]
    assert "<strong>Sin efecto</strong> (1)" in seccion and "<strong>comparación</strong>" in seccion
    assert org_ajena.nombre in seccion
    assert sorted(m.to[0] for m in mail.outbox) == ["director@zapallar.test", "integrante@zapallar.test"]
    assert mail.outbox[0].subject == f"Mesa: {org_ajena.nombre} revisó la evidencia de «Ferias libres seguras»"
    assert Aviso.objects.filter(plantilla="practica_revision", esencial=False).count() == 2


def test_una_segunda_revision_de_la_misma_organizacion_la_actualiza(publicada, ajeno, org_ajena):
    _revisar(ajeno, publicada, "efectiva", "Primera lectura.")
    colega = miembro(org_ajena, "integrante@santiago.test", Membresia.Rol.INTEGRANTE, nombre="Inés Santiago")
    _revisar(colega, publicada, "prometedora", "Mejor, prometedora.")
    revision = RevisionPares.objects.get()
    assert (revision.calificacion, revision.comentario, revision.revisor) == (
        "prometedora",
        "Mejor, prometedora.",
        colega,
    )
    html = cliente_de(ajeno).get(f"/practicas/{publicada.pk}/").content.decode()
    assert "Primera lectura." not in html and "<strong>Prometedora</strong> (1)" in html
    assert 'value="prometedora" selected' in html  # the form shows the organization's current review


def test_la_propia_organizacion_no_se_revisa(publicada, director, integrante):
    assert _revisar(director, publicada).status_code == 403
    assert _revisar(integrante, publicada).status_code == 403
    assert "Registrar mi revisión" not in cliente_de(director).get(f"/practicas/{publicada.pk}/").content.decode()
    assert not RevisionPares.objects.exists()


def test_un_lector_de_otra_organizacion_no_revisa(publicada, org_ajena, admin):
    lector = miembro(org_ajena, "lector@santiago.test", Membresia.Rol.LECTOR)
    assert _revisar(lector, publicada).status_code == 403
    assert "Registrar mi revisión" not in cliente_de(lector).get(f"/practicas/{publicada.pk}/").content.decode()
    assert _revisar(admin, publicada).status_code == 403  # staff speaks for no organization
    assert not RevisionPares.objects.exists()


def test_un_borrador_ajeno_es_404_y_una_calificacion_invalida_es_400(org_zapallar, director, publicada, ajeno):
    borrador = crear_practica(org_zapallar, director, titulo="Borrador")
    assert _revisar(ajeno, borrador).status_code == 404
    respuesta = _revisar(ajeno, publicada, "excelente", "Mi razón")
    assert respuesta.status_code == 400 and "Mi razón" in respuesta.content.decode()
    assert not RevisionPares.objects.exists()


def test_el_detalle_hace_las_mismas_consultas_con_una_y_con_muchas_revisiones(
    publicada, ajeno, dpa, django_assert_num_queries
):
    _revisar(ajeno, publicada)
    url = f"/practicas/{publicada.pk}/"
    cliente = cliente_de(ajeno)
    cliente.get(url)
    with CaptureQueriesContext(connection) as capturadas:
        assert cliente.get(url).status_code == 200
    una = len(capturadas)  # read now: every request clears the query log
    for i, codigo in enumerate(["05602", "05603", "05604", "05605"]):
        otra = crear_organizacion(comuna=Comuna.objects.get(codigo=codigo))
        _revisar(miembro(otra, f"d{i}@otra.test", Membresia.Rol.DIRECTOR), publicada, "insuficiente", f"Nota {i}")
    with django_assert_num_queries(una):
        html = cliente.get(url).content.decode()
    assert "<strong>Evidencia insuficiente</strong> (4)" in html
