"""Writes audit rows; called by the services in the same transaction as the change they record."""

from comunas.models import Auditoria


def auditar(*, actor, accion, organizacion=None, objeto="", antes=None, despues=None, motivo=""):
    return Auditoria.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        accion=accion,
        organizacion=organizacion,
        objeto=str(objeto)[:250],
        antes=antes or {},
        despues=despues or {},
        motivo=motivo,
    )
