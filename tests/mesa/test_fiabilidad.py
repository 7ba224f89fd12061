"""Notices under faults: a real Celery worker (with embedded beat) on a redis-server started here on a free
loopback port, a local SMTP sink (aiosmtpd), and the test's own PostgreSQL database.

What must hold: every recipient gets exactly one message. When a worker is SIGKILLed right after the SMTP
server accepted a message but before the row was marked sent, that message is sent again with the same
Message-ID (at-least-once on the wire); mail systems drop it as a duplicate, so the sink counts distinct
Message-IDs per recipient, and a raw re-send is only tolerated for those few in-flight messages.
"""

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import transaction

from nucleo.avisos import aviso_crear
from nucleo.models import Aviso

pytestmark = [
    pytest.mark.fiabilidad,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="falta redis-server"),
]

RAIZ = Path(__file__).resolve().parents[2]
CONCURRENCIA = 2


def esperar(condicion, *, segundos, que):
    """Polls a condition until a deadline; fails with what was awaited."""
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        if condicion():
            return
        time.sleep(0.05)
    pytest.fail(f"Tiempo agotado esperando: {que}")


def puerto_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisPropio:
    """A throwaway redis-server without persistence: a restart loses every queued message."""

    def __init__(self, carpeta):
        self.puerto = puerto_libre()
        self.carpeta = carpeta
        self.proceso = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.puerto}/0"

    def iniciar(self):
        self.proceso = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.puerto),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.carpeta),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cliente = redis.Redis(host="127.0.0.1", port=self.puerto, socket_connect_timeout=0.2)

        def responde():
            try:
                return cliente.ping()
            except redis.ConnectionError:
                return False

        esperar(responde, segundos=10, que="redis-server de prueba")

    def en_cola(self):
        return redis.Redis(host="127.0.0.1", port=self.puerto).llen("celery")

    def detener(self):
        if self.proceso and self.proceso.poll() is None:
            self.proceso.kill()
            self.proceso.wait(timeout=10)

    def reiniciar(self):
        self.detener()
        self.iniciar()


class Buzon:
    """aiosmtpd handler: records (recipient, Message-ID) and can answer 421 while `rechazar` is set."""

    def __init__(self):
        self.recibidos = []
        self.rechazos = 0
        self.rechazar = False
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.rechazar:
            with self._lock:
                self.rechazos += 1
            return "421 4.3.2 Servicio no disponible, intente más tarde"
        mensaje = email.message_from_bytes(envelope.content)
        with self._lock:
            for destinatario in envelope.rcpt_tos:
                self.recibidos.append((destinatario, mensaje["Message-ID"]))
        return "250 2.0.0 Recibido"

    def copia(self):
        with self._lock:
            return list(self.recibidos)

    def por_destinatario(self):
        ids = defaultdict(set)
        for destinatario, message_id in self.copia():
            ids[destinatario].add(message_id)
        return ids


class Trabajador:
    """`celery worker -B` in its own process group, on the test database, the test redis and the sink."""

    def __init__(self, *, broker_url, smtp_puerto, carpeta):
        db = settings.DATABASES["default"]
        clave = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        servidor = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        self.carpeta = carpeta
        self.arranques = 0
        self.proceso = None
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}{clave}@{servidor}/{db['NAME']}",  # the *test* database
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_puerto}",
            "EMAIL_TIMEOUT": "5",
            "MESA_VAR_DIR": str(carpeta),
            "AVISOS_BARRIDO_INTERVALO": "1",
            "AVISOS_REENCOLAR_SEGUNDOS": "4",
            "AVISOS_ENVIANDO_MAX_SEGUNDOS": "6",
            "AVISOS_BACKOFF_BASE": "1",
            "AVISOS_BACKOFF_MAX": "2",
            "LOG_LEVEL": "WARNING",
        }

    def iniciar(self):
        self.arranques += 1
        (self.carpeta / "celery").mkdir(parents=True, exist_ok=True)
        registro = open(self.carpeta / f"worker-{self.arranques}.log", "wb")  # noqa: SIM115
        self.proceso = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mesa",
                "worker",
                "-B",
                "-l",
                "WARNING",
                "--pool",
                "prefork",
                "--concurrency",
                str(CONCURRENCIA),
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-s",
                str(self.carpeta / "celery" / f"beat-{self.arranques}"),
            ],
            cwd=RAIZ,
            env=self.env,
            stdout=registro,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a SIGKILL takes the pool and beat along
        )
        registro.close()

    def matar(self):
        if self.proceso and self.proceso.poll() is None:
            os.killpg(self.proceso.pid, signal.SIGKILL)
            self.proceso.wait(timeout=10)

    def detener(self):
        if self.proceso and self.proceso.poll() is None:
            os.killpg(self.proceso.pid, signal.SIGTERM)
            try:
                self.proceso.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.matar()

    def supervisar(self):
        """What systemd's Restart=always does in production: a worker that exited is started again.

        kombu can crash the worker while it closes a channel whose Redis just vanished (restore_unacked
        on a dead connection); the notices are rows, so a restarted worker and the sweeper finish the job.
        """
        if self.proceso is not None and self.proceso.poll() is not None:
            self.iniciar()

    def registro(self):
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.carpeta.glob("worker-*.log")))


def _publicar_en(url):
    """Points the test process's Celery producer at a broker; returns the previous setting."""
    from mesa.celery import app

    anterior = app.conf.get("broker_write_url")
    app.conf.broker_write_url = url
    app._pool = None
    app.amqp._producer_pool = None
    return anterior


@pytest.fixture
def redis_propio(tmp_path):
    servidor = RedisPropio(tmp_path)
    servidor.iniciar()
    anterior = _publicar_en(servidor.url)
    yield servidor
    _publicar_en(anterior)
    servidor.detener()


@pytest.fixture
def buzon():
    manejador = Buzon()
    controlador = Controller(manejador, hostname="127.0.0.1", port=puerto_libre(), ready_timeout=10)
    controlador.start()
    manejador.puerto = controlador.port
    yield manejador
    controlador.stop()


@pytest.fixture
def trabajador(transactional_db, redis_propio, buzon, tmp_path):
    proceso = Trabajador(broker_url=redis_propio.url, smtp_puerto=buzon.puerto, carpeta=tmp_path / "worker")
    proceso.iniciar()
    yield proceso
    proceso.detener()


def convocar(n, *, causa="convocatoria:1"):
    """A fan-out as a service does it: every notice in one transaction, sent after commit."""
    with transaction.atomic():
        for i in range(n):
            aviso_crear(
                para=f"persona{i:03d}@destino.test",
                plantilla="aviso_generico",
                contexto={"asunto": "Convocatoria a sesión", "mensaje": f"Mensaje {i}"},
                clave=f"{causa}:{i}:1",
            )
    return {f"persona{i:03d}@destino.test" for i in range(n)}


def todos_enviados(n):
    return lambda: Aviso.objects.filter(estado=Aviso.Estado.ENVIADO).count() == n


def comprobar_una_vez_cada_uno(buzon, destinatarios, *, reenvios_tolerados=0):
    por_destinatario = buzon.por_destinatario()
    assert set(por_destinatario) == destinatarios
    assert {d: len(ids) for d, ids in por_destinatario.items() if len(ids) != 1} == {}  # one Message-ID each
    esperados = dict(Aviso.objects.values_list("para", "message_id"))
    assert {d: ids.pop() for d, ids in por_destinatario.items()} == esperados
    repetidos = sum(n - 1 for n in Counter(buzon.copia()).values())
    assert repetidos <= reenvios_tolerados
    assert not Aviso.objects.exclude(estado=Aviso.Estado.ENVIADO).exists()


def test_a_300_destinatarios_300_correos(trabajador, buzon):
    destinatarios = convocar(300)
    esperar(todos_enviados(300), segundos=60, que=f"300 avisos enviados\n{trabajador.registro()}")
    comprobar_una_vez_cada_uno(buzon, destinatarios)
    assert len(buzon.copia()) == 300
    convocar(300)  # the same fan-out again: same keys, nothing new
    assert Aviso.objects.count() == 300


def test_b_sigkill_del_worker_en_pleno_envio(trabajador, buzon):
    destinatarios = convocar(300)
    esperar(lambda: len(buzon.copia()) >= 60, segundos=60, que=f"los primeros envíos\n{trabajador.registro()}")
    trabajador.matar()
    assert len(buzon.copia()) < 300, "el worker terminó antes de poder matarlo"
    trabajador.iniciar()
    esperar(todos_enviados(300), segundos=60, que=f"300 avisos tras el SIGKILL\n{trabajador.registro()}")
    # At most the messages in flight in the killed pool can go out twice, with the same Message-ID.
    comprobar_una_vez_cada_uno(buzon, destinatarios, reenvios_tolerados=CONCURRENCIA)


def test_c_smtp_rechaza_un_rato_y_luego_entrega_todo(trabajador, buzon):
    buzon.rechazar = True
    destinatarios = convocar(30)
    esperar(lambda: buzon.rechazos >= 40, segundos=60, que=f"rechazos 421\n{trabajador.registro()}")
    assert buzon.copia() == []
    buzon.rechazar = False
    esperar(todos_enviados(30), segundos=60, que=f"entrega tras la recuperación\n{trabajador.registro()}")
    comprobar_una_vez_cada_uno(buzon, destinatarios)
    assert Aviso.objects.filter(intentos__gt=1).exists()


def test_d_redis_reiniciado_no_pierde_nada(trabajador, buzon, redis_propio):
    destinatarios = convocar(200)
    esperar(lambda: len(buzon.copia()) >= 30, segundos=60, que=f"los primeros envíos\n{trabajador.registro()}")
    assert redis_propio.en_cola() > 0, "nada quedaba en la cola para perder"
    redis_propio.reiniciar()  # no persistence: whatever was queued is gone
    assert redis_propio.en_cola() == 0
    assert len(buzon.copia()) < 200, "todo se envió antes del reinicio"
    enviados = todos_enviados(200)

    def enviados_supervisando():
        trabajador.supervisar()
        return enviados()

    esperar(enviados_supervisando, segundos=90, que=f"200 avisos tras reiniciar redis\n{trabajador.registro()}")
    # If the worker died with the broker, what its pool had in flight may go out again, same Message-ID.
    comprobar_una_vez_cada_uno(buzon, destinatarios, reenvios_tolerados=CONCURRENCIA)
