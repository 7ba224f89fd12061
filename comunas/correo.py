"""Sending e-mail from the accounts flows: every message is a notice row (mesa.Aviso) sent by a worker.

Each e-mail is three templates under templates/emails/: `<plantilla>_asunto.txt`, `<plantilla>.txt` and
`<plantilla>.html`, rendered now by `aviso_crear`, in the caller's transaction, and sent after it commits:
nothing goes out for a change that was rolled back, and a lost message is re-sent by the beat sweeper.
"""

import uuid

from django.conf import settings

from comunas.models import Usuario


def url_absoluta(ruta):
    return f"{settings.SITE_URL}{ruta}"


def enviar_correo(*, para, plantilla, contexto, clave=None):
    """One notice per recipient (`para`: an address or several). Returns the notices.

    Each call is one event, so by default its key is a fresh uuid (shared by its recipients); a caller
    that may run twice for the same event passes `clave` (e.g. "solicitud_aprobada:<pk>") to send once.
    """
    from mesa.notifications import aviso_crear

    destinatarios = [para] if isinstance(para, str) else sorted(set(para))
    if not destinatarios:
        return []
    evento = clave or uuid.uuid4().hex
    usuarios = {u.email.lower(): u for u in Usuario.objects.filter(email__in=destinatarios)}
    return [
        aviso_crear(
            para=usuarios.get(email.lower(), email),
            plantilla=plantilla,
            contexto=contexto,
            clave=f"correo:{plantilla}:{evento}:{email.lower()}",
        )
        for email in destinatarios
    ]
