"""Benchmark: a convocatoria to 5,000 people, from the coordinator's click to the last message delivered.

Starts its own redis-server, two Celery workers and a loopback SMTP sink (aiosmtpd, in its own process) on
free ports, against a throw-away database on the PostgreSQL of DATABASE_URL (created and dropped here). The
click is a real POST through Django's test client in this process (the web request); the workers send.
Prints the request's time, the time to the last delivery, notices per second per worker, and ends with one
JSON line. Not a timed test: run it by hand, e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mesa .venv/bin/python benchmarks/avisos.py

DESTINATARIOS (5000), TRABAJADORES (2) and CONCURRENCIA (processes per worker, 2) change the set-up.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))

DESTINATARIOS = int(os.environ.get("DESTINATARIOS", "5000"))
TRABAJADORES = int(os.environ.get("TRABAJADORES", "2"))
CONCURRENCIA = int(os.environ.get("CONCURRENCIA", "2"))
CARPETA = Path(tempfile.mkdtemp(prefix="mesa-bench-avisos-"))


def puerto_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REDIS_PUERTO = puerto_libre()
SMTP_PUERTO = puerto_libre()
BROKER = f"redis://127.0.0.1:{REDIS_PUERTO}/0"

# This process is the web server: production settings (DEBUG off), its broker and mail set before Django loads.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "mesa.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "clave-solo-para-el-benchmark-de-avisos"),
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PUERTO}",
        "MESA_VAR_DIR": str(CARPETA / "var"),
        "AVISOS_ENVIADORES": str(TRABAJADORES * CONCURRENCIA),
        "LOG_LEVEL": "WARNING",
    }
)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

# The sink: counts what arrives, one line per message (recipient, Message-ID, monotonic time of arrival).
SUMIDERO = r"""
import re, sys, time
from aiosmtpd.controller import Controller

salida = open(sys.argv[2], "a", buffering=1)
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.I | re.M)

class Sumidero:
    async def handle_DATA(self, server, session, envelope):
        encontrado = MESSAGE_ID.search(envelope.content)
        message_id = encontrado.group(1).decode() if encontrado else "-"
        for destinatario in envelope.rcpt_tos:
            salida.write(f"{destinatario}\t{message_id}\t{time.monotonic()}\n")
        return "250 2.0.0 Recibido"

controlador = Controller(Sumidero(), hostname="127.0.0.1", port=int(sys.argv[1]))
controlador.start()
print("listo", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    controlador.stop()
"""


def esperar(condicion, *, segundos, que):
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        if condicion():
            return
        time.sleep(0.02)
    raise SystemExit(f"Tiempo agotado esperando: {que}")


def iniciar(argumentos, nombre, **env):
    registro = open(CARPETA / f"{nombre}.log", "wb")  # noqa: SIM115
    proceso = subprocess.Popen(  # noqa: S603 (our own commands)
        argumentos,
        cwd=RAIZ,
        env={**os.environ, **env},
        stdout=registro,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    registro.close()
    return proceso


def detener(proceso):
    if proceso.poll() is None:
        os.killpg(proceso.pid, signal.SIGTERM)
        try:
            proceso.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proceso.pid, signal.SIGKILL)


def preparar():
    """A mesa hosted by one organization with DESTINATARIOS members, and a draft session with three items."""
    from datetime import timedelta

    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from comunas.dpa import cargar_dpa
    from comunas.models import Comuna, Membresia, Organizacion, Provincia, Region, Usuario
    from mesa import services
    from mesa.models import PuntoTabla, Sesion

    if not Comuna.objects.exists():
        cargar_dpa(Region, Provincia, Comuna)
    organizacion = Organizacion.objects.create(
        nombre="Dirección de Seguridad Pública de Zapallar",
        comuna=Comuna.objects.get(codigo="05405"),
        email_contacto="seguridad@zapallar.example",
        estado=Organizacion.Estado.ACTIVA,
    )
    coordinadora = Usuario.objects.create_user(email="coordinacion@zapallar.example", nombre="Carolina Coordinadora")
    Membresia.objects.create(usuario=coordinadora, organizacion=organizacion, rol=Membresia.Rol.DIRECTOR)
    dispositivo = TOTPDevice.objects.create(user=coordinadora, name="Teléfono", confirmed=True)
    personas = Usuario.objects.bulk_create(
        Usuario(email=f"persona{i:05d}@destino.example", nombre=f"Persona {i}", password="!")  # noqa: S106 (unusable)
        for i in range(DESTINATARIOS - 1)
    )
    Membresia.objects.bulk_create(
        Membresia(usuario=u, organizacion=organizacion, rol=Membresia.Rol.LECTOR) for u in personas
    )
    mesa = services.mesa_crear(nombre="Mesa comunal de seguridad", anfitriona=organizacion, por=coordinadora)
    inicio = (timezone.now() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    sesion = Sesion.objects.create(
        mesa=mesa, numero=1, inicio=inicio, fin=inicio + timedelta(hours=2), lugar="Salón municipal"
    )
    for orden, titulo in enumerate(["Cuenta pública", "Plan comunal", "Varios"], start=1):
        PuntoTabla.objects.create(sesion=sesion, orden=orden, titulo=titulo, organizacion=organizacion)
    return coordinadora, dispositivo, sesion


def cliente_verificado(usuario, dispositivo):
    """The coordinator signed in with her second factor, as after the two-step sign-in."""
    from django.contrib.auth.signals import user_logged_in
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    def verificar(sender, request, user, **kwargs):
        request.session[DEVICE_ID_SESSION_KEY] = dispositivo.persistent_id

    user_logged_in.connect(verificar, dispatch_uid="benchmark_avisos")
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def main():
    from nucleo.models import Aviso

    coordinadora, dispositivo, sesion = preparar()
    cliente = cliente_verificado(coordinadora, dispositivo)
    print(f"{DESTINATARIOS} destinatarios, {TRABAJADORES} workers × {CONCURRENCIA} procesos, {os.cpu_count()} CPU")

    entregas = CARPETA / "entregas.tsv"
    entregas.touch()
    procesos = [
        iniciar(
            ["redis-server", "--port", str(REDIS_PUERTO), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            "redis",
        ),
        iniciar([sys.executable, "-c", SUMIDERO, str(SMTP_PUERTO), str(entregas)], "smtp"),
    ]
    base = connection.settings_dict
    clave = f":{base['PASSWORD']}" if base.get("PASSWORD") else ""
    env_worker = {
        "DATABASE_URL": f"postgres://{base['USER']}{clave}@{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}/"
        f"{base['NAME']}",
        "LOG_LEVEL": "INFO",
    }
    trabajadores = [
        iniciar(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mesa",
                "worker",
                "-l",
                "INFO",
                "--concurrency",
                str(CONCURRENCIA),
                "--queues",
                "celery,beat",
                "--hostname",
                f"bench{i}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            f"worker{i}",
            **env_worker,
        )  # fmt: skip
        for i in range(1, TRABAJADORES + 1)
    ]
    procesos += trabajadores
    try:
        esperar(
            lambda: (
                (CARPETA / "smtp.log").read_text().startswith("listo")
                and all("ready." in (CARPETA / f"worker{i}.log").read_text() for i in range(1, TRABAJADORES + 1))
            ),
            segundos=60,
            que="redis, el servidor SMTP y los workers",
        )
        # A web process that has served pages and published before (it opens its broker connection lazily),
        # and the coordinator on the session page, where the button is.
        from mesa.celery import app

        with app.connection_for_write() as conexion:
            conexion.ensure_connection(max_retries=1)
        assert cliente.get(f"/mesas/sesiones/{sesion.pk}/").status_code == 200
        clic = time.monotonic()
        respuesta = cliente.post(f"/mesas/sesiones/{sesion.pk}/convocar/")
        segundos_request = time.monotonic() - clic
        assert respuesta.status_code == 302, respuesta.status_code
        print(f"{'la petición web (convocar)':<40} {segundos_request:7.3f} s")

        def lineas():
            return [linea.split("\t") for linea in entregas.read_text().splitlines() if linea.count("\t") == 2]

        esperar(
            lambda: (
                len({d for d, _, _ in lineas()}) >= DESTINATARIOS
                and not Aviso.objects.filter(estado__in=Aviso.ABIERTOS).exists()
            ),
            segundos=600,
            que=f"{DESTINATARIOS} entregas",
        )
        time.sleep(1)  # anything sent twice would arrive now
        entregados = lineas()
        ultimo = max(float(t) for _, _, t in entregados) - clic
        por_destinatario = Counter(d for d, _, _ in entregados)
        perdidos = DESTINATARIOS - len(por_destinatario)
        duplicados = sum(n - 1 for n in por_destinatario.values())
        print(f"{'del clic a la última entrega':<40} {ultimo:7.2f} s   {len(entregados) / ultimo:8.0f} avisos/s")
        for i in range(1, TRABAJADORES + 1):
            suyos = sum(int(n) for n in re.findall(r"avisos: (\d+) enviados", (CARPETA / f"worker{i}.log").read_text()))
            print(f"{f'worker {i}':<40} {suyos:7d} avisos {suyos / ultimo:8.0f} avisos/s")
        estados = dict(Counter(Aviso.objects.values_list("estado", flat=True)))
        print(f"{'estados':<40} {estados}")
        print(f"{'perdidos / duplicados':<40} {perdidos} / {duplicados}")
        print(
            json.dumps(
                {
                    "destinatarios": DESTINATARIOS,
                    "segundos_hasta_el_ultimo": round(ultimo, 2),
                    "segundos_request": round(segundos_request, 3),
                    "perdidos": perdidos,
                    "duplicados": duplicados,
                }
            )
        )
    finally:
        for proceso in reversed(procesos):
            detener(proceso)


if __name__ == "__main__":
    setup_test_environment()
    from django.conf import settings

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": SMTP_PUERTO, "timeout": 15},
        }
    }  # setup_test_environment swaps in the outbox; this process sends nothing, but keeps production's mailer
    # Pages render from the static sources (no collectstatic manifest here), as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    nombre_original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main()
    finally:
        connection.creation.destroy_test_db(nombre_original, verbosity=0)
        shutil.rmtree(CARPETA, ignore_errors=True)
