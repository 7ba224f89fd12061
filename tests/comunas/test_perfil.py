"""Organization profile and directory, contact editing, suspension."""

import pytest
from django.core import mail

from comunas.models import Auditoria, Comuna, Membresia, Organizacion
from tests.conftest import cliente_de, crear_organizacion, miembro

pytestmark = pytest.mark.django_db


def test_perfil_muestra_territorio_contacto_y_equipo(director, integrante, ajeno, org_zapallar):
    html = cliente_de(ajeno).get(f"/organizaciones/{org_zapallar.pk}/").content.decode()
    assert "Comuna de Zapallar (código 05405)" in html and "Región de Valparaíso" in html
    assert org_zapallar.email_contacto in html
    assert "Rodrigo Director" in html and "Ignacio Integrante" in html
    assert "Editar datos de contacto" not in html


def test_mi_organizacion_lleva_al_perfil_propio(integrante, org_zapallar):
    assert cliente_de(integrante).get("/organizacion/")["Location"] == f"/organizaciones/{org_zapallar.pk}/"


def test_el_directorio_lista_solo_las_activas(director, ajeno, dpa, django_assert_max_num_queries):
    crear_organizacion(comuna=Comuna.objects.get(codigo="05403"), estado="pendiente")
    client = cliente_de(director)
    with django_assert_max_num_queries(8):
        html = client.get("/organizaciones/").content.decode()
    assert "Zapallar" in html and "Santiago" in html and "Papudo" not in html


def test_el_directorio_no_crece_en_consultas(director, dpa, django_assert_num_queries):
    client = cliente_de(director)
    client.get("/organizaciones/")  # session and other one-off queries
    con_una = _consultas(client, "/organizaciones/")
    for codigo in ("05401", "05402", "05403", "05404", "05501"):
        org = crear_organizacion(comuna=Comuna.objects.get(codigo=codigo))
        miembro(org, f"d{codigo}@muni.test", Membresia.Rol.DIRECTOR)
    with django_assert_num_queries(con_una):
        html = client.get("/organizaciones/").content.decode()
    assert "Quillota" in html


def _consultas(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as consultas:
        client.get(url)
    return len(consultas)


def test_el_director_edita_el_contacto(director, org_zapallar):
    client = cliente_de(director)
    datos = {"nombre": org_zapallar.nombre, "email_contacto": "nuevo@zapallar.test", "telefono": "+56 33 212 3456"}
    assert (
        client.post(
            f"/organizaciones/{org_zapallar.pk}/editar/", {**datos, "direccion": "Germán Riesco 399"}
        ).status_code
        == 302
    )
    org_zapallar.refresh_from_db()
    assert org_zapallar.email_contacto == "nuevo@zapallar.test" and org_zapallar.direccion == "Germán Riesco 399"
    registro = Auditoria.objects.get(accion="editar")
    assert registro.despues["email_contacto"] == "nuevo@zapallar.test" and "nombre" not in registro.despues

    malo = client.post(f"/organizaciones/{org_zapallar.pk}/editar/", {**datos, "email_contacto": "x", "telefono": "?"})
    assert malo.status_code == 200 and "Escriba un teléfono válido" in malo.content.decode()


def test_suspender_bloquea_a_sus_integrantes_sin_borrar_nada(
    admin, director, integrante, ajeno, org_zapallar, django_capture_on_commit_callbacks
):
    url = f"/organizaciones/{org_zapallar.pk}/suspension/"
    sin_motivo = cliente_de(admin).post(url, {"motivo": ""})
    assert "Indique el motivo" in sin_motivo.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        cliente_de(admin).post(url, {"motivo": "Cambio de administración municipal."})
    org_zapallar.refresh_from_db()
    assert org_zapallar.estado == Organizacion.Estado.SUSPENDIDA
    assert org_zapallar.membresias.count() == 2
    assert Auditoria.objects.get(accion="suspender").motivo == "Cambio de administración municipal."
    assert mail.outbox[0].to == [director.email] and "suspendida" in mail.outbox[0].subject

    for pagina in ("/inicio/", "/diagnosticos/", f"/organizaciones/{org_zapallar.pk}/", "/organizaciones/"):
        respuesta = cliente_de(integrante).get(pagina)
        assert respuesta.status_code == 403, pagina
        assert "Su organización está suspendida" in respuesta.content.decode()
    assert cliente_de(ajeno).get(f"/organizaciones/{org_zapallar.pk}/").status_code == 404
    assert cliente_de(ajeno).get("/inicio/").status_code == 200

    cliente_de(admin).post(url, {"motivo": "Nueva administración confirmada."})
    org_zapallar.refresh_from_db()
    assert org_zapallar.estado == "activa"
    assert cliente_de(integrante).get("/inicio/").status_code == 200


def test_solo_staff_suspende(director, org_zapallar):
    respuesta = cliente_de(director).post(f"/organizaciones/{org_zapallar.pk}/suspension/", {"motivo": "x"})
    assert respuesta.status_code == 403
    org_zapallar.refresh_from_db()
    assert org_zapallar.estado == "activa"
