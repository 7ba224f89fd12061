"""Documents of a session and of its agenda items, and editing the agenda (start times, total duration)."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comunas.models import Membresia, Provincia
from mesa import services
from mesa.models import DocumentoSesion, PuntoTabla, Sesion
from mesa.tabla import duracion_legible, horario
from nucleo.models import Aviso
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import PDF, crear_mesa, crear_sesion, pdf

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def org_petorca(mesa, coordinador, dpa):
    """A second organization of the mesa, which presents no item."""
    org = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    services.mesa_invitar(mesa=mesa, organizacion=org, por=coordinador)
    services.participacion_aceptar(participacion=mesa.participaciones.get(organizacion=org), por=coordinador)
    return org


@pytest.fixture
def sesion(mesa):
    return crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)


def _subir_al_punto(usuario, punto, *archivos):
    return cliente_de(usuario).post(f"/mesas/puntos/{punto.pk}/documentos/", {"archivos": list(archivos)}, follow=True)


def _subir_a_la_sesion(usuario, sesion, *archivos):
    return cliente_de(usuario).post(
        f"/mesas/sesiones/{sesion.pk}/documentos/", {"archivos": list(archivos)}, follow=True
    )


# --- Documents ------------------------------------------------------------------------------------------


def test_la_coordinacion_sube_documentos_y_los_miembros_los_descargan(
    coordinador, director, lector, ajeno, sesion, media
):
    pagina = _subir_a_la_sesion(coordinador, sesion, pdf("informe-mensual.pdf")).content.decode()
    assert "Documentos adjuntados: informe-mensual.pdf." in pagina
    documento = DocumentoSesion.objects.get()
    assert (documento.sesion, documento.punto, documento.subido_por) == (sesion, None, coordinador)
    assert documento.archivo.name.startswith("mesa/documentos/") and "informe" not in documento.archivo.name
    assert (media / documento.archivo.name).exists()

    for persona in (director, lector):  # every member who sees the session reads it
        assert "informe-mensual.pdf" in cliente_de(persona).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
        descarga = cliente_de(persona).get(f"/mesas/documentos/{documento.pk}/")
        assert descarga.status_code == 200 and b"".join(descarga.streaming_content) == PDF
        assert descarga["Content-Disposition"].startswith('attachment; filename="informe-mensual.pdf"')
        assert descarga["X-Content-Type-Options"] == "nosniff"
    assert cliente_de(ajeno).get(f"/mesas/documentos/{documento.pk}/").status_code == 404
    assert cliente_de(None).get(f"/mesas/documentos/{documento.pk}/").status_code == 302
    # Only the coordination adds documents to the whole session.
    assert _subir_a_la_sesion(director, sesion, pdf()).status_code == 403
    assert DocumentoSesion.objects.count() == 1


def test_los_documentos_de_un_borrador_solo_los_ve_la_coordinacion(coordinador, director, mesa):
    borrador = crear_sesion(mesa, numero=2)
    _subir_a_la_sesion(coordinador, borrador, pdf())
    documento = DocumentoSesion.objects.get()
    assert cliente_de(director).get(f"/mesas/documentos/{documento.pk}/").status_code == 404
    assert cliente_de(coordinador).get(f"/mesas/documentos/{documento.pk}/").status_code == 200


def test_la_organizacion_que_presenta_sube_a_su_punto(coordinador, director, integrante, lector, org_petorca, sesion):
    punto = sesion.puntos.get()  # presented by Zapallar, the host
    de_petorca = miembro(org_petorca, "director@petorca.test", Membresia.Rol.DIRECTOR)
    pagina = _subir_al_punto(integrante, punto, pdf("rondas.pdf")).content.decode()
    assert "Documentos adjuntados: rondas.pdf." in pagina
    assert DocumentoSesion.objects.get().punto == punto
    # The session page offers the upload to whoever may use it, and shows the document in the item.
    html = cliente_de(integrante).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert "Adjuntar documentos al punto 1" in html and "rondas.pdf" in html
    assert "Documentos para toda la sesión" not in html
    for persona in (lector, de_petorca):
        assert _subir_al_punto(persona, punto, pdf()).status_code == 403
        assert (
            "Adjuntar documentos al punto 1"
            not in cliente_de(persona).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
        )
    assert _subir_al_punto(coordinador, punto, pdf("anexo.pdf")).status_code == 200
    assert DocumentoSesion.objects.filter(punto=punto).count() == 2


def test_un_archivo_disfrazado_no_se_guarda(coordinador, sesion, media):
    pagina = _subir_a_la_sesion(coordinador, sesion, pdf("acta.pdf", EXE), pdf()).content.decode()
    assert "no se aceptó" in pagina
    assert not DocumentoSesion.objects.exists()  # all or nothing
    assert not (media / "mesa").exists() or not any((media / "mesa").rglob("*.*"))


def test_sin_archivo_se_avisa(coordinador, sesion):
    pagina = cliente_de(coordinador).post(f"/mesas/sesiones/{sesion.pk}/documentos/", {}, follow=True)
    assert "Elija al menos un archivo para adjuntar." in pagina.content.decode()


def test_una_sesion_cancelada_no_recibe_documentos(coordinador, sesion):
    services.sesion_cancelar(sesion=sesion, por=coordinador, motivo="Emergencia comunal.")
    pagina = _subir_a_la_sesion(coordinador, sesion, pdf()).content.decode()
    assert "Una sesión cancelada no recibe documentos." in pagina
    assert not DocumentoSesion.objects.exists()


def test_borrar_un_documento_quita_el_archivo(
    coordinador, integrante, lector, sesion, media, django_capture_on_commit_callbacks
):
    punto = sesion.puntos.get()
    _subir_al_punto(coordinador, punto, pdf())
    documento = DocumentoSesion.objects.get()
    ruta = media / documento.archivo.name
    assert cliente_de(lector).post(f"/mesas/documentos/{documento.pk}/borrar/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(integrante).post(f"/mesas/documentos/{documento.pk}/borrar/")
    assert respuesta.url == f"/mesas/sesiones/{sesion.pk}/#punto-{punto.pk}"
    assert not DocumentoSesion.objects.exists() and not ruta.exists()


def test_quitar_un_punto_deja_sus_documentos_en_la_sesion(coordinador, sesion):
    otro = services.punto_agregar(sesion=sesion, por=coordinador, titulo="Varios", duracion_minutos=10)
    _subir_al_punto(coordinador, otro, pdf("varios.pdf"))
    services.punto_quitar(punto=otro, por=coordinador)
    documento = DocumentoSesion.objects.get()
    assert documento.punto is None and documento.sesion == sesion
    html = cliente_de(coordinador).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert "Documentos de la sesión" in html and "varios.pdf" in html


def test_la_pagina_de_la_sesion_no_crece_en_consultas_con_los_documentos(coordinador, mesa):
    def consultas(sesion):
        for punto in sesion.puntos.all():
            _subir_al_punto(coordinador, punto, pdf(f"p{punto.pk}.pdf"))
        _subir_a_la_sesion(coordinador, sesion, pdf())
        cliente = cliente_de(coordinador)
        cliente.get(f"/mesas/sesiones/{sesion.pk}/")  # warm the session and caches
        with CaptureQueriesContext(connection) as capturadas:
            assert cliente.get(f"/mesas/sesiones/{sesion.pk}/").status_code == 200
        return len(capturadas)

    una = consultas(crear_sesion(mesa, numero=1, estado=Sesion.Estado.CONVOCADA, puntos=1))
    cinco = consultas(crear_sesion(mesa, numero=2, estado=Sesion.Estado.CONVOCADA, puntos=5))
    assert una == cinco


# --- Editing the agenda ---------------------------------------------------------------------------------


def test_la_coordinacion_edita_un_punto_de_una_sesion_convocada_sin_enviar_correos(coordinador, org_zapallar, sesion):
    punto = sesion.puntos.get()
    avisos = Aviso.objects.count()
    cliente = cliente_de(coordinador)
    formulario = cliente.get(f"/mesas/puntos/{punto.pk}/editar/").content.decode()
    assert "no se envía un correo" in formulario
    inicio = timezone.localtime(sesion.inicio)
    datos = {
        "titulo": "Cuenta de Carabineros",
        "descripcion": "Estadística del mes y operativos en el borde costero.",
        "organizacion": org_zapallar.pk,
        "expositor": "Capitán Pérez, 1.ª Comisaría de Zapallar",
        "duracion_minutos": 25,
        "hora_inicio": f"{inicio:%H}:30",
    }
    respuesta = cliente.post(f"/mesas/puntos/{punto.pk}/editar/", datos, follow=True)
    html = respuesta.content.decode()
    assert "Punto «Cuenta de Carabineros» guardado." in html and "no se envía un correo" in html
    punto.refresh_from_db()
    assert (punto.titulo, punto.duracion_minutos, punto.hora_inicio) == (
        "Cuenta de Carabineros",
        25,
        time(inicio.hour, 30),
    )
    assert punto.expositor.startswith("Capitán Pérez") and punto.descripcion.startswith("Estadística")
    assert f"{inicio:%H}:30 – {inicio:%H}:55" in html and "Expone: Capitán Pérez" in html
    assert Aviso.objects.count() == avisos and mail.outbox == []


def test_la_hora_de_un_punto_queda_dentro_de_la_sesion(coordinador, sesion):
    punto = sesion.puntos.get()
    antes = timezone.localtime(sesion.inicio) - timedelta(hours=1)
    datos = {"titulo": "Punto 1", "duracion_minutos": 15, "hora_inicio": f"{antes:%H:%M}"}
    respuesta = cliente_de(coordinador).post(f"/mesas/puntos/{punto.pk}/editar/", datos)
    assert respuesta.status_code == 400
    assert "La hora de inicio debe estar dentro del horario de la sesión" in respuesta.content.decode()
    assert PuntoTabla.objects.get(pk=punto.pk).hora_inicio is None
    respuesta = cliente_de(coordinador).post(f"/mesas/puntos/{punto.pk}/editar/", {**datos, "duracion_minutos": 0})
    assert "La duración debe estar entre 1 y 480 minutos." in respuesta.content.decode()


def test_solo_la_coordinacion_edita_la_tabla_y_solo_antes_de_realizarse(coordinador, director, mesa):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1)
    punto = sesion.puntos.get()
    assert cliente_de(director).get(f"/mesas/puntos/{punto.pk}/editar/").status_code == 403
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[])
    respuesta = cliente_de(coordinador).get(f"/mesas/puntos/{punto.pk}/editar/", follow=True)
    assert "La tabla de una sesión realizada o cancelada ya no cambia." in respuesta.content.decode()


def _hora(inicio, minutos):
    return f"{inicio + timedelta(minutes=minutos):%H:%M}"


def test_la_tabla_muestra_horas_y_duracion_total(coordinador, director, mesa):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, puntos=0)  # two hours
    inicio = timezone.localtime(sesion.inicio)
    services.punto_agregar(sesion=sesion, por=coordinador, titulo="Bienvenida", duracion_minutos=20)
    services.punto_agregar(sesion=sesion, por=coordinador, titulo="Diagnóstico", duracion_minutos=40)
    services.punto_agregar(
        sesion=sesion,
        por=coordinador,
        titulo="Después del café",
        duracion_minutos=30,
        hora_inicio=(inicio + timedelta(minutes=75)).time(),
    )
    html = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    for desde, hasta in ((0, 20), (20, 60), (75, 105)):
        assert f"{_hora(inicio, desde)} – {_hora(inicio, hasta)}" in html
    assert f"Duración total: 1 h 30 min · de {_hora(inicio, 0)} a {_hora(inicio, 105)}" in html
    assert "después del término previsto" not in html
    services.punto_agregar(sesion=sesion, por=coordinador, titulo="Varios", duracion_minutos=30)
    html = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert (
        f"La tabla termina a las {_hora(inicio, 135)}, después del término previsto de la sesión "
        f"({_hora(inicio, 120)})." in html
    )


def test_horario_con_puntos_superpuestos(mesa):
    sesion = crear_sesion(mesa, puntos=2)
    inicio = timezone.localtime(sesion.inicio)
    primero, segundo = sesion.puntos.all()
    primero.duracion_minutos, segundo.hora_inicio = 60, (inicio + timedelta(minutes=30)).time()
    resumen = horario(sesion, [primero, segundo])
    assert segundo.superpuesto and not primero.superpuesto
    assert (f"{segundo.desde:%H:%M}", f"{segundo.hasta:%H:%M}") == (_hora(inicio, 30), _hora(inicio, 45))
    assert resumen["minutos"] == 75 and resumen["duracion"] == "1 h 15 min"
    assert [duracion_legible(m) for m in (45, 60, 135)] == ["45 min", "1 h", "2 h 15 min"]
