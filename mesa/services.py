from django.utils import timezone

from mesa.models import Latido


def latido_registrar(*, nombre):
    latido, _ = Latido.objects.update_or_create(nombre=nombre, defaults={"ultimo": timezone.now()})
    return latido
