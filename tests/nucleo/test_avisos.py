"""Notices as rows: idempotent creation, one claim per notice, retries, failures, the sweeper and the digest."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from nucleo import services
from nucleo.avisos import aviso_crear
from nucleo.models import Aviso, PreferenciaAvisos
from nucleo.tasks import aviso_enviar_task, avisos_barrer_task, avisos_resumen_diario_task
from tests.conftest import cliente_de

pytestmark = pytest.mark.django_db

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def _aviso(para, clave="prueba:1", **extra):
    contexto = {"asunto": "Aviso de prueba", "mensaje": "Hola desde Mesa."}
    return aviso_crear(para=para, plantilla="aviso_generico", contexto=contexto, clave=clave, **extra)


def test_crear_y_enviar_al_confirmar(director, celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        aviso = _aviso(
            director, adjuntos=[{"nombre": "sesion.ics", "tipo": "text/calendar; method=REQUEST", "contenido": ICS}]
        )
        assert mail.outbox == []  # nothing leaves before the cause commits
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == (Aviso.Estado.ENVIADO, 1)
    [mensaje] = mail.outbox
    assert mensaje.to == ["director@zapallar.test"]
    assert mensaje.subject == "Aviso de prueba"
    assert mensaje.extra_headers["Message-ID"] == aviso.message_id
    enviado = mensaje.message()
    assert enviado["Message-ID"] == aviso.message_id
    [ics] = [p for p in enviado.walk() if p.get_content_type() == "text/calendar"]
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_filename() == "sesion.ics"
    assert "BEGIN:VCALENDAR" in ics.get_content()


def test_la_misma_clave_no_duplica(director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        primero = _aviso(director)
        segundo = _aviso(director)
    assert primero.pk == segundo.pk
    assert Aviso.objects.count() == 1
    assert len(callbacks) == 1  # one send scheduled


def test_message_id_deterministico(director, settings):
    settings.SITE_URL = "https://mesa.example.cl"
    aviso = _aviso(director, clave="convocatoria:7:3:1")
    assert aviso.message_id == Aviso.message_id_para("convocatoria:7:3:1")
    assert aviso.message_id.endswith("@mesa.example.cl>")
    assert Aviso.message_id_para("convocatoria:7:3:2") != aviso.message_id


def test_reclamo_condicional_una_sola_vez(director):
    aviso = _aviso(director)
    assert services.aviso_reclamar(aviso_id=aviso.pk) is not None
    assert services.aviso_reclamar(aviso_id=aviso.pk) is None  # a second worker loses
    services.aviso_enviar(aviso_id=aviso.pk)
    assert mail.outbox == []


def test_ya_enviado_no_se_reenvia(director):
    aviso = _aviso(director)
    aviso_enviar_task(aviso.pk)
    aviso_enviar_task(aviso.pk)
    assert len(mail.outbox) == 1


class _ServidorQueFalla:
    def __init__(self, exc):
        self.exc = exc

    def send_messages(self, mensajes):
        raise self.exc


@pytest.fixture
def smtp_que_falla(monkeypatch):
    def fallar(exc):
        monkeypatch.setattr(services, "mailers", type("M", (), {"default": _ServidorQueFalla(exc)})())

    return fallar


@pytest.mark.parametrize(
    "exc",
    [
        smtplib.SMTPSenderRefused(421, b"Servicio no disponible", "no-responder@mesa.localhost"),
        smtplib.SMTPServerDisconnected("se cortó"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        smtplib.SMTPRecipientsRefused({"director@zapallar.test": (450, b"Buzon ocupado")}),
    ],
)
def test_error_temporal_vuelve_a_pendiente_y_reintenta(director, smtp_que_falla, exc):
    aviso = _aviso(director)
    smtp_que_falla(exc)
    with pytest.raises(services.ErrorTemporal):
        services.aviso_enviar(aviso_id=aviso.pk)
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == (Aviso.Estado.PENDIENTE, 1)
    assert aviso.error


def test_la_tarea_reintenta_con_backoff_en_error_temporal():
    opciones = aviso_enviar_task
    assert services.ErrorTemporal in opciones.autoretry_for
    assert opciones.retry_backoff and opciones.retry_jitter


@pytest.mark.parametrize(
    "exc",
    [
        smtplib.SMTPRecipientsRefused({"director@zapallar.test": (550, b"No existe")}),
        smtplib.SMTPDataError(554, b"Rechazado"),
    ],
)
def test_error_permanente_marca_fallido_de_inmediato(director, smtp_que_falla, exc):
    aviso = _aviso(director)
    smtp_que_falla(exc)
    services.aviso_enviar(aviso_id=aviso.pk)
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == (Aviso.Estado.FALLIDO, 1)


def test_tras_el_maximo_de_intentos_queda_fallido(director, smtp_que_falla, settings):
    settings.AVISOS_MAX_INTENTOS = 2
    aviso = _aviso(director)
    smtp_que_falla(TimeoutError("timed out"))
    with pytest.raises(services.ErrorTemporal):
        services.aviso_enviar(aviso_id=aviso.pk)
    services.aviso_enviar(aviso_id=aviso.pk)
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == (Aviso.Estado.FALLIDO, 2)


def test_el_timeout_de_smtp_viene_de_la_configuracion(settings):
    from mesa.settings import _mailer_from_url

    assert _mailer_from_url("smtp://smtp.example:25")["OPTIONS"]["timeout"] == settings.EMAIL_TIMEOUT_SECONDS
    assert _mailer_from_url("smtp://smtp.example:25?timeout=3")["OPTIONS"]["timeout"] == 3


def test_barredor_reencola_pendientes_viejos_y_libera_atascados(director, integrante, settings, celery_eager):
    ahora = timezone.now()
    perdido = _aviso(director, clave="perdido")
    reciente = _aviso(integrante, clave="reciente")
    atascado = _aviso(integrante, clave="atascado")
    Aviso.objects.filter(pk=perdido.pk).update(
        programado_para=ahora - timedelta(seconds=settings.AVISOS_REENCOLAR_SEGUNDOS + 1)
    )
    Aviso.objects.filter(pk=atascado.pk).update(
        estado=Aviso.Estado.ENVIANDO,
        intentos=1,
        reclamado_en=ahora - timedelta(seconds=settings.AVISOS_ENVIANDO_MAX_SEGUNDOS + 1),
    )
    avisos_barrer_task()
    estados = dict(Aviso.objects.values_list("clave", "estado"))
    assert estados == {"perdido": "enviado", "reciente": "pendiente", "atascado": "enviado"}
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        [perdido.message_id, atascado.message_id]
    )
    assert reciente.pk


def test_resumen_diario_para_quien_lo_eligio(director, integrante, celery_eager, django_capture_on_commit_callbacks):
    PreferenciaAvisos.objects.create(usuario=director, frecuencia=PreferenciaAvisos.Frecuencia.DIARIA)
    with django_capture_on_commit_callbacks(execute=True):
        uno = _aviso(director, clave="novedad:1", esencial=False)
        dos = _aviso(director, clave="novedad:2", esencial=False)
        esencial = _aviso(director, clave="convocatoria:1")
        inmediato = _aviso(integrante, clave="novedad:1:integrante", esencial=False)
    assert (uno.diferido, dos.diferido, esencial.diferido, inmediato.diferido) == (True, True, False, False)
    assert sorted(m.to[0] for m in mail.outbox) == ["director@zapallar.test", "integrante@zapallar.test"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        avisos_resumen_diario_task()
    [resumen] = mail.outbox
    assert resumen.to == ["director@zapallar.test"]
    assert resumen.subject.startswith("Resumen diario de Mesa: 2 avisos")
    assert set(Aviso.objects.filter(pk__in=[uno.pk, dos.pk]).values_list("estado", flat=True)) == {"resumido"}
    with django_capture_on_commit_callbacks(execute=True):
        avisos_resumen_diario_task()  # nothing left to gather
    assert len(mail.outbox) == 1


def test_salud_informa_avisos_atrasados(director, settings):
    from nucleo.tasks import latido_task

    latido_task()
    aviso = _aviso(director)
    assert cliente_de(None).get("/salud/").json()["avisos"] == "ok"
    Aviso.objects.filter(pk=aviso.pk).update(
        creado=timezone.now() - timedelta(seconds=settings.AVISOS_ATRASO_SEGUNDOS + 1)
    )
    respuesta = cliente_de(None).get("/salud/")
    assert (respuesta.status_code, respuesta.json()["avisos"]) == (503, "atrasados")


def test_preferencias_de_avisos(director):
    cliente = cliente_de(director)
    respuesta = cliente.get("/mesas/avisos/preferencias/")
    assert "Resumen diario" in respuesta.content.decode()
    respuesta = cliente.post("/mesas/avisos/preferencias/", {"frecuencia": "diaria"}, follow=True)
    assert "Preferencia de avisos guardada." in respuesta.content.decode()
    assert PreferenciaAvisos.objects.get(usuario=director).frecuencia == "diaria"
