"""The coordinator's session page, short enough for a phone: the RSVP summary line, the detail folded away, the
notices a page at a time, and "Recordar a quienes no han respondido" (exactly them, at most every 12 hours)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags

from comunas.models import Membresia, Provincia
from mesa import services
from mesa.models import Respuesta, Sesion
from mesa.selectors import resumen_respuestas
from nucleo.models import Aviso
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador, director, integrante, lector):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def convocada(mesa, coordinador):
    sesion = crear_sesion(mesa)
    return services.sesion_convocar(sesion=sesion, por=coordinador)


def _texto(respuesta):
    return " ".join(strip_tags(respuesta.content.decode()).split())


def _responder(sesion, usuario, opcion):
    Respuesta.objects.update_or_create(sesion=sesion, usuario=usuario, defaults={"opcion": opcion})


def _recordar(cliente, sesion, capturar):
    with capturar(execute=True):
        return cliente.post(f"/mesas/sesiones/{sesion.pk}/recordar/", follow=True)


# --- The summary line and the folded detail -------------------------------------------------------------


def test_la_linea_de_resumen_cuenta_personas(convocada, coordinador, director, integrante, lector, org_zapallar):
    _responder(convocada, director, Respuesta.Opcion.ASISTIRE)
    _responder(convocada, integrante, Respuesta.Opcion.NO_ASISTIRE)
    texto = _texto(cliente_de(coordinador).get(f"/mesas/sesiones/{convocada.pk}/"))
    assert "1 asistirá · 1 no · 2 sin respuesta" in texto and "tal vez" not in texto.split("Tabla")[0]
    _responder(convocada, lector, Respuesta.Opcion.TAL_VEZ)
    _responder(convocada, coordinador, Respuesta.Opcion.ASISTIRE)
    texto = _texto(cliente_de(coordinador).get(f"/mesas/sesiones/{convocada.pk}/"))
    assert "2 asistirán · 1 no · 1 tal vez · 0 sin respuesta" in texto


def test_quien_esta_en_dos_organizaciones_cuenta_una_vez(convocada, coordinador, director, dpa):
    petorca = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    services.mesa_invitar(mesa=convocada.mesa, organizacion=petorca, por=coordinador)
    services.participacion_aceptar(participacion=convocada.mesa.participaciones.get(organizacion=petorca), por=director)
    Membresia.objects.create(usuario=director, organizacion=petorca, rol=Membresia.Rol.DIRECTOR)
    miembro(petorca, "director@petorca.test", Membresia.Rol.DIRECTOR)
    resumen = resumen_respuestas(convocada)
    assert (resumen["total"], resumen["sin_respuesta"]) == (5, 5)


def test_el_detalle_queda_plegado(convocada, coordinador, director):
    html = cliente_de(coordinador).get(f"/mesas/sesiones/{convocada.pk}/").content.decode()
    assert '<details class="detalle">' in html
    assert "<summary>Ver quién respondió, por organización</summary>" in html
    assert "Rodrigo Director</td>" in html  # still in the page, for whoever unfolds it
    assert 'class="table table-sm tabla-apilada"' in html and 'data-etiqueta="Respuesta"' in html


def test_los_miembros_no_ven_el_resumen_ni_el_boton(convocada, director):
    texto = _texto(cliente_de(director).get(f"/mesas/sesiones/{convocada.pk}/"))
    assert "sin respuesta" not in texto and "Recordar a quienes no han respondido" not in texto


def test_un_borrador_no_muestra_respuestas(mesa, coordinador):
    borrador = crear_sesion(mesa)
    texto = _texto(cliente_de(coordinador).get(f"/mesas/sesiones/{borrador.pk}/"))
    assert "Respuestas a la convocatoria" not in texto and "Recordar a quienes" not in texto


# --- Notices, a page at a time ---------------------------------------------------------------------------


def _avisos(sesion, n, desde=0):
    Aviso.objects.bulk_create(
        Aviso(
            clave=f"prueba:{sesion.pk}:{i}",
            para=f"persona{i}@muni.test",
            plantilla="sesion_convocada",
            asunto=f"Aviso {i}",
            message_id=f"<{sesion.pk}.{i}@mesa.test>",
            objeto=sesion,
            estado=Aviso.Estado.ENVIADO,
        )
        for i in range(desde, desde + n)
    )


def test_los_avisos_se_paginan_sin_crecer_en_consultas(mesa, coordinador):
    convocada = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    cliente = cliente_de(coordinador)
    url = f"/mesas/sesiones/{convocada.pk}/"
    _avisos(convocada, 5)
    cliente.get(url)
    with CaptureQueriesContext(connection) as pocos:
        html = cliente.get(url).content.decode()
    assert html.count('data-etiqueta="Para"') == 5
    _avisos(convocada, 45, desde=5)
    with CaptureQueriesContext(connection) as muchos:
        html = cliente.get(url).content.decode()
    assert len(muchos) == len(pocos)
    assert html.count('data-etiqueta="Para"') == 20 and "Página 1 de 3" in html
    assert "Aviso 49" in html and "Aviso 29" not in html  # the latest first
    html = cliente.get(f"{url}?pagina=3").content.decode()
    assert "Página 3 de 3" in html and html.count('data-etiqueta="Para"') == 10
    assert '<details class="detalle" open>' in html  # a page of notices asked for is shown unfolded
    assert f'href="/mesas/{convocada.mesa_id}/avisos/"' in html


def test_la_pagina_no_crece_con_los_miembros(mesa, coordinador, org_zapallar):
    sesion = crear_sesion(mesa)
    cliente = cliente_de(coordinador)
    url = f"/mesas/sesiones/{sesion.pk}/"
    services.sesion_convocar(sesion=sesion, por=coordinador)
    cliente.get(url)
    with CaptureQueriesContext(connection) as pocos:
        cliente.get(url)
    for i in range(30):
        persona = miembro(org_zapallar, f"persona{i}@zapallar.test", Membresia.Rol.INTEGRANTE)
        _responder(sesion, persona, Respuesta.Opcion.ASISTIRE)
    with CaptureQueriesContext(connection) as muchos:
        texto = _texto(cliente.get(url))
    assert len(muchos) == len(pocos)
    assert "30 asistirán · 0 no · 4 sin respuesta" in texto


# --- Recordar a quienes no han respondido ---------------------------------------------------------------


def test_recordar_envia_solo_a_quienes_no_respondieron(
    convocada, coordinador, director, integrante, lector, django_capture_on_commit_callbacks
):
    _responder(convocada, director, Respuesta.Opcion.ASISTIRE)
    _responder(convocada, integrante, Respuesta.Opcion.TAL_VEZ)
    mail.outbox.clear()
    cliente = cliente_de(coordinador)
    assert "Recordar a quienes no han respondido" in _texto(cliente.get(f"/mesas/sesiones/{convocada.pk}/"))
    respuesta = _recordar(cliente, convocada, django_capture_on_commit_callbacks)
    assert "Recordatorio enviado a 2 personas que no han respondido." in respuesta.content.decode()
    avisos = Aviso.objects.filter(sesion=convocada, plantilla="sesion_pendientes")
    assert sorted(a.para for a in avisos) == sorted([coordinador.email, lector.email])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinador.email, lector.email])
    mensaje = next(m for m in mail.outbox if m.to == [lector.email])
    assert mensaje.subject.startswith("¿Asistirá? Sesión ")
    assert mensaje.reply_to == ["Carolina Coordinadora <coordinacion@zapallar.test>"]
    # The same signed one-button links as the convocatoria, for that person.
    enlace = re.search(r"Asistiré: (\S+)", mensaje.body).group(1)
    usuario_id, sesion_id, opcion = services.rsvp_leer(enlace.rstrip("/").rsplit("/", 1)[1])
    assert (usuario_id, sesion_id, opcion) == (lector.pk, convocada.pk, "asistire")
    convocada.refresh_from_db()
    assert convocada.recordada_por == coordinador and convocada.recordada_en is not None
    texto = _texto(cliente.get(f"/mesas/sesiones/{convocada.pk}/"))
    cuando = timezone.localtime(convocada.recordada_en)
    assert f"Último recordatorio a quienes no habían respondido: {cuando:%d-%m-%Y %H:%M}, por Carolina" in texto
    assert f"Se puede enviar otro desde el {cuando + timedelta(hours=12):%d-%m-%Y %H:%M}" in texto


def test_un_segundo_clic_se_rechaza_con_un_mensaje(convocada, coordinador, django_capture_on_commit_callbacks):
    cliente = cliente_de(coordinador)
    _recordar(cliente, convocada, django_capture_on_commit_callbacks)
    enviados = Aviso.objects.filter(plantilla="sesion_pendientes").count()
    assert enviados == 4
    respuesta = _recordar(cliente, convocada, django_capture_on_commit_callbacks)
    texto = _texto(respuesta)
    assert "Ya se envió un recordatorio el" in texto and "podrá enviar otro desde el" in texto
    assert Aviso.objects.filter(plantilla="sesion_pendientes").count() == enviados


def test_doce_horas_despues_se_puede_recordar_de_nuevo(convocada, coordinador, django_capture_on_commit_callbacks):
    cliente = cliente_de(coordinador)
    _recordar(cliente, convocada, django_capture_on_commit_callbacks)
    ahora = timezone.now()
    with time_machine.travel(ahora + timedelta(hours=11, minutes=59)):
        texto = _texto(_recordar(cliente_de(coordinador), convocada, django_capture_on_commit_callbacks))
        assert "Ya se envió" in texto
    with time_machine.travel(ahora + timedelta(hours=12, minutes=1)):
        texto = _texto(_recordar(cliente_de(coordinador), convocada, django_capture_on_commit_callbacks))
    assert "Recordatorio enviado a 4 personas" in texto
    assert Aviso.objects.filter(plantilla="sesion_pendientes").count() == 8  # each reminder its own notices


def test_el_limite_compartido_frena_aunque_la_fila_no_lo_sepa(convocada, coordinador):
    """Two processes that read the row before either committed: the cache limit (comunas.limites) stops the second."""
    services.sesion_recordar_pendientes(sesion=convocada, por=coordinador)
    Sesion.objects.filter(pk=convocada.pk).update(recordada_en=None)
    with pytest.raises(ValidationError, match="Ya se envió un recordatorio de esta sesión hace poco"):
        services.sesion_recordar_pendientes(sesion=convocada, por=coordinador)


def test_nada_que_recordar_si_todos_respondieron(
    convocada, coordinador, director, integrante, lector, django_capture_on_commit_callbacks
):
    for persona in (coordinador, director, integrante, lector):
        _responder(convocada, persona, Respuesta.Opcion.NO_ASISTIRE)
    cliente = cliente_de(coordinador)
    texto = _texto(cliente.get(f"/mesas/sesiones/{convocada.pk}/"))
    assert "Todas las personas convocadas respondieron." in texto and "Recordar a quienes" not in texto
    texto = _texto(_recordar(cliente, convocada, django_capture_on_commit_callbacks))
    assert "no hay a quién recordar" in texto and not Aviso.objects.filter(plantilla="sesion_pendientes").exists()
    convocada.refresh_from_db()
    assert convocada.recordada_en is None


def test_solo_antes_del_inicio_de_una_convocada(mesa, coordinador, django_capture_on_commit_callbacks):
    pasada = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1)
    borrador = crear_sesion(mesa, numero=2)
    cliente = cliente_de(coordinador)
    assert "Recordar a quienes" not in _texto(cliente.get(f"/mesas/sesiones/{pasada.pk}/"))
    for sesion in (pasada, borrador):
        texto = _texto(_recordar(cliente, sesion, django_capture_on_commit_callbacks))
        assert "Solo se envía un recordatorio de una sesión convocada que aún no empieza." in texto
    assert not Aviso.objects.exists()


def test_solo_la_coordinacion_recuerda(convocada, director, ajeno):
    assert cliente_de(director).post(f"/mesas/sesiones/{convocada.pk}/recordar/").status_code == 403
    assert cliente_de(ajeno).post(f"/mesas/sesiones/{convocada.pk}/recordar/").status_code == 404
    assert cliente_de(director).get(f"/mesas/sesiones/{convocada.pk}/recordar/").status_code == 405
    assert not Aviso.objects.filter(plantilla="sesion_pendientes").exists()


def test_cancelar_retira_los_recordatorios_sin_enviar(convocada, coordinador):
    services.sesion_recordar_pendientes(sesion=convocada, por=coordinador)  # created, not sent (no commit hooks)
    assert Aviso.objects.filter(plantilla="sesion_pendientes", estado="pendiente").count() == 4
    services.sesion_cancelar(sesion=convocada, por=coordinador, motivo="Suspendida")
    assert not Aviso.objects.filter(plantilla="sesion_pendientes").exists()
