"""What each SMTP answer means for a batch, against a local SMTP server (aiosmtpd on a loopback port).

RFC 5321: only a recipient refused at RCPT with 5xx is final for that notice. A refused sender (e.g. a
server-wide "530 Authentication required"), a refused message, a lost connection or a timeout pause the batch
and retry; the reply after the message is awaited minutes, not the command timeout.
"""

import asyncio
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from nucleo import services
from nucleo.avisos import aviso_crear
from nucleo.models import Aviso

pytestmark = pytest.mark.django_db


class Servidor:
    """Answers as told: `mail` for MAIL FROM, `rcpt[address]` for RCPT TO, `data` after the message (after
    `demora` seconds). Records what it accepted and how many connections it saw."""

    def __init__(self):
        self.mail = None
        self.rcpt = {}
        self.data = None
        self.demora = 0
        self.recibidos = []
        self.conexiones = 0
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.conexiones += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail:
            return self.mail
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt:
            return self.rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.demora)
        if self.data:
            return self.data
        with self._lock:
            self.recibidos.extend(envelope.rcpt_tos)
        return "250 2.0.0 Recibido"


def _puerto_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smtp(settings, puerto, timeout=5):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": puerto, "timeout": timeout},
        }
    }


@pytest.fixture
def servidor(settings):
    manejador = Servidor()
    controlador = Controller(manejador, hostname="127.0.0.1", port=_puerto_libre(), ready_timeout=10)
    controlador.start()
    _smtp(settings, controlador.port)
    yield manejador
    controlador.stop()


def _lote(n=4):
    contexto = {"asunto": "Convocatoria", "mensaje": "Nos vemos."}
    return [
        aviso_crear(para=f"p{i}@destino.test", plantilla="aviso_generico", contexto=contexto, clave=f"smtp:{i}")
        for i in range(n)
    ]


def _estados():
    return {a.para: (a.estado, a.intentos) for a in Aviso.objects.all()}


def test_un_lote_por_una_sola_conexion(servidor):
    _lote(4)
    resumen = services.avisos_enviar()
    assert resumen["enviados"] == 4 and servidor.conexiones == 1
    assert sorted(servidor.recibidos) == [f"p{i}@destino.test" for i in range(4)]
    assert mail.outbox == []  # it went through SMTP, not the test outbox


def test_un_destinatario_inexistente_falla_y_el_resto_sale(servidor):
    servidor.rcpt["p1@destino.test"] = "550 5.1.1 No existe ese buzón"
    _lote(4)
    services.avisos_enviar()
    assert _estados()["p1@destino.test"] == ("fallido", 1)
    assert Aviso.objects.get(para="p1@destino.test").error == (
        "El servidor de correo rechazó la dirección del destinatario (550 5.1.1 No existe ese buzón)."
    )
    assert sorted(servidor.recibidos) == ["p0@destino.test", "p2@destino.test", "p3@destino.test"]


def test_un_buzon_ocupado_se_reintenta_y_el_resto_sale(servidor):
    servidor.rcpt["p1@destino.test"] = "450 4.2.1 Buzón ocupado"
    _lote(4)
    services.avisos_enviar()
    ocupado = Aviso.objects.get(para="p1@destino.test")
    assert (ocupado.estado, ocupado.intentos) == ("pendiente", 1) and ocupado.programado_para > timezone.now()
    assert ocupado.error.endswith("(450 4.2.1 Buzón ocupado). Se reintentará.")
    assert len(servidor.recibidos) == 3


@pytest.mark.parametrize(
    ("etapa", "respuesta", "motivo"),
    [
        ("mail", "530 5.7.0 Authentication required", "El servidor de correo exige autenticar a la plataforma"),
        ("mail", "421 4.3.2 Servicio no disponible", "El servidor de correo no aceptó el remitente"),
        ("data", "554 5.6.0 Mensaje rechazado", "El servidor de correo no aceptó el mensaje"),
        ("rcpt", "550 5.7.1 Relaying denied", "El servidor de correo no permite enviar a esa dirección"),
    ],
)
def test_un_rechazo_del_servidor_pausa_el_lote_sin_fallar(servidor, etapa, respuesta, motivo):
    """A misconfigured server refuses everyone alike: nothing fails for good, the batch waits together."""
    if etapa == "rcpt":
        servidor.rcpt.update({f"p{i}@destino.test": respuesta for i in range(4)})
    else:
        setattr(servidor, etapa, respuesta)
    _lote(4)
    resumen = services.avisos_enviar()
    assert resumen["pausa"] and resumen["fallidos"] == 0 and servidor.recibidos == []
    avisos = list(Aviso.objects.order_by("pk"))
    assert {(a.estado, a.intentos) for a in avisos} == {("pendiente", 0)}  # nobody's attempt is used up
    assert {a.error for a in avisos} == {avisos[0].error}  # every one says why it waits
    assert avisos[0].error.startswith(motivo) and respuesta.split()[0] in avisos[0].error
    assert len({a.programado_para for a in avisos}) == 1 and avisos[0].programado_para > timezone.now()


def test_sin_servidor_se_reintenta_con_un_motivo_legible(settings):
    _smtp(settings, _puerto_libre())  # nothing listens there
    _lote(2)
    services.avisos_enviar()
    primero = Aviso.objects.order_by("pk").first()
    assert (primero.estado, primero.error) == (
        "pendiente",
        "No se pudo conectar con el servidor de correo. Se reintentará.",
    )


def test_una_confirmacion_lenta_no_se_corta_ni_se_repite(servidor, settings):
    """The final reply after DATA comes later than the command timeout but within RFC 5321's wait."""
    _smtp(settings, settings.MAILERS["default"]["OPTIONS"]["port"], timeout=0.3)
    settings.AVISOS_SMTP_ESPERA_FINAL = 10
    servidor.demora = 0.8
    _lote(2)
    services.avisos_enviar()
    assert sorted(servidor.recibidos) == ["p0@destino.test", "p1@destino.test"]
    assert set(Aviso.objects.values_list("estado", flat=True)) == {"enviado"}


def test_sin_confirmacion_a_tiempo_se_reintenta_avisando_que_podria_repetirse(servidor, settings):
    settings.AVISOS_SMTP_ESPERA_FINAL = 0.3
    servidor.demora = 1.5
    _lote(1)
    services.avisos_enviar()
    aviso = Aviso.objects.get()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 1)  # it may have arrived: this attempt counts
    assert "no confirmó la recepción a tiempo" in aviso.error
