"""Writes of the mesa domain: mesas, sessions, agenda, RSVP, reminders and attendance."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from comunas.auditoria import auditar
from comunas.limites import HORA, Limite
from comunas.models import Auditoria, Membresia, Usuario
from diagnosticos.access import diagnosticos_visibles
from mesa.access import (
    diagnosticos_enlazables,
    direcciones_de_coordinacion,
    miembros_de_la_mesa,
    planes_para_la_tabla,
    practicas_enlazables,
    puede_coordinar,
)
from mesa.models import (
    MAX_DIAS_RECORDAR_ACUERDOS,
    MAX_MOTIVO,
    Acuerdo,
    Asistencia,
    Mesa,
    Participacion,
    PuntoTabla,
    Respuesta,
    Sesion,
    Subrogacion,
)
from mesa.models_participantes import OPCIONES_PERSONALES
from mesa.selectors import convocados, sin_respuesta
from mesa.services_participantes import (
    integrantes_invitar,
    invitados_a_avisar,
    invitados_avisar,
    invitados_marcar_asistencia,
    quorum_guardar,
)
from nucleo.avisos import avisos_crear, avisos_masivos_crear, url_absoluta
from nucleo.largos import exigir_largo, exigir_largos
from nucleo.models import Aviso
from practicas.access import practicas_visibles

log = logging.getLogger(__name__)


# --- Mesas and sessions --------------------------------------------------------------------------------


def _exigir_coordinacion(mesa, por):
    if not puede_coordinar(por, mesa):
        raise PermissionDenied("Solo la coordinación de la mesa puede hacer esto.")


@transaction.atomic
def mesa_crear(*, nombre, anfitriona, por, descripcion="", alcance="", coordinadores=()):
    """A new mesa hosted by an active organization (accepted from the start); `por` becomes its coordinator.
    Who may create one is checked by the gate (mesa.access.exigir_crear_mesa)."""
    if not anfitriona.activa:
        raise ValidationError({"anfitriona": "La anfitriona debe ser una organización activa."})
    mesa = Mesa(nombre=nombre, anfitriona=anfitriona, descripcion=descripcion, alcance=alcance)
    exigir_largos(mesa)
    mesa.save()
    mesa.coordinadores.add(por, *coordinadores)
    Participacion.objects.create(
        mesa=mesa,
        organizacion=anfitriona,
        estado=Participacion.Estado.ACEPTADA,
        aceptada_en=timezone.now(),
        aceptada_por=por,
    )
    return mesa


def coordinadores_posibles(mesa):
    """Active members of the mesa's participating (accepted, active) organizations."""
    return miembros_de_la_mesa(mesa)


@transaction.atomic
def coordinacion_terminar(*, usuarios, organizacion, por, motivo):
    """Whoever no longer belongs to a mesa (mesa.access.miembros_de_la_mesa) stops coordinating it, with an audit
    row per mesa in the organization they left. Runs when people lose an organization's access (the signal
    comunas.senales.acceso_retirado, connected in mesa.apps). The gate already refuses them; this ends the role.
    A mesa left without coordinators is run by staff until they appoint others."""
    Coordinador = Mesa.coordinadores.through
    filas = Coordinador.objects.filter(usuario__in=[u.pk for u in usuarios]).select_related("mesa", "usuario")
    terminadas = []
    for fila in filas.select_for_update(of=("self",)).order_by("pk"):
        if miembros_de_la_mesa(fila.mesa).filter(pk=fila.usuario_id).exists():
            continue  # still a member through another organization of that mesa
        fila.delete()
        auditar(
            actor=por,
            accion=Auditoria.Accion.CAMBIAR_ROL,
            organizacion=organizacion,
            objeto=fila.usuario.email,
            antes={"rol": "coordinación de mesa", "mesa": fila.mesa.nombre, "mesa_id": fila.mesa_id},
            despues={"rol": None},
            motivo=motivo,
        )
        terminadas.append(fila.mesa)
    return terminadas


def al_retirar_acceso(sender, *, organizacion, usuarios, por, motivo, **kwargs):
    """Receiver of comunas.senales.acceso_retirado (connected in mesa.apps)."""
    coordinacion_terminar(usuarios=usuarios, organizacion=organizacion, por=por, motivo=motivo)


@transaction.atomic
def mesa_editar(
    *,
    mesa,
    por,
    nombre,
    descripcion="",
    alcance="",
    coordinadores,
    acepta_solicitudes=None,
    recordar_acuerdos=None,
    dias_recordar_acuerdos=None,
):
    """Name, description, scope, coordination, whether it takes requests to join and the reminder of open acuerdos
    before each session (None keeps each as it is). Whoever is added must be a member of a participating
    organization (and will be asked for two-step verification: comunas.access.requiere_dos_factores); at least one
    coordinator remains."""
    mesa = Mesa.objects.select_for_update().get(pk=mesa.pk)
    _exigir_coordinacion(mesa, por)
    coordinadores = set(coordinadores)
    if not coordinadores:
        raise ValidationError({"coordinadores": "La mesa debe conservar al menos un(a) coordinador(a)."})
    if dias_recordar_acuerdos is not None and not 1 <= dias_recordar_acuerdos <= MAX_DIAS_RECORDAR_ACUERDOS:
        raise ValidationError(
            {"dias_recordar_acuerdos": f"Elija entre 1 y {MAX_DIAS_RECORDAR_ACUERDOS} días antes de la sesión."}
        )
    actuales = set(mesa.coordinadores.all())
    posibles = set(coordinadores_posibles(mesa))
    if coordinadores - actuales - posibles:
        raise ValidationError(
            {"coordinadores": "Solo se nombra coordinador(a) a miembros de las organizaciones participantes."}
        )
    mesa.nombre, mesa.descripcion, mesa.alcance = nombre, descripcion, alcance
    if acepta_solicitudes is not None:
        mesa.acepta_solicitudes = acepta_solicitudes
    if recordar_acuerdos is not None:
        mesa.recordar_acuerdos = recordar_acuerdos
    if dias_recordar_acuerdos is not None:
        mesa.dias_recordar_acuerdos = dias_recordar_acuerdos
    exigir_largos(mesa, ["nombre", "descripcion", "alcance"])
    campos = ["nombre", "descripcion", "alcance", "acepta_solicitudes", "recordar_acuerdos", "dias_recordar_acuerdos"]
    mesa.save(update_fields=campos)
    mesa.coordinadores.set(coordinadores)
    return mesa


@transaction.atomic
def mesa_invitar(*, mesa, organizacion, por):
    """Invites an organization (its director(a) accepts or declines). One that declined, or whose request was
    rejected, may be invited again; one that asked to join is accepted from "Solicitudes pendientes" instead."""
    _exigir_coordinacion(mesa, por)
    if not organizacion.activa:
        raise ValidationError("Solo se puede invitar a organizaciones activas.")
    participacion = Participacion.objects.select_for_update().filter(mesa=mesa, organizacion=organizacion).first()
    if participacion is None:
        participacion = Participacion(mesa=mesa, organizacion=organizacion)
    elif participacion.estado == Participacion.Estado.SOLICITADA:
        raise ValidationError(
            "Esa organización ya pidió unirse a la mesa: acepte su solicitud en «Solicitudes pendientes»."
        )
    elif participacion.estado != Participacion.Estado.RECHAZADA:
        raise ValidationError("Esa organización ya fue invitada a la mesa.")
    return participacion.reabrir(estado=Participacion.Estado.INVITADA, por=por)


def participacion_incorporar(participacion, *, por):
    """Invitation or request → accepted (the caller holds the row locked and checked its state): the organization
    takes part, and its people get the convocatoria of every session already convened and still ahead."""
    participacion.estado = Participacion.Estado.ACEPTADA
    participacion.aceptada_en = timezone.now()
    participacion.aceptada_por = por
    participacion.save(update_fields=["estado", "aceptada_en", "aceptada_por"])
    convocatorias_pendientes_enviar(mesa=participacion.mesa, organizacion=participacion.organizacion)
    return participacion


@transaction.atomic
def participacion_aceptar(*, participacion, por):
    """Its director(a) accepts the invitation (the gate `get_participacion_for` checked the role)."""
    participacion = (
        Participacion.objects.select_for_update().select_related("mesa", "organizacion").get(pk=participacion.pk)
    )
    if participacion.estado == Participacion.Estado.ACEPTADA:
        raise ValidationError("La organización ya participa en la mesa.")
    if participacion.estado != Participacion.Estado.INVITADA:
        raise ValidationError("Esta invitación ya no está pendiente.")
    return participacion_incorporar(participacion, por=por)


def _validar_horario(*, inicio, fin, modalidad, lugar, enlace):
    errores = {}
    if inicio and fin and fin <= inicio:
        errores["fin"] = "La sesión debe terminar después de empezar."
    if modalidad in (Sesion.Modalidad.PRESENCIAL, Sesion.Modalidad.HIBRIDA) and not lugar:
        errores["lugar"] = "Indique el lugar de una sesión presencial o híbrida."
    if modalidad in (Sesion.Modalidad.EN_LINEA, Sesion.Modalidad.HIBRIDA) and not enlace:
        errores["enlace"] = "Indique el enlace de una sesión en línea o híbrida."
    if errores:
        raise ValidationError(errores)


@transaction.atomic
def sesion_crear(
    *,
    mesa,
    por,
    inicio,
    fin,
    tipo=Sesion.Tipo.ORDINARIA,
    modalidad=Sesion.Modalidad.PRESENCIAL,
    lugar="",
    enlace="",
    recordatorios=None,
):
    _exigir_coordinacion(mesa, por)
    _validar_horario(inicio=inicio, fin=fin, modalidad=modalidad, lugar=lugar, enlace=enlace)
    Mesa.objects.select_for_update().get(pk=mesa.pk)  # numbers are given one at a time
    numero = (mesa.sesiones.aggregate(m=Max("numero"))["m"] or 0) + 1
    sesion = Sesion(
        mesa=mesa, numero=numero, tipo=tipo, inicio=inicio, fin=fin, modalidad=modalidad, lugar=lugar, enlace=enlace
    )
    if recordatorios is not None:
        sesion.recordatorios = recordatorios
    sesion.save()
    return sesion


def _tabla_modificable(sesion):
    if sesion.estado not in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA):
        raise ValidationError("La tabla de una sesión realizada o cancelada ya no cambia.")


MAX_DURACION_PUNTO = 8 * 60  # minutes


def _validar_punto(sesion, por, *, organizacion, practica, diagnostico, plan, duracion_minutos, hora_inicio):
    """What an agenda item may hold, for adding and editing alike: the presenting organization takes part in the
    mesa; the linked practice, diagnosis or plan is one the coordinator can see and, since every member reads the
    agenda (page and e-mails), one that all of them may see (mesa.access.practicas_enlazables,
    diagnosticos_enlazables, planes_para_la_tabla); the start time falls within the session."""
    if (
        organizacion is not None
        and not sesion.mesa.participaciones.filter(
            organizacion=organizacion, estado=Participacion.Estado.ACEPTADA
        ).exists()
    ):
        raise ValidationError({"organizacion": "La organización presentadora debe participar en la mesa."})
    if practica is not None and not practicas_visibles(por).filter(pk=practica.pk).exists():
        raise ValidationError({"practica": "Elija una práctica que usted pueda ver."})
    if practica is not None and not practicas_enlazables(sesion.mesa).filter(pk=practica.pk).exists():
        raise ValidationError(
            {"practica": "Solo se enlaza una práctica publicada que todos los miembros de la mesa puedan ver."}
        )
    if diagnostico is not None and not diagnosticos_visibles(por).filter(pk=diagnostico.pk).exists():
        raise ValidationError({"diagnostico": "Elija un diagnóstico que usted pueda ver."})
    if diagnostico is not None and not diagnosticos_enlazables(sesion.mesa).filter(pk=diagnostico.pk).exists():
        raise ValidationError(
            {"diagnostico": "Solo se enlaza un diagnóstico publicado que todos los miembros de la mesa puedan ver."}
        )
    if plan is not None and not planes_para_la_tabla(sesion.mesa).filter(pk=plan.pk).exists():
        raise ValidationError({"plan": "Elija un plan que todos los miembros de la mesa puedan ver."})
    if not 1 <= (duracion_minutos or 0) <= MAX_DURACION_PUNTO:
        raise ValidationError({"duracion_minutos": f"La duración debe estar entre 1 y {MAX_DURACION_PUNTO} minutos."})
    if hora_inicio is not None:
        inicio, fin = timezone.localtime(sesion.inicio), timezone.localtime(sesion.fin)
        fuera = hora_inicio < inicio.time() or (fin.date() == inicio.date() and hora_inicio >= fin.time())
        if fuera:
            raise ValidationError(
                {
                    "hora_inicio": f"La hora de inicio debe estar dentro del horario de la sesión "
                    f"({inicio:%H:%M} a {fin:%H:%M})."
                }
            )


@transaction.atomic
def punto_agregar(
    *,
    sesion,
    por,
    titulo,
    organizacion=None,
    duracion_minutos=15,
    practica=None,
    diagnostico=None,
    plan=None,
    descripcion="",
    expositor="",
    hora_inicio=None,
):
    """An agenda item, at the end of the agenda (what it may link: _validar_punto)."""
    _exigir_coordinacion(sesion.mesa, por)
    _tabla_modificable(sesion)
    vinculos = {"organizacion": organizacion, "practica": practica, "diagnostico": diagnostico, "plan": plan}
    _validar_punto(sesion, por, **vinculos, duracion_minutos=duracion_minutos, hora_inicio=hora_inicio)
    orden = (sesion.puntos.aggregate(m=Max("orden"))["m"] or 0) + 1
    punto = PuntoTabla(
        sesion=sesion,
        orden=orden,
        titulo=titulo,
        descripcion=descripcion,
        expositor=expositor,
        duracion_minutos=duracion_minutos,
        hora_inicio=hora_inicio,
        **vinculos,
    )
    exigir_largos(punto)
    punto.save()
    return punto


CAMPOS_DEL_PUNTO = (
    "titulo",
    "descripcion",
    "organizacion",
    "expositor",
    "duracion_minutos",
    "hora_inicio",
    "practica",
    "diagnostico",
    "plan",
)


@transaction.atomic
def punto_editar(*, punto, por, **cambios):
    """Changes an item of a draft or convened session: title, description, presenter, duration, start time and
    links. A convened session's agenda may change without a new e-mail (its time and place did not): members see
    the agenda as it is on the session's page, and the acta follows it."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=punto.sesion_id)
    _exigir_coordinacion(sesion.mesa, por)
    _tabla_modificable(sesion)
    punto = PuntoTabla.objects.get(pk=punto.pk, sesion=sesion)
    desconocidos = set(cambios) - set(CAMPOS_DEL_PUNTO)
    if desconocidos:
        raise ValueError(f"campos desconocidos: {sorted(desconocidos)}")
    for campo, valor in cambios.items():
        setattr(punto, campo, valor)
    _validar_punto(
        sesion,
        por,
        organizacion=punto.organizacion,
        practica=punto.practica,
        diagnostico=punto.diagnostico,
        plan=punto.plan,
        duracion_minutos=punto.duracion_minutos,
        hora_inicio=punto.hora_inicio,
    )
    exigir_largos(punto)
    punto.save()
    return punto


def _renumerar(puntos):
    for numero, punto in enumerate(puntos, start=1):
        if punto.orden != numero:
            punto.orden = numero
            punto.save(update_fields=["orden"])


@transaction.atomic
def punto_quitar(*, punto, por):
    """Removes an item of a draft or convened session (no new invitation: time and place did not change). Its
    documents stay with the session (DocumentoSesion.punto is set to none)."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=punto.sesion_id)
    _exigir_coordinacion(sesion.mesa, por)
    _tabla_modificable(sesion)
    if sesion.estado == Sesion.Estado.CONVOCADA and sesion.puntos.count() <= 1:
        raise ValidationError("Una sesión convocada conserva al menos un punto en su tabla.")
    PuntoTabla.objects.filter(pk=punto.pk, sesion=sesion).delete()
    _renumerar(sesion.puntos.all())
    return sesion


@transaction.atomic
def punto_mover(*, punto, por, direccion):
    """Moves an item one place up ("subir") or down ("bajar"); the items are renumbered 1..n."""
    if direccion not in ("subir", "bajar"):
        raise ValidationError("Indique si el punto sube o baja.")
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=punto.sesion_id)
    _exigir_coordinacion(sesion.mesa, por)
    _tabla_modificable(sesion)
    puntos = list(sesion.puntos.all())
    i = next(i for i, p in enumerate(puntos) if p.pk == punto.pk)
    j = i - 1 if direccion == "subir" else i + 1
    if 0 <= j < len(puntos):
        puntos[i], puntos[j] = puntos[j], puntos[i]
    _renumerar(puntos)
    return next(p for p in puntos if p.pk == punto.pk)


RSVP_SAL = "mesa.sesion.rsvp"
RSVP_VIGENCIA = timedelta(days=120)


def rsvp_token(*, usuario, sesion, opcion):
    """A signed token binding person, session and answer: it cannot be altered or used for someone else."""
    return signing.dumps([usuario.pk, sesion.pk, opcion], salt=RSVP_SAL)


def rsvp_enlaces(*, usuario, sesion, relativos=False):
    base = "" if relativos else settings.SITE_URL
    enlaces = {}
    for opcion in OPCIONES_PERSONALES:
        token = rsvp_token(usuario=usuario, sesion=sesion, opcion=opcion)
        enlaces[opcion] = f"{base}{reverse('mesa:rsvp', args=[token])}"
    return enlaces


def rsvp_leer(token):
    """(usuario_id, sesion_id, opcion) or ValidationError for a forged, altered or expired link."""
    try:
        usuario_id, sesion_id, opcion = signing.loads(token, salt=RSVP_SAL, max_age=RSVP_VIGENCIA)
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError("El enlace no es válido o ya venció.") from None
    if opcion not in OPCIONES_PERSONALES:
        raise ValidationError("El enlace no es válido o ya venció.")
    return usuario_id, sesion_id, opcion


def _avisar_sesion(sesion, *, plantilla, causa, metodo, extra=None, excluir=None, personas=None):
    """One notice per convened person (or per person of `personas`), as a mass notice: one insert of short rows
    whatever the number of recipients (the session's row is locked by the caller meanwhile), written by the
    worker that sends it (mesa/avisos.py adds each person's RSVP links and .ics then, so the links are never
    stored). Answers go to the mesa's coordination (Reply-To). A fan-out to everyone convened also reaches the
    session's guests (mesa.services_participantes.invitados_avisar; a reminder skips who declined)."""
    a_todos = personas is None
    personas = convocados(sesion) if personas is None else personas
    if excluir is not None:
        personas = personas.exclude(pk__in=excluir)
    a_invitados = []
    if a_todos:
        invitados = invitados_a_avisar(sesion, recordatorio=plantilla == "sesion_recordatorio")
        a_invitados = invitados_avisar(sesion, invitados, plantilla=plantilla, causa=causa, metodo=metodo, extra=extra)
    return a_invitados + avisos_masivos_crear(
        para=personas,
        plantilla=plantilla,
        contexto={"sesion": sesion, "metodo": metodo, **(extra or {})},
        clave=lambda usuario_id: f"{causa}:{sesion.pk}:{usuario_id}:{sesion.secuencia}",
        sobre=sesion,
        redactor="mesa.sesion",
        responder_a=direcciones_de_coordinacion(sesion.mesa),
    )


@transaction.atomic
def sesion_convocar(*, sesion, por):
    """Borrador → convocada; every member of every participating organization gets the invitation (.ics)."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado != Sesion.Estado.BORRADOR:
        raise ValidationError("Solo se convoca una sesión en borrador.")
    if sesion.inicio <= timezone.now():
        raise ValidationError("No se puede convocar a una sesión que ya empezó.")
    if not sesion.puntos.exists():
        raise ValidationError("Agregue al menos un punto a la tabla antes de convocar.")
    sesion.estado = Sesion.Estado.CONVOCADA
    sesion.convocada_en = timezone.now()
    sesion.convocada_por = por
    sesion.save(update_fields=["estado", "convocada_en", "convocada_por"])
    integrantes_invitar(sesion)  # a consejo's institutional members are convened as guests
    _avisar_sesion(sesion, plantilla="sesion_convocada", causa="convocatoria", metodo="REQUEST")
    return sesion


def sesiones_por_venir(mesa):
    """The mesa's convened sessions that have not started: what a member who joins now is convened to."""
    return Sesion.objects.filter(mesa=mesa, estado=Sesion.Estado.CONVOCADA, inicio__gt=timezone.now())


def convocatorias_pendientes_enviar(*, mesa, organizacion):
    """The convocatoria of every convened session of the mesa that has not started, for the people of an
    organization that has just joined it (the others got it when it was convened). The same notice and key as
    `sesion_convocar`: whoever already had it (a member through another organization) gets nothing new, and
    running this twice sends nothing twice. Returns the notices."""
    fuera = Usuario.objects.exclude(membresias__organizacion=organizacion).values("pk")
    avisos = []
    for sesion in sesiones_por_venir(mesa).select_related("mesa").select_for_update(of=("self",)).order_by("inicio"):
        avisos += _avisar_sesion(
            sesion, plantilla="sesion_convocada", causa="convocatoria", metodo="REQUEST", excluir=fuera
        )
    return avisos


CAMPOS_DE_CALENDARIO = ("inicio", "fin", "modalidad", "lugar", "enlace")


@transaction.atomic
def sesion_editar(*, sesion, por, **cambios):
    """Changes a session; once convened, a new time or place goes out as an update (same UID, SEQUENCE + 1)."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado in (Sesion.Estado.REALIZADA, Sesion.Estado.CANCELADA):
        raise ValidationError("Una sesión realizada o cancelada ya no se modifica.")
    nuevos = {campo: cambios.get(campo, getattr(sesion, campo)) for campo in CAMPOS_DE_CALENDARIO}
    _validar_horario(**nuevos)
    if nuevos["inicio"] != sesion.inicio and nuevos["inicio"] <= timezone.now():
        # Checked before anything is sent: a past time would go out to every member as an update.
        raise ValidationError({"inicio": "La sesión no puede empezar en el pasado: elija una fecha y hora futuras."})
    anteriores = {campo: getattr(sesion, campo) for campo in CAMPOS_DE_CALENDARIO}
    for campo, valor in cambios.items():
        setattr(sesion, campo, valor)
    cambio_calendario = nuevos != anteriores
    if sesion.estado == Sesion.Estado.CONVOCADA and cambio_calendario:
        sesion.secuencia += 1
    sesion.save()
    if sesion.estado == Sesion.Estado.CONVOCADA and cambio_calendario:
        antes = {"inicio_anterior": anteriores["inicio"], "lugar_anterior": anteriores["lugar"]}
        _avisar_sesion(sesion, plantilla="sesion_actualizada", causa="actualizacion", metodo="REQUEST", extra=antes)
    return sesion


@transaction.atomic
def sesion_cancelar(*, sesion, por, motivo=""):
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    exigir_largo(motivo, maximo=MAX_MOTIVO, etiqueta="motivo", campo="motivo")
    if sesion.estado in (Sesion.Estado.REALIZADA, Sesion.Estado.CANCELADA):
        raise ValidationError("Esta sesión ya no se puede cancelar.")
    convocada = sesion.estado == Sesion.Estado.CONVOCADA
    sesion.estado = Sesion.Estado.CANCELADA
    if convocada:
        sesion.secuencia += 1
    sesion.save(update_fields=["estado", "secuencia"])
    # Reminders not yet sent die with the session.
    sesion.avisos.filter(clave__startswith="recordatorio", estado=Aviso.Estado.PENDIENTE).delete()
    if convocada:
        _avisar_sesion(
            sesion, plantilla="sesion_cancelada", causa="cancelacion", metodo="CANCEL", extra={"motivo": motivo}
        )
    return sesion


@transaction.atomic
def respuesta_registrar(*, sesion, usuario, opcion, via=Respuesta.Via.APLICACION):
    if opcion not in OPCIONES_PERSONALES:
        raise ValidationError("Elija asistiré, no asistiré o tal vez.")
    if sesion.estado != Sesion.Estado.CONVOCADA or sesion.fin <= timezone.now():
        raise ValidationError("Esta sesión ya no recibe respuestas.")
    if not convocados(sesion).filter(pk=usuario.pk).exists():
        raise PermissionDenied("Usted no está convocado(a) a esta sesión.")
    _exigir_sin_subrogante(sesion, usuario)
    respuesta, _ = Respuesta.objects.update_or_create(
        sesion=sesion, usuario=usuario, defaults={"opcion": opcion, "via": via}
    )
    return respuesta


def _exigir_sin_subrogante(sesion, usuario):
    """Whoever named a subrogante answers "Asistirá por subrogante" until that designation is removed."""
    subrogacion = Subrogacion.objects.filter(sesion=sesion, titular=usuario).first()
    if subrogacion is not None:
        raise ValidationError(
            f"Usted designó a {subrogacion.nombre_subrogante} como subrogante para esta sesión: quite la designación "
            "en la página de la sesión para responder personalmente."
        )


def rsvp_verificar(*, usuario_id, sesion_id, opcion):
    """Reads nothing but checks everything the answer needs: (usuario, sesion) or ValidationError/PermissionDenied.
    The confirmation page (GET) shows this; only the POST records."""
    try:
        usuario = Usuario.objects.get(pk=usuario_id, is_active=True)
        sesion = Sesion.objects.select_related("mesa").get(pk=sesion_id)
    except (Usuario.DoesNotExist, Sesion.DoesNotExist):
        raise ValidationError("El enlace no es válido o ya venció.") from None
    if sesion.estado != Sesion.Estado.CONVOCADA or sesion.fin <= timezone.now():
        raise ValidationError("Esta sesión ya no recibe respuestas.")
    if not convocados(sesion).filter(pk=usuario.pk).exists():
        raise PermissionDenied("Usted no está convocado(a) a esta sesión.")
    _exigir_sin_subrogante(sesion, usuario)
    return usuario, sesion


def rsvp_registrar(*, usuario_id, sesion_id, opcion):
    """The answer from a signed e-mail link, for exactly the person and session the link was made for."""
    usuario, sesion = rsvp_verificar(usuario_id=usuario_id, sesion_id=sesion_id, opcion=opcion)
    return respuesta_registrar(sesion=sesion, usuario=usuario, opcion=opcion, via=Respuesta.Via.CORREO)


def respuestas_por_organizacion(sesion):
    """For coordinators: [(organizacion, [(usuario, respuesta or None)])] over the participating organizations.
    Three queries whatever the number of organizations (participations, memberships, answers)."""
    respuestas = {r.usuario_id: r for r in sesion.respuestas.all()}
    participaciones = list(
        sesion.mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).select_related("organizacion")
    )
    miembros = {}
    membresias = Membresia.objects.filter(
        organizacion__in=[p.organizacion_id for p in participaciones], usuario__is_active=True
    ).select_related("usuario")
    for membresia in membresias:
        miembros.setdefault(membresia.organizacion_id, []).append(membresia.usuario)
    return [
        (p.organizacion, [(u, respuestas.get(u.pk)) for u in miembros.get(p.organizacion_id, [])])
        for p in participaciones
    ]


# --- Reminders ------------------------------------------------------------------------------------------


def _recordatorio_vigente(sesion, ahora):
    """The offset (minutes) whose reminder is due now: the latest one past, and only if the session had
    already been convened at that time (a 48 h reminder makes no sense for a session convened yesterday)."""
    debidos = [
        m
        for m in sesion.recordatorios
        if sesion.inicio - timedelta(minutes=m) <= ahora < sesion.inicio
        and (sesion.convocada_en is None or sesion.inicio - timedelta(minutes=m) >= sesion.convocada_en)
    ]
    return min(debidos) if debidos else None


def recordatorios_enviar(*, ahora=None):
    """Beat's reminder sweep: picks from the database what is due, so nothing waits parked in the broker.
    The key carries the offset and SEQUENCE: a rescheduled session gets its reminders again at the new
    time; a cancelled one gets none; whoever declined gets none."""
    ahora = ahora or timezone.now()
    proximas = Sesion.objects.filter(
        estado=Sesion.Estado.CONVOCADA, inicio__gt=ahora, inicio__lte=ahora + timedelta(days=31)
    ).select_related("mesa")
    creados = []
    for sesion in proximas:
        minutos = _recordatorio_vigente(sesion, ahora)
        if minutos is None:
            continue
        with transaction.atomic():
            creados += _avisar_sesion(
                sesion,
                plantilla="sesion_recordatorio",
                causa=f"recordatorio{minutos}",
                metodo=None,
                excluir=sesion.respuestas.filter(
                    opcion__in=[Respuesta.Opcion.NO_ASISTIRE, Respuesta.Opcion.SUBROGANTE]
                ).values("usuario_id"),
                extra={"horas": round(minutos / 60, 1)},
            )
    return creados


# "Recordar a quienes no han respondido": one click of the coordination, at most once every 12 hours per session.
RECORDAR_CADA = timedelta(hours=12)
RECORDAR_POR_SESION = Limite("recordar-sesion", maximo=1, segundos=12 * HORA)


def _fecha_hora(momento):
    return timezone.localtime(momento).strftime("%d-%m-%Y a las %H:%M")


@transaction.atomic
def sesion_recordar_pendientes(*, sesion, por):
    """Sends the convened people who have not answered a reminder with their signed one-button RSVP links.

    The session row keeps when (and by whom) it was last done, checked under its lock: the page shows it, and the
    limit holds across processes and cache restarts; the cache limit (comunas.limites) also stops a burst of
    clicks from several tabs before the first one commits. Returns the notices created."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    ahora = timezone.now()
    if sesion.estado != Sesion.Estado.CONVOCADA or sesion.inicio <= ahora:
        raise ValidationError("Solo se envía un recordatorio de una sesión convocada que aún no empieza.")
    if sesion.recordada_en is not None and ahora < sesion.recordada_en + RECORDAR_CADA:
        raise ValidationError(
            f"Ya se envió un recordatorio el {_fecha_hora(sesion.recordada_en)}. Para no saturar a los "
            f"convocados, podrá enviar otro desde el {_fecha_hora(sesion.recordada_en + RECORDAR_CADA)}."
        )
    pendientes = sin_respuesta(sesion)
    if not pendientes.exists():
        raise ValidationError("Todas las personas convocadas ya respondieron: no hay a quién recordar.")
    if not RECORDAR_POR_SESION.permitir(sesion.pk):
        raise ValidationError(
            "Ya se envió un recordatorio de esta sesión hace poco. Podrá enviar otro 12 horas después del anterior."
        )
    sesion.recordada_en, sesion.recordada_por = ahora, por
    sesion.save(update_fields=["recordada_en", "recordada_por"])
    # The key names the moment: each reminder is its own notice ("recordatorio…": a cancellation removes the
    # ones not yet sent).
    return _avisar_sesion(
        sesion,
        plantilla="sesion_pendientes",
        causa=f"recordatorio_pendientes-{ahora:%Y%m%dT%H%M%S}",
        metodo=None,
        personas=pendientes,
    )


def _responsables(acuerdos, personas):
    """{usuario_id: [acuerdos]} among `personas` (the convened, by id): the person named for each acuerdo, or
    else the directors and integrantes of its organization (those who may update it)."""
    organizaciones = {a.organizacion_id for a in acuerdos}
    por_organizacion = {}
    for organizacion_id, usuario_id in Membresia.objects.filter(
        organizacion__in=organizaciones,
        usuario__in=list(personas),
        rol__in=[Membresia.Rol.DIRECTOR, Membresia.Rol.INTEGRANTE],
    ).values_list("organizacion_id", "usuario_id"):
        por_organizacion.setdefault(organizacion_id, set()).add(usuario_id)
    por_persona = {}
    for acuerdo in acuerdos:
        quienes = (
            [acuerdo.persona_id]
            if acuerdo.persona_id in personas
            else por_organizacion.get(acuerdo.organizacion_id, ())
        )
        for usuario_id in sorted(quienes):
            por_persona.setdefault(usuario_id, []).append(acuerdo)
    return por_persona


def _recordar_acuerdos(sesion, hoy):
    acuerdos = list(
        Acuerdo.objects.vigentes()
        .abiertos()
        .filter(acta__sesion__mesa=sesion.mesa)
        .select_related("organizacion", "actividad", "acta__sesion")
        .order_by("plazo", "pk")
    )
    if not acuerdos:
        return []
    for acuerdo in acuerdos:
        acuerdo.estado = acuerdo.actual  # in memory only: the e-mail reads get_estado_display
    personas = {u.pk: u for u in convocados(sesion)}
    comun = {
        "sesion": sesion,
        "mesa": sesion.mesa,
        "url_sesion": url_absoluta(reverse("mesa:sesion", args=[sesion.pk])),
        "url_acuerdos": url_absoluta(reverse("mesa:mis_acuerdos")),
    }
    mensajes = [
        {
            "para": personas[usuario_id],
            "plantilla": "acuerdos_antes_de_sesion",
            "contexto": {
                **comun,
                "vencidos": [a for a in suyos if a.plazo < hoy],
                "en_plazo": [a for a in suyos if a.plazo >= hoy],
            },
            "clave": f"recordatorio_acuerdos:{sesion.pk}:{usuario_id}",
        }
        for usuario_id, suyos in _responsables(acuerdos, personas).items()
    ]
    return avisos_crear(
        mensajes=mensajes, esencial=False, sobre=sesion, responder_a=direcciones_de_coordinacion(sesion.mesa)
    )


def acuerdos_recordar_antes_de_sesion(*, ahora=None):
    """Beat's daily sweep: for each convened session of a mesa that asks for it (Mesa.recordar_acuerdos) whose
    day is at most `dias_recordar_acuerdos` days away, whoever answers for an open acuerdo of the mesa gets one
    notice listing them (overdue first). The key names session and person, without the SEQUENCE: once per
    session, even if it is moved; a cancellation removes what was not yet sent. Non-essential: those who chose
    the daily digest read it there."""
    ahora = ahora or timezone.now()
    hoy = timezone.localdate(ahora)
    proximas = Sesion.objects.filter(
        estado=Sesion.Estado.CONVOCADA,
        inicio__gt=ahora,
        inicio__lte=ahora + timedelta(days=MAX_DIAS_RECORDAR_ACUERDOS + 1),
        mesa__recordar_acuerdos=True,
    ).select_related("mesa__anfitriona")
    creados = []
    for sesion in proximas.order_by("inicio", "pk"):
        if (timezone.localdate(sesion.inicio) - hoy).days > sesion.mesa.dias_recordar_acuerdos:
            continue
        with transaction.atomic():
            creados += _recordar_acuerdos(sesion, hoy)
    return creados


# --- Attendance -----------------------------------------------------------------------------------------


@transaction.atomic
def asistencia_registrar(*, sesion, por, presentes, invitados=()):
    """Records who attended (ids of convened people, and of the session's guests) and marks the session held;
    stores the quorum of that attendance (mesa.services_participantes.quorum_guardar)."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado not in (Sesion.Estado.CONVOCADA, Sesion.Estado.REALIZADA):
        raise ValidationError("Solo se registra la asistencia de una sesión convocada.")
    if sesion.inicio > timezone.now():
        raise ValidationError("La asistencia se registra cuando la sesión ya empezó.")
    presentes = {int(pk) for pk in presentes}
    orgs = sesion.mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).values("organizacion_id")
    for usuario in convocados(sesion):
        organizacion_id = (
            usuario.membresias.filter(organizacion__in=orgs)
            .order_by("pk")
            .values_list("organizacion_id", flat=True)
            .first()
        )
        Asistencia.objects.update_or_create(
            sesion=sesion,
            usuario=usuario,
            defaults={"presente": usuario.pk in presentes, "organizacion_id": organizacion_id},
        )
    invitados_marcar_asistencia(sesion, invitados)
    sesion.estado = Sesion.Estado.REALIZADA
    sesion.save(update_fields=["estado"])
    quorum_guardar(sesion)
    return sesion


def asistencia_por_organizacion(sesion):
    """[(organizacion, presentes, total)] for the session page."""
    filas = (
        sesion.asistencias.values("organizacion__nombre")
        .annotate(presentes=Count("pk", filter=Q(presente=True)), total=Count("pk"))
        .order_by("organizacion__nombre")
    )
    return [(f["organizacion__nombre"], f["presentes"], f["total"]) for f in filas]
