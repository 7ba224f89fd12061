"""The acta's irreversible and mass steps ask first and say what will happen and to whom: circulating (recipients,
the comment deadline the coordinator picks), approving (open comments listed, explicit confirmation) and
publishing (recipients, who may then read it); comments close at the deadline; an acta goes on the next session's
agenda and is approved there."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from mesa import services, services_actas
from mesa.models import Acta, ComentarioActa, PuntoTabla, Sesion
from tests.conftest import cliente_de
from tests.mesa.actas_utiles import DIA_SESION, DIA_SIGUIENTE, acta_de_la_sesion, url_acta
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


def _pagina(cliente, ruta):
    """The page's HTML with its whitespace collapsed (templates wrap long sentences)."""
    return " ".join(cliente.get(ruta).content.decode().split())


@pytest.fixture
def reloj():
    with time_machine.travel(DIA_SESION, tick=False) as viaje:
        yield viaje


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def acta(reloj, mesa, coordinador, director, integrante, lector):
    return acta_de_la_sesion(mesa, coordinador, director)


@pytest.fixture
def en_revision(acta, coordinador):
    return services_actas.acta_circular(acta=acta, por=coordinador, plazo_comentarios=date(2026, 12, 23))


# --- Circulating ----------------------------------------------------------------------------------------


def test_circular_muestra_destinatarios_y_plazo_antes_de_enviar(
    acta, coordinador, director, integrante, lector, celery_eager, django_capture_on_commit_callbacks
):
    cliente = cliente_de(coordinador)
    assert f'href="{url_acta(acta, "circular/")}"' in cliente.get(url_acta(acta)).content.decode()  # a link
    pagina = _pagina(cliente, url_acta(acta, "circular/"))
    assert "Se enviará un correo a <strong>4 personas</strong>" in pagina
    for persona in (coordinador, director, integrante, lector):
        assert persona.nombre in pagina
    assert f"la respuesta llega a {coordinador.nombre} ({coordinador.email})" in pagina
    assert 'value="2026-12-23"' in pagina  # a week by default
    assert Acta.objects.get(pk=acta.pk).estado == Acta.Estado.BORRADOR  # opening the page sends nothing
    assert not mail.outbox

    for plazo, error in (("2026-12-16", "al menos hasta mañana"), ("2027-03-01", "no puede pasar de 60 días")):
        respuesta = cliente.post(url_acta(acta, "circular/"), {"plazo_comentarios": plazo})
        assert respuesta.status_code == 400 and error in respuesta.content.decode()
    assert Acta.objects.get(pk=acta.pk).estado == Acta.Estado.BORRADOR

    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente.post(url_acta(acta, "circular/"), {"plazo_comentarios": "2026-12-28"}, follow=True)
    assert "hasta el lunes 28 de diciembre de 2026" in respuesta.content.decode()
    acta.refresh_from_db()
    assert (acta.estado, acta.plazo_comentarios) == (Acta.Estado.EN_REVISION, date(2026, 12, 28))
    correo = next(m for m in mail.outbox if m.to == [director.email])
    assert correo.subject.startswith("Acta para comentarios hasta el 28 de diciembre: sesión n.º 1")
    assert "Puede comentar hasta el lunes 28 de diciembre de 2026 (día inclusive)" in correo.body
    assert correo.reply_to == [f"{coordinador.nombre} <{coordinador.email}>"]
    html = correo.alternatives[0][0]
    assert "lunes 28 de diciembre de 2026" in html


def test_los_comentarios_se_cierran_al_vencer_el_plazo(en_revision, reloj, director):
    reloj.move_to(DIA_SESION + timedelta(days=7))  # Wednesday 23 December: the last day
    cliente = cliente_de(director)
    assert "los miembros pueden comentar hasta el" in _pagina(cliente, url_acta(en_revision))
    cliente.post(url_acta(en_revision, "comentar/"), {"texto": "Falta la cifra de Papudo."})
    assert ComentarioActa.objects.count() == 1

    reloj.move_to(DIA_SESION + timedelta(days=8))
    cliente = cliente_de(director)
    pagina = _pagina(cliente, url_acta(en_revision))
    assert "El plazo para comentar venció el miércoles 23 de diciembre de 2026" in pagina
    assert "Su comentario" not in pagina  # no form offered
    respuesta = cliente.post(url_acta(en_revision, "comentar/"), {"texto": "Otro comentario tardío."})
    assert respuesta.status_code == 400
    html = respuesta.content.decode()
    assert "venció el miércoles 23 de diciembre de 2026" in html
    assert "Otro comentario tardío." in html  # the text is kept in the form
    assert ComentarioActa.objects.count() == 1


def test_circular_de_nuevo_abre_un_plazo_nuevo(en_revision, reloj, coordinador, director):
    reloj.move_to(DIA_SESION + timedelta(days=10))
    acta = services_actas.acta_circular(acta=en_revision, por=coordinador, plazo_comentarios=date(2027, 1, 2))
    services_actas.acta_comentar(acta=acta, por=director, texto="Ahora sí alcanzo a comentar.")
    assert ComentarioActa.objects.count() == 1


# --- Approving ------------------------------------------------------------------------------------------


def test_aprobar_sin_comentarios_abiertos_es_una_confirmacion_simple(en_revision, reloj, coordinador):
    reloj.move_to(DIA_SESION + timedelta(days=8))  # after the deadline
    cliente = cliente_de(coordinador)
    pagina = _pagina(cliente, url_acta(en_revision, "aprobar/"))
    assert "ya no se puede modificar" in pagina and "Su acuerdo pasa a ser vigente" in pagina
    assert "Apruebo con comentarios abiertos" not in pagina
    assert "aún pueden llegar comentarios" not in pagina  # the deadline passed
    respuesta = cliente.post(url_acta(en_revision, "aprobar/"), {"en_sesion": ""}, follow=True)
    assert "Acta aprobada." in respuesta.content.decode()
    assert Acta.objects.get(pk=en_revision.pk).estado == Acta.Estado.APROBADA


def test_aprobar_con_comentarios_abiertos_los_muestra_y_pide_confirmarlo(en_revision, coordinador, director):
    comentario = services_actas.acta_comentar(acta=en_revision, por=director, texto="Falta la cifra de Papudo.")
    cliente = cliente_de(coordinador)
    assert "1 comentario abierto" in _pagina(cliente, url_acta(en_revision))
    pagina = _pagina(cliente, url_acta(en_revision, "aprobar/"))
    assert "1 comentario abierto" in pagina and "Falta la cifra de Papudo." in pagina
    assert "Apruebo con comentarios abiertos" in pagina
    assert "aún pueden llegar comentarios" in pagina  # the deadline is still ahead

    respuesta = cliente.post(url_acta(en_revision, "aprobar/"), {"en_sesion": "", "vistos": [comentario.pk]})
    assert respuesta.status_code == 400
    assert "Marque esta casilla para aprobar el acta con comentarios abiertos." in respuesta.content.decode()
    assert Acta.objects.get(pk=en_revision.pk).estado == Acta.Estado.EN_REVISION

    # A comment that arrives while the coordinator reads the page stops the approval: she has not seen it.
    tardio = services_actas.acta_comentar(acta=en_revision, por=director, texto="Y la de Zapallar.")
    datos = {"en_sesion": "", "vistos": [comentario.pk], "con_comentarios_abiertos": "on"}
    respuesta = cliente.post(url_acta(en_revision, "aprobar/"), datos)
    assert respuesta.status_code == 400
    html = respuesta.content.decode()
    assert "Llegó un comentario nuevo mientras confirmaba" in html and "Y la de Zapallar." in html
    assert Acta.objects.get(pk=en_revision.pk).estado == Acta.Estado.EN_REVISION

    datos["vistos"] = [comentario.pk, tardio.pk]
    cliente.post(url_acta(en_revision, "aprobar/"), datos)
    assert Acta.objects.get(pk=en_revision.pk).estado == Acta.Estado.APROBADA


def test_un_comentario_atendido_ya_no_esta_abierto(en_revision, coordinador, director):
    comentario = services_actas.acta_comentar(acta=en_revision, por=director, texto="Falta la cifra de Papudo.")
    ruta = url_acta(en_revision, f"comentarios/{comentario.pk}/atender/")
    assert cliente_de(director).post(ruta).status_code == 403
    cliente = cliente_de(coordinador)
    respuesta = cliente.post(ruta, follow=True)
    assert "Comentario marcado como atendido." in respuesta.content.decode()
    comentario.refresh_from_db()
    assert comentario.atendido_por == coordinador and not comentario.abierto
    assert "Apruebo con comentarios abiertos" not in cliente.get(url_acta(en_revision, "aprobar/")).content.decode()
    cliente.post(ruta, {"accion": "reabrir"})
    comentario.refresh_from_db()
    assert comentario.abierto
    with pytest.raises(ValidationError, match="comentario abierto"):
        services_actas.acta_aprobar(acta=en_revision, por=coordinador)


# --- Publishing -----------------------------------------------------------------------------------------


def test_publicar_dice_a_quienes_llega_y_quienes_lo_podran_leer(en_revision, coordinador, director):
    cliente = cliente_de(coordinador)
    services_actas.acta_aprobar(acta=en_revision, por=coordinador)
    pagina = _pagina(cliente, url_acta(en_revision, "publicar/"))
    assert "Se enviará un correo a <strong>4 personas</strong>" in pagina
    assert director.nombre in pagina
    assert "con el PDF adjunto" in pagina
    assert "queda disponible para descargar a todos los miembros de las organizaciones de la mesa" in pagina
    assert Acta.objects.get(pk=en_revision.pk).estado == Acta.Estado.APROBADA  # nothing happens on opening

    cliente.post(url_acta(en_revision, "publicar/"))
    assert Acta.objects.get(pk=en_revision.pk).estado == Acta.Estado.PUBLICADA
    respuesta = cliente.get(url_acta(en_revision, "publicar/"), follow=True)  # opened again: back to the acta
    assert "Solo se publica un acta aprobada que aún no se publica." in respuesta.content.decode()


# --- Approval at the next session ("Aprobación del acta anterior") --------------------------------------


def test_el_acta_se_aprueba_en_la_sesion_siguiente(en_revision, reloj, mesa, coordinador, director):
    cliente = cliente_de(coordinador)
    pagina = _pagina(cliente, url_acta(en_revision))
    assert "cree esa sesión" in pagina and "Poner en la tabla de la próxima sesión" not in pagina
    respuesta = cliente.post(url_acta(en_revision, "a-la-tabla/"), follow=True)
    assert "Cree primero la próxima sesión" in respuesta.content.decode()

    siguiente = crear_sesion(mesa, numero=2, dias=28, puntos=2)  # a draft, on Wednesday 13 January 2027
    pagina = _pagina(cliente, url_acta(en_revision))
    assert "Puede aprobar el acta en la sesión del miércoles 13 de enero de 2027" in pagina
    respuesta = cliente.post(url_acta(en_revision, "a-la-tabla/"), follow=True)
    assert respuesta.redirect_chain[-1][0] == f"/mesas/sesiones/{siguiente.pk}/"
    html = respuesta.content.decode()
    assert "primer punto de la tabla" in html and "Leer el acta a aprobar" in html
    punto = PuntoTabla.objects.get(acta_a_aprobar=en_revision)
    assert (punto.sesion, punto.orden, punto.titulo) == (siguiente, 1, "Aprobación del acta anterior (sesión n.º 1)")
    assert [p.orden for p in siguiente.puntos.all()] == [1, 2, 3]
    assert "En la tabla de la" in _pagina(cliente, url_acta(en_revision))
    with pytest.raises(ValidationError, match="ya está en la tabla de la sesión n.º 2"):
        services_actas.acta_a_la_tabla(acta=en_revision, por=coordinador)

    assert "En la tabla de la" not in _pagina(cliente_de(director), url_acta(en_revision))  # a draft session

    # Members read it from the agenda of the convened session.
    services.sesion_convocar(sesion=siguiente, por=coordinador)
    assert "En la tabla de la" in _pagina(cliente_de(director), url_acta(en_revision))
    assert "Leer el acta a aprobar" in _pagina(cliente_de(director), f"/mesas/sesiones/{siguiente.pk}/")

    # During the session, the coordinator approves it there: the page proposes that session.
    reloj.move_to(DIA_SIGUIENTE)
    cliente = cliente_de(coordinador)  # signed in again: four weeks went by
    assert "Aprobar el acta en esta sesión" in _pagina(cliente, f"/mesas/sesiones/{siguiente.pk}/")
    respuesta = cliente.get(url_acta(en_revision, "aprobar/"))
    assert "En la sesión del miércoles 13 de enero de 2027 (n.º 2)" in respuesta.content.decode()
    assert respuesta.context["form"]["en_sesion"].value() == siguiente.pk
    cliente.post(url_acta(en_revision, "aprobar/"), {"en_sesion": siguiente.pk})
    en_revision.refresh_from_db()
    assert en_revision.aprobada_en_sesion == siguiente and en_revision.estado == Acta.Estado.APROBADA
    assert "Aprobada en la sesión del miércoles 13 de enero de 2027" in _pagina(cliente, url_acta(en_revision))
    agenda = _pagina(cliente_de(director), f"/mesas/sesiones/{siguiente.pk}/")
    assert "Aprobada en la sesión del miércoles 13 de enero de 2027" in agenda


def test_solo_una_sesion_que_ya_empezo_aprueba_el_acta(en_revision, mesa, coordinador):
    siguiente = crear_sesion(mesa, numero=2, estado=Sesion.Estado.CONVOCADA, dias=28)
    with pytest.raises(ValidationError, match="ya haya comenzado"):
        services_actas.acta_aprobar(acta=en_revision, por=coordinador, en_sesion=siguiente)
    assert "(n.º 2)" not in cliente_de(coordinador).get(url_acta(en_revision, "aprobar/")).content.decode()


def test_un_borrador_sin_circular_no_va_a_la_tabla(acta, mesa, coordinador):
    crear_sesion(mesa, numero=2, dias=28)
    cliente = cliente_de(coordinador)
    assert "Poner en la tabla" not in _pagina(cliente, url_acta(acta))
    assert "Este borrador no se ha circulado" in _pagina(cliente, url_acta(acta, "aprobar/"))
    with pytest.raises(ValidationError, match="Circule el acta"):
        services_actas.acta_a_la_tabla(acta=acta, por=coordinador)
