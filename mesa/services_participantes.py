"""Who else sits at a session: guests without an account, subrogantes named by members, and the quorum.

Guests (InvitadoSesion) are invited by the coordination to one session by name, institution and e-mail. They get
the notices members get (the convocatoria with its .ics, changes, cancellation, reminders: mesa.services calls
`invitados_avisar` from its own fan-out), written when they are created (a guest has no account for the mass
notices' writer), and answer through signed links bound to their row and that session. Nobody gets an account by
being a guest, and a guest's link opens nothing but their answer to that session.

A member who will not attend names a subrogante for one session: a colleague of the same organization (already
convened as a member) or an external person (a guest row). The member's own answer becomes "Asistirá por
subrogante"; attendance and the acta say "X en representación de Y".

The quorum counts the member organizations present (their people and their subrogantes; guests are not member
organizations) against the mesa's rule; it is stored on the session each time attendance is recorded, so the
session and its acta keep what it was even if the rule or the members change later.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from comunas import limites
from comunas.models import Membresia, Organizacion, Usuario
from mesa.access import direcciones_de_coordinacion, organizador_de, puede_coordinar
from mesa.calendario import CANCEL, REQUEST, adjunto_ics
from mesa.models import InvitadoSesion, Participacion, ReglaQuorum, Respuesta, Sesion, Subrogacion
from mesa.models_participantes import MAX_INVITADOS_POR_SESION, OPCIONES_PERSONALES, RespuestaInvitado
from mesa.selectors import convocados
from mesa.tabla import horario
from nucleo.avisos import avisos_crear, avisos_masivos_crear
from nucleo.largos import exigir_largos

# Institutions a mesa usually invites (suggestions of the form; any other may be written).
INSTITUCIONES_SUGERIDAS = [
    "Carabineros de Chile",
    "Policía de Investigaciones de Chile (PDI)",
    "Fiscalía Local",
    "SENDA",
    "SernamEG",
    "Gendarmería de Chile",
    "Delegación Presidencial Provincial",
    "SEREMI de Seguridad Pública",
    "Gobierno Regional",
    "Junta de vecinos",
]

RSVP_INVITADO_SAL = "mesa.sesion.rsvp.invitado"
RSVP_VIGENCIA = timedelta(days=120)


def _exigir_coordinacion(mesa, por):
    if not puede_coordinar(por, mesa):
        raise PermissionDenied("Solo la coordinación de la mesa puede hacer esto.")


def _bloquear(sesion):
    return Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)


def _convocatoria_vigente(sesion):
    """A convened session that has not ended: what is sent about it still matters."""
    return sesion.estado == Sesion.Estado.CONVOCADA and sesion.fin > timezone.now()


def _correo(email):
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        mensaje = "Escriba un correo electrónico válido, por ejemplo nombre@institucion.cl."
        raise ValidationError({"email": mensaje}) from None
    return email


def _exigir_invitable(sesion, invitado):
    """Name, institution and a valid e-mail not yet used in the session, nor a member's, within the cap."""
    errores = {}
    if not invitado.nombre:
        errores["nombre"] = "Escriba el nombre de la persona."
    if not invitado.institucion:
        errores["institucion"] = "Indique la institución que representa."
    if errores:
        raise ValidationError(errores)
    exigir_largos(invitado, ["nombre", "institucion", "cargo"])
    invitado.email = _correo(invitado.email)
    if sesion.invitados.filter(email=invitado.email).exists():
        raise ValidationError({"email": "Esa persona ya está invitada a esta sesión."})
    if convocados(sesion).filter(email__iexact=invitado.email).exists():
        raise ValidationError(
            {"email": "Ese correo es de un miembro de la mesa: ya recibe la convocatoria con su cuenta."}
        )
    if sesion.invitados.count() >= MAX_INVITADOS_POR_SESION:
        raise ValidationError(
            f"La sesión ya tiene {MAX_INVITADOS_POR_SESION} invitados, el máximo por sesión: quite a alguien "
            "antes de invitar a otra persona."
        )


def integrantes_invitar(sesion):
    """A consejo comunal's standing institutional members (Carabineros, PDI, Fiscalía…, mostly without an account)
    become guests of its session, so the convocatoria reaches them like anyone convened: those with an e-mail that
    is not already a guest's nor a member's, within the cap. Called as the session is convened (its row locked);
    returns the guests added."""
    if not sesion.mesa.es_consejo:
        return []
    ya = set(sesion.invitados.values_list("email", flat=True))
    ya |= {c.lower() for c in convocados(sesion).values_list("email", flat=True)}
    libres = MAX_INVITADOS_POR_SESION - sesion.invitados.count()
    nuevos = []
    for integrante in sesion.mesa.integrantes_institucionales.exclude(email=""):
        correo = integrante.email.strip().lower()
        if correo in ya or len(nuevos) >= libres:
            continue
        ya.add(correo)
        institucion = integrante.get_institucion_display()
        nuevos.append(
            InvitadoSesion(
                sesion=sesion,
                nombre=integrante.nombre[:150],
                institucion=(f"{institucion} — {integrante.unidad}" if integrante.unidad else institucion)[:200],
                cargo=integrante.cargo[:150],
                email=correo,
            )
        )
    return InvitadoSesion.objects.bulk_create(nuevos)


# --- Notices to guests ----------------------------------------------------------------------------------


def invitados_avisar(sesion, invitados, *, plantilla, causa, metodo, extra=None):
    """The session's notice (`plantilla`: sesion_convocada, sesion_actualizada, sesion_cancelada,
    sesion_recordatorio…) to each guest, with their own answer links and .ics. The agenda goes without links
    and the calendar without the session's page: those pages are for members. Keys as the members' ones."""
    invitados = list(invitados)
    if not invitados:
        return []
    puntos = list(sesion.puntos.select_related("organizacion"))
    horario(sesion, puntos)  # each item's "10:00 – 10:20"
    comun = {
        "sesion": sesion,
        "mesa": sesion.mesa,
        "puntos": puntos,
        "url_sesion": "",
        **(extra or {}),
    }
    organizador = organizador_de(sesion)  # the .ics ORGANIZER: an address that receives replies
    mensajes = []
    for invitado in invitados:
        contexto = {**comun, "destinatario": invitado}
        if metodo != CANCEL:
            contexto["rsvp"] = rsvp_invitado_enlaces(invitado)
        adjuntos = (
            [adjunto_ics(sesion, metodo=metodo, asistente=invitado, organizador=organizador, con_enlace=False)]
            if metodo
            else []
        )
        mensajes.append(
            {
                "para": invitado.email,
                "plantilla": plantilla,
                "contexto": contexto,
                "clave": f"{causa}:{sesion.pk}:invitado{invitado.pk}:{sesion.secuencia}",
                "adjuntos": adjuntos,
            }
        )
    return avisos_crear(mensajes=mensajes, sobre=sesion, responder_a=direcciones_de_coordinacion(sesion.mesa))


def invitados_a_avisar(sesion, *, recordatorio=False):
    """The guests a session-wide notice goes to; a reminder skips whoever said they will not come."""
    invitados = sesion.invitados.all()
    if recordatorio:
        invitados = invitados.exclude(respuesta=RespuestaInvitado.NO_ASISTIRE)
    return invitados.order_by("pk")


def _avisar_retiro(sesion, invitado, *, subrogacion=None):
    """Tells a guest their invitation was withdrawn (the .ics takes the session off their calendar)."""
    if not _convocatoria_vigente(sesion):
        return []
    contexto = {"sesion": sesion, "mesa": sesion.mesa, "destinatario": invitado, "subrogacion": subrogacion}
    mensaje = {
        "para": invitado.email,
        "plantilla": "sesion_retiro",
        "contexto": contexto,
        "clave": f"retiro:{sesion.pk}:invitado{invitado.pk}:{sesion.secuencia}",
        "adjuntos": [
            adjunto_ics(sesion, metodo=CANCEL, asistente=invitado, organizador=organizador_de(sesion), con_enlace=False)
        ],
    }
    return avisos_crear(mensajes=[mensaje], sobre=sesion, responder_a=direcciones_de_coordinacion(sesion.mesa))


# --- Guests ---------------------------------------------------------------------------------------------


@transaction.atomic
def invitado_agregar(*, sesion, por, nombre, institucion, email, cargo=""):
    """Invites a person without an account to one session (draft or convened, not yet over). Once convened, the
    convocatoria goes out at once; a draft's guests get it when the session is convened."""
    sesion = _bloquear(sesion)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado not in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA) or sesion.fin <= timezone.now():
        raise ValidationError("Solo se invita a una sesión en borrador o convocada que aún no termina.")
    invitado = InvitadoSesion(
        sesion=sesion,
        nombre=(nombre or "").strip(),
        institucion=(institucion or "").strip(),
        cargo=(cargo or "").strip(),
        email=email,
        invitado_por=por,
    )
    _exigir_invitable(sesion, invitado)
    if not limites.INVITADOS_POR_PERSONA.permitir(por.pk):
        raise ValidationError("Ha invitado a muchas personas en la última hora: espere un momento antes de seguir.")
    invitado.save()
    if _convocatoria_vigente(sesion):
        invitados_avisar(sesion, [invitado], plantilla="sesion_convocada", causa="convocatoria", metodo=REQUEST)
    return invitado


@transaction.atomic
def invitado_quitar(*, invitado, por):
    """Withdraws a guest's invitation (of a draft or convened session); a convened one tells them. An external
    subrogante removed here ends that designation too: the member is again without an answer."""
    sesion = _bloquear(invitado.sesion)
    _exigir_coordinacion(sesion.mesa, por)
    if sesion.estado not in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA):
        raise ValidationError("Los invitados de una sesión realizada o cancelada ya no cambian.")
    invitado = InvitadoSesion.objects.get(pk=invitado.pk, sesion=sesion)
    subrogacion = Subrogacion.objects.filter(invitado=invitado).select_related("titular").first()
    if subrogacion is not None:
        _respuesta_de_titular_borrar(subrogacion)
    _avisar_retiro(sesion, invitado, subrogacion=subrogacion)
    invitado.delete()
    return sesion


# --- Guests' answers ------------------------------------------------------------------------------------


def rsvp_invitado_token(*, invitado, opcion):
    """A signed token binding guest, session and answer: it cannot be altered, nor used for another session."""
    return signing.dumps([invitado.pk, invitado.sesion_id, opcion], salt=RSVP_INVITADO_SAL)


def rsvp_invitado_enlaces(invitado, *, relativos=False):
    base = "" if relativos else settings.SITE_URL
    return {
        opcion: f"{base}{reverse('mesa:rsvp_invitado', args=[rsvp_invitado_token(invitado=invitado, opcion=opcion)])}"
        for opcion in OPCIONES_PERSONALES
    }


def rsvp_invitado_leer(token):
    """(invitado, opcion) for a link made for that guest of that session. InvitadoSesion.DoesNotExist for a forged
    or altered link, one of another session, or one whose guest was removed (the page answers 404); ValidationError
    for an expired one."""
    try:
        invitado_id, sesion_id, opcion = signing.loads(token, salt=RSVP_INVITADO_SAL, max_age=RSVP_VIGENCIA)
    except signing.SignatureExpired:
        mensaje = "El enlace ya venció: pida a la coordinación de la mesa que le invite de nuevo."
        raise ValidationError(mensaje) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvitadoSesion.DoesNotExist("Enlace no válido.") from None
    if opcion not in OPCIONES_PERSONALES:
        raise InvitadoSesion.DoesNotExist("Enlace no válido.")
    invitado = InvitadoSesion.objects.select_related("sesion__mesa").get(pk=invitado_id, sesion_id=sesion_id)
    return invitado, opcion


def exigir_respuestas_abiertas(sesion):
    if sesion.estado != Sesion.Estado.CONVOCADA or sesion.fin <= timezone.now():
        raise ValidationError("Esta sesión ya no recibe respuestas.")


@transaction.atomic
def invitado_responder(*, invitado, opcion):
    """The guest's answer from their link (the last one counts)."""
    if opcion not in OPCIONES_PERSONALES:
        raise ValidationError("Elija asistiré, no asistiré o tal vez.")
    invitado = InvitadoSesion.objects.select_for_update().select_related("sesion__mesa").get(pk=invitado.pk)
    exigir_respuestas_abiertas(invitado.sesion)
    invitado.respuesta = opcion
    invitado.respondida_en = timezone.now()
    invitado.save(update_fields=["respuesta", "respondida_en"])
    return invitado


# --- Subrogantes ----------------------------------------------------------------------------------------


def organizacion_en_la_mesa(usuario, mesa):
    """The participating organization a member attends for (the first of theirs, as attendance records it)."""
    orgs = mesa.participaciones.filter(
        estado=Participacion.Estado.ACEPTADA, organizacion__estado=Organizacion.Estado.ACTIVA
    ).values("organizacion_id")
    membresia = (
        Membresia.objects.filter(usuario=usuario, organizacion__in=orgs)
        .select_related("organizacion")
        .order_by("pk")
        .first()
    )
    return membresia.organizacion if membresia else None


def colegas_posibles(sesion, titular):
    """Who may stand in for `titular`: the other active members of their organization in the mesa who neither
    stand in for someone else nor named a subrogante themselves in this session."""
    organizacion = organizacion_en_la_mesa(titular, sesion.mesa)
    if organizacion is None:
        return Usuario.objects.none()
    ocupados = Subrogacion.objects.filter(sesion=sesion)
    return (
        Usuario.objects.filter(is_active=True, membresias__organizacion=organizacion)
        .exclude(pk=titular.pk)
        .exclude(pk__in=ocupados.filter(subrogante__isnull=False).values("subrogante_id"))
        .exclude(pk__in=ocupados.values("titular_id"))
        .distinct()
        .order_by("nombre", "pk")
    )


def titulares_posibles(sesion):
    """The convened members without a subrogante who do not stand in for anyone (the coordination's choice)."""
    ocupados = Subrogacion.objects.filter(sesion=sesion)
    return (
        convocados(sesion)
        .exclude(pk__in=ocupados.values("titular_id"))
        .exclude(pk__in=ocupados.filter(subrogante__isnull=False).values("subrogante_id"))
    )


def _avisar_subrogante(subrogacion):
    """The convocatoria to whoever stands in, saying for whom: a colleague through the members' notice writer
    (mesa/avisos.py adds their answer links and .ics), an external person as a guest."""
    sesion = subrogacion.sesion
    if not _convocatoria_vigente(sesion):
        return []
    extra = {"titular": subrogacion.titular, "organizacion": subrogacion.organizacion}
    if subrogacion.externo:
        invitados = [subrogacion.invitado]
        plantilla = "sesion_subrogante"
        return invitados_avisar(sesion, invitados, plantilla=plantilla, causa="subrogante", metodo=REQUEST, extra=extra)
    return avisos_masivos_crear(
        para=[subrogacion.subrogante],
        plantilla="sesion_subrogante",
        contexto={"sesion": sesion, "metodo": REQUEST, **extra},
        clave=lambda usuario_id: f"subrogante:{sesion.pk}:{subrogacion.pk}:{usuario_id}:{sesion.secuencia}",
        sobre=sesion,
        redactor="mesa.sesion",
    )


@transaction.atomic
def subrogante_designar(*, sesion, titular, por, colega=None, nombre="", email="", cargo=""):
    """`titular` (a convened member; `por` is them or the coordination) names who stands in for them at this
    convened session: `colega`, an active member of their organization, or an external person (`nombre`,
    `email`, optional `cargo`), invited as a guest of the organization. Their answer becomes "Asistirá por
    subrogante" and the subrogante gets the convocatoria."""
    sesion = _bloquear(sesion)
    if por.pk != titular.pk and not puede_coordinar(por, sesion.mesa):
        raise PermissionDenied("Solo el miembro convocado o la coordinación designa a su subrogante.")
    if not _convocatoria_vigente(sesion):
        raise ValidationError("Solo se designa subrogante para una sesión convocada que aún no termina.")
    if not convocados(sesion).filter(pk=titular.pk).exists():
        raise ValidationError({"titular": "Solo un miembro convocado a la sesión designa subrogante."})
    if Subrogacion.objects.filter(sesion=sesion, titular=titular).exists():
        raise ValidationError(
            "Ya hay un(a) subrogante designado(a): quite esa designación antes de nombrar a otra persona."
        )
    if Subrogacion.objects.filter(sesion=sesion, subrogante=titular).exists():
        raise ValidationError("Quien subroga a otro miembro en esta sesión no designa, a su vez, un(a) subrogante.")
    nombre, email, cargo = (nombre or "").strip(), (email or "").strip(), (cargo or "").strip()
    externo = bool(nombre or email or cargo)
    if colega is not None and externo:
        raise ValidationError("Elija un(a) colega o escriba los datos de una persona externa, no ambos.")
    if colega is None and not externo:
        raise ValidationError(
            "Elija un(a) colega de su organización o escriba el nombre y el correo de una persona externa."
        )
    organizacion = organizacion_en_la_mesa(titular, sesion.mesa)
    subrogacion = Subrogacion(sesion=sesion, titular=titular, organizacion=organizacion, designada_por=por)
    if colega is not None:
        if not colegas_posibles(sesion, titular).filter(pk=colega.pk).exists():
            raise ValidationError(
                {"colega": f"Elija a otra persona activa de {organizacion} que no subrogue ya a otro miembro."}
            )
        subrogacion.subrogante = colega
    else:
        invitado = InvitadoSesion(
            sesion=sesion, nombre=nombre, institucion=organizacion.nombre, cargo=cargo, email=email, invitado_por=por
        )
        _exigir_invitable(sesion, invitado)
        if not limites.SUBROGANTES_POR_PERSONA.permitir(por.pk):
            raise ValidationError("Ha designado muchas personas externas hoy: vuelva a intentarlo mañana.")
        invitado.save()
        subrogacion.invitado = invitado
    subrogacion.save()
    Respuesta.objects.update_or_create(
        sesion=sesion,
        usuario=titular,
        defaults={"opcion": Respuesta.Opcion.SUBROGANTE, "via": Respuesta.Via.APLICACION},
    )
    _avisar_subrogante(subrogacion)
    return subrogacion


def _respuesta_de_titular_borrar(subrogacion):
    Respuesta.objects.filter(
        sesion_id=subrogacion.sesion_id, usuario_id=subrogacion.titular_id, opcion=Respuesta.Opcion.SUBROGANTE
    ).delete()


@transaction.atomic
def subrogacion_quitar(*, subrogacion, por):
    """Ends a designation (its titular or the coordination), while the session is not held: the member is again
    without an answer; an external subrogante's invitation is withdrawn, a colleague is told."""
    sesion = _bloquear(subrogacion.sesion)
    subrogacion = Subrogacion.objects.select_related("titular", "subrogante", "invitado").get(pk=subrogacion.pk)
    if por.pk != subrogacion.titular_id and not puede_coordinar(por, sesion.mesa):
        raise PermissionDenied("Solo el miembro que la designó o la coordinación quita esta designación.")
    if sesion.estado not in (Sesion.Estado.BORRADOR, Sesion.Estado.CONVOCADA):
        raise ValidationError("La designación de una sesión realizada o cancelada ya no cambia.")
    _respuesta_de_titular_borrar(subrogacion)
    if subrogacion.externo:
        _avisar_retiro(sesion, subrogacion.invitado, subrogacion=subrogacion)
        subrogacion.invitado.delete()  # and, with it, the designation
        return sesion
    if _convocatoria_vigente(sesion):
        contexto = {"sesion": sesion, "mesa": sesion.mesa, "subrogacion": subrogacion, "colega": True}
        mensaje = {
            "para": subrogacion.subrogante,
            "plantilla": "sesion_retiro",
            "contexto": contexto,
            "clave": f"retiro:{sesion.pk}:subrogacion{subrogacion.pk}:{sesion.secuencia}",
        }
        avisos_crear(mensajes=[mensaje], sobre=sesion, responder_a=direcciones_de_coordinacion(sesion.mesa))
    subrogacion.delete()
    return sesion


# --- Attendance and the acta ----------------------------------------------------------------------------


def asistencia_opciones(sesion):
    """What the attendance form adds to the members: {"invitados": [(id, etiqueta)], "marcados": [ids checked at
    first], "representaciones": {persona_id: " — en representación de Y"}}. Guests are checked at first if they
    said they would come; once attendance was recorded, as recorded."""
    todas = list(sesion.subrogaciones.select_related("titular"))
    subrogaciones = {s.invitado_id: s for s in todas if s.externo}
    representaciones = {s.subrogante_id: f" — en representación de {s.titular.nombre}" for s in todas if not s.externo}
    registrada = sesion.asistencias.exists()
    opciones, marcados = [], []
    for invitado in sesion.invitados.order_by("institucion", "nombre", "pk"):
        subrogacion = subrogaciones.get(invitado.pk)
        if subrogacion is not None:
            etiqueta = f"{invitado.nombre} (externo/a) — en representación de {subrogacion.titular.nombre}"
        else:
            etiqueta = f"{invitado.nombre} — {invitado.institucion}"
        opciones.append((invitado.pk, etiqueta))
        if invitado.asistio if registrada else invitado.respuesta == RespuestaInvitado.ASISTIRE:
            marcados.append(str(invitado.pk))
    return {"invitados": opciones, "marcados": marcados, "representaciones": representaciones}


def invitados_marcar_asistencia(sesion, presentes):
    """Guests present (ids) and absent, from the attendance form (mesa.services.asistencia_registrar)."""
    presentes = {int(pk) for pk in presentes}
    sesion.invitados.exclude(pk__in=presentes).update(asistio=False)
    sesion.invitados.filter(pk__in=presentes).update(asistio=True)


@dataclass(frozen=True)
class Representante:
    """Someone listed in the acta's attendance for the organization of the member they represent."""

    nombre: str
    pk: int | None = None


def con_representaciones(sesion, filas):
    """The acta's attendance rows [(organizacion or None, [presentes], [ausentes])] with the subrogantes: a
    colleague present reads "X en representación de Y"; an external subrogante present is added to the row of the
    organization they represent. Two queries."""
    subrogaciones = list(
        sesion.subrogaciones.select_related("titular", "subrogante", "invitado", "organizacion").order_by("pk")
    )
    if not subrogaciones:
        return filas
    colegas = {s.subrogante_id: s for s in subrogaciones if not s.externo}
    filas = [(org, list(presentes), list(ausentes)) for org, presentes, ausentes in filas]
    por_org = {(fila[0].pk if fila[0] else None): fila for fila in filas}
    for _, presentes, _ in filas:
        for i, persona in enumerate(presentes):
            if persona.pk in colegas:
                titular = colegas[persona.pk].titular
                presentes[i] = Representante(f"{persona.nombre} en representación de {titular.nombre}", persona.pk)
    for s in subrogaciones:
        if s.externo and s.invitado.asistio:
            fila = por_org.get(s.organizacion_id)
            if fila is None:
                fila = por_org[s.organizacion_id] = (s.organizacion, [], [])
                filas.append(fila)
            fila[1].append(Representante(f"{s.invitado.nombre} (externo/a) en representación de {s.titular.nombre}"))
    return sorted(filas, key=lambda f: f[0].nombre if f[0] else "")


def invitados_de_la_sesion(sesion):
    """The guests who are not subrogantes, ordered by institution."""
    return sesion.invitados.filter(subrogacion__isnull=True).order_by("institucion", "nombre", "pk")


def invitados_por_institucion(sesion):
    """[(institucion, [presentes], [ausentes])] of the guests (not subrogantes), for the acta."""
    grupos = {}
    for invitado in invitados_de_la_sesion(sesion):
        fila = grupos.setdefault(invitado.institucion, (invitado.institucion, [], []))
        fila[1 if invitado.asistio else 2].append(invitado)
    return list(grupos.values())


# --- Quorum ---------------------------------------------------------------------------------------------

# How each fraction reads in a sentence, and its minimum for n member organizations.
FRACCIONES = {
    ReglaQuorum.MAYORIA_ABSOLUTA: ("mayoría absoluta", lambda n: n // 2 + 1),
    ReglaQuorum.MITAD: ("la mitad", lambda n: math.ceil(n / 2)),
    ReglaQuorum.TRES_QUINTOS: ("tres quintos", lambda n: math.ceil(3 * n / 5)),
    ReglaQuorum.DOS_TERCIOS: ("dos tercios", lambda n: math.ceil(2 * n / 3)),
    ReglaQuorum.UN_TERCIO: ("un tercio", lambda n: math.ceil(n / 3)),
}


def organizaciones_miembro(mesa):
    """Ids of the member organizations: the host and those that accepted, active."""
    return set(
        mesa.participaciones.filter(
            estado=Participacion.Estado.ACEPTADA, organizacion__estado=Organizacion.Estado.ACTIVA
        ).values_list("organizacion_id", flat=True)
    )


def quorum_minimo(mesa, miembros):
    """How many organizations the mesa's rule asks for, out of `miembros` (None: the mesa sets no quorum)."""
    if mesa.quorum_regla == ReglaQuorum.NUMERO:
        return mesa.quorum_minimo
    if mesa.quorum_regla in FRACCIONES:
        return max(1, FRACCIONES[mesa.quorum_regla][1](miembros)) if miembros else None
    return None


def _resultado(mesa, presentes, miembros):
    minimo = quorum_minimo(mesa, miembros)
    regla = FRACCIONES[mesa.quorum_regla][0] if mesa.quorum_regla in FRACCIONES else ""
    return {
        "presentes": presentes,
        "miembros": miembros,
        "minimo": minimo,
        "regla": regla,
        "alcanzado": None if minimo is None else presentes >= minimo,
    }


def organizaciones_presentes(sesion, miembros):
    """Ids of the member organizations present: with a person marked present (a colleague subrogante is one of
    them) or an external subrogante who attended. Guests are not member organizations."""
    presentes = set(
        sesion.asistencias.filter(presente=True, organizacion__isnull=False).values_list("organizacion_id", flat=True)
    )
    presentes |= set(sesion.subrogaciones.filter(invitado__asistio=True).values_list("organizacion_id", flat=True))
    return presentes & miembros


def quorum_calcular(sesion):
    miembros = organizaciones_miembro(sesion.mesa)
    return _resultado(sesion.mesa, len(organizaciones_presentes(sesion, miembros)), len(miembros))


def quorum_guardar(sesion):
    """Stores the quorum of the attendance just recorded (mesa.services.asistencia_registrar; the acta's draft
    stores it if the session has none yet)."""
    sesion.quorum = quorum_calcular(sesion)
    Sesion.objects.filter(pk=sesion.pk).update(quorum=sesion.quorum)
    return sesion.quorum


def quorum_previsto(sesion):
    """Before attendance: the member organizations that would be present by the answers so far (a member who
    named a subrogante counts: someone comes for them)."""
    miembros = organizaciones_miembro(sesion.mesa)
    vienen = sesion.respuestas.filter(opcion__in=[Respuesta.Opcion.ASISTIRE, Respuesta.Opcion.SUBROGANTE])
    orgs = set(
        Membresia.objects.filter(usuario__in=vienen.values("usuario_id"), organizacion__in=miembros).values_list(
            "organizacion_id", flat=True
        )
    )
    return _resultado(sesion.mesa, len(orgs), len(miembros))


def quorum_texto(quorum):
    """ "Quórum: 5 de 9 organizaciones presentes — alcanzado (mínimo 5, mayoría absoluta)." """
    presentes, miembros = quorum["presentes"], quorum["miembros"]
    cuantas = f"{presentes} de {miembros} {'organizaciones presentes' if miembros != 1 else 'organización presente'}"
    if quorum["minimo"] is None:
        return f"Organizaciones presentes: {presentes} de {miembros} (la mesa no fija quórum)."
    regla = f", {quorum['regla']}" if quorum["regla"] else ""
    estado = "alcanzado" if quorum["alcanzado"] else "no alcanzado"
    return f"Quórum: {cuantas} — {estado} (mínimo {quorum['minimo']}{regla})."


def quorum_regla_texto(mesa):
    """ "Quórum: mayoría absoluta (hoy, 5 de 9 organizaciones)." or "Sin quórum exigido." """
    if mesa.quorum_regla == ReglaQuorum.NINGUNA:
        return "Sin quórum exigido."
    miembros = len(organizaciones_miembro(mesa))
    minimo = quorum_minimo(mesa, miembros)
    if mesa.quorum_regla == ReglaQuorum.NUMERO:
        return f"Quórum: {minimo} de {miembros} organizaciones."
    return f"Quórum: {FRACCIONES[mesa.quorum_regla][0]} (hoy, {minimo} de {miembros} organizaciones)."


def quorum_exigido_texto(previsto):
    """Before attendance: "Quórum exigido: 5 de 9 organizaciones (mayoría absoluta). Según las respuestas
    recibidas, asistirían 3." """
    regla = f" ({previsto['regla']})" if previsto["regla"] else ""
    return (
        f"Quórum exigido: {previsto['minimo']} de {previsto['miembros']} organizaciones{regla}. "
        f"Según las respuestas recibidas, asistirían {previsto['presentes']}."
    )


@transaction.atomic
def mesa_quorum_fijar(*, mesa, por, regla, minimo=None):
    """The mesa's quorum rule: none, a number of organizations (at most its members), or a fraction of them.
    Sessions already held keep the quorum they recorded."""
    _exigir_coordinacion(mesa, por)
    if regla not in ReglaQuorum.values:
        raise ValidationError({"quorum_regla": "Elija cómo se calcula el quórum."})
    if regla == ReglaQuorum.NUMERO:
        miembros = len(organizaciones_miembro(mesa))
        if not minimo or minimo < 1:
            raise ValidationError({"quorum_minimo": "Indique cuántas organizaciones deben estar presentes."})
        if minimo > miembros:
            raise ValidationError(
                {"quorum_minimo": f"La mesa tiene {miembros} organizaciones miembro: el mínimo no puede ser mayor."}
            )
    else:
        minimo = None
    mesa.quorum_regla, mesa.quorum_minimo = regla, minimo
    mesa.save(update_fields=["quorum_regla", "quorum_minimo"])
    return mesa
