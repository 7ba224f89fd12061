"""Subrogantes: a member names who stands in for them at one session (a colleague or an external person); their
answer becomes "Asistirá por subrogante"; attendance and the acta say "X en representación de Y"."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from comunas.models import Usuario
from mesa import services, services_actas
from mesa import services_participantes as participantes
from mesa.models import InvitadoSesion, Respuesta, Sesion, Subrogacion
from nucleo.models import Aviso
from tests.conftest import cliente_de
from tests.mesa.utiles import crear_sesion
from tests.mesa.utiles_participantes import correos_a, enlace, ics, mesa_de_tres
from tests.pdf_texto import texto_de_pdf

pytestmark = pytest.mark.django_db

EXTERNA = {"nombre": "Marta Lagos Peña", "email": "marta.lagos@consultora.example", "cargo": "Asesora en seguridad"}


@pytest.fixture
def tres(org_zapallar, coordinador, director, integrante, lector):
    return mesa_de_tres(org_zapallar, coordinador)


@pytest.fixture
def sesion(tres):
    return crear_sesion(tres[0], estado=Sesion.Estado.CONVOCADA, dias=7)


def _designar(usuario, sesion, capturar, **datos):
    with capturar(execute=True):
        return cliente_de(usuario).post(f"/mesas/sesiones/{sesion.pk}/subrogante/", datos, follow=True)


def test_un_miembro_designa_a_un_colega(sesion, director, integrante, django_capture_on_commit_callbacks):
    pagina = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/subrogante/").content.decode()
    assert "Ignacio Integrante (integrante@zapallar.test)" in pagina
    assert "Pedro Provincial" not in pagina  # only colleagues of the same organization
    respuesta = _designar(director, sesion, django_capture_on_commit_callbacks, colega=integrante.pk)
    html = respuesta.content.decode()
    assert "Ignacio Integrante subrogará a Rodrigo Director en esta sesión" in html
    assert "Ignacio Integrante en representación de Rodrigo Director" in html
    subrogacion = Subrogacion.objects.get()
    assert (subrogacion.titular, subrogacion.subrogante, subrogacion.organizacion) == (
        director,
        integrante,
        sesion.mesa.anfitriona,
    )
    assert Respuesta.objects.get(sesion=sesion, usuario=director).get_opcion_display() == "Asistirá por subrogante"

    [aviso] = correos_a("integrante@zapallar.test")
    assert aviso.subject.startswith("Subrogancia: Sesión ordinaria n.º 1")
    assert "Rodrigo Director (Dirección de Seguridad Pública de Zapallar) le designó como subrogante" in aviso.body
    assert "/mesas/rsvp/" in aviso.body and "Detalle de la sesión:" in aviso.body  # a member: her own links
    assert ics(aviso)[0] == "REQUEST"
    # Her own link answers for her, not for the director.
    cliente_de(None).post(enlace(aviso, "Asistiré"))
    assert Respuesta.objects.get(sesion=sesion, usuario=integrante).opcion == "asistire"


def test_un_miembro_designa_a_una_persona_externa(sesion, director, django_capture_on_commit_callbacks):
    cuentas = Usuario.objects.count()
    html = _designar(director, sesion, django_capture_on_commit_callbacks, **EXTERNA).content.decode()
    assert "Marta Lagos Peña (externo/a) en representación de Rodrigo Director" in html
    invitado = InvitadoSesion.objects.get()
    assert (invitado.email, invitado.institucion) == (EXTERNA["email"], sesion.mesa.anfitriona.nombre)
    assert invitado.subrogacion.titular == director
    assert Usuario.objects.count() == cuentas
    [aviso] = correos_a(EXTERNA["email"])
    assert "Rodrigo Director (Dirección de Seguridad Pública de Zapallar) le designó como subrogante" in aviso.body
    assert "/mesas/invitados/rsvp/" in aviso.body and "/mesas/sesiones/" not in aviso.body
    cliente_de(None).post(enlace(aviso, "Asistiré"))
    invitado.refresh_from_db()
    assert invitado.respuesta == "asistire"


@pytest.mark.parametrize(
    ("datos", "error"),
    [
        ({}, "Elija un(a) colega o escriba el nombre y el correo de una persona externa."),
        ({"nombre": "Sin correo"}, "Escriba el correo de la persona externa"),
        ({"email": "pedro@no.example"}, "Escriba el nombre de la persona externa."),
        ({"nombre": "Alguien", "email": "director@petorca.test"}, "Ese correo es de un miembro de la mesa"),
    ],
)
def test_datos_invalidos_no_designan(sesion, director, datos, error, django_capture_on_commit_callbacks):
    respuesta = _designar(director, sesion, django_capture_on_commit_callbacks, **datos)
    assert respuesta.status_code == 400
    assert error in respuesta.content.decode()
    assert not Subrogacion.objects.exists() and mail.outbox == []


def test_el_servicio_refuerza_las_reglas(tres, sesion, director, integrante, lector, coordinador):
    _, pedro, _ = tres
    with pytest.raises(ValidationError, match="Elija a otra persona activa"):
        participantes.subrogante_designar(sesion=sesion, titular=director, por=director, colega=pedro)
    with pytest.raises(ValidationError, match="no ambos"):
        participantes.subrogante_designar(sesion=sesion, titular=director, por=director, colega=integrante, **EXTERNA)
    with pytest.raises(PermissionDenied):
        participantes.subrogante_designar(sesion=sesion, titular=director, por=lector, colega=integrante)
    participantes.subrogante_designar(sesion=sesion, titular=director, por=director, colega=integrante)
    with pytest.raises(ValidationError, match="quite esa designación"):
        participantes.subrogante_designar(sesion=sesion, titular=director, por=director, colega=lector)
    with pytest.raises(ValidationError, match="no designa, a su vez"):
        participantes.subrogante_designar(sesion=sesion, titular=integrante, por=integrante, colega=lector)
    with pytest.raises(ValidationError, match="Elija a otra persona activa"):  # already standing in for someone
        participantes.subrogante_designar(sesion=sesion, titular=lector, por=coordinador, colega=integrante)
    pasada = crear_sesion(sesion.mesa, numero=2, estado=Sesion.Estado.CONVOCADA, dias=-1)
    with pytest.raises(ValidationError, match="aún no termina"):
        participantes.subrogante_designar(sesion=pasada, titular=director, por=director, colega=integrante)


def test_la_coordinacion_designa_por_un_miembro(tres, sesion, coordinador, django_capture_on_commit_callbacks):
    _, pedro, ana = tres
    pagina = cliente_de(coordinador).get(f"/mesas/sesiones/{sesion.pk}/subrogante/").content.decode()
    assert "Miembro que será subrogado(a)" in pagina
    html = _designar(coordinador, sesion, django_capture_on_commit_callbacks, titular=pedro.pk, **EXTERNA)
    assert "Marta Lagos Peña subrogará a Pedro Provincial" in html.content.decode()
    subrogacion = Subrogacion.objects.get()
    assert (subrogacion.titular, subrogacion.organizacion.pk) == (pedro, pedro.membresias.get().organizacion_id)
    assert subrogacion.designada_por == coordinador


def test_quien_designo_ya_no_responde_personalmente(sesion, director, integrante):
    participantes.subrogante_designar(sesion=sesion, titular=director, por=director, colega=integrante)
    url = f"/mesas/sesiones/{sesion.pk}/responder/"
    respuesta = cliente_de(director).post(url, {"opcion": "asistire"}, follow=True)
    assert "Usted designó a Ignacio Integrante como subrogante" in respuesta.content.decode()
    assert Respuesta.objects.get(sesion=sesion, usuario=director).opcion == "subrogante"
    token = services.rsvp_token(usuario=director, sesion=sesion, opcion="no_asistire")
    assert cliente_de(None).get(f"/mesas/rsvp/{token}/").status_code == 400
    # "Asistirá por subrogante" is never a choice of the form nor a link.
    assert 'value="subrogante"' not in cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert set(services.rsvp_enlaces(usuario=director, sesion=sesion)) == {"asistire", "no_asistire", "tal_vez"}
    forjado = services.rsvp_token(usuario=director, sesion=sesion, opcion="subrogante")
    assert cliente_de(None).get(f"/mesas/rsvp/{forjado}/").status_code == 400


def test_quitar_la_designacion(sesion, director, integrante, lector, django_capture_on_commit_callbacks):
    subrogacion = participantes.subrogante_designar(sesion=sesion, titular=director, por=director, colega=integrante)
    url = f"/mesas/subrogaciones/{subrogacion.pk}/quitar/"
    assert cliente_de(lector).post(url).status_code == 403  # neither the titular nor the coordination
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(director).post(url, follow=True)
    assert "Rodrigo Director vuelve a responder personalmente" in respuesta.content.decode()
    assert not Subrogacion.objects.exists()
    assert not Respuesta.objects.filter(sesion=sesion, usuario=director).exists()
    [aviso] = correos_a("integrante@zapallar.test")
    assert aviso.subject.startswith("Sin subrogancia") and "Sigue convocado(a)" in aviso.body
    services.respuesta_registrar(sesion=sesion, usuario=director, opcion="asistire")  # answers again


def test_quitar_a_un_externo_retira_su_invitacion(sesion, director, coordinador, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subrogacion = participantes.subrogante_designar(sesion=sesion, titular=director, por=director, **EXTERNA)
    with django_capture_on_commit_callbacks(execute=True):
        participantes.subrogacion_quitar(subrogacion=subrogacion, por=coordinador)
    assert not InvitadoSesion.objects.exists() and not Subrogacion.objects.exists()
    retiro = correos_a(EXTERNA["email"])[-1]
    assert retiro.subject.startswith("Sin subrogancia") and ics(retiro)[0] == "CANCEL"


def test_los_recordatorios_omiten_al_titular(tres, coordinador, director, integrante):
    sesion = crear_sesion(tres[0], dias=5)
    services.sesion_convocar(sesion=sesion, por=coordinador)
    participantes.subrogante_designar(sesion=sesion, titular=director, por=director, colega=integrante)
    with time_machine.travel(sesion.inicio - timedelta(hours=47), tick=False):
        services.recordatorios_enviar()
    recordados = set(Aviso.objects.filter(clave__startswith="recordatorio").values_list("para", flat=True))
    assert "integrante@zapallar.test" in recordados and "director@zapallar.test" not in recordados


def test_asistencia_y_acta_dicen_en_representacion_de(tres, sesion, coordinador, director, integrante):
    _, pedro, _ = tres
    participantes.subrogante_designar(sesion=sesion, titular=director, por=director, colega=integrante)
    externa = participantes.subrogante_designar(sesion=sesion, titular=pedro, por=pedro, **EXTERNA).invitado
    url = f"/mesas/sesiones/{sesion.pk}/asistencia/"
    with time_machine.travel(sesion.inicio + timedelta(minutes=5), tick=False):
        cliente = cliente_de(coordinador)
        formulario = cliente.get(url).content.decode()
        assert "Ignacio Integrante (integrante@zapallar.test) — en representación de Rodrigo Director" in formulario
        assert "Marta Lagos Peña (externo/a) — en representación de Pedro Provincial" in formulario
        cliente.post(url, {"presentes": [integrante.pk, coordinador.pk], "invitados": [externa.pk]})
        services_actas.acta_redactar(sesion=sesion, por=coordinador)
        html = cliente.get(f"/mesas/sesiones/{sesion.pk}/acta/").content.decode()
        pdf = texto_de_pdf(cliente.get(f"/mesas/sesiones/{sesion.pk}/acta.pdf").content)
    assert "Ignacio Integrante en representación de Rodrigo Director" in html
    assert "Marta Lagos Peña (externo/a) en representación de Pedro Provincial" in html
    assert re.search(r"Zapallar: .*Ignacio Integrante en representación de Rodrigo Director", pdf)
    assert "Marta Lagos Peña (externo/a) en representación de Pedro Provincial" in pdf
    assert "ausentes: " in pdf and "Rodrigo Director" in pdf
