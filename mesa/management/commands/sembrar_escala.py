"""Fills the database with national-scale example data (issue 17): for benchmarks, never for production."""

import base64
import logging
import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from comunas import escala as escala_comunas
from comunas import taxonomia
from comunas.dpa import cargar_dpa
from comunas.models import Comuna, Organizacion, Provincia, Region
from diagnosticos import escala as escala_diagnosticos
from mesa import escala as escala_mesa
from mesa.celery import app
from planes import escala as escala_planes
from practicas import escala as escala_practicas


class Command(BaseCommand):
    help = (
        "Llena la base con datos de ejemplo a escala nacional: una dirección en cada comuna y provincia con tres "
        "personas, 20.000 prácticas publicadas, 200.000 indicadores, 5 mesas con 2.000 sesiones, 10.000 acuerdos "
        "y 50.000 avisos enviados, 5.000 planes con 50.000 actividades (por 1,0 de --escala). Datos ficticios, "
        "solo para medir el rendimiento: nunca en producción."
    )

    def add_arguments(self, parser):
        parser.add_argument("--semilla", type=int, default=2026, help="La misma semilla da los mismos datos.")
        parser.add_argument(
            "--escala", type=float, default=1.0, help="Fracción del volumen nacional (0,01 en las pruebas)."
        )
        parser.add_argument(
            "--vaciar", action="store_true", help="Borra primero todos los datos de la base (flush) y los repone."
        )

    def handle(self, *args, semilla, escala, vaciar, **options):
        if not 0 < escala <= 2:
            raise CommandError("--escala va de más de 0 a 2.")
        if vaciar:
            call_command("flush", interactive=False, verbosity=0)
        if Organizacion.objects.exists():
            raise CommandError("La base ya tiene organizaciones: use --vaciar para empezar de cero (lo borra todo).")
        rng = random.Random(semilla)  # noqa: S311 — example data, repeatable: not security
        inicio = time.monotonic()
        tiempos = []

        def paso(nombre, funcion, **kwargs):
            antes = time.monotonic()
            resultado = funcion(**kwargs)
            tiempos.append((nombre, time.monotonic() - antes))
            self.stdout.write(f"  {nombre:<42} {tiempos[-1][1]:7.1f} s")
            return resultado

        # The convocatorias it records as delivered must not reach a broker: a sender started on commit runs here
        # and finds nothing due.
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        registro = logging.getLogger("celery.app.trace")
        nivel = registro.level
        registro.setLevel(logging.WARNING)
        try:
            with transaction.atomic():
                cargar_dpa(Region, Provincia, Comuna)
                taxonomia.asegurar()
                plataforma = paso("organizaciones y personas", escala_comunas.sembrar, rng=rng)
                elegidas = escala_mesa.elegir(rng=rng, plataforma=plataforma)
                con_mesa = {o.pk for e in elegidas for o in e.organizaciones}
                practicas = paso(
                    "prácticas (con vectores de búsqueda)",
                    escala_practicas.sembrar,
                    rng=rng,
                    escala=escala,
                    plataforma=plataforma,
                    con_mesa=con_mesa,
                )
                indicadores = paso("indicadores y población", escala_diagnosticos.sembrar_indicadores, rng=rng,
                                   escala=escala)  # fmt: skip
                diagnosticos = paso("diagnósticos", escala_diagnosticos.sembrar_diagnosticos, rng=rng, escala=escala,
                                    plataforma=plataforma)  # fmt: skip
                planes = paso("planes de acción", escala_planes.sembrar, rng=rng, escala=escala, plataforma=plataforma)
                mesas = paso("mesas, sesiones, actas, acuerdos y avisos", escala_mesa.sembrar, rng=rng, escala=escala,
                             plataforma=plataforma, elegidas=elegidas)  # fmt: skip
        finally:
            app.conf.task_always_eager = eager
            registro.setLevel(nivel)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (a test's transaction: no VACUUM)
            paso("VACUUM ANALYZE", self._vacuum)
        total = time.monotonic() - inicio
        self.stdout.write(
            self.style.SUCCESS(
                f"Listo en {total:.1f} s: {len(plataforma.organizaciones)} organizaciones, "
                f"{len(plataforma.organizaciones) * 3 + 1} cuentas, {len(practicas)} prácticas, {indicadores} "
                f"indicadores, {diagnosticos} diagnósticos, {len(planes)} planes, {len(mesas)} mesas."
            )
        )
        secreto = base64.b32encode(bytes.fromhex(TOTPDevice.objects.get(user=plataforma.admin).key)).decode()
        self.stdout.write(
            f"Todas las cuentas ({escala_comunas.DOMINIO}) usan la contraseña {escala_comunas.CLAVE}; "
            f"{plataforma.admin.email} pide además un código de la app de autenticación con la clave {secreto}."
        )

    def _vacuum(self):
        """Fresh statistics and visibility maps, as autovacuum would leave them after a while: the planner needs
        them (a table it believes empty gets nested loops over thousands of rows) and index-only scans too."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
