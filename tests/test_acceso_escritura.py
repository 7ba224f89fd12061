"""The access matrix for the POST-only actions (approve, reject, invite, convene, comment, publish…).

`tests/test_acceso.py` checks that a GET is refused (405); here each of the cast POSTs an empty form, each
inside a transaction rolled back afterwards, so one person's action never changes what the next one sees.
The codes say who may act: 302 anonymous sent to sign in (or the actor sent back after the action or
its error message), 400 the form was empty but the person may act, 403 wrong role, 404 outsider.
"""

import pytest
from django.db import transaction

from tests.conftest import cliente_de
from tests.test_acceso import ELENCO, REGLAS, elenco  # noqa: F401 — the fixture is used by name

SOLO_POST = dict.fromkeys(ELENCO, 405)


def _c(*codigos):
    """Codes in the order of the cast: admin, director, integrante, lector, ajeno, anonimo."""
    return dict(zip(ELENCO, codigos, strict=True))


# name → expected code of an empty POST for each of the cast
ESCRITURA = {
    "planes:plan_estado": _c(302, 302, 302, 403, 403, 302),
    # ajeno's replication of Zapallar's practice: its own directors and staff
    "planes:plan_desde_replicacion": _c(302, 403, 403, 403, 302, 302),
    "planes:nodo_adaptar": _c(302, 302, 302, 403, 403, 302),
    "planes:evidencia_borrar": _c(302, 302, 302, 403, 403, 302),
    "diagnosticos:diagnostico_adjunto_borrar": _c(302, 302, 302, 403, 403, 302),
    "diagnosticos:diagnostico_adjuntos_subir": _c(302, 302, 302, 403, 403, 302),
    "practicas:revisar": _c(403, 403, 403, 403, 400, 302),  # peers only: not the author's own organization
    "diagnosticos:diagnostico_publicar": _c(302, 302, 302, 403, 404, 302),
    "invitacion_reenviar": _c(302, 302, 403, 403, 403, 302),
    "invitacion_revocar": _c(302, 302, 403, 403, 403, 302),
    "membresia_rol": _c(302, 302, 403, 403, 403, 302),
    "mesa:acta_a_la_tabla": _c(302, 403, 403, 403, 404, 302),
    "mesa:acta_comentar": _c(400, 400, 400, 400, 404, 302),
    "mesa:comentario_atender": _c(302, 403, 403, 403, 404, 302),
    "mesa:acta_redactar": _c(302, 403, 403, 403, 404, 302),
    "mesa:acuerdo_estado": _c(302, 302, 302, 403, 404, 302),
    "mesa:invitado_quitar": _c(302, 403, 403, 403, 404, 302),
    # the coordinator's own designation: she (not in the cast) or staff remove it
    "mesa:subrogacion_quitar": _c(302, 403, 403, 403, 404, 302),
    "mesa:documento_borrar": _c(302, 302, 302, 403, 404, 302),  # the item's presenting organization writes
    "mesa:integrante_quitar": _c(302, 403, 403, 403, 404, 302),
    "mesa:mesa_avisos_reenviar": _c(302, 403, 403, 403, 404, 302),
    "mesa:participacion_aceptar": _c(302, 302, 403, 403, 404, 302),
    "mesa:punto_documentos_subir": _c(302, 302, 302, 403, 404, 302),
    "mesa:participacion_rechazar": _c(302, 302, 403, 403, 404, 302),  # accepted already: a message, sent back
    "mesa:solicitud_aceptar": _c(302, 403, 403, 403, 404, 302),
    "mesa:solicitud_rechazar": _c(302, 403, 403, 403, 404, 302),
    "primeros_pasos_ocultar": _c(302, 302, 302, 302, 302, 302),  # no organization given: a message, sent back
    "mesa:punto_mover": _c(302, 403, 403, 403, 404, 302),
    "mesa:punto_quitar": _c(302, 403, 403, 403, 404, 302),
    "mesa:sesion_recordar": _c(302, 403, 403, 403, 404, 302),
    "mesa:sesion_documentos_subir": _c(302, 403, 403, 403, 404, 302),
    "mesa:sesion_responder": _c(403, 302, 302, 302, 404, 302),
    "practicas:adjunto_borrar": _c(302, 302, 302, 403, 403, 302),
    "practicas:adjuntos_subir": _c(302, 302, 302, 403, 403, 302),
    "practicas:archivar": _c(302, 302, 302, 403, 403, 302),
    "practicas:comentar": _c(400, 400, 400, 400, 400, 302),
    "practicas:replicacion_practica": _c(302, 403, 403, 403, 302, 302),
    "solicitud_aprobar": _c(400, 400, 403, 403, 404, 302),
    "solicitud_rechazar": _c(400, 400, 403, 403, 404, 302),
}


def test_cada_accion_post_tiene_su_regla_de_escritura():
    solo_post = sorted(n for n, (_, codigos) in REGLAS.items() if codigos == SOLO_POST and n != "logout")
    assert sorted(ESCRITURA) == solo_post


def _post(usuario, url):
    with transaction.atomic():
        respuesta = cliente_de(usuario).post(url, {})
        transaction.set_rollback(True)
    return respuesta.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", sorted(n for n, (_, c) in REGLAS.items() if c == SOLO_POST and n != "logout"))
def test_matriz_de_escritura(elenco, nombre):  # noqa: F811
    personas, objetos = elenco
    construir, _ = REGLAS[nombre]
    url = construir(objetos)
    obtenido = {quien: _post(personas[quien], url) for quien in ELENCO}
    assert obtenido == ESCRITURA.get(nombre), f"{nombre} ({url}): {obtenido}"
