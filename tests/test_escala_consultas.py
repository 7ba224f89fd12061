"""National scale (issue 17): every main page makes the same number of queries on the scale data at two sizes — the
dataset of `manage.py sembrar_escala --escala 0.01` and three times it. What grows is rows, never round trips."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from comunas.escala import ADMIN_EMAIL
from comunas.models import Membresia, Usuario
from mesa.models import Mesa
from mesa.services_actas import calendario_generar
from planes.models import Plan

pytestmark = pytest.mark.django_db

# (role, URL); the same pages as make bench (benchmarks/paginas.py)
PAGINAS = [
    ("director", "/practicas/"),
    ("director", "/practicas/?q=c%C3%A1maras"),
    ("director", "/practicas/?q=camara"),
    ("director", "/practicas/?pagina=5"),
    ("director", "/practicas/?q=camara&categoria=hurtos&territorio=13&orden=titulo"),
    ("admin", "/practicas/"),
    ("director", "/diagnosticos/"),
    ("admin", "/diagnosticos/"),
    ("director", "/practicas/exportar/?q=camara"),
    ("admin", "/practicas/exportar/"),
    ("director", "/indicadores/exportar.csv"),
    ("coordinador", "/mesas/{mesa}/acuerdos/?formato=csv"),
    ("director", "/inicio/"),
    ("coordinador", "/inicio/"),
    ("coordinador", "/mesas/{mesa}/"),
    ("director", "/mesas/{mesa}/acuerdos/"),
    ("director", "/indicadores/comparar/?ambito=pais"),
    ("director", "/indicadores/{comuna}/"),
    ("director", "/planes/"),
    ("admin", "/planes/"),
    ("director", "/planes/{plan}/"),
    ("coordinador", "/mesas/{mesa}/planes/"),
    (None, "/mesas/calendario/{token}.ics"),
]


def _cliente(usuario):
    cliente = Client()
    if usuario is None:
        return cliente
    # Those with an authenticator sign in verified (tests/conftest.py marks the session of `otp_device`).
    usuario.otp_device = TOTPDevice.objects.filter(user=usuario, confirmed=True).first()
    cliente.force_login(usuario)
    return cliente


def _leer(respuesta):
    return b"".join(respuesta.streaming_content) if respuesta.streaming else respuesta.content


def _medir(escala):
    """Seeds the scale data at this size and counts each page's queries (the second visit: caches warm alike)."""
    call_command("sembrar_escala", escala=escala, semilla=17, verbosity=0)
    mesa = Mesa.objects.select_related("anfitriona").order_by("pk").first()
    director = Usuario.objects.get(membresias__organizacion=mesa.anfitriona, membresias__rol=Membresia.Rol.DIRECTOR)
    clientes = {
        "director": _cliente(director),
        "coordinador": _cliente(mesa.coordinadores.get()),
        "admin": _cliente(Usuario.objects.get(email=ADMIN_EMAIL)),
        None: _cliente(None),
    }
    publicados = Plan.objects.exclude(estado=Plan.Estado.BORRADOR).order_by("pk")
    plan = publicados.filter(duenas=mesa.anfitriona).first() or publicados.filter(visibilidad="plataforma").first()
    objetos = {
        "mesa": mesa.pk,
        "plan": plan.pk,
        "comuna": mesa.anfitriona.comuna_id,
        "token": calendario_generar(usuario=director),
    }
    conteos = {}
    for rol, plantilla in PAGINAS:
        url = plantilla.format(**objetos)
        cliente = clientes[rol]
        assert cliente.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as consultas:
            respuesta = cliente.get(url)
            _leer(respuesta)
        assert respuesta.status_code == 200, url
        conteos[rol, plantilla] = len(consultas)
    return conteos


def test_cada_pagina_hace_las_mismas_consultas_con_el_triple_de_datos():
    medidas = {}
    for escala in (0.01, 0.03):
        punto = transaction.savepoint_create()
        try:
            medidas[escala] = _medir(escala)
        finally:
            transaction.savepoint_rollback(punto)  # the next size starts from an empty platform
    pequena, grande = medidas[0.01], medidas[0.03]
    assert {pagina: (pequena[pagina], n) for pagina, n in grande.items() if n != pequena[pagina]} == {}
    assert all(n <= 25 for n in grande.values()), grande
