"""The mesa domain. For now: the beat heartbeat that /salud/ reads."""

from django.db import models


class Latido(models.Model):
    """Last tick of a periodic process (one row per name, e.g. "beat")."""

    nombre = models.CharField("proceso", max_length=50, unique=True)
    ultimo = models.DateTimeField("último latido")

    class Meta:
        verbose_name = "latido"
        verbose_name_plural = "latidos"

    def __str__(self):
        return f"{self.nombre}: {self.ultimo:%Y-%m-%d %H:%M:%S}"
