"""Loads the demo data of every app (idempotent) and prints the demo accounts."""

from django.core.management.base import BaseCommand

from comunas import demo as demo_comunas
from diagnosticos import demo as demo_diagnosticos
from mesa import demo as demo_mesa
from planes import demo as demo_planes
from practicas import demo as demo_practicas


class Command(BaseCommand):
    help = "Carga los datos de demostración (la mesa de Zapallar) sin duplicar nada."

    def handle(self, *args, **options):
        cuentas = demo_comunas.cargar()
        demo_practicas.cargar()
        demo_diagnosticos.cargar()  # diagnoses and indicators: example figures, not real CEAD data
        demo_mesa.cargar()  # the Zapallar mesa: first session held (acta, acuerdos), the next one convened
        demo_planes.cargar()  # Zapallar's plan comunal (approved, in execution) and the intercommunal plan's draft
        demo_mesa.cargar_planes()  # the acuerdos become its activities; approved, progress, Quilpué's adaptation
        self.stdout.write(self.style.SUCCESS("Datos de demostración listos."))
        self.stdout.write(f"Contraseña de todas las cuentas de demostración: {demo_comunas.CLAVE_DEMO}")
        ancho = max(len(c[1]) for c in cuentas)
        for rol, email, org in cuentas:
            self.stdout.write(f"  {email.ljust(ancho)}  {rol} · {org}")
