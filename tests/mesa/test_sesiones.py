"""Mesas and sessions: the gate, creating and convening, .ics invitations, updates, cancellations and RSVP."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from comunas.models import Comuna, Membresia, Provincia
from mesa import services
from mesa.calendario import uid_de
from mesa.models import Participacion, Respuesta, Sesion
from nucleo.models import Aviso
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def org_petorca(dpa):
    return crear_organizacion(provincia=Provincia.objects.get(codigo="054"))


@pytest.fixture
def mesa_con_miembros(mesa, director, integrante, lector, ajeno, org_petorca, coordinador):
    """Zapallar hosts; the Petorca province accepted; Papudo is only invited; Santiago (ajeno) is out."""
    services.mesa_invitar(mesa=mesa, organizacion=org_petorca, por=coordinador)
    services.participacion_aceptar(participacion=mesa.participaciones.get(organizacion=org_petorca), por=coordinador)
    miembro(org_petorca, "director@petorca.test", Membresia.Rol.DIRECTOR, nombre="Pedro Provincial")
    org_papudo = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    services.mesa_invitar(mesa=mesa, organizacion=org_papudo, por=coordinador)
    miembro(org_papudo, "director@papudo.test", Membresia.Rol.DIRECTOR)
    return mesa


def _ics(mensaje):
    [parte] = [p for p in mensaje.message().walk() if p.get_content_type() == "text/calendar"]
    return parte, Calendar.from_ical(parte.get_content())


def _convocar(sesion, por, capturar):
    with capturar(execute=True):
        return services.sesion_convocar(sesion=sesion, por=por)


# --- The gate -------------------------------------------------------------------------------------------


def test_un_borrador_solo_lo_ve_la_coordinacion(mesa, coordinador, director, admin):
    borrador = crear_sesion(mesa)
    url = f"/mesas/sesiones/{borrador.pk}/"
    assert cliente_de(director).get(url).status_code == 404
    assert cliente_de(coordinador).get(url).status_code == 200
    assert cliente_de(admin).get(url).status_code == 200


def test_lista_de_mesas_del_usuario(mesa, director, ajeno):
    assert f'href="/mesas/{mesa.pk}/"' in cliente_de(director).get("/mesas/").content.decode()
    # An outsider does not get into the mesa: he sees it only among the mesas open to requests, if it takes them.
    pagina = cliente_de(ajeno).get("/mesas/").content.decode()
    assert f'href="/mesas/{mesa.pk}/"' not in pagina and f"/mesas/{mesa.pk}/unirse/" in pagina
    mesa.acepta_solicitudes = False
    mesa.save()
    assert mesa.nombre not in cliente_de(ajeno).get("/mesas/").content.decode()


def test_la_lista_no_crece_en_consultas(org_zapallar, coordinador, director, django_assert_num_queries):
    cliente = cliente_de(director)
    for i in range(2):
        crear_mesa(org_zapallar, coordinador, nombre=f"Mesa {i}")
    cliente.get("/mesas/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as pocas:
        cliente.get("/mesas/")
    for i in range(2, 12):
        crear_mesa(org_zapallar, coordinador, nombre=f"Mesa {i}")
    with django_assert_num_queries(len(pocas)):
        respuesta = cliente.get("/mesas/")
    assert respuesta.content.decode().count("list-group-item") == 12


def test_la_direccion_invitada_acepta(mesa, coordinador, org_petorca):
    services.mesa_invitar(mesa=mesa, organizacion=org_petorca, por=coordinador)
    participacion = mesa.participaciones.get(organizacion=org_petorca)
    integrante_petorca = miembro(org_petorca, "integrante@petorca.test", Membresia.Rol.INTEGRANTE)
    directora = miembro(org_petorca, "directora@petorca.test", Membresia.Rol.DIRECTOR)
    url = f"/mesas/participaciones/{participacion.pk}/aceptar/"
    assert cliente_de(integrante_petorca).post(url).status_code == 403
    assert cliente_de(directora).post(url).status_code == 302
    participacion.refresh_from_db()
    assert participacion.estado == Participacion.Estado.ACEPTADA
    assert cliente_de(integrante_petorca).get(f"/mesas/{mesa.pk}/").status_code == 200


# --- Creating and convening -----------------------------------------------------------------------------


def test_la_coordinacion_crea_una_sesion_y_su_tabla(mesa, coordinador, org_zapallar):
    cliente = cliente_de(coordinador)
    respuesta = cliente.post(
        f"/mesas/{mesa.pk}/sesiones/nueva/",
        {"tipo": "ordinaria", "inicio": "2031-03-04T10:00", "fin": "2031-03-04T12:00", "modalidad": "hibrida"},
    )
    assert respuesta.status_code == 200  # hybrid needs place and link
    assert "Indique el lugar" in respuesta.content.decode()
    datos = {
        "tipo": "ordinaria",
        "inicio": "2031-03-04T10:00",
        "fin": "2031-03-04T12:00",
        "modalidad": "hibrida",
        "lugar": "Municipalidad de Zapallar",
        "enlace": "https://reunion.example/mesa",
        "recordatorios": "24, 1.5",
    }
    respuesta = cliente.post(f"/mesas/{mesa.pk}/sesiones/nueva/", datos, follow=True)
    sesion = Sesion.objects.get(mesa=mesa)
    assert (sesion.numero, sesion.estado) == (1, Sesion.Estado.BORRADOR)
    assert timezone.localtime(sesion.inicio).strftime("%H:%M %Z") == "10:00 -03"
    assert sesion.recordatorios == [24 * 60, 90]
    assert "creada en borrador" in respuesta.content.decode()
    url = f"/mesas/sesiones/{sesion.pk}/tabla/"
    cliente.post(url, {"titulo": "Diagnóstico territorial", "organizacion": org_zapallar.pk, "duracion_minutos": 20})
    assert list(sesion.puntos.values_list("orden", "titulo")) == [(1, "Diagnóstico territorial")]


def test_no_se_convoca_sin_tabla(mesa, coordinador):
    sesion = crear_sesion(mesa, puntos=0)
    with pytest.raises(ValidationError, match="tabla"):
        services.sesion_convocar(sesion=sesion, por=coordinador)


def test_solo_la_coordinacion_convoca(mesa, director):
    sesion = crear_sesion(mesa)
    with pytest.raises(Exception, match="coordinación"):
        services.sesion_convocar(sesion=sesion, por=director)


def test_convocar_invita_a_cada_miembro_con_su_ics(
    mesa_con_miembros, coordinador, celery_eager, django_capture_on_commit_callbacks
):
    sesion = crear_sesion(mesa_con_miembros, puntos=2)
    respuesta = None
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(coordinador).post(f"/mesas/sesiones/{sesion.pk}/convocar/", follow=True)
    assert "Sesión convocada" in respuesta.content.decode()
    sesion.refresh_from_db()
    assert sesion.estado == Sesion.Estado.CONVOCADA
    destinatarios = sorted(m.to[0] for m in mail.outbox)
    assert destinatarios == [
        "coordinacion@zapallar.test",
        "director@petorca.test",
        "director@zapallar.test",
        "integrante@zapallar.test",
        "lector@zapallar.test",
    ]  # not Papudo (invited, not accepted) nor Santiago
    mensaje = next(m for m in mail.outbox if m.to == ["director@zapallar.test"])
    assert mensaje.subject.startswith("Sesión ") and mensaje.subject.endswith(f" · {mesa_con_miembros}")
    assert "Punto 2" in mensaje.body and "/mesas/rsvp/" in mensaje.body
    # Each item with its time: the first starts with the session, the second when the first ends.
    inicio = timezone.localtime(sesion.inicio)
    primero = sesion.puntos.get(orden=1)
    fin_primero = inicio + timedelta(minutes=primero.duracion_minutos)
    assert f"1. {inicio:%H:%M}–{fin_primero:%H:%M} · Punto 1" in mensaje.body
    assert f"2. {fin_primero:%H:%M}–" in mensaje.body
    parte, cal = _ics(mensaje)
    assert parte.get_param("method") == "REQUEST"
    [evento] = cal.events
    assert cal["METHOD"] == "REQUEST"
    assert str(evento["UID"]) == uid_de(sesion)
    assert evento["SEQUENCE"] == 0
    assert str(evento.get("dtstart").dt.tzinfo) == "America/Santiago"
    assert evento.start == sesion.inicio
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/Santiago"]
    assert str(evento["ATTENDEE"]) == "mailto:director@zapallar.test"
    assert Aviso.objects.filter(sesion=sesion, estado=Aviso.Estado.ENVIADO).count() == 5


def test_volver_a_avisar_no_duplica(mesa_con_miembros, coordinador, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa_con_miembros)
    _convocar(sesion, coordinador, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="borrador"):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    antes = Aviso.objects.count()
    services._avisar_sesion(sesion, plantilla="sesion_convocada", causa="convocatoria", metodo="REQUEST")
    assert Aviso.objects.count() == antes == 5


def test_reprogramar_envia_actualizacion_con_la_misma_uid(
    mesa_con_miembros, coordinador, celery_eager, django_capture_on_commit_callbacks
):
    sesion = crear_sesion(mesa_con_miembros)
    _convocar(sesion, coordinador, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    nuevo_inicio = sesion.inicio + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        fin = nuevo_inicio + timedelta(hours=2)
        services.sesion_editar(sesion=sesion, por=coordinador, inicio=nuevo_inicio, fin=fin)
    assert len(mail.outbox) == 5
    mensaje = mail.outbox[0]
    assert mensaje.subject.startswith("Cambio en la sesión")
    _, cal = _ics(mensaje)
    [evento] = cal.events
    assert (cal["METHOD"], str(evento["UID"]), evento["SEQUENCE"]) == ("REQUEST", uid_de(sesion), 1)
    assert evento.start == nuevo_inicio
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_editar(sesion=sesion, por=coordinador, tipo=Sesion.Tipo.EXTRAORDINARIA)
    assert mail.outbox == []  # nothing calendar-relevant changed


def test_cancelar_envia_method_cancel(mesa_con_miembros, coordinador, celery_eager, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa_con_miembros)
    _convocar(sesion, coordinador, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cliente_de(coordinador).post(f"/mesas/sesiones/{sesion.pk}/cancelar/", {"motivo": "Emergencia comunal"})
    sesion.refresh_from_db()
    assert (sesion.estado, sesion.secuencia) == (Sesion.Estado.CANCELADA, 1)
    assert len(mail.outbox) == 5
    assert "Emergencia comunal" in mail.outbox[0].body
    parte, cal = _ics(mail.outbox[0])
    [evento] = cal.events
    assert parte.get_param("method") == "CANCEL"
    assert (cal["METHOD"], str(evento["UID"]), evento["SEQUENCE"], evento["STATUS"]) == (
        "CANCEL",
        uid_de(sesion),
        1,
        "CANCELLED",
    )


def test_agregar_al_calendario(mesa, director):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    respuesta = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/calendario.ics")
    assert respuesta["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(respuesta.content)
    assert str(cal.events[0]["UID"]) == uid_de(sesion)


# --- RSVP -----------------------------------------------------------------------------------------------


def _enlace(usuario, sesion, opcion):
    return f"/mesas/rsvp/{services.rsvp_token(usuario=usuario, sesion=sesion, opcion=opcion)}/"


def test_rsvp_confirma_con_un_boton_sin_ingresar(mesa, director):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    cliente = cliente_de(None)
    pagina = cliente.get(_enlace(director, sesion, "asistire")).content.decode()
    assert "Confirmar: asistiré</button>" in pagina
    assert not Respuesta.objects.exists()  # opening the link records nothing
    respuesta = cliente.post(_enlace(director, sesion, "asistire"))
    assert "Registramos su respuesta: <strong>Asistiré</strong>" in respuesta.content.decode()
    assert Respuesta.objects.get(sesion=sesion, usuario=director).opcion == "asistire"
    cliente.post(_enlace(director, sesion, "tal_vez"))
    assert Respuesta.objects.get(sesion=sesion, usuario=director).via == "correo"
    assert Respuesta.objects.get(sesion=sesion, usuario=director).opcion == "tal_vez"


def test_un_escaner_de_enlaces_no_registra_respuestas(mesa, director):
    """Mail scanners open every link of the message (GET): the last one no longer wins."""
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    services.respuesta_registrar(sesion=sesion, usuario=director, opcion="asistire")
    for opcion in ("no_asistire", "tal_vez", "asistire", "no_asistire"):
        assert cliente_de(None).get(_enlace(director, sesion, opcion)).status_code == 200
    assert Respuesta.objects.get(sesion=sesion, usuario=director).opcion == "asistire"
    pagina = cliente_de(None).get(_enlace(director, sesion, "no_asistire")).content.decode()
    assert "Su respuesta actual: <strong>Asistiré</strong>" in pagina
    assert "Confirmar: no asistiré" in pagina and ">Tal vez</a>" in pagina  # the other answers, as links


def test_rsvp_exige_el_token_csrf_del_formulario(mesa, director):
    from django.test import Client

    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    assert Client(enforce_csrf_checks=True).post(_enlace(director, sesion, "asistire")).status_code == 403
    assert not Respuesta.objects.exists()


def test_rsvp_alterado_o_ajeno_se_rechaza(mesa, director, integrante):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    token = services.rsvp_token(usuario=director, sesion=sesion, opcion="asistire")
    cuerpo, firma = token.rsplit(":", 1)
    otro = signing.dumps([integrante.pk, sesion.pk, "no_asistire"], salt=services.RSVP_SAL)
    falsos = [
        f"{cuerpo}:{firma[:-2]}xx",  # altered signature
        signing.dumps([integrante.pk, sesion.pk, "no_asistire"]),  # no salt / another salt
        f"{otro.rsplit(':', 2)[0]}:{token.split(':', 1)[1]}",  # someone else's payload with this signature
    ]
    for falso in falsos:
        for metodo in ("get", "post"):
            respuesta = getattr(cliente_de(None), metodo)(f"/mesas/rsvp/{falso}/")
            assert respuesta.status_code == 400
            assert "no es válido" in respuesta.content.decode()
    assert not Respuesta.objects.exists()
    # A link made for the director records the director's answer, whoever confirms it.
    cliente_de(integrante).post(f"/mesas/rsvp/{token}/")
    assert list(Respuesta.objects.values_list("usuario__email", flat=True)) == ["director@zapallar.test"]


def test_rsvp_vencido_o_de_sesion_cancelada(mesa, director, coordinador):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    enlace = _enlace(director, sesion, "asistire")
    Sesion.objects.filter(pk=sesion.pk).update(estado=Sesion.Estado.CANCELADA)
    assert cliente_de(None).get(enlace).status_code == 400
    assert cliente_de(None).post(enlace).status_code == 400
    assert not Respuesta.objects.exists()


def test_rsvp_en_la_plataforma_y_vista_de_la_coordinacion(mesa, coordinador, director, integrante, ajeno):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    url = f"/mesas/sesiones/{sesion.pk}/"
    assert cliente_de(ajeno).post(f"{url}responder/", {"opcion": "asistire"}).status_code == 404
    respuesta = cliente_de(integrante).post(f"{url}responder/", {"opcion": "no_asistire"}, follow=True)
    assert "Respuesta registrada." in respuesta.content.decode()
    cliente_de(None).post(_enlace(director, sesion, "asistire"))
    pagina = cliente_de(coordinador).get(url).content.decode()
    assert "Respuestas a la convocatoria" in pagina and "1 asistirá · 1 no · 1 sin respuesta" in pagina
    assert "Rodrigo Director</td>" in pagina and "Asistiré" in pagina
    assert "No asistiré" in pagina and "Sin respuesta" in pagina
    assert "Respuestas a la convocatoria" not in cliente_de(director).get(url).content.decode()


def test_la_coordinacion_debe_usar_verificacion_en_dos_pasos(mesa, coordinador, director):
    from comunas.access import requiere_dos_factores
    from comunas.models import Usuario

    assert requiere_dos_factores(coordinador)
    assert not requiere_dos_factores(director)
    sin_verificar = Usuario.objects.get(pk=coordinador.pk)  # the same person, without the second step
    assert cliente_de(sin_verificar).get(f"/mesas/{mesa.pk}/").status_code == 302
    assert cliente_de(coordinador).get(f"/mesas/{mesa.pk}/").status_code == 200


def _convocar_contando(mesa, coordinador, miembros, inicio_email):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comunas.models import Membresia
    from tests.conftest import miembro

    for i in range(miembros):
        miembro(mesa.anfitriona, f"{inicio_email}{i}@zapallar.test", Membresia.Rol.LECTOR)
    sesion = crear_sesion(mesa, numero=10 + miembros, puntos=2)
    with CaptureQueriesContext(connection) as consultas:
        services.sesion_convocar(sesion=sesion, por=coordinador)
    return len(consultas), Aviso.objects.filter(sesion=sesion).count()


def test_la_convocatoria_crea_los_avisos_en_consultas_fijas(mesa, coordinador):
    """The fan-out happens while the session's row is locked: its number of queries must not grow with the
    number of people convened (bulk insert of the notices)."""
    pocas, avisos_pocos = _convocar_contando(mesa, coordinador, 3, "a")
    muchas, avisos_muchos = _convocar_contando(mesa, coordinador, 40, "b")
    assert avisos_muchos == avisos_pocos + 40
    assert muchas == pocas


def test_no_se_ofrece_asistencia_antes_del_inicio_ni_se_mueve_al_pasado(mesa, coordinador, director):
    """Actions are offered only when they can succeed; a past time is refused before anyone is e-mailed."""
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=3)
    html = cliente_de(coordinador).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert "Registrar asistencia" not in html and "La asistencia se registra desde el inicio" in html
    avisos = Aviso.objects.count()
    with pytest.raises(ValidationError, match="en el pasado"):
        services.sesion_editar(
            sesion=sesion,
            por=coordinador,
            inicio=timezone.now() - timedelta(hours=1),
            fin=timezone.now() + timedelta(hours=1),
        )
    sesion.refresh_from_db()
    assert sesion.secuencia == 0 and Aviso.objects.count() == avisos
    empezada = crear_sesion(mesa, numero=2, estado=Sesion.Estado.CONVOCADA, dias=-1)
    assert "Registrar asistencia" in cliente_de(coordinador).get(f"/mesas/sesiones/{empezada.pk}/").content.decode()
