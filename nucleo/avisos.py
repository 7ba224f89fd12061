"""Creating notices. Every e-mail is an `Aviso` row written in the caller's transaction; once it commits, a few
sender tasks are started (nucleo/services.py sends in batches). Two ways to write one:

    aviso_crear(para=usuario, plantilla="practica_comentario", contexto={...}, clave=f"comentario:{c.pk}:{u.pk}")
    avisos_masivos_crear(para=convocados, plantilla="sesion_convocada", contexto={"sesion": s}, sobre=s,
                         clave=lambda u: f"convocatoria:{s.pk}:{u}:{s.secuencia}", redactor="mesa.sesion")

`aviso_crear`/`avisos_crear` render now (one person, a few milliseconds). `avisos_masivos_crear` (a fan-out)
writes one short row per recipient in a single insert and leaves the rendering to the worker that sends it:
the context is stored as references (`contexto_guardar`) and a `redactor` registered by the feature adds each
recipient's own part at send time (signed links, a personal .ics), so those secrets are never stored.

Each e-mail is three templates under templates/emails/: `<plantilla>_asunto.txt`, `<plantilla>.txt` and
`<plantilla>.html`. Creating a notice whose `clave` already exists returns the existing one and sends nothing:
re-running a fan-out never duplicates.

Redactors: a module named `avisos` in any app is imported when nucleo is ready (like admin.py), so a higher
app registers with `@redactor("<nombre>")` without nucleo importing it.
"""

import base64
import copy
import json
import logging
import math
import uuid
from datetime import date, datetime
from functools import partial

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

# Module imports (not names): tasks → services → avisos → tasks is a cycle that resolves at call time.
from nucleo import tasks
from nucleo.models import Aviso, PreferenciaAvisos

log = logging.getLogger(__name__)

REDACTORES = {}


def redactor(nombre):
    """Registers the function that completes, at send time, the notices created with `redactor=nombre`.

    It receives the notices of one batch (with `usuario` loaded and `contexto` already read back into objects,
    shared by the notices of one fan-out) and returns {aviso.pk: {"contexto": {...}, "adjuntos": [...]}}: what
    to add for that recipient. A notice left out of the answer fails ("ya no corresponde")."""

    def registrar(funcion):
        REDACTORES[nombre] = funcion
        return funcion

    return registrar


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


# --- Context as references ------------------------------------------------------------------------------


def contexto_guardar(valor):
    """A template context as JSON: rows become {"$modelo": label, "pk": pk}, dates keep their type."""
    if isinstance(valor, models.Model):
        return {"$modelo": valor._meta.label_lower, "pk": valor.pk}
    if isinstance(valor, datetime):
        return {"$fecha": valor.isoformat()}
    if isinstance(valor, date):
        return {"$dia": valor.isoformat()}
    if isinstance(valor, dict):
        return {str(k): contexto_guardar(v) for k, v in valor.items()}
    if isinstance(valor, list | tuple | models.QuerySet):
        return [contexto_guardar(v) for v in valor]
    if valor is None or isinstance(valor, str | int | float | bool):
        return valor
    raise TypeError(f"Un aviso masivo no puede guardar {type(valor).__name__} en su contexto")


def _referencias(valor, encontradas):
    if isinstance(valor, dict):
        if "$modelo" in valor:
            encontradas.setdefault(valor["$modelo"], set()).add(valor["pk"])
        else:
            for v in valor.values():
                _referencias(v, encontradas)
    elif isinstance(valor, list):
        for v in valor:
            _referencias(v, encontradas)
    return encontradas


class ObjetoAusente(LookupError):
    """A row the notice refers to no longer exists."""


def _reconstruir(valor, filas):
    if isinstance(valor, dict):
        if "$modelo" in valor:
            fila = filas[valor["$modelo"]].get(valor["pk"])
            if fila is None:
                raise ObjetoAusente(valor["$modelo"])
            return fila
        if "$fecha" in valor:
            return datetime.fromisoformat(valor["$fecha"])
        if "$dia" in valor:
            return date.fromisoformat(valor["$dia"])
        return {k: _reconstruir(v, filas) for k, v in valor.items()}
    if isinstance(valor, list):  # a row deleted since is left out of a list
        return [
            _reconstruir(v, filas)
            for v in valor
            if not (isinstance(v, dict) and "$modelo" in v and v["pk"] not in filas[v["$modelo"]])
        ]
    return valor


def contexto_leer(guardados):
    """The contexts saved by `contexto_guardar`, read back with one query per model for all of them.
    Returns a list in the same order; an entry is ObjetoAusente when a row it needs was deleted."""
    encontradas = {}
    for guardado in guardados:
        _referencias(guardado, encontradas)
    filas = {
        etiqueta: apps.get_model(etiqueta)._default_manager.in_bulk(list(pks)) for etiqueta, pks in encontradas.items()
    }
    leidos = []
    for guardado in guardados:
        try:
            leidos.append(_reconstruir(guardado, filas))
        except ObjetoAusente as ausente:
            leidos.append(ausente)
    return leidos


# --- Starting the senders -------------------------------------------------------------------------------


def envio_iniciar(*, cuantos=1, desde=None, hasta=None):
    """Starts sender tasks for about `cuantos` due notices (one per batch, up to AVISOS_ENVIADORES); each hands
    over to a successor while there is more. `desde`/`hasta` limit them to the ids a creation inserted, so the
    notices someone just caused go out at once, whatever backlog is queued (that one has its own senders, and
    the sweeper). Returns how many were started.

    The broker being down only logs: the rows stay pending and beat's sweeper starts senders later. One quick
    connection attempt and no publish retries: a web request must not wait seconds for a missing broker."""
    tarea = tasks.avisos_enviar_task
    argumentos = {"desde": desde, "hasta": hasta}
    n = min(max(1, math.ceil(cuantos / settings.AVISOS_LOTE)), settings.AVISOS_ENVIADORES)
    if tarea.app.conf.task_always_eager:  # no broker: the tasks run here and now
        for _ in range(n):
            tarea.apply_async(kwargs=argumentos)
        return n
    try:
        with tarea.app.connection_for_write() as conexion:
            conexion.ensure_connection(max_retries=1, interval_start=0, interval_step=0.1, timeout=1)
            for _ in range(n):
                tarea.apply_async(kwargs=argumentos, connection=conexion, retry=False)
    except Exception:  # broker down or unreachable: the sweeper starts senders when it can
        log.warning("No se pudo iniciar el envío de avisos; lo retomará el barredor", exc_info=True)
        return 0
    return n


def encolar(aviso_id=None):
    """Starts a sender now for one notice someone is waiting for (e.g. a password reset); it sends it once its
    transaction has committed (the on-commit start does too: whoever claims it first sends it, once)."""
    return envio_iniciar(cuantos=1, desde=aviso_id, hasta=aviso_id)


# --- Creating -------------------------------------------------------------------------------------------


def _destinatario(para):
    """(usuario or None, e-mail address) of a user or a bare address."""
    return (None, para) if isinstance(para, str) else (para, para.email)


def _diferidos(usuarios, esencial):
    """Ids of the users who receive non-essential notices in the daily digest (one query, none if essential)."""
    if esencial or not usuarios:
        return set()
    return set(
        PreferenciaAvisos.objects.filter(
            usuario__in=usuarios, frecuencia=PreferenciaAvisos.Frecuencia.DIARIA
        ).values_list("usuario_id", flat=True)
    )


def _insertar(filas, *, claves, existentes):
    """Inserts the new rows in one statement, all queued at the same instant (a fan-out's first rows are not
    older than its last), schedules the senders on commit, and returns the notices in the order of `claves`."""
    ahora = timezone.now()
    for fila in filas:
        fila.creado = fila.en_cola_desde = fila.programado_para = ahora
    creados = Aviso.objects.bulk_create(filas)
    por_enviar = [a.pk for a in creados if not a.diferido]
    if por_enviar:
        # One start for the whole insert, not one task per notice; robust: a broker outage must not undo the
        # cause (the rows stay pending and the sweeper starts senders).
        inicio = partial(envio_iniciar, cuantos=len(por_enviar), desde=min(por_enviar), hasta=max(por_enviar))
        transaction.on_commit(inicio, robust=True)
    todos = {**existentes, **{a.clave: a for a in creados}}
    return [todos[clave] for clave in claves]


@transaction.atomic
def aviso_crear(*, para, plantilla, contexto, clave, esencial=True, adjuntos=(), sobre=None, responder_a=()):
    """Creates the notice (or returns the one with that `clave`) and schedules its sending on commit.

    `para` is a user or a bare e-mail address; `sobre`, optionally, the object the notice is about (e.g. a
    session), for the feature's own delivery pages; `responder_a`, the addresses a reply goes to (Reply-To). A
    non-essential notice to someone who chose the daily digest waits for `avisos_resumir`. If the broker is down at
    commit time the row stays pending and the beat sweeper starts a sender later.
    """
    mensaje = {
        "para": para,
        "plantilla": plantilla,
        "contexto": contexto,
        "clave": clave,
        "adjuntos": adjuntos,
        "responder_a": responder_a,
    }
    return avisos_crear(mensajes=[mensaje], esencial=esencial, sobre=sobre)[0]


@transaction.atomic
def avisos_crear(*, mensajes, esencial=True, sobre=None):
    """Several notices rendered now, in a fixed number of queries: one read of the keys that exist, one of the
    digest preferences, one insert. `mensajes`: dicts with para, plantilla, contexto, clave and optional adjuntos
    and responder_a (Reply-To addresses).
    Returns the notices in the order given (the existing row where a key was already used)."""
    claves = [m["clave"] for m in mensajes]
    existentes = {a.clave: a for a in Aviso.objects.filter(clave__in=claves)}
    resumen = _diferidos([m["para"] for m in mensajes if not isinstance(m["para"], str)], esencial)
    tipo = ContentType.objects.get_for_model(sobre) if sobre is not None else None
    nuevos = {}
    for mensaje in mensajes:
        clave = mensaje["clave"]
        if clave in existentes or clave in nuevos:
            continue
        usuario, email = _destinatario(mensaje["para"])
        asunto, texto, html = renderizar(mensaje["plantilla"], {"destinatario": usuario, **mensaje["contexto"]})
        nuevos[clave] = Aviso(
            clave=clave,
            usuario=usuario,
            para=email,
            plantilla=mensaje["plantilla"],
            asunto=asunto[:255],
            texto=texto,
            html=html,
            adjuntos=[_adjunto(a) for a in mensaje.get("adjuntos", ())],
            responder_a=list(mensaje.get("responder_a", ())),
            message_id=Aviso.message_id_para(clave),
            esencial=esencial,
            diferido=usuario is not None and usuario.pk in resumen,
            objeto_tipo=tipo,
            objeto_id=sobre.pk if sobre is not None else None,
        )
    return _insertar(list(nuevos.values()), claves=claves, existentes=existentes)


def _existentes(claves, *, tipo, sobre):
    """The notices that already use some of these keys. A mass notice's keys name the object it is about, so
    only that object's keys are read (no 5,000-item IN list to build); then the few repeated rows, if any."""
    if sobre is None:
        return {a.clave: a for a in Aviso.objects.filter(clave__in=claves)}
    usadas = set(Aviso.objects.filter(objeto_tipo=tipo, objeto_id=sobre.pk).values_list("clave", flat=True))
    repetidas = usadas.intersection(claves)
    return {a.clave: a for a in Aviso.objects.filter(clave__in=repetidas)} if repetidas else {}


@transaction.atomic
def avisos_masivos_crear(*, para, plantilla, contexto, clave, sobre=None, redactor="", esencial=True, responder_a=()):
    """One notice per user in `para` (users, or a queryset of them: only id and e-mail are read), written at
    send time.

    A fixed number of queries whatever the number of recipients, and no rendering here: a convocatoria to
    5,000 people is one insert of short rows in the caller's transaction. `contexto` is shared by every
    recipient and stored as references (rows, dates, text; see `contexto_guardar`); `clave(usuario_id)` gives
    each recipient's key (it must name `sobre`, when given); `redactor`, optionally, the registered function
    that adds each one's own part; `responder_a`, the addresses a reply goes to (Reply-To). Returns the notices
    (the existing row where a key was already used)."""
    if redactor and redactor not in REDACTORES:
        raise ValueError(f"Redactor de avisos no registrado: {redactor}")
    guardado = contexto_guardar(contexto)
    if isinstance(para, models.QuerySet):
        destinatarios = list(para.values_list("pk", "email"))
    else:
        destinatarios = [(u.pk, u.email) for u in para]
    claves = [clave(pk) for pk, _ in destinatarios]
    tipo = ContentType.objects.get_for_model(sobre) if sobre is not None else None
    existentes = _existentes(claves, tipo=tipo, sobre=sobre)
    resumen = _diferidos([pk for pk, _ in destinatarios], esencial)
    # One row built, the others copied from it: what differs per person is four fields (thousands of
    # Model.__init__ calls would cost more than the insert itself).
    modelo = Aviso(
        plantilla=plantilla,
        al_enviar=True,
        contexto=guardado,
        redactor=redactor,
        esencial=esencial,
        responder_a=list(responder_a),
        objeto_tipo=tipo,
        objeto_id=sobre.pk if sobre is not None else None,
    )
    nuevos = {}
    for (usuario_id, email), clave_usuario in zip(destinatarios, claves, strict=True):
        if clave_usuario in existentes or clave_usuario in nuevos:
            continue
        fila = copy.copy(modelo)
        fila.clave, fila.usuario_id, fila.para, fila.adjuntos = clave_usuario, usuario_id, email, []
        fila.message_id = Aviso.message_id_para(clave_usuario)
        fila.diferido = usuario_id in resumen
        nuevos[clave_usuario] = fila
    return _insertar(list(nuevos.values()), claves=claves, existentes=existentes)


def redactar(avisos):
    """What each notice says: {pk: (asunto, texto, html, adjuntos)} or, for one that cannot be written,
    {pk: Exception}. Rendered notices return their stored body; mass ones are written here, with one read of
    the rows their contexts refer to and one call per redactor for the whole batch."""
    redactados = {}
    masivos = [a for a in avisos if a.al_enviar]
    for aviso in avisos:
        if not aviso.al_enviar:
            redactados[aviso.pk] = (aviso.asunto, aviso.texto, aviso.html, aviso.adjuntos)
    if not masivos:
        return redactados
    # A fan-out's notices share one context: read it once, so its rows are shared too (and their caches).
    distintos = {}
    for aviso in masivos:
        distintos.setdefault(_huella(aviso.contexto), aviso.contexto)
    leidos = dict(zip(distintos, contexto_leer(list(distintos.values())), strict=True))
    por_redactor = {}
    for aviso in masivos:
        aviso.contexto_leido = leidos[_huella(aviso.contexto)]
        if isinstance(aviso.contexto_leido, Exception):
            redactados[aviso.pk] = aviso.contexto_leido
        else:
            por_redactor.setdefault(aviso.redactor, []).append(aviso)
    for nombre, grupo in por_redactor.items():
        partes = {a.pk: {} for a in grupo}
        if nombre:
            try:
                partes = REDACTORES[nombre](grupo)
            except Exception as exc:  # a bug or a missing row: these notices retry, then fail
                log.exception("El redactor %s falló", nombre)
                redactados.update(dict.fromkeys((a.pk for a in grupo), exc))
                continue
        for aviso in grupo:
            parte = partes.get(aviso.pk)
            if parte is None:
                redactados[aviso.pk] = ObjetoAusente(nombre)
                continue
            try:
                contexto = {"destinatario": aviso.usuario, **aviso.contexto_leido, **parte.get("contexto", {})}
                asunto, texto, html = renderizar(aviso.plantilla, contexto)
            except Exception as exc:  # a template error: this notice retries, then fails
                log.exception("No se pudo redactar el aviso %s", aviso.pk)
                redactados[aviso.pk] = exc
                continue
            adjuntos = [_adjunto(a) for a in parte.get("adjuntos", ())]
            redactados[aviso.pk] = (asunto[:255], texto, html, adjuntos)
    return redactados


def _huella(contexto):
    return json.dumps(contexto, sort_keys=True)


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
    mensajes = [
        {
            "para": usuarios.get(email.lower(), email),
            "plantilla": plantilla,
            "contexto": contexto,
            "clave": f"correo:{plantilla}:{evento}:{email.lower()}",
        }
        for email in destinatarios
    ]
    return avisos_crear(mensajes=mensajes)
