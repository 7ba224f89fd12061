"""Request access → approval or rejection, with the e-mails each step sends."""

import re

import pytest
from django.core import mail

from comunas.models import Auditoria, Membresia, Organizacion, SolicitudAcceso, Usuario
from tests.comunas.fabricas import solicitud_nueva, solicitud_unirse
from tests.conftest import cliente_de, crear_organizacion

pytestmark = pytest.mark.django_db

FORMULARIO = {
    "territorio": "c:05403",
    "nombre_organizacion": "Dirección de Seguridad Pública de Papudo",
    "nombre": "Paula Solicitante",
    "cargo": "Directora de Seguridad Pública",
    "telefono": "+56 9 5555 1234",
    "email": "Directora@Papudo.test",
    "mensaje": "Queremos sumarnos a la mesa.",
}


def _enviar(datos=None, capturar=None):
    client = cliente_de(None)
    if capturar is None:
        return client.post("/solicitar-acceso/", {**FORMULARIO, **(datos or {})})
    with capturar(execute=True):
        return client.post("/solicitar-acceso/", {**FORMULARIO, **(datos or {})})


def _enlace(correo):
    return re.search(r"https?://\S+", correo.body).group(0)


def test_el_formulario_agrupa_comunas_y_provincias_por_region(dpa):
    html = cliente_de(None).get("/solicitar-acceso/").content.decode()
    assert '<optgroup label="Región de Valparaíso">' in html
    assert '<option value="c:05405">Zapallar (comuna)</option>' in html
    assert '<option value="p:054">Provincia de Petorca</option>' in html
    assert "js/filtro-territorio.js" in html and "nonce=" in html


def test_la_portada_y_el_ingreso_enlazan_la_solicitud(db):
    assert 'href="/solicitar-acceso/"' in cliente_de(None).get("/").content.decode()
    assert 'href="/solicitar-acceso/"' in cliente_de(None).get("/cuenta/ingresar/").content.decode()


def test_solicitar_crea_organizacion_y_cuenta_pendientes_y_avisa(admin, dpa, django_capture_on_commit_callbacks):
    respuesta = _enviar(capturar=django_capture_on_commit_callbacks)
    assert respuesta.status_code == 302 and respuesta["Location"] == "/solicitar-acceso/enviada/"

    org = Organizacion.objects.get(comuna_id="05403")
    assert org.estado == Organizacion.Estado.PENDIENTE and org.nombre == FORMULARIO["nombre_organizacion"]
    cuenta = Usuario.objects.get(email="directora@papudo.test")
    assert not cuenta.is_active and not cuenta.has_usable_password() and cuenta.cargo == FORMULARIO["cargo"]
    assert Membresia.objects.get(usuario=cuenta, organizacion=org).rol == Membresia.Rol.DIRECTOR
    solicitud = SolicitudAcceso.objects.get(usuario=cuenta)
    assert solicitud.tipo == "nueva" and solicitud.estado == "pendiente" and solicitud.mensaje
    assert Auditoria.objects.get(accion="solicitar").organizacion == org

    para = {tuple(m.to): m for m in mail.outbox}
    assert set(para) == {("admin@mesa.test",), ("directora@papudo.test",)}
    aviso = para[("admin@mesa.test",)]
    assert "Paula Solicitante" in aviso.subject
    assert f"http://127.0.0.1:8000/solicitudes/{solicitud.pk}/" in aviso.body
    assert aviso.alternatives[0].mimetype == "text/html"
    assert "Recibimos su solicitud" in para[("directora@papudo.test",)].subject.replace("recibimos", "Recibimos")

    siguiente = cliente_de(None).get("/solicitar-acceso/enviada/").content.decode()
    assert "Recibimos su solicitud" in siguiente and "administración de Mesa revisará" in siguiente


def test_si_la_direccion_esta_activa_la_solicitud_va_a_su_director(
    director, org_zapallar, django_capture_on_commit_callbacks
):
    _enviar({"territorio": "c:05405", "email": "nueva@zapallar.test"}, capturar=django_capture_on_commit_callbacks)
    solicitud = SolicitudAcceso.objects.get(usuario__email="nueva@zapallar.test")
    assert solicitud.tipo == "unirse" and solicitud.organizacion == org_zapallar
    assert Organizacion.objects.filter(comuna_id="05405").count() == 1
    assert not Membresia.objects.filter(usuario=solicitud.usuario).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [director.email, "nueva@zapallar.test"]
    aviso = next(m for m in mail.outbox if m.to == [director.email])
    assert "Paula Solicitante" in aviso.subject and f"/solicitudes/{solicitud.pk}/" in aviso.body

    html = cliente_de(director).get(f"/organizaciones/{org_zapallar.pk}/").content.decode()
    assert "Solicitudes para unirse" in html and f"/solicitudes/{solicitud.pk}/" in html


@pytest.mark.parametrize(
    ("estado", "mensaje"),
    [("pendiente", "ya tiene una solicitud de incorporación en revisión"), ("suspendida", "está suspendida")],
)
def test_direccion_pendiente_o_suspendida_no_crea_nada(dpa, estado, mensaje):
    from comunas.models import Comuna

    crear_organizacion(comuna=Comuna.objects.get(codigo="05403"), estado=estado)
    respuesta = _enviar()
    assert respuesta.status_code == 200
    assert mensaje in respuesta.content.decode()
    assert not Usuario.objects.filter(email="directora@papudo.test").exists()
    assert not SolicitudAcceso.objects.exists() and len(mail.outbox) == 0


def test_correo_ya_registrado_no_crea_nada_y_conserva_lo_escrito(director):
    respuesta = _enviar({"email": "DIRECTOR@zapallar.test"})
    html = respuesta.content.decode()
    assert respuesta.status_code == 200 and "Ese correo ya tiene una cuenta en Mesa" in html
    assert 'value="Paula Solicitante"' in html and 'value="c:05403" selected' in html
    assert "Queremos sumarnos a la mesa." in html
    assert not Organizacion.objects.filter(comuna_id="05403").exists()


def test_datos_invalidos_se_explican_en_espanol(dpa):
    respuesta = _enviar({"territorio": "c:99999", "email": "no-es-correo", "telefono": "abc", "nombre": ""})
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "Escriba un teléfono válido" in html and "Este campo es obligatorio" in html
    assert "Introduzca una dirección de correo electrónico válida" in html
    assert not Usuario.objects.exists() and not SolicitudAcceso.objects.exists()


def test_aprobar_activa_organizacion_y_cuenta_y_envia_enlace_para_crear_clave(
    admin, dpa, django_capture_on_commit_callbacks
):
    solicitud = solicitud_nueva()
    client = cliente_de(admin)
    assert "Paula Solicitante" in client.get("/solicitudes/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = client.post(f"/solicitudes/{solicitud.pk}/aprobar/", {"rol": "director"})
    assert respuesta.status_code == 302

    solicitud.refresh_from_db()
    assert solicitud.estado == "aprobada" and solicitud.resuelta_por == admin and solicitud.resuelta_en
    assert solicitud.organizacion.estado == Organizacion.Estado.ACTIVA
    assert Usuario.objects.get(email="directora@papudo.test").is_active
    registro = Auditoria.objects.get(accion="aprobar")
    assert registro.actor == admin and registro.despues["estado"] == "aprobada"

    (correo,) = mail.outbox
    assert correo.to == ["directora@papudo.test"] and "aprobado" in correo.subject
    enlace = _enlace(correo)
    assert enlace.startswith("http://127.0.0.1:8000/bienvenida/")

    # The applicant sets a password through the link, then signs in.
    anonimo = cliente_de(None)
    formulario = anonimo.get(enlace.removeprefix("http://127.0.0.1:8000"), follow=True)
    assert "Cree su contraseña" in formulario.content.decode()
    clave = "faro-costero-papudo-2026"
    guardada = anonimo.post(formulario.redirect_chain[-1][0], {"new_password1": clave, "new_password2": clave})
    assert guardada.status_code == 302 and guardada["Location"] == "/cuenta/ingresar/"
    assert Usuario.objects.get(email="directora@papudo.test").check_password(clave)
    assert (
        anonimo.post("/cuenta/ingresar/", {"username": "directora@papudo.test", "password": clave}).status_code == 302
    )
    # The link works once.
    assert "ya no es válido" in anonimo.get(enlace.removeprefix("http://127.0.0.1:8000"), follow=True).content.decode()


def test_rechazar_exige_motivo(admin, dpa):
    solicitud = solicitud_nueva()
    respuesta = cliente_de(admin).post(f"/solicitudes/{solicitud.pk}/rechazar/", {"motivo": "  "})
    assert respuesta.status_code == 400 and "Indique el motivo" in respuesta.content.decode()
    solicitud.refresh_from_db()
    assert solicitud.estado == "pendiente" and solicitud.organizacion.estado == "pendiente"


def test_rechazar_informa_el_motivo_y_libera_el_territorio(admin, dpa, django_capture_on_commit_callbacks):
    solicitud = solicitud_nueva()
    motivo = "El correo no corresponde a la municipalidad."
    with django_capture_on_commit_callbacks(execute=True):
        cliente_de(admin).post(f"/solicitudes/{solicitud.pk}/rechazar/", {"motivo": motivo})
    solicitud.refresh_from_db()
    assert solicitud.estado == "rechazada" and solicitud.motivo_rechazo == motivo
    assert solicitud.organizacion.estado == Organizacion.Estado.RECHAZADA  # kept for the record
    assert not solicitud.usuario.is_active
    assert Auditoria.objects.get(accion="rechazar").motivo == motivo
    (correo,) = mail.outbox
    assert correo.to == ["directora@papudo.test"] and motivo in correo.body

    # A later, legitimate request for the same commune (even from the same e-mail) goes through.
    otra = solicitud_nueva(email="directora@papudo.test", nombre_organizacion="Dirección de Seguridad de Papudo")
    assert otra.organizacion.estado == "pendiente" and otra.organizacion != solicitud.organizacion
    assert Organizacion.objects.filter(comuna_id="05403").count() == 2


def test_una_solicitud_resuelta_no_se_resuelve_otra_vez(admin, dpa):
    solicitud = solicitud_nueva()
    client = cliente_de(admin)
    client.post(f"/solicitudes/{solicitud.pk}/aprobar/", {"rol": "director"})
    respuesta = client.post(f"/solicitudes/{solicitud.pk}/rechazar/", {"motivo": "tarde"}, follow=True)
    assert "Esta solicitud ya fue aprobada." in respuesta.content.decode()
    solicitud.refresh_from_db()
    assert solicitud.estado == "aprobada" and solicitud.organizacion.estado == "activa"


def test_el_director_aprueba_a_quien_pide_unirse_con_el_rol_que_elige(
    director, org_zapallar, django_capture_on_commit_callbacks
):
    solicitud = solicitud_unirse(org_zapallar)
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(director).post(f"/solicitudes/{solicitud.pk}/aprobar/", {"rol": "lector"})
    assert respuesta["Location"] == f"/organizaciones/{org_zapallar.pk}/"
    membresia = Membresia.objects.get(usuario__email="nueva@zapallar.test")
    assert membresia.organizacion == org_zapallar and membresia.rol == "lector"
    assert membresia.usuario.is_active
    assert [m.to for m in mail.outbox] == [["nueva@zapallar.test"]]


def test_el_director_rechaza_a_quien_pide_unirse(director, org_zapallar, django_capture_on_commit_callbacks):
    solicitud = solicitud_unirse(org_zapallar)
    with django_capture_on_commit_callbacks(execute=True):
        cliente_de(director).post(f"/solicitudes/{solicitud.pk}/rechazar/", {"motivo": "No trabaja en la dirección."})
    solicitud.refresh_from_db()
    assert solicitud.estado == "rechazada" and org_zapallar.membresias.count() == 1
    org_zapallar.refresh_from_db()
    assert org_zapallar.estado == "activa"
    assert "No trabaja en la dirección." in mail.outbox[0].body


def test_un_integrante_no_resuelve_ni_staff_de_otra_forma(integrante, director, org_zapallar, dpa):
    unirse = solicitud_unirse(org_zapallar)
    nueva = solicitud_nueva()
    assert cliente_de(integrante).post(f"/solicitudes/{unirse.pk}/aprobar/", {"rol": "director"}).status_code == 403
    assert cliente_de(director).post(f"/solicitudes/{nueva.pk}/aprobar/", {"rol": "director"}).status_code == 403
    assert SolicitudAcceso.objects.filter(estado="pendiente").count() == 2


def test_nada_se_envia_si_la_transaccion_se_revierte(admin, dpa, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        solicitud_nueva()
        raise RuntimeError("falla después")
    assert callbacks == [] and mail.outbox == []
    assert not SolicitudAcceso.objects.exists()


def test_la_lista_de_pendientes_no_crece_en_consultas(admin, dpa, django_assert_max_num_queries):
    for codigo in ("05401", "05402", "05403"):
        solicitud_nueva(codigo=codigo, email=f"d{codigo}@muni.test")
    client = cliente_de(admin)
    with django_assert_max_num_queries(12):
        assert client.get("/solicitudes/").status_code == 200
