"""Notices under faults: real Celery workers and beats on a redis-server started here on a free loopback port,
a local SMTP sink (aiosmtpd), and the test's own PostgreSQL database (reached through a TCP proxy the test can
cut, to take the database away from the workers).

What must hold: every recipient gets exactly one message. When a worker is SIGKILLed right after the SMTP
server accepted a message but before the row was marked sent, that message is sent again with the same
Message-ID (at-least-once on the wire); mail systems drop it as a duplicate, so the sink counts distinct
Message-IDs per recipient, and a raw re-send is only tolerated for those few in-flight messages. Every other
fault (a server refusing for a while, a slow final reply, the database going away, two beats, no beat) must
deliver each message exactly once.
"""

import abc
import asyncio
import contextlib
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

from comunas.models import Usuario
from nucleo.avisos import avisos_crear, avisos_masivos_crear
from nucleo.models import Aviso, Latido

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
        """Messages the broker holds: queued, or delivered to a worker and not yet acknowledged."""
        cliente = redis.Redis(host="127.0.0.1", port=self.puerto)
        return cliente.llen("celery") + cliente.hlen("unacked")

    def detener(self):
        if self.proceso and self.proceso.poll() is None:
            self.proceso.kill()
            self.proceso.wait(timeout=10)

    def reiniciar(self):
        self.detener()
        self.iniciar()


class ProxyBase:
    """A TCP relay between the workers and PostgreSQL. `cortar()` drops every connection and refuses new ones
    (the database is gone for the workers, not for the test); `restaurar()` lets them through again."""

    def __init__(self, destino):
        self.destino = destino
        self.cortado = False
        self.pares = []
        self._lock = threading.Lock()
        self.escucha = socket.create_server(("127.0.0.1", 0))
        self.puerto = self.escucha.getsockname()[1]
        threading.Thread(target=self._aceptar, daemon=True).start()

    def _aceptar(self):
        while True:
            try:
                cliente, _ = self.escucha.accept()
            except OSError:
                return
            if self.cortado:
                cliente.close()
                continue
            try:
                servidor = socket.create_connection(self.destino)
            except OSError:
                cliente.close()
                continue
            with self._lock:
                self.pares.append((cliente, servidor))
            for origen, destino in ((cliente, servidor), (servidor, cliente)):
                threading.Thread(target=self._copiar, args=(origen, destino), daemon=True).start()

    @staticmethod
    def _copiar(origen, destino):
        try:
            while datos := origen.recv(65536):
                destino.sendall(datos)
        except OSError:
            pass
        finally:
            for extremo in (origen, destino):
                with contextlib.suppress(OSError):
                    extremo.shutdown(socket.SHUT_RDWR)

    def cortar(self):
        self.cortado = True
        with self._lock:
            pares, self.pares = self.pares, []
        for par in pares:
            for extremo in par:
                with contextlib.suppress(OSError):
                    extremo.shutdown(socket.SHUT_RDWR)
                extremo.close()

    def restaurar(self):
        self.cortado = False

    def cerrar(self):
        self.escucha.close()
        self.cortar()


class Buzon:
    """aiosmtpd handler: records (recipient, Message-ID). It can answer 421 after the message while `rechazar`
    is set, refuse MAIL FROM with `rechazo_mail` until `rechazar_mail_hasta` (a monotonic deadline), and delay
    its final reply by `demora_final` seconds."""

    def __init__(self):
        self.recibidos = []
        self.rechazos = 0
        self.rechazar = False
        self.rechazo_mail = "530 5.7.0 Authentication required"
        self.rechazar_mail_hasta = 0
        self.demora_final = 0
        self._lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if time.monotonic() < self.rechazar_mail_hasta:
            with self._lock:
                self.rechazos += 1
            return self.rechazo_mail
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.rechazar:
            with self._lock:
                self.rechazos += 1
            return "421 4.3.2 Servicio no disponible, intente más tarde"
        if self.demora_final:
            await asyncio.sleep(self.demora_final)
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


def _entorno(*, broker_url, smtp_puerto, carpeta, db_puerto=None, **extra):
    db = settings.DATABASES["default"]
    clave = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    servidor = f"{db['HOST'] or '127.0.0.1'}:{db_puerto or db['PORT'] or 5432}"
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{clave}@{servidor}/{db['NAME']}",  # the *test* database
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_puerto}",
        "EMAIL_TIMEOUT": "5",
        "MESA_VAR_DIR": str(carpeta),
        "AVISOS_LOTE": "20",
        "AVISOS_LOTE_SEGUNDOS": "2",
        "AVISOS_ENVIADORES": "2",
        "AVISOS_SMTP_ESPERA_FINAL": "30",
        "AVISOS_BARRIDO_INTERVALO": "1",
        "AVISOS_REENCOLAR_SEGUNDOS": "4",
        "AVISOS_ENVIANDO_MAX_SEGUNDOS": "6",
        "AVISOS_BACKOFF_BASE": "1",
        "AVISOS_BACKOFF_MAX": "2",
        "HEARTBEAT_INTERVAL": "1",
        "LOG_LEVEL": "WARNING",
        **{k: str(v) for k, v in extra.items()},
    }


class Proceso(abc.ABC):
    """A Celery process in its own process group (a SIGKILL takes its pool along), logging to a file."""

    def __init__(self, nombre, *, env, carpeta):
        self.nombre = nombre
        self.env = env
        self.carpeta = carpeta
        self.arranques = 0
        self.proceso = None

    @abc.abstractmethod
    def argumentos(self):
        """The command line after `celery -A mesa` (a worker or a standalone beat)."""

    def iniciar(self):
        self.arranques += 1
        (self.carpeta / "celery").mkdir(parents=True, exist_ok=True)
        registro = open(self.carpeta / f"{self.nombre}-{self.arranques}.log", "wb")  # noqa: SIM115
        self.proceso = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mesa", *self.argumentos()],
            cwd=RAIZ,
            env=self.env,
            stdout=registro,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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
        """What systemd's Restart=always does in production: a process that exited is started again.

        kombu can crash the worker while it closes a channel whose Redis just vanished (restore_unacked
        on a dead connection); the notices are rows, so a restarted worker and the sweeper finish the job.
        """
        if self.proceso is not None and self.proceso.poll() is not None:
            self.iniciar()

    def registro(self):
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in sorted(self.carpeta.glob(f"{self.nombre}-*.log"))
        )


class Trabajador(Proceso):
    """`celery worker` on both queues, with an embedded beat unless `beat=False`."""

    def __init__(self, nombre="worker", *, beat=True, **kwargs):
        super().__init__(nombre, **kwargs)
        self.beat = beat

    def argumentos(self):
        embebido = ["-B", "-s", str(self.carpeta / "celery" / f"beat-{self.nombre}-{self.arranques}")]
        return [
            "worker",
            *(embebido if self.beat else []),
            "-l",
            "WARNING",
            "--pool",
            "prefork",
            "--concurrency",
            str(CONCURRENCIA),
            "--queues",
            "celery,beat",
            "--hostname",
            f"{self.nombre}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]


class Beat(Proceso):
    """A standalone `celery beat`, as deployed (README): two of them is the misconfiguration under test."""

    def argumentos(self):
        schedule = self.carpeta / "celery" / f"{self.nombre}-{self.arranques}"
        return ["beat", "-l", "WARNING", "-s", str(schedule), "--pidfile", f"{schedule}.pid"]


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
def procesos(transactional_db, redis_propio, buzon, tmp_path):
    """Starts Celery processes on the test's redis, sink and database; stops them all at the end."""
    iniciados = []

    def iniciar(clase=Trabajador, nombre="worker", db_puerto=None, entorno=None, **kwargs):
        env = _entorno(
            broker_url=redis_propio.url,
            smtp_puerto=buzon.puerto,
            carpeta=tmp_path / "celery-var",
            db_puerto=db_puerto,
            **(entorno or {}),
        )
        proceso = clase(nombre, env=env, carpeta=tmp_path / "procesos", **kwargs)
        proceso.iniciar()
        iniciados.append(proceso)
        return proceso

    yield iniciar
    for proceso in iniciados:
        proceso.detener()


@pytest.fixture
def trabajador(procesos):
    return procesos()


def registros(*procesos):
    return "\n".join(p.registro() for p in procesos)


def convocar(n, *, causa="convocatoria:1"):
    """A fan-out as a service does it: every notice in one insert, the senders started after commit."""
    mensajes = [
        {
            "para": f"persona{i:03d}@destino.test",
            "plantilla": "aviso_generico",
            "contexto": {"asunto": "Convocatoria a sesión", "mensaje": f"Mensaje {i}"},
            "clave": f"{causa}:{i}:1",
        }
        for i in range(n)
    ]
    with transaction.atomic():
        avisos_crear(mensajes=mensajes)
    return {f"persona{i:03d}@destino.test" for i in range(n)}


def convocar_masivo(n):
    """A mass notice (written by the worker at send time) to `n` accounts."""
    Usuario.objects.bulk_create(
        Usuario(email=f"persona{i:03d}@destino.test", nombre=f"Persona {i}", password="!") for i in range(n)
    )
    with transaction.atomic():
        avisos_masivos_crear(
            para=Usuario.objects.filter(email__endswith="@destino.test"),
            plantilla="aviso_generico",
            contexto={"asunto": "Convocatoria a sesión", "mensaje": "Nos vemos el martes."},
            clave=lambda usuario_id: f"masivo:1:{usuario_id}",
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
    esperar(lambda: buzon.rechazos >= 10, segundos=60, que=f"rechazos 421\n{trabajador.registro()}")
    assert buzon.copia() == []
    assert not Aviso.objects.filter(estado=Aviso.Estado.FALLIDO).exists()
    buzon.rechazar = False
    esperar(todos_enviados(30), segundos=60, que=f"entrega tras la recuperación\n{trabajador.registro()}")
    comprobar_una_vez_cada_uno(buzon, destinatarios)
    # The server's refusals paused the batches; they used up no notice's attempts.
    assert set(Aviso.objects.values_list("intentos", flat=True)) == {1}


def test_d_redis_reiniciado_no_pierde_nada(trabajador, buzon, redis_propio):
    destinatarios = convocar(200)
    esperar(lambda: len(buzon.copia()) >= 30, segundos=60, que=f"los primeros envíos\n{trabajador.registro()}")
    assert redis_propio.en_cola() > 0, "nada quedaba en la cola para perder"
    cliente = redis.Redis(host="127.0.0.1", port=redis_propio.puerto)
    cliente.set("antes-del-reinicio", 1)
    redis_propio.reiniciar()  # no persistence: whatever was queued is gone
    # (a worker reconnects at once and may queue a new sender: the queue itself is not a proof of the loss)
    assert not cliente.exists("antes-del-reinicio")
    assert len(buzon.copia()) < 200, "todo se envió antes del reinicio"
    enviados = todos_enviados(200)

    def enviados_supervisando():
        trabajador.supervisar()
        return enviados()

    esperar(enviados_supervisando, segundos=90, que=f"200 avisos tras reiniciar redis\n{trabajador.registro()}")
    # If the worker died with the broker, what its pool had in flight may go out again, same Message-ID.
    comprobar_una_vez_cada_uno(buzon, destinatarios, reenvios_tolerados=CONCURRENCIA)


def test_e_un_servidor_que_exige_autenticacion_30_segundos_no_pierde_ni_repite(trabajador, buzon):
    """The misconfigured server of issue 13: 530 to every MAIL FROM for 30 s. Nothing fails, nothing lost."""
    buzon.rechazar_mail_hasta = time.monotonic() + 30
    destinatarios = convocar_masivo(100)
    esperar(lambda: buzon.rechazos >= 3, segundos=30, que=f"rechazos 530\n{trabajador.registro()}")
    esperando = Aviso.objects.filter(estado=Aviso.Estado.PENDIENTE).exclude(error="").first()
    assert esperando.error.startswith("El servidor de correo exige autenticar a la plataforma (530 5.7.0")
    esperar(
        lambda: time.monotonic() > buzon.rechazar_mail_hasta and todos_enviados(100)(),
        segundos=90,
        que=f"100 avisos tras el 530\n{trabajador.registro()}",
    )
    assert buzon.rechazos >= 10
    comprobar_una_vez_cada_uno(buzon, destinatarios)
    assert len(buzon.copia()) == 100


def test_f_la_base_de_datos_se_va_en_pleno_envio(procesos, buzon):
    """The database disappears for the workers mid fan-out: what the server accepted is recorded when it
    comes back (not sent again), and what was not sent yet goes out after."""
    db = settings.DATABASES["default"]
    proxy = ProxyBase((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    try:
        trabajador = procesos(db_puerto=proxy.puerto, entorno={"AVISOS_ENVIANDO_MAX_SEGUNDOS": 20})
        destinatarios = convocar(300)
        esperar(lambda: len(buzon.copia()) >= 60, segundos=60, que=f"los primeros envíos\n{trabajador.registro()}")
        proxy.cortar()
        assert len(buzon.copia()) < 300, "todo se envió antes del corte"
        time.sleep(4)  # the outage itself: a duration, not a condition
        durante = len(buzon.copia())
        proxy.restaurar()
        esperar(todos_enviados(300), segundos=90, que=f"300 avisos tras el corte\n{trabajador.registro()}")
        assert durante < 300
        comprobar_una_vez_cada_uno(buzon, destinatarios)
        assert len(buzon.copia()) == 300
    finally:
        proxy.cerrar()


def test_g_una_confirmacion_lenta_no_repite(procesos, buzon):
    """The server takes 2 s to confirm each message, longer than the 1 s command timeout: the worker waits
    for the final reply as RFC 5321 says instead of cutting it and sending again."""
    buzon.demora_final = 2
    trabajador = procesos(entorno={"EMAIL_TIMEOUT": 1, "AVISOS_ENVIANDO_MAX_SEGUNDOS": 12})
    destinatarios = convocar(8)
    esperar(todos_enviados(8), segundos=60, que=f"8 avisos lentos\n{trabajador.registro()}")
    comprobar_una_vez_cada_uno(buzon, destinatarios)
    assert len(buzon.copia()) == 8


def test_h_dos_beats_no_duplican(procesos, buzon):
    """Two beats (a misconfiguration) sweep twice as often, free the same expired claims and start senders
    together: conditional updates let each happen once."""
    trabajador = procesos(beat=False)
    beats = [procesos(Beat, nombre=f"beat{i}") for i in (1, 2)]
    destinatarios = convocar(300)
    esperar(lambda: len(buzon.copia()) >= 60, segundos=60, que=f"los primeros envíos\n{trabajador.registro()}")
    trabajador.matar()  # its claimed batches wait for a sweeper to free them
    trabajador.iniciar()
    esperar(todos_enviados(300), segundos=60, que=f"300 avisos con dos beats\n{registros(trabajador, *beats)}")
    comprobar_una_vez_cada_uno(buzon, destinatarios, reenvios_tolerados=CONCURRENCIA)
    assert Latido.objects.filter(nombre="beat").exists()


def test_i_sin_beat_igual_se_entrega(procesos, buzon):
    """Delivery does not depend on beat: the fan-out starts its senders; only the safety net is missing, and
    /salud/ says so."""
    trabajador = procesos(beat=False)
    destinatarios = convocar(100)
    esperar(todos_enviados(100), segundos=60, que=f"100 avisos sin beat\n{trabajador.registro()}")
    comprobar_una_vez_cada_uno(buzon, destinatarios)
    assert not Latido.objects.filter(nombre="beat").exists()
