"""Creating notices: `aviso_crear` writes an Aviso row in the caller's transaction and sends it on commit.

    aviso_crear(para=usuario, plantilla="sesion_convocada", contexto={...}, clave=f"convocatoria:{s.pk}:{u.pk}:{v}")

Each e-mail is three templates under templates/emails/: `<plantilla>_asunto.txt`, `<plantilla>.txt` and
`<plantilla>.html`, rendered now (so a retry sends exactly the same thing). Creating a notice whose `clave`
already exists returns the existing one and sends nothing: re-running a fan-out never duplicates.
"""

import base64
import logging
import uuid
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string

# Module imports (not names): tasks → services → avisos → tasks is a cycle that resolves at call time.
from nucleo import tasks
from nucleo.models import Aviso, PreferenciaAvisos

log = logging.getLogger(__name__)


def _adjunto(adjunto):
    contenido = adjunto["contenido"]
    datos = {"nombre": adjunto["nombre"], "tipo": adjunto.get("tipo", "application/octet-stream")}
    if isinstance(contenido, bytes):
        return {**datos, "contenido": base64.b64encode(contenido).decode(), "base64": True}
    return {**datos, "contenido": contenido, "base64": False}


def renderizar(plantilla, contexto):
    """(asunto, texto, html) of an e-mail template trio."""
    contexto = {"site_url": settings.SITE_URL, **contexto}
    asunto = " ".join(render_to_string(f"emails/{plantilla}_asunto.txt", contexto).split())
    return (
        asunto,
        render_to_string(f"emails/{plantilla}.txt", contexto),
        render_to_string(f"emails/{plantilla}.html", contexto),
    )


def url_absoluta(ruta):
    return f"{settings.SITE_URL}{ruta}"


def encolar(aviso_id):
    tasks.aviso_enviar_task.delay(aviso_id)


@transaction.atomic
def aviso_crear(*, para, plantilla, contexto, clave, esencial=True, adjuntos=(), sobre=None):
    """Creates the notice (or returns the one with that `clave`) and schedules its sending on commit.

    `para` is a user or a bare e-mail address; `sobre`, optionally, the object the notice is about (e.g. a
    session), for the feature's own delivery pages. A non-essential notice to someone who chose the daily digest
    waits for `avisos_resumir`. If the broker is down at commit time the row stays pending and the beat
    sweeper enqueues it later.
    """
    mensaje = {"para": para, "plantilla": plantilla, "contexto": contexto, "clave": clave, "adjuntos": adjuntos}
    return avisos_crear(mensajes=[mensaje], esencial=esencial, sobre=sobre)[0]


@transaction.atomic
def avisos_crear(*, mensajes, esencial=True, sobre=None):
    """Many notices in a fixed number of queries (a fan-out): one read of the keys that exist, one of the digest
    preferences, one insert. `mensajes`: dicts with para, plantilla, contexto, clave and optional adjuntos.
    Returns the notices in the order given (the existing row where a key was already used)."""
    claves = [m["clave"] for m in mensajes]
    existentes = {a.clave: a for a in Aviso.objects.filter(clave__in=claves)}
    usuarios = [m["para"] for m in mensajes if not isinstance(m["para"], str)]
    resumen = set()
    if not esencial and usuarios:
        resumen = set(
            PreferenciaAvisos.objects.filter(
                usuario__in=usuarios, frecuencia=PreferenciaAvisos.Frecuencia.DIARIA
            ).values_list("usuario_id", flat=True)
        )
    tipo = ContentType.objects.get_for_model(sobre) if sobre is not None else None
    nuevos = {}
    for mensaje in mensajes:
        clave = mensaje["clave"]
        if clave in existentes or clave in nuevos:
            continue
        para = mensaje["para"]
        usuario = None if isinstance(para, str) else para
        asunto, texto, html = renderizar(mensaje["plantilla"], {"destinatario": usuario, **mensaje["contexto"]})
        nuevos[clave] = Aviso(
            clave=clave,
            usuario=usuario,
            para=para if usuario is None else usuario.email,
            plantilla=mensaje["plantilla"],
            asunto=asunto[:255],
            texto=texto,
            html=html,
            adjuntos=[_adjunto(a) for a in mensaje.get("adjuntos", ())],
            message_id=Aviso.message_id_para(clave),
            esencial=esencial,
            diferido=usuario is not None and usuario.pk in resumen,
            objeto_tipo=tipo,
            objeto_id=sobre.pk if sobre is not None else None,
        )
    creados = Aviso.objects.bulk_create(list(nuevos.values()))
    por_enviar = [a.pk for a in creados if not a.diferido]
    if por_enviar:
        # robust: a broker outage must not undo the cause; the sweeper picks the rows up.
        transaction.on_commit(partial(encolar_varios, por_enviar), robust=True)
    todos = {**existentes, **{a.clave: a for a in creados}}
    return [todos[clave] for clave in claves]


def encolar_varios(aviso_ids):
    for aviso_id in aviso_ids:
        try:
            encolar(aviso_id)
        except Exception:  # broker down: the rows stay pending and the beat sweeper enqueues them
            log.warning("No se pudo encolar el aviso %s; lo retomará el barredor", aviso_id, exc_info=True)


def enviar_correo(*, para, plantilla, contexto, clave=None):
    """One notice per recipient (`para`: an address or several), for account flows. Returns the notices.

    Each call is one event, so by default its key is a fresh uuid (shared by its recipients); a caller
    that may run twice for the same event passes `clave` (e.g. "solicitud_aprobada:<pk>") to send once.
    An address that belongs to an account is sent to that account (its digest preference applies).
    """
    destinatarios = [para] if isinstance(para, str) else sorted(set(para))
    if not destinatarios:
        return []
    evento = clave or uuid.uuid4().hex
    usuarios = {u.email.lower(): u for u in get_user_model().objects.filter(email__in=destinatarios)}
    return [
        aviso_crear(
            para=usuarios.get(email.lower(), email),
            plantilla=plantilla,
            contexto=contexto,
            clave=f"correo:{plantilla}:{evento}:{email.lower()}",
        )
        for email in destinatarios
    ]
