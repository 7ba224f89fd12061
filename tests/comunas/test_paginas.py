import pytest
from django.test import Client

from tests.conftest import cliente_de

pytestmark = pytest.mark.django_db


def test_portada_publica_explica_la_plataforma(org_zapallar):
    respuesta = Client().get("/")
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert '<html lang="es-CL">' in html
    assert "Saltar al contenido principal" in html
    assert "plataforma de implementación táctica" in html
    assert "Dirección de Seguridad Pública de Zapallar" in html
    assert "https://" not in html.split("<body")[0]  # nothing loaded from a CDN


def test_portada_envia_csp_con_nonce(db):
    respuesta = Client().get("/")
    csp = respuesta.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'nonce-" in csp
    assert respuesta.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", ["/inicio/", "/organizacion/", "/diagnosticos/", "/mesas/"])
def test_paginas_internas_piden_ingresar(db, url):
    respuesta = Client().get(url)
    assert respuesta.status_code == 302
    assert respuesta.url.startswith("/cuenta/ingresar/?next=")


def test_inicio_muestra_la_organizacion_y_el_rol(director):
    html = cliente_de(director).get("/inicio/").content.decode()
    assert "Hola, Rodrigo" in html
    assert "Dirección de Seguridad Pública de Zapallar" in html
    assert "Director(a)" in html
    for seccion in ("Prácticas", "Diagnósticos", "Mesas", "Mi organización"):
        assert seccion in html


def test_mi_organizacion_muestra_equipo_y_contacto(director, integrante):
    html = cliente_de(integrante).get("/organizacion/", follow=True).content.decode()
    assert "Comuna de Zapallar (código 05405)" in html
    assert "Rodrigo Director" in html and "Ignacio Integrante" in html
    assert "seguridad-05405@muni.example" in html


def test_mi_organizacion_sin_membresia(admin):
    html = cliente_de(admin).get("/organizacion/").content.decode()
    assert "aún no integra ninguna dirección" in html


def test_secciones_responden_a_quien_ingreso(integrante):
    client = cliente_de(integrante)
    for url in ("/practicas/", "/diagnosticos/", "/mesas/"):
        assert client.get(url).status_code == 200


def test_administracion_solo_para_staff(admin, director):
    assert cliente_de(admin).get("/admin/").status_code == 200
    assert cliente_de(director).get("/admin/").status_code == 302


def test_paginas_de_error_en_espanol(director, ajeno, org_zapallar):
    no_existe = Client().get("/no-existe/")
    assert no_existe.status_code == 404
    assert "No encontramos esa página" in no_existe.content.decode()
    prohibido = cliente_de(ajeno).get(f"/organizaciones/{org_zapallar.pk}/editar/")
    assert prohibido.status_code == 403
    assert "No tiene permiso para esto" in prohibido.content.decode()


def test_formulario_sin_csrf_se_explica_en_espanol(director):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    respuesta = client.post("/cuenta/clave/", {})
    assert respuesta.status_code == 403
    assert "El formulario venció" in respuesta.content.decode()
