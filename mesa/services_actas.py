"""Writes after the session: the acta (draft, comments, approval, publication), its acuerdos (and turning one into
an activity of a plan), the weekly acuerdos digest, and the personal calendar feed token. Invitations to the
mesa: mesa/services_participacion.py."""

import secrets
import textwrap
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from comunas.access import es_miembro_de_la_plataforma
from comunas.models import Membresia, Organizacion, Usuario
from diagnosticos.graficos import cifra
from mesa.access import mesas_visibles, puede_actualizar_acuerdo, puede_comentar_acta
from mesa.acta_pdf import acta_pdf
from mesa.models import (
    MAX_SECCION_ACTA,
    Acta,
    Acuerdo,
    CalendarioPersonal,
    ComentarioActa,
    Participacion,
    PuntoTabla,
    SeccionActa,
    Sesion,
    dia_largo,
)
from mesa.selectors import (
    convocados,
    proxima_sesion_para_el_acta,
    punto_de_aprobacion_pendiente,
    sesiones_para_aprobar,
)
from mesa.services import _exigir_coordinacion, _renumerar, direcciones_de_coordinacion
from mesa.services_participantes import con_representaciones, quorum_guardar
from nucleo.avisos import aviso_crear, avisos_masivos_crear
from nucleo.formato import con_articulo
from nucleo.largos import exigir_largos, mensaje_largo
from planes import services as planes_services
from planes.models import Nodo, Plan

PLAZO_COMENTARIOS_MAX_DIAS = 60


def _url(nombre, *args):
    return f"{settings.SITE_URL}{reverse(nombre, args=args)}"


def _bloquear(acta):
    return Acta.objects.select_for_update().select_related("sesion__mesa__anfitriona").get(pk=acta.pk)


def _avisar_miembros(acta, *, plantilla, causa, extra=None, redactor=""):
    """One notice per convened person (every active member of the participating organizations), as a mass
    notice: one insert whatever their number, written by the worker that sends it. Replies reach the coordination."""
    sesion = acta.sesion
    contexto = {
        "acta": acta,
        "sesion": sesion,
        "mesa": sesion.mesa,
        "url_acta": _url("mesa:acta", sesion.pk),
        **(extra or {}),
    }
    return avisos_masivos_crear(
        para=convocados(sesion),
        plantilla=plantilla,
        contexto=contexto,
        clave=lambda usuario_id: f"{causa}:{acta.pk}:{usuario_id}:{acta.vueltas}",
        sobre=sesion,
        redactor=redactor,
        responder_a=direcciones_de_coordinacion(sesion.mesa),
    )


# --- Acta -----------------------------------------------------------------------------------------------


def avance_del_plan(plan, fecha):
    """The sentence an acta keeps about a plan presented at the session: its progress at that moment."""
    return f"Avance del plan «{plan.titulo}» al {fecha:%d-%m-%Y}: {cifra(plan.avance, 0)} %."


@transaction.atomic
def acta_redactar(*, sesion, por):
    """Starts the draft of a held session: one section per agenda item. Returns the existing one if any. The
    section of an item that presented a plan starts with the plan's progress as it is now (the plan moves on;
    the acta keeps what the mesa saw)."""
    sesion = Sesion.objects.select_for_update().select_related("mesa").get(pk=sesion.pk)
    _exigir_coordinacion(sesion.mesa, por)
    existente = Acta.objects.filter(sesion=sesion).first()
    if existente is not None:
        return existente
    if sesion.estado != Sesion.Estado.REALIZADA:
        raise ValidationError("El acta se redacta después de registrar la asistencia de la sesión.")
    if sesion.quorum is None:  # attendance recorded before quorums were kept: the acta keeps today's
        quorum_guardar(sesion)
    acta = Acta.objects.create(sesion=sesion, redactada_por=por)
    hoy = timezone.localdate()
    SeccionActa.objects.bulk_create(
        SeccionActa(
            acta=acta,
            punto=punto,
            orden=punto.orden,
            titulo=punto.titulo,
            texto=avance_del_plan(punto.plan, hoy) if punto.plan else "",
        )
        for punto in sesion.puntos.select_related("plan")
    )
    return acta


@transaction.atomic
def acta_guardar(*, acta, por, resumen, textos):
    """Saves the introduction and the text of each section (`textos`: {seccion_id: texto})."""
    acta = _bloquear(acta)
    _exigir_coordinacion(acta.sesion.mesa, por)
    if not acta.editable:
        raise ValidationError("Un acta aprobada ya no se modifica.")
    acta.resumen = resumen
    exigir_largos(acta, ["resumen"])
    secciones = [s for s in acta.secciones.all() if s.pk in textos]
    for seccion in secciones:
        seccion.texto = textos[seccion.pk]
        if len(seccion.texto) > MAX_SECCION_ACTA:  # named by its title: every section's field is "texto"
            mensaje = mensaje_largo(seccion.titulo, MAX_SECCION_ACTA, len(seccion.texto))
            raise ValidationError({f"seccion_{seccion.pk}": mensaje})
    acta.save(update_fields=["resumen"])
    for seccion in secciones:
        seccion.save(update_fields=["texto"])
    return acta


def validar_plazo_comentarios(plazo, hoy=None):
    """At least until tomorrow (members need a day to read it), at most PLAZO_COMENTARIOS_MAX_DIAS ahead."""
    hoy = hoy or timezone.localdate()
    if plazo <= hoy:
        raise ValidationError({"plazo_comentarios": "Dé al menos hasta mañana para comentar."})
    if plazo > hoy + timedelta(days=PLAZO_COMENTARIOS_MAX_DIAS):
        raise ValidationError(
            {"plazo_comentarios": f"El plazo para comentar no puede pasar de {PLAZO_COMENTARIOS_MAX_DIAS} días."}
        )


@transaction.atomic
def acta_circular(*, acta, por, plazo_comentarios=None):
    """Sends the draft to every member for comments until `plazo_comentarios` (inclusive; a week by default),
    again after changes: a new round, a new deadline, a new notice."""
    acta = _bloquear(acta)
    _exigir_coordinacion(acta.sesion.mesa, por)
    if not acta.editable:
        raise ValidationError("Solo se circula un acta que aún no está aprobada.")
    plazo = plazo_comentarios or Acta.plazo_por_defecto()
    validar_plazo_comentarios(plazo)
    acta.estado = Acta.Estado.EN_REVISION
    acta.vueltas += 1
    acta.circulada_en = timezone.now()
    acta.plazo_comentarios = plazo
    acta.save(update_fields=["estado", "vueltas", "circulada_en", "plazo_comentarios"])
    _avisar_miembros(acta, plantilla="acta_circulada", causa="acta_circulada", extra={"plazo": plazo})
    return acta


@transaction.atomic
def acta_comentar(*, acta, por, texto):
    """A comment while the acta circulates, up to its deadline: a late one is refused (the coordination may
    circulate the acta again with a new deadline), so an approval never overlooks a comment it did not wait for."""
    if acta.estado != Acta.Estado.EN_REVISION:
        raise ValidationError("Solo se comenta un acta en revisión.")
    if not puede_comentar_acta(por, acta):
        raise PermissionDenied("Solo los miembros de la mesa comentan el acta.")
    if acta.plazo_vencido():
        raise ValidationError(
            {
                "texto": f"El plazo para comentar esta acta venció el {dia_largo(acta.plazo_comentarios)}. "
                "Si su observación es importante, respóndale a la coordinación desde el correo del acta."
            }
        )
    texto = texto.strip()
    if not texto:
        raise ValidationError({"texto": "Escriba su comentario."})
    comentario = ComentarioActa(acta=acta, autor=por, texto=texto)
    exigir_largos(comentario, ["texto"])
    comentario.save()
    return comentario


@transaction.atomic
def comentario_atender(*, comentario, por, atendido=True):
    """The coordination marks a comment as attended (or open again) while the acta can still change."""
    acta = _bloquear(comentario.acta)
    _exigir_coordinacion(acta.sesion.mesa, por)
    if not acta.editable:
        raise ValidationError("Los comentarios de un acta aprobada ya no cambian.")
    comentario = ComentarioActa.objects.select_for_update().get(pk=comentario.pk, acta=acta)
    comentario.atendido_en = timezone.now() if atendido else None
    comentario.atendido_por = por if atendido else None
    comentario.save(update_fields=["atendido_en", "atendido_por"])
    return comentario


def _pdf_guardar(acta, generado=None):
    """Renders the acta as it stands and stores it as its approved PDF (the caller saves the row). Returns the
    bytes."""
    contenido = acta_pdf(acta, asistencia=asistencia_del_acta(acta), generado=generado)
    acta.pdf_aprobado.save(f"acta-sesion-{acta.sesion.numero}.pdf", ContentFile(contenido), save=False)
    return contenido


@transaction.atomic
def acta_aprobar(*, acta, por, en_sesion=None, con_comentarios_abiertos=False, comentarios_vistos=None):
    """The coordination approves it, or records that a later session of the mesa approved it (one that has
    begun: the acta is approved during or after it). Open comments (not attended) need `con_comentarios_abiertos`;
    `comentarios_vistos`, the ids of the open comments the coordinator was shown: one that arrived meanwhile
    stops the approval. The PDF is rendered now and kept: it is what was approved."""
    acta = _bloquear(acta)
    _exigir_coordinacion(acta.sesion.mesa, por)
    if not acta.editable:
        raise ValidationError("El acta ya está aprobada.")
    if en_sesion is not None and not sesiones_para_aprobar(acta).filter(pk=en_sesion.pk).exists():
        raise ValidationError(
            {"en_sesion": "Elija una sesión posterior de la misma mesa que ya haya comenzado y no esté cancelada."}
        )
    abiertos = set(acta.comentarios.filter(atendido_en__isnull=True).values_list("pk", flat=True))
    if comentarios_vistos is not None and abiertos - set(comentarios_vistos):
        raise ValidationError("Llegó un comentario nuevo mientras confirmaba: revíselo antes de aprobar el acta.")
    if abiertos and not con_comentarios_abiertos:
        cuantos = "1 comentario abierto" if len(abiertos) == 1 else f"{len(abiertos)} comentarios abiertos"
        raise ValidationError(
            {
                "con_comentarios_abiertos": f"El acta tiene {cuantos}: márquelos como atendidos o confirme que la "
                "aprueba con comentarios abiertos."
            }
        )
    acta.estado = Acta.Estado.APROBADA
    acta.aprobada_en = timezone.now()
    acta.aprobada_por = por
    acta.aprobada_en_sesion = en_sesion
    _pdf_guardar(acta, generado=acta.aprobada_en)
    try:
        acta.save(update_fields=["estado", "aprobada_en", "aprobada_por", "aprobada_en_sesion", "pdf_aprobado"])
    except Exception:
        default_storage.delete(acta.pdf_aprobado.name)  # no orphan file when the approval does not go through
        raise
    return acta


def acta_pdf_contenido(acta):
    """The acta's PDF: the one kept at approval, or, for a draft, rendered now. An acta approved before PDFs
    were kept (or whose file went missing) gets it at its first request, once, saying when it was generated."""
    if not acta.aprobada:
        return acta_pdf(acta, asistencia=asistencia_del_acta(acta))
    contenido = _pdf_leer(acta)
    if contenido is not None:
        return contenido
    with transaction.atomic():
        acta = Acta.objects.select_for_update().select_related("sesion__mesa__anfitriona").get(pk=acta.pk)
        contenido = _pdf_leer(acta)  # another request may have stored it meanwhile
        if contenido is None:
            contenido = _pdf_guardar(acta)
            acta.save(update_fields=["pdf_aprobado"])
    return contenido


def _pdf_leer(acta):
    if not acta.pdf_aprobado:
        return None
    try:
        with acta.pdf_aprobado.open("rb") as archivo:
            return archivo.read()
    except FileNotFoundError:
        return None


@transaction.atomic
def acta_publicar(*, acta, por):
    """Aprobada → publicada: every member gets a notice with the approved PDF attached and the links."""
    acta = _bloquear(acta)
    _exigir_coordinacion(acta.sesion.mesa, por)
    if acta.estado != Acta.Estado.APROBADA:
        raise ValidationError("Solo se publica un acta aprobada.")
    acta.estado = Acta.Estado.PUBLICADA
    acta.publicada_en = timezone.now()
    acta.save(update_fields=["estado", "publicada_en"])
    extra = {"url_pdf": _url("mesa:acta_pdf", acta.sesion_id), "acuerdos": list(acta.acuerdos.all())}
    _avisar_miembros(acta, plantilla="acta_publicada", causa="acta_publicada", extra=extra, redactor="mesa.acta")
    return acta


@transaction.atomic
def acta_a_la_tabla(*, acta, por):
    """ "Aprobación del acta anterior": puts the circulated acta first on the agenda of the mesa's next session
    (mesa.selectors.proxima_sesion_para_el_acta), linked to it, so that session approves it. Returns the item."""
    acta = _bloquear(acta)
    _exigir_coordinacion(acta.sesion.mesa, por)
    if acta.estado != Acta.Estado.EN_REVISION:
        raise ValidationError("Circule el acta para comentarios antes de ponerla en la tabla de la próxima sesión.")
    pendiente = punto_de_aprobacion_pendiente(acta)
    if pendiente is not None:
        raise ValidationError(f"El acta ya está en la tabla de la sesión n.º {pendiente.sesion.numero}.")
    proxima = proxima_sesion_para_el_acta(acta)
    if proxima is None:
        raise ValidationError("Cree primero la próxima sesión de la mesa para poner el acta en su tabla.")
    proxima = Sesion.objects.select_for_update().get(pk=proxima.pk)
    punto = PuntoTabla.objects.create(
        sesion=proxima,
        orden=0,
        titulo=f"Aprobación del acta anterior (sesión n.º {acta.sesion.numero})",
        organizacion=acta.sesion.mesa.anfitriona,
        duracion_minutos=10,
        acta_a_aprobar=acta,
    )
    _renumerar(proxima.puntos.all())  # first: it is read before the rest
    punto.refresh_from_db()
    return punto


def asistencia_del_acta(acta):
    """[(organizacion or None, [presentes], [ausentes])] from the attendance recorded for the session; a subrogante
    present reads "X en representación de Y" (mesa.services_participantes.con_representaciones)."""
    grupos = {}
    for asistencia in acta.sesion.asistencias.select_related("usuario", "organizacion"):
        fila = grupos.setdefault(asistencia.organizacion_id, (asistencia.organizacion, [], []))
        fila[1 if asistencia.presente else 2].append(asistencia.usuario)
    return con_representaciones(acta.sesion, sorted(grupos.values(), key=lambda f: f[0].nombre if f[0] else ""))


# --- Acuerdos -------------------------------------------------------------------------------------------


@transaction.atomic
def acuerdo_agregar(*, acta, por, descripcion, organizacion, plazo, persona=None):
    """An acuerdo of a participating organization; `persona`, optionally, an active member of it."""
    acta = _bloquear(acta)
    _exigir_coordinacion(acta.sesion.mesa, por)
    if not acta.editable:
        raise ValidationError("Los acuerdos se registran mientras el acta no está aprobada.")
    participa = acta.sesion.mesa.participaciones.filter(
        organizacion=organizacion, estado=Participacion.Estado.ACEPTADA
    ).exists()
    if not participa:
        raise ValidationError({"organizacion": "La organización responsable debe participar en la mesa."})
    if (
        persona is not None
        and not Membresia.objects.filter(usuario=persona, usuario__is_active=True, organizacion=organizacion).exists()
    ):
        raise ValidationError({"persona": "La persona responsable debe ser integrante de la organización responsable."})
    acuerdo = Acuerdo(acta=acta, descripcion=descripcion, organizacion=organizacion, persona=persona, plazo=plazo)
    exigir_largos(acuerdo, ["descripcion"])
    acuerdo.save()
    return acuerdo


@transaction.atomic
def acuerdo_cambiar_estado(*, acuerdo, por, estado):
    acuerdo = Acuerdo.objects.select_for_update().select_related("acta__sesion__mesa").get(pk=acuerdo.pk)
    if estado not in Acuerdo.Estado.values:
        raise ValidationError("Elija pendiente, en curso o cumplido.")
    if not puede_actualizar_acuerdo(por, acuerdo):
        raise PermissionDenied("Solo la organización responsable o la coordinación actualizan este acuerdo.")
    if acuerdo.sigue_actividad:
        raise ValidationError("Este acuerdo sigue el avance de su actividad en el plan: informe el avance allí.")
    acuerdo.estado = estado
    acuerdo.cumplido_en = timezone.now() if estado == Acuerdo.Estado.CUMPLIDO else None
    acuerdo.save(update_fields=["estado", "cumplido_en"])
    return acuerdo


@transaction.atomic
def acuerdo_convertir_en_actividad(*, acuerdo, por, linea):
    """ "Convertir en actividad": the acuerdo becomes, in one step, an activity of a plan under `linea` (an eje or
    línea de acción of a plan `por` may edit: planes.services.nodo_agregar checks it), with the acuerdo's text,
    responsible organization and person, and deadline. From then on the acuerdo's state follows the activity's
    progress (Acuerdo.actual). Returns the activity."""
    acuerdo = (
        Acuerdo.objects.select_for_update(of=("self",))
        .select_related("acta__sesion__mesa", "organizacion")
        .get(pk=acuerdo.pk)
    )
    if not puede_actualizar_acuerdo(por, acuerdo):
        raise PermissionDenied("Solo la organización responsable o la coordinación actualizan este acuerdo.")
    if acuerdo.acta.estado not in (Acta.Estado.APROBADA, Acta.Estado.PUBLICADA):
        raise ValidationError("Solo los acuerdos de un acta aprobada se convierten en actividades.")
    if acuerdo.actividad_id is not None:
        raise ValidationError("Este acuerdo ya es una actividad de un plan.")
    if acuerdo.estado == Acuerdo.Estado.CUMPLIDO:
        raise ValidationError("Un acuerdo cumplido no se convierte en actividad.")
    if linea.tipo == Nodo.Tipo.ACTIVIDAD or linea.descartado:
        raise ValidationError({"linea": "Elija una línea de acción o un eje del plan."})
    if linea.plan.estado == Plan.Estado.CERRADO:
        raise ValidationError({"linea": "Ese plan está cerrado: ya no recibe actividades."})
    sesion = acuerdo.acta.sesion
    dia = timezone.localdate(sesion.inicio)
    datos = {
        "tipo": Nodo.Tipo.ACTIVIDAD,
        "codigo": f"{linea.codigo}.{linea.hijos.count() + 1}" if linea.codigo else "",
        "titulo": textwrap.shorten(acuerdo.descripcion, 250, placeholder="…"),
        "descripcion": (
            f"{acuerdo.descripcion}\n\nAcuerdo de la sesión n.º {sesion.numero} "
            f"{con_articulo(sesion.mesa, 'de')} ({dia:%d-%m-%Y})."
        )[:4000],
        "responsable": acuerdo.organizacion,
        "persona": acuerdo.persona,
        "inicio": dia if dia <= acuerdo.plazo else None,
        "termino": acuerdo.plazo,
    }
    actividad = planes_services.nodo_agregar(plan=linea.plan, por=por, datos=datos, padre=linea)
    acuerdo.actividad = actividad
    acuerdo.save(update_fields=["actividad"])
    return actividad


def acuerdos_resumen_semanal(*, ahora=None):
    """Beat's weekly digest: each active member of each organization with open acuerdos (of approved actas)
    gets one notice listing them, overdue first. The key carries organization, ISO week and person, so
    running the sweep twice in a week sends nothing new."""
    ahora = ahora or timezone.now()
    hoy = timezone.localdate(ahora)
    anio, semana, _ = hoy.isocalendar()
    abiertos = (
        Acuerdo.objects.vigentes()
        .abiertos()
        .filter(organizacion__estado=Organizacion.Estado.ACTIVA)
        .select_related("organizacion", "acta__sesion__mesa", "actividad")
        .order_by("organizacion_id", "plazo", "pk")
    )
    por_organizacion = {}
    for acuerdo in abiertos:
        acuerdo.estado = acuerdo.actual  # in memory only: the e-mail reads get_estado_display
        por_organizacion.setdefault(acuerdo.organizacion, []).append(acuerdo)
    creados = []
    for organizacion, acuerdos in por_organizacion.items():
        vencidos = [a for a in acuerdos if a.plazo < hoy]
        contexto = {
            "organizacion": organizacion,
            "vencidos": vencidos,
            "en_plazo": [a for a in acuerdos if a.plazo >= hoy],
            "semana": f"{anio}-W{semana:02d}",
            "url_acuerdos": _url("mesa:mis_acuerdos"),
        }
        personas = Usuario.objects.filter(is_active=True, membresias__organizacion=organizacion).distinct()
        with transaction.atomic():
            for usuario in personas.order_by("pk"):
                creados.append(
                    aviso_crear(
                        para=usuario,
                        plantilla="acuerdos_semana",
                        contexto=contexto,
                        clave=f"acuerdos_semana:{organizacion.pk}:{anio}-W{semana:02d}:{usuario.pk}",
                        esencial=False,
                    )
                )
    return creados


# --- Personal calendar feed -----------------------------------------------------------------------------


@transaction.atomic
def calendario_generar(*, usuario):
    """A new secret token for the person's feed (the previous one stops working). Returns the token,
    which is shown once: only its hash is stored."""
    token = secrets.token_urlsafe(32)
    CalendarioPersonal.objects.update_or_create(
        usuario=usuario, defaults={"token_hash": CalendarioPersonal.huella(token), "usado_en": None}
    )
    return token


@transaction.atomic
def calendario_revocar(*, usuario):
    CalendarioPersonal.objects.filter(usuario=usuario).delete()


def calendario_de_token(token):
    """The person whose feed this token opens, or None (unknown, revoked, inactive, or no longer in the platform:
    without an active membership in an active organization, e.g. theirs was suspended or they left it)."""
    calendario = (
        CalendarioPersonal.objects.select_related("usuario")
        .filter(token_hash=CalendarioPersonal.huella(token), usuario__is_active=True)
        .first()
    )
    if calendario is None or not es_miembro_de_la_plataforma(calendario.usuario):
        return None
    CalendarioPersonal.objects.filter(pk=calendario.pk).update(usado_en=timezone.now())
    return calendario.usuario


CALENDARIO_HISTORIA = timedelta(days=365)


def sesiones_del_calendario(usuario):
    """The convened, held or cancelled sessions of the mesas the person takes part in (not drafts): every upcoming
    one and those of the last year. A weekly mesa holds hundreds over the years, and a calendar app fetches the
    whole feed every few hours: older sessions stay in the platform, not in the feed."""
    return (
        Sesion.objects.filter(mesa__in=mesas_visibles(usuario), fin__gte=timezone.now() - CALENDARIO_HISTORIA)
        .exclude(estado=Sesion.Estado.BORRADOR)
        .select_related("mesa")
        .prefetch_related("puntos")
        .order_by("inicio")
    )
