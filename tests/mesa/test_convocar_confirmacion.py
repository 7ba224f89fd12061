"""A second look before e-mailing people: Convocar, Cancelar and Editar say what will happen and to whom; the
convocatoria's answers reach the coordination (Reply-To, ORGANIZER) and its subject starts with the date."""

import pytest
from django.core import mail
from django.utils import formats, timezone
from django.utils.html import strip_tags
from icalendar import Calendar

from comunas.models import Membresia, Provincia
from mesa import services
from mesa.access import organizador_de
from mesa.models import Sesion
from nucleo.models import Aviso
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador, director, integrante, lector):
    """Zapallar (4 people) hosts; the Petorca province (1 person) accepted."""
    mesa = crear_mesa(org_zapallar, coordinador)
    petorca = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    services.mesa_invitar(mesa=mesa, organizacion=petorca, por=coordinador)
    services.participacion_aceptar(participacion=mesa.participaciones.get(organizacion=petorca), por=coordinador)
    miembro(petorca, "director@petorca.test", Membresia.Rol.DIRECTOR, nombre="Pedro Provincial")
    return mesa


def _texto(respuesta):
    """The page's text as a person reads it (tags and line breaks gone)."""
    return " ".join(strip_tags(respuesta.content.decode()).split())


def _fecha(sesion, formato="D d-m H:i"):
    return formats.date_format(timezone.localtime(sesion.inicio), formato)


# --- Convocar --------------------------------------------------------------------------------------------


def test_convocar_pide_confirmacion_y_dice_a_quienes(mesa, coordinador):
    sesion = crear_sesion(mesa, puntos=2)
    cliente = cliente_de(coordinador)
    pagina = cliente.get(f"/mesas/sesiones/{sesion.pk}/")
    assert f'href="/mesas/sesiones/{sesion.pk}/convocar/"' in pagina.content.decode()  # a link, not a form

    texto = _texto(cliente.get(f"/mesas/sesiones/{sesion.pk}/convocar/"))
    assert "Convocar la sesión ordinaria n.º 1" in texto
    assert "a 5 personas de 2 organizaciones" in texto
    assert "Dirección de Seguridad Pública de Zapallar: 4 personas" in texto
    assert "Petorca: 1 persona" in texto
    assert _fecha(sesion, r"l j \d\e F \d\e Y, H:i") in texto
    assert "Punto 1" in texto and "Punto 2" in texto and "Tabla (30 min)" in texto
    assert "Convocar y enviar las invitaciones" in texto and "La tabla está vacía" not in texto
    # Looking is not convening.
    sesion.refresh_from_db()
    assert sesion.estado == Sesion.Estado.BORRADOR and not Aviso.objects.exists()


def test_solo_el_post_de_la_confirmacion_convoca(mesa, coordinador, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa)
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(coordinador).post(f"/mesas/sesiones/{sesion.pk}/convocar/", follow=True)
    assert "Sesión convocada" in respuesta.content.decode()
    sesion.refresh_from_db()
    assert (sesion.estado, sesion.convocada_por) == (Sesion.Estado.CONVOCADA, coordinador)
    assert len(mail.outbox) == 5


def test_la_tabla_vacia_se_advierte_y_no_se_convoca(mesa, coordinador):
    sesion = crear_sesion(mesa, puntos=0)
    cliente = cliente_de(coordinador)
    respuesta = cliente.get(f"/mesas/sesiones/{sesion.pk}/convocar/")
    texto = _texto(respuesta)
    assert "La tabla está vacía." in texto and "Agregar un punto a la tabla" in texto
    assert "Convocar y enviar las invitaciones" not in texto  # no button that would fail
    respuesta = cliente.post(f"/mesas/sesiones/{sesion.pk}/convocar/", follow=True)
    assert "Agregue al menos un punto a la tabla antes de convocar." in respuesta.content.decode()
    sesion.refresh_from_db()
    assert sesion.estado == Sesion.Estado.BORRADOR and not Aviso.objects.exists()


def test_convocar_una_sesion_que_ya_empezo_se_advierte(mesa, coordinador):
    sesion = crear_sesion(mesa, dias=-1)
    texto = _texto(cliente_de(coordinador).get(f"/mesas/sesiones/{sesion.pk}/convocar/"))
    assert "La sesión ya empezó." in texto and "Convocar y enviar las invitaciones" not in texto


def test_sin_personas_se_advierte(org_zapallar, coordinador, admin):
    mesa = crear_mesa(org_zapallar, coordinador)
    sesion = crear_sesion(mesa)
    coordinador.is_active = False  # nobody left who would receive it (staff still sees the page)
    coordinador.save()
    texto = _texto(cliente_de(admin).get(f"/mesas/sesiones/{sesion.pk}/convocar/"))
    assert "a 0 personas de 1 organización" in texto and "Ninguna persona recibirá el correo" in texto


def test_una_sesion_ya_convocada_no_se_ofrece_convocar(mesa, coordinador):
    sesion = crear_sesion(mesa)
    services.sesion_convocar(sesion=sesion, por=coordinador)
    respuesta = cliente_de(coordinador).get(f"/mesas/sesiones/{sesion.pk}/convocar/", follow=True)
    assert respuesta.redirect_chain[-1][0] == f"/mesas/sesiones/{sesion.pk}/"
    assert "Esta sesión ya no está en borrador: está convocada." in respuesta.content.decode()


def test_quien_no_coordina_no_ve_la_confirmacion(mesa, director, ajeno):
    sesion = crear_sesion(mesa)
    assert cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/convocar/").status_code == 404  # a draft
    assert cliente_de(ajeno).post(f"/mesas/sesiones/{sesion.pk}/convocar/").status_code == 404
    assert not Aviso.objects.exists()


# --- Cancelar and Editar ---------------------------------------------------------------------------------


def test_cancelar_una_convocada_dice_a_quienes_se_avisara(mesa, coordinador, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa)
    services.sesion_convocar(sesion=sesion, por=coordinador)
    cliente = cliente_de(coordinador)
    texto = _texto(cliente.get(f"/mesas/sesiones/{sesion.pk}/cancelar/"))
    assert "se avisará por correo, con el archivo que la quita del calendario, a 5 personas de 2 organizaciones" in (
        texto
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente.post(f"/mesas/sesiones/{sesion.pk}/cancelar/", {"motivo": "Emergencia"}, follow=True)
    assert "Sesión cancelada. Se está avisando a los convocados." in respuesta.content.decode()
    assert len(mail.outbox) == 5
    assert all(m.subject == f"Cancelada: sesión {_fecha(sesion)} · {mesa}" for m in mail.outbox)


def test_cancelar_un_borrador_no_avisa_a_nadie(mesa, coordinador):
    sesion = crear_sesion(mesa)
    cliente = cliente_de(coordinador)
    texto = _texto(cliente.get(f"/mesas/sesiones/{sesion.pk}/cancelar/"))
    assert "quedará cancelada sin enviar avisos a nadie" in texto
    respuesta = cliente.post(f"/mesas/sesiones/{sesion.pk}/cancelar/", {"motivo": "No se hará"}, follow=True)
    assert "Sesión cancelada." in respuesta.content.decode() and not Aviso.objects.exists()


def test_cancelar_sin_motivo_vuelve_a_la_confirmacion(mesa, coordinador):
    sesion = crear_sesion(mesa)
    services.sesion_convocar(sesion=sesion, por=coordinador)
    respuesta = cliente_de(coordinador).post(f"/mesas/sesiones/{sesion.pk}/cancelar/", {"motivo": ""})
    assert respuesta.status_code == 200 and "a 5 personas" in _texto(respuesta)
    sesion.refresh_from_db()
    assert sesion.estado == Sesion.Estado.CONVOCADA


def test_editar_una_convocada_dice_cuantos_recibiran_la_actualizacion(mesa, coordinador):
    convocada = crear_sesion(mesa)
    services.sesion_convocar(sesion=convocada, por=coordinador)
    borrador = crear_sesion(mesa, numero=2)
    cliente = cliente_de(coordinador)
    texto = _texto(cliente.get(f"/mesas/sesiones/{convocada.pk}/editar/"))
    assert "Esta sesión ya fue convocada." in texto
    assert "se enviará la actualización con la invitación para el calendario a 5 personas de 2 organizaciones" in texto
    assert "Guardar" in texto
    assert "ya fue convocada" not in _texto(cliente.get(f"/mesas/sesiones/{borrador.pk}/editar/"))


# --- Reply-To, ORGANIZER and subject ----------------------------------------------------------------------


def _ics(mensaje):
    [parte] = [p for p in mensaje.message().walk() if p.get_content_type() == "text/calendar"]
    [evento] = Calendar.from_ical(parte.get_content()).events
    return evento


def test_la_convocatoria_responde_a_la_coordinacion(mesa, coordinador, director, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa)
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    mensaje = next(m for m in mail.outbox if m.to == [director.email])
    assert mensaje.reply_to == ["Carolina Coordinadora <coordinacion@zapallar.test>"]
    assert "coordinacion@zapallar.test" in mensaje.message()["Reply-To"]
    assert mensaje.subject == f"Sesión {_fecha(sesion)} · {mesa}"
    assert mensaje.subject.index(_fecha(sesion)) < 10  # the date is what a phone shows first
    evento = _ics(mensaje)
    assert str(evento["ORGANIZER"]) == "mailto:coordinacion@zapallar.test"
    assert evento["ORGANIZER"].params["CN"] == "Carolina Coordinadora"
    assert "no-responder" not in mensaje.message().as_string().split("\n\n", 1)[1]


def test_el_organizador_sigue_a_la_coordinacion(mesa, coordinador, director, admin):
    sesion = crear_sesion(mesa)
    services.sesion_convocar(sesion=sesion, por=admin)  # staff convened it: not a coordinator of the mesa
    assert organizador_de(sesion) == ("Carolina Coordinadora", coordinador.email)
    mesa.coordinadores.add(director)
    sesion.convocada_por = director
    assert organizador_de(sesion) == ("Rodrigo Director", director.email)
    mesa.coordinadores.clear()  # nobody coordinates: the host's contact address receives the replies
    assert organizador_de(sesion) == (f"Coordinación de {mesa}", mesa.anfitriona.email_contacto)
    assert services.direcciones_de_coordinacion(mesa) == [mesa.anfitriona.email_contacto]


def test_el_ics_descargado_no_tiene_organizador(mesa, coordinador, director):
    sesion = crear_sesion(mesa)
    services.sesion_convocar(sesion=sesion, por=coordinador)
    ics = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/calendario.ics").content.decode()
    assert "ORGANIZER" not in ics and "no-responder" not in ics


def test_asuntos_con_la_fecha_primero(mesa, coordinador, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa)
    services.sesion_convocar(sesion=sesion, por=coordinador)
    nuevo = sesion.inicio + timezone.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_editar(sesion=sesion, por=coordinador, inicio=nuevo, fin=nuevo + timezone.timedelta(hours=1))
    sesion.refresh_from_db()
    asuntos = {m.subject for m in mail.outbox}
    assert f"Cambio en la sesión: ahora {_fecha(sesion)} · {mesa}" in asuntos
    assert all(m.reply_to == ["Carolina Coordinadora <coordinacion@zapallar.test>"] for m in mail.outbox)
