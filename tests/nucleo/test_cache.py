"""Caching of private pages (issue 11, item 9): every response to a signed-in person, exports included, says
`Cache-Control: private, no-store`; anonymous public pages are left as their views set them."""

import pytest
from django.test import Client

from tests.conftest import cliente_de
from tests.mesa.utiles import mesa_del_elenco
from tests.practicas.utiles import practicas_del_elenco

pytestmark = pytest.mark.django_db


def _directivas(respuesta):
    return {d.strip() for d in respuesta.get("Cache-Control", "").split(",") if d.strip()}


def test_las_respuestas_a_quien_ingreso_no_se_guardan(org_zapallar, director, coordinador, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    o = {**practicas_del_elenco(org_zapallar, director), **mesa_del_elenco(org_zapallar, coordinador, director)}
    urls = [
        "/inicio/",
        "/practicas/",
        f"/practicas/{o['practica'].pk}/",
        f"/practicas/{o['practica'].pk}/adjuntos/{o['adjunto'].pk}/",
        "/practicas/exportar/",
        f"/mesas/{o['mesa'].pk}/",
        f"/mesas/{o['mesa'].pk}/acuerdos/?formato=csv",
        f"/mesas/sesiones/{o['sesion_realizada'].pk}/acta.pdf",
        f"/mesas/sesiones/{o['sesion'].pk}/calendario.ics",
        "/mesas/sesiones/999999/",  # a refusal too
    ]
    cliente = cliente_de(director)
    for url in urls:
        respuesta = cliente.get(url)
        assert respuesta.status_code in (200, 404), url
        assert {"private", "no-store"} <= _directivas(respuesta), f"{url}: {respuesta.get('Cache-Control')}"


def test_las_paginas_publicas_sin_sesion_no_se_marcan():
    respuesta = Client().get("/")
    assert respuesta.status_code == 200
    assert "no-store" not in _directivas(respuesta)
