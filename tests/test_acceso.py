"""The access matrix: every URL pattern of the project, for the fixed cast, against an expected table.

A new view without a row here fails `test_cada_patron_de_url_tiene_su_regla`. Codes: 200 ok, 302 sent to
sign in (anonymous) or elsewhere, 403 wrong role, 404 outsider, 405 method not allowed.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import cliente_de

ELENCO = ("admin", "director", "integrante", "lector", "ajeno", "anonimo")
PUBLICA = dict.fromkeys(ELENCO, 200)
MIEMBROS = {**dict.fromkeys(ELENCO, 200), "anonimo": 302}


def _todos(**codigos):
    return {**dict.fromkeys(ELENCO, 200), **codigos}


# name → (function of the test objects that gives the URL, expected code for each of the cast)
REGLAS = {
    "portada": (lambda o: "/", PUBLICA),
    "salud": (lambda o: "/salud/", dict.fromkeys(ELENCO, 503)),  # no beat in this test: late, for everyone
    "login": (lambda o: "/cuenta/ingresar/", _todos(admin=302, director=302, integrante=302, lector=302, ajeno=302)),
    "logout": (lambda o: "/cuenta/salir/", dict.fromkeys(ELENCO, 405)),  # POST only
    "password_change": (lambda o: "/cuenta/clave/", MIEMBROS),
    "password_change_done": (lambda o: "/cuenta/clave/lista/", MIEMBROS),
    "password_reset": (lambda o: "/cuenta/recuperar/", PUBLICA),
    "password_reset_done": (lambda o: "/cuenta/recuperar/enviado/", PUBLICA),
    "password_reset_confirm": (lambda o: "/cuenta/recuperar/MQ/token-falso/", PUBLICA),
    "password_reset_complete": (lambda o: "/cuenta/recuperar/listo/", PUBLICA),
    "inicio": (lambda o: "/inicio/", MIEMBROS),
    "mi_organizacion": (lambda o: "/organizacion/", MIEMBROS),
    "diagnosticos": (lambda o: "/diagnosticos/", MIEMBROS),
    "practicas:indice": (lambda o: "/practicas/", MIEMBROS),
    "mesas": (lambda o: "/mesas/", MIEMBROS),
}
# Django's admin guards itself (staff only); one representative page is checked.
ADMIN = {**dict.fromkeys(ELENCO, 302), "admin": 200}


def _patrones(resolvers, prefijo=""):
    for p in resolvers:
        if isinstance(p, URLResolver):
            if getattr(p, "app_name", None) == "admin":
                continue
            ns = f"{prefijo}{p.namespace}:" if p.namespace else prefijo
            yield from _patrones(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield f"{prefijo}{p.name}" if p.name else str(p.pattern)


def test_cada_patron_de_url_tiene_su_regla():
    sin_regla = sorted(set(_patrones(get_resolver().url_patterns)) - set(REGLAS))
    assert sin_regla == [], f"Vistas sin regla de acceso en tests/test_acceso.py: {sin_regla}"


@pytest.fixture
def elenco(admin, director, integrante, lector, ajeno, anonimo, org_zapallar, org_ajena):
    return (
        {
            "admin": admin,
            "director": director,
            "integrante": integrante,
            "lector": lector,
            "ajeno": ajeno,
            "anonimo": anonimo,
        },
        {"org": org_zapallar, "org_ajena": org_ajena},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", sorted(REGLAS))
def test_matriz_de_acceso(elenco, nombre):
    personas, objetos = elenco
    construir, esperado = REGLAS[nombre]
    url = construir(objetos)
    obtenido = {quien: cliente_de(personas[quien]).get(url).status_code for quien in ELENCO}
    assert obtenido == esperado, f"{nombre} ({url})"


@pytest.mark.django_db
def test_administracion_de_django(elenco):
    personas, _ = elenco
    obtenido = {quien: cliente_de(personas[quien]).get("/admin/").status_code for quien in ELENCO}
    assert obtenido == ADMIN
