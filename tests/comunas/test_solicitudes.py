"""Request access (confirmed by e-mail) → approval or rejection, with the e-mails each step sends."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from comunas.models import Auditoria, Comuna, Membresia, Organizacion, SolicitudAcceso, Usuario
from nucleo.models import Aviso
from tests.comunas.fabricas import solicitud_nueva, solicitud_unirse
from tests.conftest import cliente_de, crear_organizacion

pytestmark = pytest.mark.django_db

FORMULARIO = {
    "tipo": "municipal",
    "territorio": "c:05403",
    "nombre_organizacion": "Dirección de Seguridad Pública de Papudo",
    "nombre": "Paula Solicitante",
    "cargo": "Directora de Seguridad Pública",
    "telefono": "+56 9 5555 1234",
    "email": "Directora@Papudo.test",
    "mensaje": "Queremos sumarnos a la mesa.",
}


def _enviar(datos=None, capturar=None, client=None):
    client = client or cliente_de(None)
    if capturar is None:
        return client.post("/solicitar-acceso/", {**FORMULARIO, **(datos or {})})
    with capturar(execute=True):
        return client.post("/solicitar-acceso/", {**FORMULARIO, **(datos or {})})


def _enlace(correo):
    return re.search(r"https?://\S+", correo.body).group(0)


def _para(email):
    return [m for m in mail.outbox if m.to == [email]]


def _ruta(enlace):
    return enlace.removeprefix("http://127.0.0.1:8000")


def _confirmar(capturar, para="directora@papudo.test", client=None):
    """Follows the confirmation link sent to `para` and presses the button, as its owner would."""
    (correo,) = [m for m in mail.outbox if m.to == [para] and "confirme" in m.subject]
    client = client or cliente_de(None)
    pagina = client.get(_ruta(_enlace(correo)))
    assert pagina.status_code == 200 and "Confirmar mi solicitud" in pagina.content.decode()
    token = re.search(r'name="confirmar" value="([^"]+)"', pagina.content.decode()).group(1)
    with capturar(execute=True):
        return client.post("/solicitar-acceso/", {"confirmar": token})


def _pedir_y_confirmar(capturar, datos=None):
    _enviar(datos, capturar=capturar)
    email = (datos or {}).get("email", FORMULARIO["email"]).lower()
    return _confirmar(capturar, para=email)


# --- The form ---------------------------------------------------------------------------------------


def test_el_formulario_agrupa_comunas_y_provincias_por_region(dpa):
    html = cliente_de(None).get("/solicitar-acceso/").content.decode()
    assert '<optgroup label="Región de Valparaíso">' in html
    assert '<optgroup label="Región Metropolitana de Santiago">' in html
    assert '<optgroup label="Región del Libertador General Bernardo O&#x27;Higgins">' in html
    assert '<option value="c:05405">Zapallar (comuna)</option>' in html
    assert '<option value="p:054">Provincia de Petorca</option>' in html
    assert '<option value="p:051">Provincia de Valparaíso (capital regional)</option>' in html
    assert "js/filtro-territorio.js" in html and "nonce=" in html


def test_el_formulario_ofrece_solo_los_tipos_que_existen(dpa):
    html = cliente_de(None).get("/solicitar-acceso/").content.decode()
    assert 'value="municipal"' in html and 'value="delegacion"' in html and 'value="institucion"' in html
    # No "Provincial" choice of its own: the province decides whether it is the Provincial or the Regional one.
    assert 'value="delegacion_provincial"' not in html and 'value="delegacion_regional"' not in html
    assert "en la provincia de la capital regional, la Delegación Presidencial Regional" in html
    assert '<datalist id="instituciones">' in html and "Carabineros de Chile" in html


def test_la_portada_y_el_ingreso_enlazan_la_solicitud(db):
    assert 'href="/solicitar-acceso/"' in cliente_de(None).get("/").content.decode()
    assert 'href="/solicitar-acceso/"' in cliente_de(None).get("/cuenta/ingresar/").content.decode()


# --- Step one: only a confirmation e-mail ---------------------------------------------------------


def test_solicitar_solo_envia_el_correo_de_confirmacion(admin, dpa, django_capture_on_commit_callbacks):
    respuesta = _enviar(capturar=django_capture_on_commit_callbacks)
    assert respuesta.status_code == 302 and respuesta["Location"] == "/solicitar-acceso/enviada/"

    # Nothing is stored and nobody else hears of it until the address is confirmed.
    assert not Organizacion.objects.exists() and not Usuario.objects.exclude(pk=admin.pk).exists()
    assert not SolicitudAcceso.objects.exists()
    (correo,) = mail.outbox
    assert correo.to == ["directora@papudo.test"] and correo.subject == "Mesa: confirme su solicitud de acceso"
    assert Aviso.objects.get().para == "directora@papudo.test"  # an Aviso row, like every e-mail
    # The e-mail carries none of the text typed in the form: only the kind and the territory, from Mesa's data.
    html = correo.alternatives[0][0]
    for escrito in ("Paula Solicitante", "Queremos sumarnos", "Dirección de Seguridad Pública de Papudo"):
        assert escrito not in correo.body and escrito not in html
    assert "comuna de Papudo" in correo.body and "Dirección municipal de seguridad pública" in correo.body
    assert _enlace(correo).startswith("http://127.0.0.1:8000/solicitar-acceso/?confirmar=")

    siguiente = cliente_de(None).get("/solicitar-acceso/enviada/").content.decode()
    assert "Revise su correo" in siguiente


def test_el_enlace_muestra_la_solicitud_y_no_crea_nada_sin_el_boton(admin, dpa, django_capture_on_commit_callbacks):
    _enviar(capturar=django_capture_on_commit_callbacks)
    html = cliente_de(None).get(_ruta(_enlace(mail.outbox[0]))).content.decode()
    assert "Dirección de Seguridad Pública de Papudo" in html and "Comuna de Papudo" in html
    assert "Región de Valparaíso" in html and "directora@papudo.test" in html
    assert not SolicitudAcceso.objects.exists()  # a mail scanner opening the link confirms nothing


def test_confirmar_crea_organizacion_y_cuenta_pendientes_y_avisa(admin, dpa, django_capture_on_commit_callbacks):
    _enviar(capturar=django_capture_on_commit_callbacks)
    client = cliente_de(None)
    respuesta = _confirmar(django_capture_on_commit_callbacks, client=client)
    assert respuesta.status_code == 302 and respuesta["Location"] == "/solicitar-acceso/enviada/"

    org = Organizacion.objects.get(comuna_id="05403")
    assert org.estado == Organizacion.Estado.PENDIENTE and org.nombre == FORMULARIO["nombre_organizacion"]
    assert org.tipo == Organizacion.Tipo.DIRECCION_MUNICIPAL
    cuenta = Usuario.objects.get(email="directora@papudo.test")
    assert not cuenta.is_active and not cuenta.has_usable_password() and cuenta.cargo == FORMULARIO["cargo"]
    assert Membresia.objects.get(usuario=cuenta, organizacion=org).rol == Membresia.Rol.DIRECTOR
    solicitud = SolicitudAcceso.objects.get(usuario=cuenta)
    assert solicitud.tipo == "nueva" and solicitud.estado == "pendiente" and solicitud.mensaje
    assert Auditoria.objects.get(accion="solicitar").organizacion == org

    # Then to the platform admins only: the applicant has just seen the next steps on the page.
    (aviso,) = [m for m in mail.outbox if m.to != ["directora@papudo.test"]]
    assert aviso.to == ["admin@mesa.test"] and "Paula Solicitante" in aviso.subject
    assert f"http://127.0.0.1:8000/solicitudes/{solicitud.pk}/" in aviso.body
    assert "Dirección municipal de seguridad pública, Comuna de Papudo" in aviso.body
    assert aviso.alternatives[0][1] == "text/html"

    siguiente = client.get("/solicitar-acceso/enviada/").content.decode()
    assert "Recibimos su solicitud" in siguiente and "administración de Mesa revisará" in siguiente


def test_el_enlace_sirve_una_vez(admin, dpa, django_capture_on_commit_callbacks):
    _enviar(capturar=django_capture_on_commit_callbacks)
    _confirmar(django_capture_on_commit_callbacks)
    otra_vez = _confirmar(django_capture_on_commit_callbacks)
    assert otra_vez.status_code == 400 and "ya tiene una solicitud en revisión" in otra_vez.content.decode()
    assert SolicitudAcceso.objects.count() == 1 and Organizacion.objects.count() == 1


def test_si_la_direccion_esta_activa_la_solicitud_va_a_su_director(
    director, org_zapallar, django_capture_on_commit_callbacks
):
    datos = {"territorio": "c:05405", "email": "nueva@zapallar.test"}
    respuesta = _pedir_y_confirmar(django_capture_on_commit_callbacks, datos)
    assert respuesta.status_code == 302
    solicitud = SolicitudAcceso.objects.get(usuario__email="nueva@zapallar.test")
    assert solicitud.tipo == "unirse" and solicitud.organizacion == org_zapallar
    assert Organizacion.objects.filter(comuna_id="05405").count() == 1
    assert not Membresia.objects.filter(usuario=solicitud.usuario).exists()
    assert sorted(m.to[0] for m in mail.outbox) == [director.email, "nueva@zapallar.test"]  # the confirmation
    aviso = next(m for m in mail.outbox if m.to == [director.email])
    assert "Paula Solicitante" in aviso.subject and f"/solicitudes/{solicitud.pk}/" in aviso.body

    html = cliente_de(director).get(f"/organizaciones/{org_zapallar.pk}/").content.decode()
    assert "Solicitudes para unirse" in html and f"/solicitudes/{solicitud.pk}/" in html


def test_una_direccion_suspendida_no_recibe_solicitudes(dpa):
    crear_organizacion(comuna=Comuna.objects.get(codigo="05403"), estado="suspendida")
    respuesta = _enviar()
    assert respuesta.status_code == 200 and "está suspendida" in respuesta.content.decode()
    assert mail.outbox == [] and not SolicitudAcceso.objects.exists()


def test_una_solicitud_pendiente_no_bloquea_el_territorio(admin, dpa, django_capture_on_commit_callbacks):
    """The first one to ask no longer squats the commune: a second request for it goes through, the admin
    approves one, and approving the other is refused with a reason."""
    primera = solicitud_nueva(email="falsa@papudo.test", nombre_organizacion="Seguridad Papudo (falsa)")
    _pedir_y_confirmar(django_capture_on_commit_callbacks)
    segunda = SolicitudAcceso.objects.get(usuario__email="directora@papudo.test")
    assert segunda.tipo == "nueva" and segunda.organizacion != primera.organizacion
    assert Organizacion.objects.filter(comuna_id="05403", estado="pendiente").count() == 2

    client = cliente_de(admin)
    client.post(f"/solicitudes/{segunda.pk}/aprobar/", {"rol": "director"})
    respuesta = client.post(f"/solicitudes/{primera.pk}/aprobar/", {"rol": "director"}, follow=True)
    assert "Comuna de Papudo ya tiene en la plataforma a «Dirección de Seguridad Pública de Papudo»" in (
        respuesta.content.decode()
    )
    primera.refresh_from_db()
    assert primera.estado == "pendiente" and primera.organizacion.estado == "pendiente"
    assert list(Organizacion.objects.activas().values_list("pk", flat=True)) == [segunda.organizacion_id]


def test_el_correo_ya_registrado_recibe_la_misma_respuesta(director, dpa, django_capture_on_commit_callbacks):
    """The form does not tell whether an address has an account; only its owner learns it, from the link."""
    nueva = _enviar({"email": "otra@papudo.test"}, capturar=django_capture_on_commit_callbacks)
    existente = _enviar({"email": "DIRECTOR@zapallar.test"}, capturar=django_capture_on_commit_callbacks)
    assert (nueva.status_code, nueva["Location"]) == (existente.status_code, existente["Location"])
    assert sorted(m.to[0] for m in mail.outbox) == ["director@zapallar.test", "otra@papudo.test"]

    respuesta = _confirmar(django_capture_on_commit_callbacks, para="director@zapallar.test")
    assert respuesta.status_code == 400 and "Ese correo ya tiene una cuenta en Mesa" in respuesta.content.decode()
    assert not Organizacion.objects.filter(comuna_id="05403").exists()


def test_el_enlace_alterado_o_vencido_no_sirve(dpa, django_capture_on_commit_callbacks):
    ahora = timezone.now()
    with time_machine.travel(ahora, tick=False):
        _enviar(capturar=django_capture_on_commit_callbacks)
    ruta = _ruta(_enlace(mail.outbox[0]))
    alterada = cliente_de(None).get(ruta[:-3] + "xyz")
    assert alterada.status_code == 400 and "El enlace no es válido" in alterada.content.decode()
    with time_machine.travel(ahora + timedelta(hours=49), tick=False):
        vencida = cliente_de(None).get(ruta)
    assert vencida.status_code == 400 and "El enlace venció" in vencida.content.decode()
    assert not SolicitudAcceso.objects.exists()


def test_datos_invalidos_se_explican_en_espanol(dpa):
    respuesta = _enviar({"territorio": "c:99999", "email": "no-es-correo", "telefono": "abc", "nombre": ""})
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "Escriba un teléfono válido" in html and "Este campo es obligatorio" in html
    assert "Ingrese una dirección de correo electrónico válida" in html
    assert mail.outbox == [] and not Usuario.objects.exists()


def test_lo_escrito_se_conserva_si_hay_un_error(dpa):
    html = _enviar({"telefono": "abc"}).content.decode()
    assert 'value="Paula Solicitante"' in html and 'value="c:05403" selected' in html
    assert "Queremos sumarnos a la mesa." in html


# --- Kinds of organization ------------------------------------------------------------------------------


@pytest.mark.parametrize(("provincia", "tipo"), [("p:054", "delegacion_provincial"), ("p:051", "delegacion_regional")])
def test_la_delegacion_de_la_provincia_capital_es_la_regional(
    admin, dpa, provincia, tipo, django_capture_on_commit_callbacks
):
    datos = {"tipo": "delegacion", "territorio": provincia, "nombre_organizacion": "Delegación"}
    _pedir_y_confirmar(django_capture_on_commit_callbacks, datos)
    org = Organizacion.objects.get(provincia_id=provincia[2:])
    assert org.tipo == tipo and org.comuna is None


@pytest.mark.parametrize(
    ("datos", "campo", "mensaje"),
    [
        ({"tipo": "municipal", "territorio": "p:054"}, "territorio", "Una dirección municipal es de una comuna"),
        ({"tipo": "delegacion", "territorio": "c:05405"}, "territorio", "Una Delegación Presidencial es de una"),
        ({"tipo": "institucion", "institucion": " "}, "institucion", "Escriba el nombre de la institución"),
    ],
)
def test_el_tipo_debe_calzar_con_el_territorio(dpa, datos, campo, mensaje):
    respuesta = _enviar(datos)
    assert respuesta.status_code == 200 and mensaje in respuesta.content.decode()
    assert mail.outbox == []


def test_las_instituciones_asociadas_se_distinguen_por_su_nombre(
    director, org_zapallar, django_capture_on_commit_callbacks
):
    """Carabineros and PDI may both join in Zapallar, next to its directorate; a second Carabineros request joins
    the first once it is active."""
    base = {"tipo": "institucion", "territorio": "c:05405"}
    _pedir_y_confirmar(
        django_capture_on_commit_callbacks,
        {**base, "institucion": "Carabineros de Chile", "email": "teniente@carabineros.test"},
    )
    _pedir_y_confirmar(
        django_capture_on_commit_callbacks, {**base, "institucion": "PDI", "email": "inspector@pdi.test"}
    )
    carabineros, pdi = (
        Organizacion.objects.get(institucion=nombre, comuna_id="05405") for nombre in ("Carabineros de Chile", "PDI")
    )
    assert carabineros.tipo == pdi.tipo == Organizacion.Tipo.INSTITUCION
    assert carabineros.tipo_descrito == "Institución asociada (Carabineros de Chile)"
    carabineros.estado = Organizacion.Estado.ACTIVA
    carabineros.save()

    _pedir_y_confirmar(
        django_capture_on_commit_callbacks,
        {**base, "institucion": "carabineros de chile", "email": "sargento@carabineros.test"},
    )
    solicitud = SolicitudAcceso.objects.get(usuario__email="sargento@carabineros.test")
    assert solicitud.tipo == "unirse" and solicitud.organizacion == carabineros


# --- Throttling ---------------------------------------------------------------------------------------------


def test_veinte_envios_anonimos_no_inundan_a_nadie(director, admin, dpa, django_capture_on_commit_callbacks):
    """The attack of issue 11: 20 anonymous posts naming the director's address and a stranger's. Now at most
    five get through from one client address, the addresses get only confirmation e-mails (at most three a
    day each), reviewers get nothing, and no territory is taken."""
    respuestas = []
    for i in range(20):
        email = director.email if i % 2 else "tercero@ajeno.example"
        respuestas.append(_enviar({"email": email}, capturar=django_capture_on_commit_callbacks).status_code)
    assert respuestas[:5] == [302] * 5 and set(respuestas[5:]) == {429}
    para = sorted(m.to[0] for m in mail.outbox)
    assert para == [director.email] * 2 + ["tercero@ajeno.example"] * 3
    assert all(m.subject == "Mesa: confirme su solicitud de acceso" for m in mail.outbox)
    assert not Organizacion.objects.filter(comuna_id="05403").exists()
    assert "Se enviaron demasiadas solicitudes desde su conexión" in _enviar().content.decode()


def test_cada_correo_recibe_a_lo_sumo_tres_confirmaciones_al_dia(dpa, django_capture_on_commit_callbacks):
    respuestas = []
    for i in range(4):
        client = cliente_de(None)
        with django_capture_on_commit_callbacks(execute=True):
            respuestas.append(client.post("/solicitar-acceso/", FORMULARIO, REMOTE_ADDR=f"203.0.113.{i}").status_code)
    assert respuestas == [302] * 4  # the same answer…
    assert len(mail.outbox) == 3  # …but the fourth sends nothing


def test_los_avisos_a_quien_revisa_tienen_tope_diario(admin, dpa, django_capture_on_commit_callbacks):
    """Real (confirmed) but repeated requests for one territory: reviewers get five e-mails a day, and the rest
    wait in their list."""
    for i in range(7):
        solicitud_nueva(email=f"persona{i}@papudo.test")
    assert SolicitudAcceso.objects.filter(estado="pendiente").count() == 7
    assert Aviso.objects.filter(para="admin@mesa.test").count() == 5


def _recuperar(email, ip):
    return cliente_de(None).post("/cuenta/recuperar/", {"email": email}, REMOTE_ADDR=ip)


def test_restablecer_la_contrasena_tiene_tope_por_cuenta_y_responde_igual(director):
    ahora, respuestas = timezone.now(), []
    for i in range(5):  # a minute apart: within one second the reset link (and so its notice) is the same
        with time_machine.travel(ahora + timedelta(minutes=i), tick=False):
            respuestas.append(_recuperar("director@zapallar.test", f"198.51.100.{i}"))
    respuestas += [_recuperar("nadie@ninguna.example", "198.51.100.9")]
    assert {(r.status_code, r["Location"]) for r in respuestas} == {(302, "/cuenta/recuperar/enviado/")}
    assert len(mail.outbox) == 3  # three an hour per account, whatever the client address


def test_restablecer_la_contrasena_tiene_tope_por_direccion_de_cliente(director):
    for i in range(5):  # five an hour from one client address, whatever the account
        _recuperar(f"nadie{i}@ninguna.example", "192.0.2.7")
    assert _recuperar("director@zapallar.test", "192.0.2.7")["Location"] == "/cuenta/recuperar/enviado/"
    assert mail.outbox == []
    _recuperar("director@zapallar.test", "192.0.2.8")
    assert [m.to for m in mail.outbox] == [["director@zapallar.test"]]


# --- Review -------------------------------------------------------------------------------------------------


def test_aprobar_activa_organizacion_y_cuenta_y_envia_enlace_para_crear_clave(
    admin, dpa, django_capture_on_commit_callbacks
):
    solicitud = solicitud_nueva()
    client = cliente_de(admin)
    html = client.get("/solicitudes/").content.decode()
    assert "Paula Solicitante" in html and "Comuna de Papudo · Región de Valparaíso" in html
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = client.post(f"/solicitudes/{solicitud.pk}/aprobar/", {"rol": "director"})
    assert respuesta.status_code == 302

    solicitud.refresh_from_db()
    assert solicitud.estado == "aprobada" and solicitud.resuelta_por == admin and solicitud.resuelta_en
    assert solicitud.organizacion.estado == Organizacion.Estado.ACTIVA
    assert Usuario.objects.get(email="directora@papudo.test").is_active
    registro = Auditoria.objects.get(accion="aprobar")
    assert registro.actor == admin and registro.despues["estado"] == "aprobada"

    (correo,) = _para("directora@papudo.test")
    assert "aprobado" in correo.subject
    enlace = _enlace(correo)
    assert enlace.startswith("http://127.0.0.1:8000/bienvenida/")

    # The applicant sets a password through the link, then signs in.
    anonimo = cliente_de(None)
    formulario = anonimo.get(_ruta(enlace), follow=True)
    assert "Cree su contraseña" in formulario.content.decode()
    clave = "faro-costero-papudo-2026"
    guardada = anonimo.post(formulario.redirect_chain[-1][0], {"new_password1": clave, "new_password2": clave})
    assert guardada.status_code == 302 and guardada["Location"] == "/cuenta/ingresar/"
    assert Usuario.objects.get(email="directora@papudo.test").check_password(clave)
    assert (
        anonimo.post("/cuenta/ingresar/", {"username": "directora@papudo.test", "password": clave}).status_code == 302
    )
    # The link works once.
    assert "ya no es válido" in anonimo.get(_ruta(enlace), follow=True).content.decode()


def test_la_solicitud_muestra_el_tipo_y_el_territorio_con_su_nombre_oficial(admin, dpa):
    solicitud = solicitud_nueva(codigo="13101", email="d@santiago.test")
    html = cliente_de(admin).get(f"/solicitudes/{solicitud.pk}/").content.decode()
    assert "Dirección municipal de seguridad pública" in html
    assert "Comuna de Santiago · Región Metropolitana de Santiago" in html


def test_rechazar_exige_motivo(admin, dpa):
    solicitud = solicitud_nueva()
    respuesta = cliente_de(admin).post(f"/solicitudes/{solicitud.pk}/rechazar/", {"motivo": "  "})
    assert respuesta.status_code == 400 and "Indique el motivo" in respuesta.content.decode()
    solicitud.refresh_from_db()
    assert solicitud.estado == "pendiente" and solicitud.organizacion.estado == "pendiente"


def test_rechazar_informa_el_motivo(admin, dpa, django_capture_on_commit_callbacks):
    solicitud = solicitud_nueva()
    motivo = "El correo no corresponde a la municipalidad."
    with django_capture_on_commit_callbacks(execute=True):
        cliente_de(admin).post(f"/solicitudes/{solicitud.pk}/rechazar/", {"motivo": motivo})
    solicitud.refresh_from_db()
    assert solicitud.estado == "rechazada" and solicitud.motivo_rechazo == motivo
    assert solicitud.organizacion.estado == Organizacion.Estado.RECHAZADA  # kept for the record
    assert not solicitud.usuario.is_active
    assert Auditoria.objects.get(accion="rechazar").motivo == motivo
    (correo,) = _para("directora@papudo.test")
    assert motivo in correo.body

    # A later, legitimate request from the same e-mail goes through.
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
    assert len(_para("nueva@zapallar.test")) == 1


def test_el_director_rechaza_a_quien_pide_unirse(director, org_zapallar, django_capture_on_commit_callbacks):
    solicitud = solicitud_unirse(org_zapallar)
    with django_capture_on_commit_callbacks(execute=True):
        cliente_de(director).post(f"/solicitudes/{solicitud.pk}/rechazar/", {"motivo": "No trabaja en la dirección."})
    solicitud.refresh_from_db()
    assert solicitud.estado == "rechazada" and org_zapallar.membresias.count() == 1
    org_zapallar.refresh_from_db()
    assert org_zapallar.estado == "activa"
    (correo,) = _para("nueva@zapallar.test")
    assert "No trabaja en la dirección." in correo.body


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
