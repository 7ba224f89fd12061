"""The access matrix: every URL pattern of the project, for the fixed cast, against an expected table.

A new view without a row here fails `test_cada_patron_de_url_tiene_su_regla`. Codes: 200 ok, 302 sent to
sign in (anonymous) or elsewhere, 403 wrong role, 404 outsider, 405 method not allowed.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.comunas.fabricas import objetos_de_acceso
from tests.conftest import cliente_de
from tests.diagnosticos.utiles import diagnosticos_del_elenco
from tests.mesa.utiles import consejo_del_elenco, coordinadora_retirada, mesa_del_elenco, solicitud_de_mesa
from tests.planes.utiles import planes_del_elenco
from tests.practicas.utiles import practicas_del_elenco

ELENCO = ("admin", "director", "integrante", "lector", "ajeno", "anonimo")
# The coordinator of o["mesa"] is an integrante of org_zapallar with two-step verification: she gets what an
# integrante gets, except where coordinating or her authenticator changes the answer (COORDINADORA below).
ELENCO_COMPLETO = (*ELENCO, "coordinador", "coordinador_retirado")
PUBLICA = dict.fromkeys(ELENCO, 200)
MIEMBROS = {**dict.fromkeys(ELENCO, 200), "anonimo": 302}


def _todos(**codigos):
    return {**dict.fromkeys(ELENCO, 200), **codigos}


# Joining the platform and teams (tests/comunas/test_solicitudes.py, test_equipo.py, test_perfil.py).
SOLO_STAFF = _todos(director=403, integrante=403, lector=403, ajeno=403, anonimo=302)
SU_DIRECCION = _todos(integrante=403, lector=403, ajeno=403, anonimo=302)  # its director(a) and staff
SOLO_POST = dict.fromkeys(ELENCO, 405)
EN_LA_MESA = _todos(ajeno=404, anonimo=302)  # members of participating organizations, and staff
COORDINA = _todos(director=403, integrante=403, lector=403, ajeno=404, anonimo=302)  # coordinators and staff
PLAN_EDITA = _todos(lector=403, ajeno=403, anonimo=302)  # the owners' directors and integrantes, and staff
PLAN_ADAPTACION = _todos(director=404, integrante=404, lector=404, anonimo=302)  # ajeno's draft: its owner, staff
_A_LA_MESA = dict.fromkeys(["admin", "director", "integrante", "lector"], 302)  # already in it: sent to its page

# name → (function of the test objects that gives the URL, expected code for each of the cast)
REGLAS = {
    "portada": (lambda o: "/", PUBLICA),
    "salud": (lambda o: "/salud/", dict.fromkeys(ELENCO, 503)),  # no beat in this test: late, for everyone
    "noop": (lambda o: "/salud/noop/", dict.fromkeys(ELENCO, 404)),  # only with BENCH=1 (make bench)
    "login": (lambda o: "/cuenta/ingresar/", _todos(admin=302, director=302, integrante=302, lector=302, ajeno=302)),
    "logout": (lambda o: "/cuenta/salir/", dict.fromkeys(ELENCO, 405)),  # POST only
    "password_change": (lambda o: "/cuenta/clave/", MIEMBROS),
    # Account security (tests/comunas/test_seguridad.py): admin has an authenticator, the others do not.
    "dos_factores_verificar": (lambda o: "/cuenta/verificar/", dict.fromkeys(ELENCO, 302)),  # nothing to verify
    "cuenta_seguridad": (lambda o: "/cuenta/seguridad/", MIEMBROS),
    "dos_factores_activar": (lambda o: "/cuenta/seguridad/activar/", {**MIEMBROS, "admin": 302}),
    "dos_factores_codigos": (lambda o: "/cuenta/seguridad/codigos/", dict.fromkeys(ELENCO, 302)),  # shown once
    "dos_factores_desactivar": (
        lambda o: "/cuenta/seguridad/desactivar/",
        {**dict.fromkeys(ELENCO, 302), "admin": 403},
    ),
    "cerrar_otras_sesiones": (lambda o: "/cuenta/seguridad/sesiones/", MIEMBROS),
    "password_change_done": (lambda o: "/cuenta/clave/lista/", MIEMBROS),
    "password_reset": (lambda o: "/cuenta/recuperar/", PUBLICA),
    "password_reset_done": (lambda o: "/cuenta/recuperar/enviado/", PUBLICA),
    "password_reset_confirm": (lambda o: "/cuenta/recuperar/MQ/token-falso/", PUBLICA),
    "password_reset_complete": (lambda o: "/cuenta/recuperar/listo/", PUBLICA),
    "inicio": (lambda o: "/inicio/", MIEMBROS),
    "primeros_pasos_ocultar": (lambda o: "/inicio/primeros-pasos/ocultar/", SOLO_POST),
    "mi_organizacion": (lambda o: "/organizacion/", {**dict.fromkeys(ELENCO, 302), "admin": 200}),  # → its profile
    "solicitar_acceso": (lambda o: "/solicitar-acceso/", PUBLICA),
    "solicitud_enviada": (lambda o: "/solicitar-acceso/enviada/", PUBLICA),
    "solicitudes": (lambda o: "/solicitudes/", SOLO_STAFF),
    "solicitud": (
        lambda o: f"/solicitudes/{o['solicitud_unirse'].pk}/",
        _todos(integrante=403, lector=403, ajeno=404, anonimo=302),
    ),
    "solicitud_aprobar": (lambda o: f"/solicitudes/{o['solicitud_unirse'].pk}/aprobar/", SOLO_POST),
    "solicitud_rechazar": (lambda o: f"/solicitudes/{o['solicitud_unirse'].pk}/rechazar/", SOLO_POST),
    "crear_clave": (lambda o: "/bienvenida/MQ/token-falso/", PUBLICA),
    "organizaciones": (lambda o: "/organizaciones/", MIEMBROS),
    "organizacion": (lambda o: f"/organizaciones/{o['org'].pk}/", MIEMBROS),
    "organizacion_editar": (lambda o: f"/organizaciones/{o['org'].pk}/editar/", SU_DIRECCION),
    "organizacion_suspension": (lambda o: f"/organizaciones/{o['org'].pk}/suspension/", SOLO_STAFF),
    "invitacion_crear": (lambda o: f"/organizaciones/{o['org'].pk}/invitar/", SU_DIRECCION),
    "invitacion_reenviar": (lambda o: f"/invitaciones/{o['invitacion'].pk}/reenviar/", SOLO_POST),
    "invitacion_revocar": (lambda o: f"/invitaciones/{o['invitacion'].pk}/revocar/", SOLO_POST),
    "membresia_rol": (lambda o: f"/equipo/{o['membresia_lector'].pk}/rol/", SOLO_POST),
    "membresia_quitar": (lambda o: f"/equipo/{o['membresia_lector'].pk}/quitar/", SU_DIRECCION),
    "invitacion_aceptar": (lambda o: f"/invitacion/{o['token']}/", PUBLICA),
    "diagnosticos:diagnosticos": (lambda o: "/diagnosticos/", MIEMBROS),
    # Diagnoses and indicators (tests/comunas/test_diagnosticos.py, test_indicadores*.py).
    "diagnosticos:diagnostico_nuevo": (lambda o: "/diagnosticos/nuevo/", {**MIEMBROS, "lector": 403}),
    "diagnosticos:diagnostico": (lambda o: f"/diagnosticos/{o['diagnostico'].pk}/", MIEMBROS),
    "diagnosticos:diagnostico_editar": (
        lambda o: f"/diagnosticos/{o['diagnostico_borrador'].pk}/editar/",
        {**MIEMBROS, "lector": 403, "ajeno": 404},
    ),
    "diagnosticos:diagnostico_publicar": (
        lambda o: f"/diagnosticos/{o['diagnostico_borrador'].pk}/publicar/",
        SOLO_POST,
    ),
    "diagnosticos:diagnostico_imprimir": (lambda o: f"/diagnosticos/{o['diagnostico'].pk}/imprimir/", MIEMBROS),
    "diagnosticos:diagnostico_adjuntos_subir": (lambda o: f"/diagnosticos/{o['diagnostico'].pk}/adjuntos/", SOLO_POST),
    "diagnosticos:diagnostico_adjunto": (
        lambda o: f"/diagnosticos/{o['diagnostico'].pk}/adjuntos/{o['adjunto_diagnostico'].pk}/",
        MIEMBROS,
    ),
    "diagnosticos:diagnostico_adjunto_borrar": (
        lambda o: f"/diagnosticos/{o['diagnostico'].pk}/adjuntos/{o['adjunto_diagnostico'].pk}/borrar/",
        SOLO_POST,
    ),
    "diagnosticos:indicadores": (lambda o: "/indicadores/", MIEMBROS),
    "diagnosticos:indicadores_territorio": (lambda o: "/indicadores/05405/", MIEMBROS),
    "diagnosticos:indicadores_comparar": (lambda o: "/indicadores/comparar/", MIEMBROS),
    "diagnosticos:indicadores_exportar": (lambda o: "/indicadores/exportar.csv", MIEMBROS),
    "diagnosticos:indicadores_plantilla": (lambda o: "/indicadores/plantilla.xlsx", MIEMBROS),
    "diagnosticos:indicadores_importar": (lambda o: "/indicadores/importar/", {**MIEMBROS, "lector": 403}),
    "diagnosticos:indicadores_importacion": (  # only whoever uploaded it (staff included: 404)
        lambda o: f"/indicadores/importar/{o['importacion'].pk}/",
        {"admin": 404, "director": 200, "integrante": 404, "lector": 403, "ajeno": 404, "anonimo": 302},
    ),
    "diagnosticos:indicadores_importacion_estado": (  # its progress, polled by the page: the same people
        lambda o: f"/indicadores/importar/{o['importacion'].pk}/estado.json",
        {"admin": 404, "director": 200, "integrante": 404, "lector": 403, "ajeno": 404, "anonimo": 302},
    ),
    "practicas:indice": (lambda o: "/practicas/", PUBLICA),  # anonymous visitors see only public practices
    "practicas:nueva": (lambda o: "/practicas/nueva/", {**MIEMBROS, "lector": 403}),
    "practicas:detalle": (lambda o: f"/practicas/{o['practica'].pk}/", MIEMBROS),
    "practicas:editar": (lambda o: f"/practicas/{o['borrador'].pk}/editar/", {**MIEMBROS, "lector": 403, "ajeno": 404}),
    "practicas:publicar": (
        lambda o: f"/practicas/{o['borrador'].pk}/publicar/",
        {**MIEMBROS, "lector": 403, "ajeno": 404},
    ),
    "practicas:archivar": (lambda o: f"/practicas/{o['practica'].pk}/archivar/", dict.fromkeys(ELENCO, 405)),
    # Replicating: only a director(a)/integrante of another organization (ajeno); staff has no organization.
    "practicas:replicar": (
        lambda o: f"/practicas/{o['publica'].pk}/replicar/",
        {**dict.fromkeys(ELENCO, 403), "ajeno": 200, "anonimo": 302},
    ),
    "practicas:replicacion": (lambda o: f"/practicas/replicaciones/{o['replicacion'].pk}/", MIEMBROS),
    "practicas:replicacion_editar": (
        lambda o: f"/practicas/replicaciones/{o['replicacion'].pk}/editar/",
        {**MIEMBROS, "director": 403, "integrante": 403, "lector": 403},
    ),
    "practicas:replicacion_practica": (
        lambda o: f"/practicas/replicaciones/{o['replicacion'].pk}/practica/",
        SOLO_POST,
    ),
    "practicas:comentar": (lambda o: f"/practicas/{o['practica'].pk}/comentarios/", SOLO_POST),
    "practicas:revisar": (lambda o: f"/practicas/{o['practica'].pk}/revision/", SOLO_POST),
    "practicas:exportar": (lambda o: "/practicas/exportar/", PUBLICA),
    "practicas:imprimir": (lambda o: f"/practicas/{o['practica'].pk}/imprimir/", MIEMBROS),
    "practicas:adjuntos_subir": (lambda o: f"/practicas/{o['practica'].pk}/adjuntos/", SOLO_POST),
    "practicas:adjunto": (lambda o: f"/practicas/{o['practica'].pk}/adjuntos/{o['adjunto'].pk}/", MIEMBROS),
    "practicas:adjunto_borrar": (
        lambda o: f"/practicas/{o['practica'].pk}/adjuntos/{o['adjunto'].pk}/borrar/",
        SOLO_POST,
    ),
    # Action plans (tests/planes/test_planes.py): o["plan"] is Zapallar's approved plan, visible to the platform;
    # ajeno (another organization) reads it and may adapt it; o["adaptacion"] is ajeno's adaptation.
    "planes:planes": (lambda o: "/planes/", MIEMBROS),
    "planes:plan_nuevo": (lambda o: "/planes/nuevo/", {**MIEMBROS, "lector": 403}),
    "planes:plan": (lambda o: f"/planes/{o['plan'].pk}/", MIEMBROS),
    "planes:plan_editar": (lambda o: f"/planes/{o['plan'].pk}/editar/", PLAN_EDITA),
    "planes:plan_estado": (lambda o: f"/planes/{o['plan'].pk}/estado/", SOLO_POST),
    "planes:plan_aprobar": (lambda o: f"/planes/{o['plan_borrador'].pk}/aprobar/", {**PLAN_EDITA, "ajeno": 404}),
    "planes:plan_version": (lambda o: f"/planes/{o['plan'].pk}/versiones/1/", MIEMBROS),
    "planes:nodo_nuevo": (lambda o: f"/planes/{o['plan'].pk}/elementos/nuevo/", PLAN_EDITA),
    "planes:nodo_editar": (lambda o: f"/planes/elementos/{o['nodo'].pk}/editar/", PLAN_EDITA),
    "planes:nodo_quitar": (lambda o: f"/planes/elementos/{o['nodo'].pk}/quitar/", PLAN_EDITA),
    "planes:nodo_adaptar": (lambda o: f"/planes/elementos/{o['nodo'].pk}/adaptacion/", SOLO_POST),
    "planes:avance_nuevo": (lambda o: f"/planes/elementos/{o['nodo'].pk}/avance/", PLAN_EDITA),
    "planes:evidencia": (lambda o: f"/planes/{o['plan'].pk}/evidencias/{o['evidencia'].pk}/", MIEMBROS),
    "planes:evidencia_borrar": (
        lambda o: f"/planes/{o['plan'].pk}/evidencias/{o['evidencia'].pk}/borrar/",
        SOLO_POST,
    ),
    "planes:hito_nuevo": (lambda o: f"/planes/{o['plan'].pk}/hitos/nuevo/", PLAN_EDITA),
    "planes:hito_cumplido": (lambda o: f"/planes/hitos/{o['hito'].pk}/cumplido/", PLAN_EDITA),
    "planes:indicador_nuevo": (lambda o: f"/planes/{o['plan'].pk}/indicadores/nuevo/", PLAN_EDITA),
    "planes:medicion_nueva": (lambda o: f"/planes/indicadores/{o['indicador_plan'].pk}/medicion/", PLAN_EDITA),
    "planes:plan_adaptar": (
        lambda o: f"/planes/{o['plan'].pk}/adaptar/",
        {**dict.fromkeys(ELENCO, 403), "ajeno": 200, "anonimo": 302},
    ),
    "planes:plan_desde_replicacion": (lambda o: f"/planes/desde-replicacion/{o['replicacion'].pk}/", SOLO_POST),
    "planes:plan_comparar": (lambda o: f"/planes/{o['plan'].pk}/comparar/{o['adaptacion'].pk}/", PLAN_ADAPTACION),
    # A plan's files (tests/planes/test_archivos.py): importing is for who may edit; the preview of an upload only
    # for whoever uploaded it (o["importacion_plan"]: the director's); the CSV and the PDF for who sees the plan.
    "planes:plan_importar": (lambda o: f"/planes/{o['plan'].pk}/importar/", PLAN_EDITA),
    "planes:plan_importacion": (
        lambda o: f"/planes/{o['plan'].pk}/importar/{o['importacion_plan'].pk}/",
        {**PLAN_EDITA, "admin": 404, "integrante": 404},
    ),
    "planes:plan_plantilla": (lambda o: f"/planes/{o['plan'].pk}/importar/plantilla.xlsx", PLAN_EDITA),
    "planes:plan_csv": (lambda o: f"/planes/{o['plan'].pk}/actividades.csv", MIEMBROS),
    "planes:plan_pdf": (lambda o: f"/planes/{o['plan'].pk}/plan.pdf", MIEMBROS),
    "mesas": (lambda o: "/mesas/", MIEMBROS),
    "mesa:preferencias_avisos": (lambda o: "/mesas/avisos/preferencias/", MIEMBROS),
    # Mesas (tests/mesa/test_sesiones.py): org_zapallar hosts o["mesa"]; `coordinador` (not in the cast) runs it.
    "mesa:mesa": (lambda o: f"/mesas/{o['mesa'].pk}/", EN_LA_MESA),
    # Staff or the director(a) of an active organization (ajeno directs org_ajena) creates a mesa.
    "mesa:mesa_nueva": (lambda o: "/mesas/nueva/", _todos(integrante=403, lector=403, anonimo=302)),
    "mesa:mesa_editar": (lambda o: f"/mesas/{o['mesa'].pk}/editar/", COORDINA),
    "mesa:punto_quitar": (lambda o: f"/mesas/puntos/{o['punto'].pk}/quitar/", SOLO_POST),
    "mesa:punto_mover": (lambda o: f"/mesas/puntos/{o['punto'].pk}/mover/", SOLO_POST),
    "mesa:sesion_nueva": (lambda o: f"/mesas/{o['mesa'].pk}/sesiones/nueva/", COORDINA),
    # Invitations and requests to join (tests/mesa/test_solicitudes_mesa.py): o["participacion"] is the host's
    # (org_zapallar, accepted): its director(a) sees it; o["solicitud_mesa"] is Cabildo's request, for the coordination.
    "mesa:participacion": (
        lambda o: f"/mesas/participaciones/{o['participacion'].pk}/",
        _todos(integrante=403, lector=403, ajeno=404, anonimo=302),
    ),
    "mesa:participacion_aceptar": (lambda o: f"/mesas/participaciones/{o['participacion'].pk}/aceptar/", SOLO_POST),
    "mesa:participacion_rechazar": (lambda o: f"/mesas/participaciones/{o['participacion'].pk}/rechazar/", SOLO_POST),
    # Members are sent to the mesa itself; ajeno directs an organization outside it and may ask to join.
    "mesa:mesa_solicitar": (lambda o: f"/mesas/{o['mesa'].pk}/unirse/", _todos(ajeno=200, anonimo=302, **_A_LA_MESA)),
    "mesa:solicitud_aceptar": (lambda o: f"/mesas/solicitudes/{o['solicitud_mesa'].pk}/aceptar/", SOLO_POST),
    "mesa:solicitud_rechazar": (lambda o: f"/mesas/solicitudes/{o['solicitud_mesa'].pk}/rechazar/", SOLO_POST),
    "mesa:sesion": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/", EN_LA_MESA),
    "mesa:sesion_editar": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/editar/", COORDINA),
    "mesa:punto_agregar": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/tabla/", COORDINA),
    # The confirmation page (only its POST convenes): a draft exists only for who coordinates (404 for the rest).
    "mesa:sesion_convocar": (
        lambda o: f"/mesas/sesiones/{o['sesion_borrador'].pk}/convocar/",
        _todos(director=404, integrante=404, lector=404, ajeno=404, anonimo=302),
    ),
    "mesa:sesion_cancelar": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/cancelar/", COORDINA),
    "mesa:sesion_recordar": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/recordar/", SOLO_POST),
    "mesa:sesion_asistencia": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/asistencia/", COORDINA),
    "mesa:sesion_responder": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/responder/", SOLO_POST),
    "mesa:sesion_ics": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/calendario.ics", EN_LA_MESA),
    "mesa:rsvp": (lambda o: f"/mesas/rsvp/{o['rsvp_token']}/", PUBLICA),  # the signed link is the credential
    # After the session (tests/mesa/test_actas.py, test_calendario_avisos.py): o["sesion_realizada"] has a
    # published acta with an acuerdo of org_zapallar; o["sesion_con_borrador"] has a draft acta.
    "mesa:mesa_avisos": (lambda o: f"/mesas/{o['mesa'].pk}/avisos/", COORDINA),
    "mesa:mesa_avisos_reenviar": (lambda o: f"/mesas/{o['mesa'].pk}/avisos/reenviar/", SOLO_POST),
    "mesa:mesa_invitar": (lambda o: f"/mesas/{o['mesa'].pk}/invitar/", COORDINA),
    "mesa:acta": (lambda o: f"/mesas/sesiones/{o['sesion_realizada'].pk}/acta/", EN_LA_MESA),
    "mesa:acta_redactar": (lambda o: f"/mesas/sesiones/{o['sesion_realizada'].pk}/acta/redactar/", SOLO_POST),
    "mesa:acta_editar": (lambda o: f"/mesas/sesiones/{o['sesion_con_borrador'].pk}/acta/editar/", COORDINA),
    # The confirmation pages of circulating, approving and publishing (tests/mesa/test_acta_confirmaciones.py); the
    # published acta is not published again: its page sends the coordination back to the acta.
    "mesa:acta_circular": (lambda o: f"/mesas/sesiones/{o['sesion_con_borrador'].pk}/acta/circular/", COORDINA),
    "mesa:acta_comentar": (lambda o: f"/mesas/sesiones/{o['sesion_realizada'].pk}/acta/comentar/", SOLO_POST),
    "mesa:comentario_atender": (
        lambda o: f"/mesas/sesiones/{o['sesion_realizada'].pk}/acta/comentarios/{o['comentario'].pk}/atender/",
        SOLO_POST,
    ),
    "mesa:acta_aprobar": (lambda o: f"/mesas/sesiones/{o['sesion_con_borrador'].pk}/acta/aprobar/", COORDINA),
    "mesa:acta_publicar": (
        lambda o: f"/mesas/sesiones/{o['sesion_realizada'].pk}/acta/publicar/",
        {**COORDINA, "admin": 302},
    ),
    "mesa:acta_a_la_tabla": (lambda o: f"/mesas/sesiones/{o['sesion_con_borrador'].pk}/acta/a-la-tabla/", SOLO_POST),
    "mesa:acta_pdf": (lambda o: f"/mesas/sesiones/{o['sesion_realizada'].pk}/acta.pdf", EN_LA_MESA),
    "mesa:acuerdo_nuevo": (
        lambda o: f"/mesas/sesiones/{o['sesion_con_borrador'].pk}/acta/acuerdos/nuevo/",
        COORDINA,
    ),
    "mesa:mis_acuerdos": (lambda o: "/mesas/acuerdos/", MIEMBROS),
    "mesa:mesa_acuerdos": (lambda o: f"/mesas/{o['mesa'].pk}/acuerdos/", EN_LA_MESA),
    "mesa:acuerdo_estado": (lambda o: f"/mesas/acuerdos/{o['acuerdo'].pk}/estado/", SOLO_POST),
    "mesa:calendario_personal": (lambda o: "/mesas/calendario/", MIEMBROS),
    "mesa:calendario_feed": (lambda o: f"/mesas/calendario/{o['token_calendario']}.ics", PUBLICA),  # the token
    # The mesa and its plans (tests/mesa/test_planes_mesa.py): the plans of its organizations, and "Convertir en
    # actividad" for o["acuerdo"] (of org_zapallar, published acta): the coordination or its director(a)/integrante.
    "mesa:mesa_planes": (lambda o: f"/mesas/{o['mesa'].pk}/planes/", EN_LA_MESA),
    "mesa:acuerdo_actividad": (
        lambda o: f"/mesas/acuerdos/{o['acuerdo'].pk}/actividad/",
        _todos(lector=403, ajeno=404, anonimo=302),
    ),
    # Guests, subrogantes and quorum (tests/mesa/test_invitados.py, test_subrogantes.py, test_quorum.py):
    # o["invitado"] is a guest of o["sesion"]; o["subrogacion"], the coordinator's external subrogante there.
    "mesa:sesion_invitados": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/invitados/", COORDINA),
    "mesa:invitado_quitar": (lambda o: f"/mesas/invitados/{o['invitado'].pk}/quitar/", SOLO_POST),
    "mesa:rsvp_invitado": (lambda o: f"/mesas/invitados/rsvp/{o['rsvp_invitado_token']}/", PUBLICA),  # the link
    "mesa:sesion_subrogante": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/subrogante/", EN_LA_MESA),  # convened
    "mesa:subrogacion_quitar": (lambda o: f"/mesas/subrogaciones/{o['subrogacion'].pk}/quitar/", SOLO_POST),
    "mesa:mesa_quorum": (lambda o: f"/mesas/{o['mesa'].pk}/quorum/", COORDINA),
    # The agenda and its documents (tests/mesa/test_documentos.py): o["documento"] belongs to o["punto"], presented
    # by org_zapallar; whoever sees the session downloads it; the coordination edits items.
    "mesa:punto_editar": (lambda o: f"/mesas/puntos/{o['punto'].pk}/editar/", COORDINA),
    "mesa:punto_documentos_subir": (lambda o: f"/mesas/puntos/{o['punto'].pk}/documentos/", SOLO_POST),
    "mesa:sesion_documentos_subir": (lambda o: f"/mesas/sesiones/{o['sesion'].pk}/documentos/", SOLO_POST),
    "mesa:documento": (lambda o: f"/mesas/documentos/{o['documento'].pk}/", EN_LA_MESA),
    "mesa:documento_borrar": (lambda o: f"/mesas/documentos/{o['documento'].pk}/borrar/", SOLO_POST),
    # The consejo comunal (tests/mesa/test_consejo.py): o["consejo"] is Zapallar's, coordinated by `coordinador`.
    # Creating one: a commune's director(a) (Zapallar's already has it: sent there) and staff.
    "mesa:consejo_nuevo": (
        lambda o: "/mesas/consejo/nuevo/",
        _todos(director=302, integrante=403, lector=403, anonimo=302),
    ),
    "mesa:consejo_editar": (lambda o: f"/mesas/{o['consejo'].pk}/consejo/", COORDINA),
    "mesa:integrantes": (lambda o: f"/mesas/{o['consejo'].pk}/integrantes/", COORDINA),
    "mesa:integrante_editar": (lambda o: f"/mesas/integrantes/{o['integrante'].pk}/editar/", COORDINA),
    "mesa:integrante_quitar": (lambda o: f"/mesas/integrantes/{o['integrante'].pk}/quitar/", SOLO_POST),
    "mesa:sesion_proxima": (lambda o: f"/mesas/{o['consejo'].pk}/sesiones/proxima/", COORDINA),
    "mesa:mesa_anual": (lambda o: f"/mesas/{o['consejo'].pk}/anual/?anio=2026", EN_LA_MESA),
}
COORDINADORA = {
    **dict.fromkeys(
        [
            "mesa:mesa_editar",
            "mesa:sesion_nueva",
            "mesa:sesion_editar",
            "mesa:punto_agregar",
            "mesa:sesion_convocar",
            "mesa:sesion_cancelar",
            "mesa:sesion_asistencia",
            "mesa:mesa_avisos",
            "mesa:mesa_invitar",
            "mesa:acta_editar",
            "mesa:acta_circular",
            "mesa:acta_aprobar",
            "mesa:acuerdo_nuevo",
            "mesa:sesion_invitados",
            "mesa:mesa_quorum",
            "mesa:punto_editar",
            "mesa:consejo_editar",
            "mesa:integrantes",
            "mesa:integrante_editar",
            "mesa:sesion_proxima",
        ],
        200,
    ),
    "mesa:acta_publicar": 302,  # already published: back to the acta
    "dos_factores_activar": 302,  # she already has an authenticator
    "dos_factores_desactivar": 403,  # and coordinators must keep it
}


# A coordinator of o["mesa"] who left org_zapallar (removed in the admin, so her appointment row remains): no
# mesa right is left to her, she gets what an outsider gets (ajeno), except where ajeno's directing another
# organization, her now belonging to none, or her authenticator changes the answer.
RETIRADA = {
    # ajeno directs org_ajena; she writes for no organization
    **dict.fromkeys(
        [
            "mesa:mesa_nueva",
            "mesa:consejo_nuevo",
            "practicas:nueva",
            "practicas:replicar",
            "diagnosticos:diagnostico_nuevo",
            "diagnosticos:indicadores_importar",
            "diagnosticos:indicadores_importacion",
            "diagnosticos:indicadores_importacion_estado",
            "planes:plan_nuevo",
        ],
        403,
    ),
    # the plans shared with the platform are no longer hers to see
    **dict.fromkeys(
        [
            "planes:plan",
            "planes:plan_editar",
            "planes:plan_version",
            "planes:plan_adaptar",
            "planes:plan_comparar",
            "planes:nodo_nuevo",
            "planes:nodo_editar",
            "planes:nodo_quitar",
            "planes:avance_nuevo",
            "planes:evidencia",
            "planes:hito_nuevo",
            "planes:hito_cumplido",
            "planes:indicador_nuevo",
            "planes:medicion_nueva",
            "planes:plan_importar",
            "planes:plan_importacion",
            "planes:plan_plantilla",
            "planes:plan_csv",
            "planes:plan_pdf",
        ],
        404,
    ),
    # no longer a platform member: what is shared with the platform (and the organization she left) is 404
    **dict.fromkeys(
        [
            "organizacion",
            "organizacion_editar",
            "organizacion_suspension",
            "invitacion_crear",
            "membresia_quitar",
            "practicas:detalle",
            "practicas:imprimir",
            "practicas:adjunto",
            "practicas:replicacion",
            "practicas:replicacion_editar",
            "diagnosticos:diagnostico",
            "diagnosticos:diagnostico_imprimir",
            "diagnosticos:diagnostico_adjunto",
        ],
        404,
    ),
    "mi_organizacion": 200,  # the page that says she has none (ajeno is sent to his)
    "mesa:mesa_solicitar": 403,  # she directs no organization that could ask to join
    "dos_factores_activar": 302,  # she has an authenticator
    "dos_factores_desactivar": 403,  # and her stale appointment still asks her to keep it
}


def esperado_de(nombre):
    esperado = REGLAS[nombre][1]
    return {
        **esperado,
        "coordinador": COORDINADORA.get(nombre, esperado["integrante"]),
        "coordinador_retirado": RETIRADA.get(nombre, esperado["ajeno"]),
    }


# Django's admin guards itself (staff only); one representative page is checked.
ADMIN = {**dict.fromkeys(ELENCO_COMPLETO, 302), "admin": 200}


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
def elenco(admin, director, integrante, lector, ajeno, anonimo, org_zapallar, org_ajena, coordinador):
    objetos = {
        "org": org_zapallar,
        "org_ajena": org_ajena,
        **practicas_del_elenco(org_zapallar, director, replica_de=(org_ajena, ajeno)),
        **objetos_de_acceso(org_zapallar, director, lector),
        **diagnosticos_del_elenco(org_zapallar, director),
        **mesa_del_elenco(org_zapallar, coordinador, director),
        **planes_del_elenco(org_zapallar, director, adapta=(org_ajena, ajeno)),
    }
    objetos.update(consejo_del_elenco(org_zapallar, coordinador, director, objetos["punto"]))
    objetos.update(solicitud_de_mesa(objetos["mesa"]))
    return (
        {
            "admin": admin,
            "director": director,
            "integrante": integrante,
            "lector": lector,
            "ajeno": ajeno,
            "anonimo": anonimo,
            "coordinador": coordinador,
            "coordinador_retirado": coordinadora_retirada(objetos["mesa"]),
        },
        objetos,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", sorted(REGLAS))
def test_matriz_de_acceso(elenco, nombre):
    personas, objetos = elenco
    url = REGLAS[nombre][0](objetos)
    obtenido = {quien: cliente_de(personas[quien]).get(url).status_code for quien in ELENCO_COMPLETO}
    assert obtenido == esperado_de(nombre), f"{nombre} ({url})"


@pytest.mark.django_db
def test_administracion_de_django(elenco):
    personas, _ = elenco
    obtenido = {quien: cliente_de(personas[quien]).get("/admin/").status_code for quien in ELENCO_COMPLETO}
    assert obtenido == ADMIN
