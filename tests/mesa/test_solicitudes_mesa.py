"""Who takes part in a mesa: the mesas open to requests and "Pedir unirse", the coordination's answer from the mesa
page, the invitation's page (accept or decline, with a reason), and the convocatorias a newly joined organization
receives for the sessions already convened."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comunas.models import Comuna, Membresia
from mesa import services, services_participacion
from mesa.models import Participacion, Sesion
from nucleo.formato import con_articulo
from nucleo.models import Aviso
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador, director):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def convocada(mesa, coordinador, django_capture_on_commit_callbacks):
    """A session convened before anyone asked to join (its convocatoria went to the host's people)."""
    sesion = crear_sesion(mesa, numero=1, dias=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    mail.outbox.clear()
    return sesion


@pytest.fixture
def analista_ajena(org_ajena):
    return miembro(org_ajena, "analista@santiago.test", Membresia.Rol.INTEGRANTE, nombre="Ana Analista")


def _pedir(cliente, mesa, capturar, **datos):
    with capturar(execute=True):
        return cliente.post(f"/mesas/{mesa.pk}/unirse/", {"mensaje": "Queremos sumar nuestra experiencia.", **datos})


def _convocatorias(usuario):
    return Aviso.objects.filter(usuario=usuario, plantilla="sesion_convocada")


# --- The mesas open to requests -------------------------------------------------------------------------


def test_una_mesa_abierta_se_ofrece_a_la_direccion_de_afuera(mesa, ajeno, analista_ajena):
    pagina = cliente_de(ajeno).get("/mesas/").content.decode()
    assert "Mesas abiertas a nuevas organizaciones" in pagina and mesa.nombre in pagina
    assert f"/mesas/{mesa.pk}/unirse/" in pagina and "Pedir unirse" in pagina
    assert f'href="/mesas/{mesa.pk}/"' not in pagina  # listed, not opened
    # A team member of that organization learns that the direction asks; she cannot ask herself.
    pagina = cliente_de(analista_ajena).get("/mesas/").content.decode()
    assert mesa.nombre in pagina and "La dirección de su organización puede pedir unirse." in pagina
    assert f"/mesas/{mesa.pk}/unirse/" not in pagina
    assert cliente_de(analista_ajena).get(f"/mesas/{mesa.pk}/unirse/").status_code == 403


def test_una_mesa_cerrada_no_se_ofrece_y_su_solicitud_es_404(mesa, ajeno, coordinador):
    cliente = cliente_de(coordinador)
    datos = {"nombre": mesa.nombre, "descripcion": "", "alcance": "", "coordinadores": [coordinador.pk]}
    cliente.post(f"/mesas/{mesa.pk}/editar/", datos)  # the box left unticked
    mesa.refresh_from_db()
    assert mesa.acepta_solicitudes is False
    assert mesa.nombre not in cliente_de(ajeno).get("/mesas/").content.decode()
    assert cliente_de(ajeno).get(f"/mesas/{mesa.pk}/unirse/").status_code == 404
    assert "La mesa no recibe solicitudes" in cliente.get(f"/mesas/{mesa.pk}/").content.decode()
    with pytest.raises(ValidationError, match="no recibe solicitudes"):
        services_participacion.mesa_solicitar(mesa=mesa, organizacion=ajeno.membresias.get().organizacion, por=ajeno)


def test_quien_ya_participa_va_a_la_mesa(mesa, director):
    respuesta = cliente_de(director).get(f"/mesas/{mesa.pk}/unirse/")
    assert respuesta.status_code == 302 and respuesta["Location"] == f"/mesas/{mesa.pk}/"


def test_la_lista_de_mesas_abiertas_no_crece_en_consultas(org_zapallar, coordinador, ajeno, org_ajena):
    crear_mesa(org_zapallar, coordinador, nombre="Mesa 1")
    cliente = cliente_de(ajeno)
    cliente.get("/mesas/")
    with CaptureQueriesContext(connection) as pocas:
        cliente.get("/mesas/")
    for i in range(2, 14):
        otra = crear_mesa(org_zapallar, coordinador, nombre=f"Mesa {i}")
        if i % 2:
            services_participacion.mesa_solicitar(mesa=otra, organizacion=org_ajena, por=ajeno)
    with CaptureQueriesContext(connection) as muchas:
        pagina = cliente.get("/mesas/").content.decode()
    assert len(muchas) == len(pocas)
    assert pagina.count(">Pedir unirse<") == 7 and pagina.count("Solicitud enviada el") == 6


# --- Asking to join, and the coordination's answer -------------------------------------------------------


def test_pedir_unirse_avisa_a_la_coordinacion(mesa, ajeno, coordinador, org_ajena, django_capture_on_commit_callbacks):
    cliente = cliente_de(ajeno)
    formulario = cliente.get(f"/mesas/{mesa.pk}/unirse/").content.decode()
    assert "Pedir unirse a" in formulario and mesa.anfitriona.nombre in formulario
    respuesta = _pedir(cliente, mesa, django_capture_on_commit_callbacks)
    assert respuesta.status_code == 302 and respuesta["Location"] == "/mesas/"
    solicitud = Participacion.objects.get(mesa=mesa, organizacion=org_ajena)
    assert solicitud.estado == Participacion.Estado.SOLICITADA
    assert solicitud.origen == Participacion.Origen.SOLICITUD and solicitud.invitada_por == ajeno
    assert solicitud.mensaje == "Queremos sumar nuestra experiencia."
    [correo] = mail.outbox
    assert correo.to == [coordinador.email]
    assert correo.subject == f"{org_ajena} pide unirse {con_articulo(mesa, 'a')}"
    assert "Queremos sumar nuestra experiencia." in correo.body
    assert f"/mesas/{mesa.pk}/#solicitudes" in correo.body and "Alberto Ajeno" in correo.body
    assert "Solicitud enviada el" in cliente.get("/mesas/").content.decode()
    # Until accepted, the mesa stays closed to him; asking twice sends nothing.
    assert cliente.get(f"/mesas/{mesa.pk}/").status_code == 404
    respuesta = _pedir(cliente, mesa, django_capture_on_commit_callbacks)
    assert respuesta.status_code == 302 and len(mail.outbox) == 1
    assert Participacion.objects.filter(mesa=mesa, organizacion=org_ajena).count() == 1


def test_la_coordinacion_ve_las_solicitudes_en_la_pagina_de_la_mesa(
    mesa, ajeno, coordinador, director, org_ajena, django_capture_on_commit_callbacks
):
    _pedir(cliente_de(ajeno), mesa, django_capture_on_commit_callbacks)
    pagina = cliente_de(coordinador).get(f"/mesas/{mesa.pk}/").content.decode()
    assert "Solicitudes pendientes" in pagina and org_ajena.nombre in pagina
    assert "Queremos sumar nuestra experiencia." in pagina and "Comuna de Santiago" in pagina
    assert "Aceptar la solicitud de" in pagina and "Rechazar la solicitud" in pagina
    # Someone who takes part but does not coordinate sees neither the request nor the organization listed.
    pagina = cliente_de(director).get(f"/mesas/{mesa.pk}/").content.decode()
    assert "Solicitudes pendientes" not in pagina and org_ajena.nombre not in pagina


def test_aceptar_la_solicitud_envia_la_convocatoria_pendiente(
    mesa, convocada, ajeno, analista_ajena, coordinador, director, org_ajena, django_capture_on_commit_callbacks
):
    pasada = crear_sesion(mesa, numero=2, estado=Sesion.Estado.CONVOCADA, dias=-3)
    borrador = crear_sesion(mesa, numero=3, dias=20)
    _pedir(cliente_de(ajeno), mesa, django_capture_on_commit_callbacks)
    solicitud = Participacion.objects.get(mesa=mesa, organizacion=org_ajena)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(coordinador).post(f"/mesas/solicitudes/{solicitud.pk}/aceptar/", follow=True)
    assert "ahora participa en la mesa" in respuesta.content.decode()
    solicitud.refresh_from_db()
    assert solicitud.estado == Participacion.Estado.ACEPTADA and solicitud.aceptada_por == coordinador
    # Both people of the new organization get the convocatoria of the convened session still ahead (with its
    # .ics), nothing about the past one or the draft; the host's people get nothing again.
    for persona in (ajeno, analista_ajena):
        [aviso] = _convocatorias(persona)
        assert aviso.objeto == convocada and aviso.estado == Aviso.Estado.ENVIADO
    assert not Aviso.objects.filter(objeto_id__in=[pasada.pk, borrador.pk], usuario=ajeno).exists()
    assert _convocatorias(director).count() == 1
    convocatorias = [m for m in mail.outbox if m.to == [ajeno.email] and "text/calendar" in str(m.message())]
    assert len(convocatorias) == 1
    [aviso_resultado] = [m for m in mail.outbox if m.subject == f"{org_ajena} ya participa {con_articulo(mesa, 'en')}"]
    assert aviso_resultado.to == [ajeno.email] and "convocatoria de 1 sesión" in aviso_resultado.body
    # He now sees the mesa and the session; running the fan-out again sends nothing twice.
    assert cliente_de(ajeno).get(f"/mesas/sesiones/{convocada.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert {a.pk for a in services.convocatorias_pendientes_enviar(mesa=mesa, organizacion=org_ajena)} == {
            a.pk for a in Aviso.objects.filter(plantilla="sesion_convocada", usuario__in=[ajeno, analista_ajena])
        }
    assert Aviso.objects.filter(plantilla="sesion_convocada", usuario=ajeno).count() == 1


def test_rechazar_la_solicitud_con_motivo_y_volver_a_pedir(
    mesa, ajeno, coordinador, org_ajena, django_capture_on_commit_callbacks
):
    cliente = cliente_de(ajeno)
    _pedir(cliente, mesa, django_capture_on_commit_callbacks)
    solicitud = Participacion.objects.get(mesa=mesa, organizacion=org_ajena)
    mail.outbox.clear()
    url = f"/mesas/solicitudes/{solicitud.pk}/rechazar/"
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(coordinador).post(url, {"motivo": "La mesa es de la Región de Valparaíso."})
    assert respuesta.status_code == 302
    solicitud.refresh_from_db()
    assert solicitud.estado == Participacion.Estado.RECHAZADA and solicitud.rechazada_por == coordinador
    [correo] = mail.outbox
    assert (
        correo.to == [ajeno.email]
        and correo.subject == f"Su solicitud para unirse {con_articulo(mesa, 'a')} no fue aceptada"
    )
    assert "La mesa es de la Región de Valparaíso." in correo.body
    # Answered once: a second answer is refused with a message, not a 500.
    respuesta = cliente_de(coordinador).post(f"/mesas/solicitudes/{solicitud.pk}/aceptar/", follow=True)
    assert "Esta solicitud ya fue respondida." in respuesta.content.decode()
    # He may ask again: the same row is reopened and the coordination hears of it again.
    pagina = cliente.get("/mesas/").content.decode()
    assert "Su solicitud anterior fue rechazada." in pagina and f"/mesas/{mesa.pk}/unirse/" in pagina
    mail.outbox.clear()
    _pedir(cliente, mesa, django_capture_on_commit_callbacks, mensaje="Ahora con el acuerdo del alcalde.")
    solicitud.refresh_from_db()
    assert solicitud.estado == Participacion.Estado.SOLICITADA and solicitud.motivo_rechazo == ""
    [correo] = mail.outbox
    assert correo.to == [coordinador.email] and "Ahora con el acuerdo del alcalde." in correo.body


def test_pedir_una_y_otra_vez_tiene_limite(mesa, ajeno, coordinador, org_ajena):
    for _ in range(3):
        solicitud = services_participacion.mesa_solicitar(mesa=mesa, organizacion=org_ajena, por=ajeno)
        services_participacion.solicitud_rechazar(participacion=solicitud, por=coordinador)
    with pytest.raises(ValidationError, match="varias veces hoy"):
        services_participacion.mesa_solicitar(mesa=mesa, organizacion=org_ajena, por=ajeno)
    assert Participacion.objects.get(organizacion=org_ajena).estado == Participacion.Estado.RECHAZADA


def test_solo_la_direccion_pide_unirse_y_el_mensaje_tiene_largo_maximo(
    mesa, ajeno, analista_ajena, org_ajena, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        services_participacion.mesa_solicitar(mesa=mesa, organizacion=org_ajena, por=analista_ajena)
    respuesta = _pedir(cliente_de(ajeno), mesa, django_capture_on_commit_callbacks, mensaje="x" * 2_001)
    assert respuesta.status_code == 200 and "menos de 2000 caracteres" in respuesta.content.decode()
    assert not Participacion.objects.filter(organizacion=org_ajena).exists() and not mail.outbox


def test_invitar_a_quien_ya_pidio_unirse_remite_a_su_solicitud(mesa, ajeno, coordinador, org_ajena):
    services_participacion.mesa_solicitar(mesa=mesa, organizacion=org_ajena, por=ajeno)
    with pytest.raises(ValidationError, match="Solicitudes pendientes"):
        services.mesa_invitar(mesa=mesa, organizacion=org_ajena, por=coordinador)


# --- The invitation's page: accept or decline -------------------------------------------------------------


@pytest.fixture
def invitacion(mesa, coordinador, dpa, django_capture_on_commit_callbacks):
    """Papudo's directorate, invited by the coordination from the mesa page (the e-mail links to the invitation)."""
    papudo = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    miembro(papudo, "directora@papudo.test", Membresia.Rol.DIRECTOR, nombre="Paula Papudo")
    with django_capture_on_commit_callbacks(execute=True):
        cliente_de(coordinador).post(f"/mesas/{mesa.pk}/invitar/", {"organizacion": papudo.pk})
    return Participacion.objects.get(mesa=mesa, organizacion=papudo)


def test_la_invitacion_tiene_su_pagina(invitacion, mesa, convocada, coordinador):
    directora = invitacion.organizacion.membresias.get().usuario
    pagina = cliente_de(directora).get(f"/mesas/participaciones/{invitacion.pk}/").content.decode()
    assert f"Invitación a {mesa.nombre}" in pagina and coordinador.nombre in pagina  # who invites
    assert mesa.anfitriona.nombre in pagina and "La primera mesa." in pagina  # the mesa and its members
    assert "Próximas sesiones" in pagina and "n.º 1" in pagina  # its next sessions
    assert ">Aceptar</button>" in pagina and ">Rechazar</button>" in pagina
    assert "Invitación de" in cliente_de(directora).get("/inicio/").content.decode()
    assert f"/mesas/participaciones/{invitacion.pk}/" in cliente_de(directora).get("/mesas/").content.decode()


def test_el_correo_de_invitacion_lleva_a_su_pagina(invitacion, mesa):
    [correo] = mail.outbox
    assert correo.to == ["directora@papudo.test"] and correo.subject == f"Invitación {con_articulo(mesa, 'a')}"
    assert f"/mesas/participaciones/{invitacion.pk}/" in correo.body and "rechazarla" in correo.body


def test_rechazar_la_invitacion_avisa_a_la_coordinacion(
    invitacion, mesa, coordinador, django_capture_on_commit_callbacks
):
    directora = invitacion.organizacion.membresias.get().usuario
    mail.outbox.clear()
    url = f"/mesas/participaciones/{invitacion.pk}/rechazar/"
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(directora).post(url, {"motivo": "Ya participamos en la mesa provincial."}, follow=True)
    assert "Invitación rechazada" in respuesta.content.decode()
    invitacion.refresh_from_db()
    assert invitacion.estado == Participacion.Estado.RECHAZADA and invitacion.rechazada_por == directora
    assert invitacion.motivo_rechazo == "Ya participamos en la mesa provincial."
    [correo] = mail.outbox
    assert correo.to == [coordinador.email]
    assert correo.subject == f"{invitacion.organizacion} rechazó la invitación {con_articulo(mesa, 'a')}"
    assert "Ya participamos en la mesa provincial." in correo.body
    # It can no longer be accepted; the coordination sees it and may invite again (a new e-mail goes out).
    assert cliente_de(directora).post(f"/mesas/participaciones/{invitacion.pk}/aceptar/").status_code == 302
    invitacion.refresh_from_db()
    assert invitacion.estado == Participacion.Estado.RECHAZADA
    cliente = cliente_de(coordinador)
    assert "No aceptó la invitación" in cliente.get(f"/mesas/{mesa.pk}/").content.decode()
    assert invitacion.organizacion.nombre in cliente.get(f"/mesas/{mesa.pk}/invitar/").content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cliente.post(f"/mesas/{mesa.pk}/invitar/", {"organizacion": invitacion.organizacion_id})
    invitacion.refresh_from_db()
    assert invitacion.estado == Participacion.Estado.INVITADA and invitacion.motivo_rechazo == ""
    [correo] = mail.outbox
    assert correo.to == [directora.email]


def test_rechazar_sin_motivo_y_con_un_motivo_demasiado_largo(invitacion, django_capture_on_commit_callbacks):
    directora = invitacion.organizacion.membresias.get().usuario
    url = f"/mesas/participaciones/{invitacion.pk}/rechazar/"
    respuesta = cliente_de(directora).post(url, {"motivo": "x" * 2_001})
    assert respuesta.status_code == 400 and "menos de 2000 caracteres" in respuesta.content.decode()
    invitacion.refresh_from_db()
    assert invitacion.estado == Participacion.Estado.INVITADA
    with django_capture_on_commit_callbacks(execute=True):
        assert cliente_de(directora).post(url, {"motivo": ""}).status_code == 302
    invitacion.refresh_from_db()
    assert invitacion.estado == Participacion.Estado.RECHAZADA and invitacion.motivo_rechazo == ""


def test_aceptar_la_invitacion_envia_la_convocatoria_pendiente(
    invitacion, mesa, convocada, coordinador, django_capture_on_commit_callbacks
):
    directora = invitacion.organizacion.membresias.get().usuario
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(directora).post(f"/mesas/participaciones/{invitacion.pk}/aceptar/", follow=True)
    contenido = respuesta.content.decode()
    assert respuesta.redirect_chain[-1][0] == f"/mesas/{mesa.pk}/"
    assert "ahora participa" in contenido and "convocatoria de 1 sesión por venir" in contenido
    [aviso] = _convocatorias(directora)
    assert aviso.objeto == convocada
    [correo] = [m for m in mail.outbox if m.to == [coordinador.email]]
    assert correo.subject == f"{invitacion.organizacion} aceptó la invitación {con_articulo(mesa, 'a')}"
