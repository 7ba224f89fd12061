"""Guests without an account: invited to one session by name, institution and e-mail, they get its notices,
answer through links bound to them and that session, and appear in the attendance and in the acta."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import ValidationError

from comunas import limites
from comunas.models import Usuario
from mesa import services, services_actas
from mesa import services_participantes as participantes
from mesa.models import InvitadoSesion, Sesion
from nucleo.models import Aviso
from tests.conftest import cliente_de
from tests.mesa.utiles import crear_mesa, crear_sesion
from tests.mesa.utiles_participantes import CARABINEROS, correos_a, enlace, ics
from tests.pdf_texto import texto_de_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador, director):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def convocada(mesa):
    return crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=7)


def _invitar(cliente, sesion, capturar, **datos):
    with capturar(execute=True):
        return cliente.post(f"/mesas/sesiones/{sesion.pk}/invitados/", {**CARABINEROS, **datos}, follow=True)


def test_invitar_a_una_sesion_convocada_envia_la_convocatoria(
    convocada, coordinador, django_capture_on_commit_callbacks
):
    cuentas = Usuario.objects.count()
    respuesta = _invitar(cliente_de(coordinador), convocada, django_capture_on_commit_callbacks)
    html = respuesta.content.decode()
    assert "Sargento Paula Cáceres Rivas (Carabineros de Chile — 2ª Comisaría de Zapallar) quedó invitado(a)" in html
    assert "Se le envió la convocatoria por correo." in html
    invitado = InvitadoSesion.objects.get()
    assert (invitado.sesion, invitado.email, invitado.respuesta) == (convocada, CARABINEROS["email"], "")
    assert Usuario.objects.count() == cuentas  # nobody gets an account by being a guest

    [mensaje] = correos_a(CARABINEROS["email"])
    assert mensaje.subject.startswith("Sesión ")
    assert "Hola, Sargento Paula Cáceres Rivas:" in mensaje.body
    assert "/mesas/invitados/rsvp/" in mensaje.body and "/mesas/rsvp/" not in mensaje.body
    assert "/mesas/sesiones/" not in mensaje.body  # no page of the platform: she has no account
    metodo, cal = ics(mensaje)
    [evento] = cal.events
    assert metodo == "REQUEST" and str(evento["ATTENDEE"]) == f"mailto:{CARABINEROS['email']}"
    assert "URL" not in evento and "/mesas/sesiones/" not in str(evento["DESCRIPTION"])
    assert str(evento["ORGANIZER"]) == f"mailto:{coordinador.email}"  # her calendar's reply reaches a person
    assert mensaje.reply_to == [f"{coordinador.nombre} <{coordinador.email}>"]
    assert Aviso.objects.get(para=CARABINEROS["email"]).objeto == convocada  # on the session's delivery list


def test_los_invitados_de_un_borrador_reciben_la_convocatoria_al_convocar(
    mesa, coordinador, django_capture_on_commit_callbacks
):
    borrador = crear_sesion(mesa)
    respuesta = _invitar(cliente_de(coordinador), borrador, django_capture_on_commit_callbacks)
    assert "Recibirá la convocatoria cuando se convoque la sesión." in respuesta.content.decode()
    assert correos_a(CARABINEROS["email"]) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=borrador, por=coordinador)
    [mensaje] = correos_a(CARABINEROS["email"])
    assert mensaje.subject.startswith("Sesión ")
    assert len(mail.outbox) == 3  # the coordinator, the director and the guest


@pytest.mark.parametrize(
    ("datos", "error"),
    [
        ({"email": "no-es-un-correo"}, "Ingrese una dirección de correo electrónico válida"),
        ({"email": "director@zapallar.test"}, "Ese correo es de un miembro de la mesa"),
        ({"institucion": ""}, "Este campo es obligatorio"),
    ],
)
def test_datos_invalidos_no_invitan(convocada, coordinador, datos, error, django_capture_on_commit_callbacks):
    respuesta = _invitar(cliente_de(coordinador), convocada, django_capture_on_commit_callbacks, **datos)
    assert respuesta.status_code == 400
    html = respuesta.content.decode()
    assert error in html
    assert CARABINEROS["nombre"] in html  # what was typed stays in the form
    assert not InvitadoSesion.objects.exists() and mail.outbox == []


def test_el_servicio_valida_correo_duplicados_y_tope(convocada, coordinador, monkeypatch):
    with pytest.raises(ValidationError, match="correo electrónico válido"):
        participantes.invitado_agregar(sesion=convocada, por=coordinador, **{**CARABINEROS, "email": "x@"})
    participantes.invitado_agregar(sesion=convocada, por=coordinador, **CARABINEROS)
    with pytest.raises(ValidationError, match="ya está invitada"):
        participantes.invitado_agregar(
            sesion=convocada, por=coordinador, **{**CARABINEROS, "email": CARABINEROS["email"].upper()}
        )
    monkeypatch.setattr(participantes, "MAX_INVITADOS_POR_SESION", 2)
    participantes.invitado_agregar(
        sesion=convocada, por=coordinador, nombre="Inspector Luis Mora", institucion="PDI", email="lmora@pdi.example"
    )
    with pytest.raises(ValidationError, match="el máximo por sesión"):
        participantes.invitado_agregar(
            sesion=convocada, por=coordinador, nombre="Fiscal", institucion="Fiscalía", email="f@fiscalia.example"
        )
    assert convocada.invitados.count() == 2


def test_invitar_tiene_un_limite_por_hora(convocada, coordinador, monkeypatch):
    monkeypatch.setattr(limites, "INVITADOS_POR_PERSONA", limites.Limite("invitado-prueba", maximo=2, segundos=3600))
    for i in range(2):
        participantes.invitado_agregar(
            sesion=convocada, por=coordinador, nombre=f"Persona {i}", institucion="SENDA", email=f"p{i}@senda.example"
        )
    with pytest.raises(ValidationError, match="muchas personas en la última hora"):
        participantes.invitado_agregar(
            sesion=convocada, por=coordinador, nombre="Otra", institucion="SENDA", email="otra@senda.example"
        )
    assert convocada.invitados.count() == 2


def test_solo_la_coordinacion_invita(convocada, director):
    assert cliente_de(director).get(f"/mesas/sesiones/{convocada.pk}/invitados/").status_code == 403
    with pytest.raises(Exception, match="coordinación"):
        participantes.invitado_agregar(sesion=convocada, por=director, **CARABINEROS)


def test_no_se_invita_a_una_sesion_terminada_o_cancelada(mesa, coordinador):
    pasada = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-2)
    with pytest.raises(ValidationError, match="aún no termina"):
        participantes.invitado_agregar(sesion=pasada, por=coordinador, **CARABINEROS)
    cancelada = crear_sesion(mesa, numero=2, estado=Sesion.Estado.CANCELADA)
    with pytest.raises(ValidationError, match="borrador o convocada"):
        participantes.invitado_agregar(sesion=cancelada, por=coordinador, **CARABINEROS)


# --- The guest's answer ---------------------------------------------------------------------------------


def test_el_invitado_responde_desde_el_correo_sin_cuenta(convocada, coordinador, django_capture_on_commit_callbacks):
    _invitar(cliente_de(coordinador), convocada, django_capture_on_commit_callbacks)
    [mensaje] = correos_a(CARABINEROS["email"])
    url = enlace(mensaje, "Asistiré")
    visitante = cliente_de(None)
    pagina = visitante.get(url)
    assert pagina.status_code == 200
    assert "Confirmar: asistiré" in pagina.content.decode()
    assert InvitadoSesion.objects.get().respuesta == ""  # opening is not answering
    respuesta = visitante.post(url)
    assert "Registramos su respuesta: <strong>Asistiré</strong>" in respuesta.content.decode()
    assert InvitadoSesion.objects.get().respuesta == "asistire"
    assert "_auth_user_id" not in visitante.session  # the link signs nobody in
    assert visitante.get(f"/mesas/sesiones/{convocada.pk}/").status_code == 302  # and opens nothing else
    visitante.post(enlace(mensaje, "No asistiré"))
    assert InvitadoSesion.objects.get().respuesta == "no_asistire"
    html = cliente_de(coordinador).get(f"/mesas/sesiones/{convocada.pk}/").content.decode()
    assert "Carabineros de Chile — 2ª Comisaría de Zapallar" in html and "No asistiré" in html


def test_un_enlace_vale_solo_para_su_invitado_y_su_sesion(mesa, convocada, coordinador):
    invitado = participantes.invitado_agregar(sesion=convocada, por=coordinador, **CARABINEROS)
    otra = crear_sesion(mesa, numero=2, estado=Sesion.Estado.CONVOCADA, dias=9)
    ajeno = signing.dumps([invitado.pk, otra.pk, "asistire"], salt=participantes.RSVP_INVITADO_SAL)
    assert cliente_de(None).get(f"/mesas/invitados/rsvp/{ajeno}/").status_code == 404
    assert cliente_de(None).post(f"/mesas/invitados/rsvp/{ajeno}/").status_code == 404
    socio = services.rsvp_token(usuario=coordinador, sesion=convocada, opcion="asistire")  # a member's link
    assert cliente_de(None).get(f"/mesas/invitados/rsvp/{socio}/").status_code == 404
    bueno = participantes.rsvp_invitado_token(invitado=invitado, opcion="asistire")
    assert cliente_de(None).get(f"/mesas/invitados/rsvp/{bueno[:-2]}xx/").status_code == 404  # altered
    invitado.delete()
    assert cliente_de(None).get(f"/mesas/invitados/rsvp/{bueno}/").status_code == 404  # withdrawn
    assert InvitadoSesion.objects.count() == 0


def test_un_enlace_vencido_o_de_una_sesion_terminada_lo_explica(convocada, coordinador):
    invitado = participantes.invitado_agregar(sesion=convocada, por=coordinador, **CARABINEROS)
    url = f"/mesas/invitados/rsvp/{participantes.rsvp_invitado_token(invitado=invitado, opcion='tal_vez')}/"
    with time_machine.travel(convocada.fin + timedelta(minutes=1)):
        respuesta = cliente_de(None).post(url)
    assert respuesta.status_code == 400 and "ya no recibe respuestas" in respuesta.content.decode()
    with time_machine.travel(convocada.inicio + timedelta(days=121)):
        respuesta = cliente_de(None).get(url)
    assert respuesta.status_code == 400 and "El enlace ya venció" in respuesta.content.decode()
    assert InvitadoSesion.objects.get().respuesta == ""


# --- Changes, cancellation, reminders, withdrawal -------------------------------------------------------


def test_los_invitados_reciben_los_cambios_y_la_cancelacion(convocada, coordinador, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        participantes.invitado_agregar(sesion=convocada, por=coordinador, **CARABINEROS)
    with django_capture_on_commit_callbacks(execute=True):
        inicio = convocada.inicio + timedelta(days=1)
        services.sesion_editar(sesion=convocada, por=coordinador, inicio=inicio, fin=inicio + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_cancelar(sesion=convocada, por=coordinador, motivo="Emergencia comunal")
    convocatoria, cambio, cancelacion = correos_a(CARABINEROS["email"])
    assert cambio.subject.startswith("Cambio en la sesión") and ics(cambio)[1].events[0]["SEQUENCE"] == 1
    assert cancelacion.subject.startswith("Cancelada: sesión") and "Motivo: Emergencia comunal" in cancelacion.body
    metodo, cal = ics(cancelacion)
    assert metodo == "CANCEL" and cal.events[0]["STATUS"] == "CANCELLED"


def test_los_recordatorios_omiten_a_quien_no_asistira(mesa, coordinador, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa, dias=5)
    services.sesion_convocar(sesion=sesion, por=coordinador)
    viene = participantes.invitado_agregar(sesion=sesion, por=coordinador, **CARABINEROS)
    no_viene = participantes.invitado_agregar(
        sesion=sesion, por=coordinador, nombre="Fiscal Adjunta", institucion="Fiscalía Local", email="f@fiscalia.cl"
    )
    participantes.invitado_responder(invitado=no_viene, opcion="no_asistire")
    with time_machine.travel(sesion.inicio - timedelta(hours=47), tick=False):
        services.recordatorios_enviar()
    recordatorios = Aviso.objects.filter(clave__startswith="recordatorio")
    assert set(recordatorios.exclude(usuario__isnull=False).values_list("para", flat=True)) == {viene.email}


def test_quitar_a_un_invitado_le_avisa(convocada, coordinador, django_capture_on_commit_callbacks):
    invitado = participantes.invitado_agregar(sesion=convocada, por=coordinador, **CARABINEROS)
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(coordinador).post(f"/mesas/invitados/{invitado.pk}/quitar/", follow=True)
    assert "Se retiró la invitación de Sargento Paula Cáceres Rivas" in respuesta.content.decode()
    assert not InvitadoSesion.objects.exists()
    retiro = correos_a(CARABINEROS["email"])[-1]
    assert retiro.subject.startswith("Invitación retirada") and ics(retiro)[0] == "CANCEL"


# --- Attendance and the acta ----------------------------------------------------------------------------


def test_la_asistencia_y_el_acta_listan_a_los_invitados_por_institucion(mesa, convocada, coordinador, director):
    presente = participantes.invitado_agregar(sesion=convocada, por=coordinador, **CARABINEROS)
    participantes.invitado_responder(invitado=presente, opcion="asistire")
    ausente = participantes.invitado_agregar(
        sesion=convocada, por=coordinador, nombre="Inspector Luis Mora", institucion="PDI", email="lm@pdi.example"
    )
    url = f"/mesas/sesiones/{convocada.pk}/asistencia/"
    with time_machine.travel(convocada.inicio + timedelta(minutes=10), tick=False):
        cliente = cliente_de(coordinador)
        formulario = cliente.get(url).content.decode()
        assert "Invitados y subrogantes externos" in formulario
        casilla = re.search(rf'<input[^>]*name="invitados"[^>]*value="{presente.pk}"[^>]*>', formulario).group()
        assert "checked" in casilla  # said yes: pre-marked
        cliente.post(url, {"presentes": [director.pk], "invitados": [presente.pk]})
        presente.refresh_from_db()
        ausente.refresh_from_db()
        assert (presente.asistio, ausente.asistio) == (True, False)
        services_actas.acta_redactar(sesion=convocada, por=coordinador)
        html = cliente.get(f"/mesas/sesiones/{convocada.pk}/acta/").content.decode()
        pdf = texto_de_pdf(cliente.get(f"/mesas/sesiones/{convocada.pk}/acta.pdf").content)
    assert "<strong>Carabineros de Chile — 2ª Comisaría de Zapallar</strong>:" in html
    assert "Sargento Paula Cáceres Rivas, Encargada de integración comunitaria" in html
    assert "(no asistieron: Inspector Luis Mora)" in html
    assert (
        "Invitados — Carabineros de Chile — 2ª Comisaría de Zapallar: Sargento Paula Cáceres Rivas, Encargada de "
        "integración comunitaria" in pdf
    )
    assert "Invitados — PDI: sin asistentes (no asistieron: Inspector Luis Mora)" in pdf


def test_la_administracion_los_muestra_sin_editarlos(convocada, coordinador, admin):
    participantes.invitado_agregar(sesion=convocada, por=coordinador, **CARABINEROS)
    html = cliente_de(admin).get(f"/admin/mesa/sesion/{convocada.pk}/change/").content.decode()
    assert "Sargento Paula Cáceres Rivas" in html and "Invitados a sesiones" in html
    assert 'name="invitados-0-email"' not in html  # read only: they change through the session's pages
