"""Notices for everyone else: `aviso_crear` writes an Aviso row in the caller's transaction and sends it on commit.

    aviso_crear(para=usuario, plantilla="sesion_convocada", contexto={...}, clave=f"convocatoria:{s.pk}:{u.pk}:{v}")

Each e-mail is three templates under templates/emails/: `<plantilla>_asunto.txt`, `<plantilla>.txt` and
`<plantilla>.html`, rendered now (so a retry sends exactly the same thing). Creating a notice whose `clave`
already exists returns the existing one and sends nothing: re-running a fan-out never duplicates.
"""

import base64
from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from mesa.models import Aviso, PreferenciaAvisos


def _adjunto(adjunto):
    contenido = adjunto["contenido"]
    datos = {"nombre": adjunto["nombre"], "tipo": adjunto.get("tipo", "application/octet-stream")}
    if isinstance(contenido, bytes):
        return {**datos, "contenido": base64.b64encode(contenido).decode(), "base64": True}
    return {**datos, "contenido": contenido, "base64": False}


def _quiere_resumen(usuario):
    if usuario is None:
        return False
    return PreferenciaAvisos.objects.filter(usuario=usuario, frecuencia=PreferenciaAvisos.Frecuencia.DIARIA).exists()


def renderizar(plantilla, contexto):
    """(asunto, texto, html) of an e-mail template trio."""
    contexto = {"site_url": settings.SITE_URL, **contexto}
    asunto = " ".join(render_to_string(f"emails/{plantilla}_asunto.txt", contexto).split())
    return (
        asunto,
        render_to_string(f"emails/{plantilla}.txt", contexto),
        render_to_string(f"emails/{plantilla}.html", contexto),
    )


def encolar(aviso_id):
    from mesa.tasks import aviso_enviar_task

    aviso_enviar_task.delay(aviso_id)


@transaction.atomic
def aviso_crear(*, para, plantilla, contexto, clave, esencial=True, adjuntos=(), sesion=None):
    """Creates the notice (or returns the one with that `clave`) and schedules its sending on commit.

    `para` is a user or a bare e-mail address. A non-essential notice to someone who chose the daily digest
    waits for `avisos_resumir`. If the broker is down at commit time the row stays pending and the beat
    sweeper enqueues it later.
    """
    existente = Aviso.objects.filter(clave=clave).first()
    if existente is not None:
        return existente
    usuario = None if isinstance(para, str) else para
    email = para if isinstance(para, str) else para.email
    asunto, texto, html = renderizar(plantilla, {"destinatario": usuario, **contexto})
    campos = {
        "usuario": usuario,
        "para": email,
        "plantilla": plantilla,
        "asunto": asunto[:255],
        "texto": texto,
        "html": html,
        "adjuntos": [_adjunto(a) for a in adjuntos],
        "message_id": Aviso.message_id_para(clave),
        "esencial": esencial,
        "diferido": not esencial and _quiere_resumen(usuario),
    }
    if sesion is not None:
        campos["sesion"] = sesion
    aviso, creado = Aviso.objects.get_or_create(clave=clave, defaults=campos)
    if creado and not aviso.diferido:
        # robust: a broker outage must not undo the cause; the sweeper picks the row up.
        transaction.on_commit(partial(encolar, aviso.pk), robust=True)
    return aviso
