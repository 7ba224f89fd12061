"""The consejo comunal de seguridad pública (Ley 20.965; Ley Orgánica de Municipalidades, art. 104 A–B): a kind of
mesa that belongs to one commune, hosted by its security directorate and chaired by the alcalde or a delegate, whose
standing members are mostly institutions (IntegranteInstitucional) and which must meet at least once a month.

Here: who may create it and the services that write it, its members by institution against the legal minimum, the
monthly cadence (the next session proposed a month after the last one, on the same weekday of the month), and the
yearly view of sessions held against the legal minimum, month by month — the last two serve any mesa.
"""

import calendar
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import dateformat, timezone

from comunas.models import Membresia, Organizacion
from mesa import services
from mesa.access import get_mesa_for, puede_coordinar
from mesa.models import Acta, IntegranteInstitucional, Mesa, Participacion, PuntoTabla, Sesion
from nucleo.largos import exigir_largos

SESIONES_MINIMAS_AL_ANIO = 12  # "a lo menos una vez al mes" (../shared/DOMAIN.md)
DESCRIPCION = (
    "Órgano consultivo del alcalde en materia de seguridad pública comunal e instancia de coordinación "
    "interinstitucional a nivel local (Ley 20.965). Sesiona a lo menos una vez al mes y deja acta de cada sesión."
)
FECHA_LARGA = r"l j \d\e F \d\e Y, H:i"


def nombre_del_consejo(comuna):
    return f"Consejo comunal de seguridad pública de {comuna.nombre}"


# --- Who creates a consejo ------------------------------------------------------------------------------


def direcciones_sin_consejo(user):
    """The active municipal directorates for which this user may create the commune's consejo: the ones they direct
    (all of them, for staff) whose commune has none yet."""
    if not user.is_authenticated:
        return Organizacion.objects.none()
    direcciones = Organizacion.objects.filter(
        estado=Organizacion.Estado.ACTIVA, tipo=Organizacion.Tipo.DIRECCION_MUNICIPAL
    ).exclude(comuna__consejos__tipo=Mesa.Tipo.CONSEJO)
    if not user.is_staff:
        direcciones = direcciones.filter(membresias__usuario=user, membresias__rol=Membresia.Rol.DIRECTOR)
    return direcciones.select_related("comuna").distinct().order_by("nombre")


def consejo_de_la_comuna(comuna_id):
    return Mesa.objects.filter(tipo=Mesa.Tipo.CONSEJO, comuna_id=comuna_id).first()


def consejos_que_dirige(user):
    """The consejos of the communes whose directorate this user directs (to send them there instead of creating)."""
    if not user.is_authenticated:
        return Mesa.objects.none()
    comunas = Membresia.objects.filter(
        usuario=user,
        rol=Membresia.Rol.DIRECTOR,
        organizacion__estado=Organizacion.Estado.ACTIVA,
        organizacion__tipo=Organizacion.Tipo.DIRECCION_MUNICIPAL,
    ).values("organizacion__comuna_id")
    return Mesa.objects.filter(tipo=Mesa.Tipo.CONSEJO, comuna__in=comunas).order_by("nombre")


def boton_crear_consejo(user):
    """What the list of mesas offers: «Crear el consejo comunal de <Comuna>» to a directorate without one (for staff,
    one button to choose the commune), or nothing."""
    direcciones = list(direcciones_sin_consejo(user)[:2])
    if not direcciones:
        return None
    if len(direcciones) == 1 and not user.is_staff:
        return f"Crear el consejo comunal de {direcciones[0].comuna.nombre}"
    return "Crear un consejo comunal"


@transaction.atomic
def consejo_crear(*, anfitriona, por, presidencia_nombre, presidencia_cargo, descripcion=""):
    """The commune's consejo, hosted by its active security directorate (one per commune); `por` coordinates it.
    Who may create it is checked here too: the directorate's director(a), or staff."""
    if not direcciones_sin_consejo(por).filter(pk=anfitriona.pk).exists():
        if anfitriona.comuna_id and consejo_de_la_comuna(anfitriona.comuna_id):
            raise ValidationError(
                {"anfitriona": f"La comuna de {anfitriona.comuna} ya tiene su consejo comunal en la plataforma."}
            )
        raise PermissionDenied("Solo la dirección de seguridad pública de la comuna crea su consejo comunal.")
    consejo = Mesa(
        tipo=Mesa.Tipo.CONSEJO,
        comuna=anfitriona.comuna,
        nombre=nombre_del_consejo(anfitriona.comuna),
        anfitriona=anfitriona,
        presidencia_nombre=presidencia_nombre,
        presidencia_cargo=presidencia_cargo,
        descripcion=descripcion or DESCRIPCION,
        acepta_solicitudes=False,  # the commune's own table: its members are invited, nobody asks to join
    )
    exigir_largos(consejo)
    try:
        with transaction.atomic():
            consejo.save()
    except IntegrityError:  # another request created it meanwhile
        raise ValidationError(
            {"anfitriona": f"La comuna de {anfitriona.comuna} ya tiene su consejo comunal en la plataforma."}
        ) from None
    consejo.coordinadores.add(por)
    Participacion.objects.create(
        mesa=consejo,
        organizacion=anfitriona,
        estado=Participacion.Estado.ACEPTADA,
        aceptada_en=timezone.now(),
        aceptada_por=por,
    )
    return consejo


def _exigir_consejo(mesa):
    if not mesa.es_consejo:
        raise Http404("Esta mesa no es un consejo comunal.")


def get_consejo_for(user, pk, need="ver"):
    """A consejo through the mesa's gate; any other mesa is a 404 here."""
    mesa = get_mesa_for(user, pk, need=need)
    _exigir_consejo(mesa)
    return mesa


@transaction.atomic
def consejo_editar(*, consejo, por, presidencia_nombre, presidencia_cargo, descripcion=""):
    consejo = Mesa.objects.select_for_update().get(pk=consejo.pk)
    if not puede_coordinar(por, consejo):
        raise PermissionDenied("Solo la coordinación del consejo puede hacer esto.")
    consejo.presidencia_nombre, consejo.presidencia_cargo = presidencia_nombre, presidencia_cargo
    consejo.descripcion = descripcion
    exigir_largos(consejo, ["presidencia_nombre", "presidencia_cargo", "descripcion"])
    consejo.save(update_fields=["presidencia_nombre", "presidencia_cargo", "descripcion"])
    return consejo


# --- Institutional members --------------------------------------------------------------------------------


def get_integrante_for(user, pk):
    """A standing member, for the consejo's coordination (404 for who does not see the consejo, 403 for members)."""
    try:
        integrante = IntegranteInstitucional.objects.get(pk=pk)
    except (IntegranteInstitucional.DoesNotExist, ValueError, TypeError):
        raise Http404("No existe ese integrante.") from None
    integrante.mesa = get_consejo_for(user, integrante.mesa_id, need="coordinar")
    return integrante


CAMPOS_DEL_INTEGRANTE = ("institucion", "unidad", "nombre", "cargo", "email")


def _guardar_integrante(integrante):
    exigir_largos(integrante)
    repetido = IntegranteInstitucional.objects.filter(mesa=integrante.mesa, email__iexact=integrante.email)
    if integrante.email and repetido.exclude(pk=integrante.pk).exists():
        raise ValidationError({"email": "Ya hay un integrante del consejo con ese correo."})
    integrante.save()
    return integrante


@transaction.atomic
def integrante_agregar(*, consejo, por, **datos):
    if not consejo.es_consejo:
        raise ValidationError("Solo un consejo comunal registra integrantes institucionales.")
    if not puede_coordinar(por, consejo):
        raise PermissionDenied("Solo la coordinación del consejo registra a sus integrantes.")
    Mesa.objects.select_for_update().get(pk=consejo.pk)
    datos = {campo: datos.get(campo) or "" for campo in CAMPOS_DEL_INTEGRANTE}
    return _guardar_integrante(IntegranteInstitucional(mesa=consejo, **datos))


@transaction.atomic
def integrante_editar(*, integrante, por, **datos):
    if not puede_coordinar(por, integrante.mesa):
        raise PermissionDenied("Solo la coordinación del consejo registra a sus integrantes.")
    Mesa.objects.select_for_update().get(pk=integrante.mesa_id)
    for campo in CAMPOS_DEL_INTEGRANTE:
        setattr(integrante, campo, datos.get(campo) or "")
    return _guardar_integrante(integrante)


@transaction.atomic
def integrante_quitar(*, integrante, por):
    if not puede_coordinar(por, integrante.mesa):
        raise PermissionDenied("Solo la coordinación del consejo registra a sus integrantes.")
    integrante.delete()
    return integrante


def integracion_legal(integrantes):
    """Art. 104 B against the registered members: [(institution's label, required, registered)], in the law's
    order, plus whether all are there."""
    cuantos = {}
    for integrante in integrantes:
        cuantos[integrante.institucion] = cuantos.get(integrante.institucion, 0) + 1
    filas = [
        {
            "institucion": IntegranteInstitucional.Institucion(clave).label,
            "requeridos": requeridos,
            "registrados": cuantos.get(clave, 0),
            "completa": cuantos.get(clave, 0) >= requeridos,
        }
        for clave, requeridos in IntegranteInstitucional.REQUERIDOS.items()
    ]
    return {"filas": filas, "completa": all(f["completa"] for f in filas)}


def integrantes_en_orden(consejo):
    orden = {clave: i for i, clave in enumerate(IntegranteInstitucional.Institucion.values)}
    return sorted(consejo.integrantes_institucionales.all(), key=lambda i: (orden[i.institucion], i.nombre, i.pk))


def contexto_de_la_mesa(mesa, *, coordina):
    """What the mesa's page adds: for a consejo, its members by institution and the legal minimum; for any mesa,
    whether the next session can be proposed from the last one."""
    contexto = {"puede_proponer": coordina and ultima_sesion(mesa) is not None}
    if mesa.es_consejo:
        integrantes = integrantes_en_orden(mesa)
        contexto.update(integrantes=integrantes, integracion=integracion_legal(integrantes))
    return contexto


# --- The monthly cadence -----------------------------------------------------------------------------------

ORDINALES = ("primer", "segundo", "tercer", "cuarto", "último")
DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def ultima_sesion(mesa):
    """The latest session that was not cancelled (draft, convened or held)."""
    return mesa.sesiones.exclude(estado=Sesion.Estado.CANCELADA).order_by("-inicio", "-pk").first()


def _mes_siguiente(anio, mes, saltos=1):
    indice = anio * 12 + (mes - 1) + saltos
    return indice // 12, indice % 12 + 1


def dia_equivalente(fecha, anio, mes):
    """The same weekday of the month in another month: the 2nd Tuesday gives the 2nd Tuesday; a 5th occurrence gives
    the last one of that month."""
    ordinal = (fecha.day - 1) // 7  # 0 = first … 4 = fifth
    dias_del_mes = calendar.monthrange(anio, mes)[1]
    primero = date(anio, mes, 1)
    dia = 1 + (fecha.weekday() - primero.weekday()) % 7 + 7 * min(ordinal, 3)
    if ordinal == 4:
        while dia + 7 <= dias_del_mes:
            dia += 7
    return date(anio, mes, dia)


def regla_mensual(fecha):
    """ "el segundo martes de cada mes"."""
    return f"el {ORDINALES[(fecha.day - 1) // 7]} {DIAS[fecha.weekday()]} de cada mes"


def proponer_proxima(mesa, *, ahora=None):
    """The next session a month after the last one — same weekday of the month, same time, length, place and
    reminders — moved month by month until it is in the future. None when the mesa has no session yet. Returns
    (initial data for the session form, the last session, the rule in words)."""
    ultima = ultima_sesion(mesa)
    if ultima is None:
        return None
    ahora = ahora or timezone.now()
    base = timezone.localtime(ultima.inicio)
    duracion = ultima.fin - ultima.inicio
    anio, mes = base.year, base.month
    for _ in range(600):  # 50 years: a bound, never reached in practice
        anio, mes = _mes_siguiente(anio, mes)
        dia = dia_equivalente(base.date(), anio, mes)
        inicio = timezone.make_aware(datetime.combine(dia, base.time().replace(second=0, microsecond=0)))
        if inicio > ahora:
            break
    inicial = {
        "tipo": Sesion.Tipo.ORDINARIA,
        "inicio": inicio,
        "fin": inicio + duracion,
        "modalidad": ultima.modalidad,
        "lugar": ultima.lugar,
        "enlace": ultima.enlace,
        "recordatorios": ", ".join(f"{m / 60:g}" for m in ultima.recordatorios),
        "copiar_tabla": True,
    }
    return inicial, ultima, regla_mensual(base.date())


@transaction.atomic
def sesion_proxima_crear(*, mesa, por, copiar_tabla=False, **datos):
    """A new session (mesa.services.sesion_crear) and, if asked, the agenda of the last session copied into it:
    titles, descriptions, presenters, durations and start times (not the linked documents, which were that day's)."""
    anterior = ultima_sesion(mesa)
    sesion = services.sesion_crear(mesa=mesa, por=por, **datos)
    if copiar_tabla and anterior is not None:
        participantes = set(
            mesa.participaciones.filter(estado=Participacion.Estado.ACEPTADA).values_list("organizacion_id", flat=True)
        )
        PuntoTabla.objects.bulk_create(
            PuntoTabla(
                sesion=sesion,
                orden=punto.orden,
                titulo=punto.titulo,
                descripcion=punto.descripcion,
                organizacion_id=punto.organizacion_id if punto.organizacion_id in participantes else None,
                expositor=punto.expositor,
                duracion_minutos=punto.duracion_minutos,
                hora_inicio=punto.hora_inicio,
            )
            for punto in anterior.puntos.all()
        )
    return sesion


def fecha_larga(valor):
    return dateformat.format(timezone.localtime(valor), FECHA_LARGA)


# --- The yearly view ---------------------------------------------------------------------------------------


def anios_con_registro(mesa, hoy=None):
    """From the year the mesa was registered (or of its first session) to next year."""
    hoy = hoy or timezone.localdate()
    primera = mesa.sesiones.order_by("inicio").values_list("inicio", flat=True).first()
    desde = min(timezone.localdate(mesa.creada).year, timezone.localdate(primera).year if primera else hoy.year)
    return range(desde, hoy.year + 2)


def resumen_anual(mesa, anio, *, coordina, hoy=None):
    """Month by month, the sessions of one year (drafts only for the coordination) and, for a consejo, whether each
    month had the session the law requires. A month counts once a session was held (attendance recorded). One query.
    """
    hoy = hoy or timezone.localdate()
    desde = timezone.make_aware(datetime(anio, 1, 1))
    hasta = timezone.make_aware(datetime(anio + 1, 1, 1))
    sesiones = mesa.sesiones.filter(inicio__gte=desde, inicio__lt=hasta).select_related("acta").order_by("inicio")
    if not coordina:
        sesiones = sesiones.exclude(estado=Sesion.Estado.BORRADOR)
    meses = [{"mes": date(anio, m, 1), "sesiones": []} for m in range(1, 13)]
    for sesion in sesiones:
        sesion.acta_leida = acta_de(sesion)
        meses[timezone.localtime(sesion.inicio).month - 1]["sesiones"].append(sesion)
    registro = inicio_del_registro(mesa)
    for mes in meses:
        ultimo_dia = mes["mes"].replace(day=calendar.monthrange(anio, mes["mes"].month)[1])
        estados = [s.estado for s in mes["sesiones"]]
        mes["realizadas"] = estados.count(Sesion.Estado.REALIZADA)
        convocada = Sesion.Estado.CONVOCADA in estados
        if mes["realizadas"]:
            mes["estado"], mes["texto"] = "cumplido", "Con sesión realizada"
        elif mes["mes"] > hoy:
            mes["estado"], mes["texto"] = "por_venir", "Sesión convocada" if convocada else "Por venir"
        elif ultimo_dia < registro:
            mes["estado"], mes["texto"] = "sin_registro", "Antes de su registro en la plataforma"
        elif ultimo_dia >= hoy:
            mes["estado"], mes["texto"] = "en_curso", "En curso: sesión convocada" if convocada else "En curso"
        else:
            mes["estado"], mes["texto"] = "falta", "Sin sesión realizada"
    con_sesion = sum(1 for m in meses if m["realizadas"])
    # The months the platform can answer for: from the registration (or the first session recorded) on.
    exigibles = sum(1 for m in meses if m["estado"] != "sin_registro")
    resumen = {
        "anio": anio,
        "meses": meses,
        "realizadas": sum(m["realizadas"] for m in meses),
        "meses_con_sesion": con_sesion,
        "meses_sin_sesion": sum(1 for m in meses if m["estado"] == "falta"),
        "minimo": SESIONES_MINIMAS_AL_ANIO if mesa.es_consejo else None,
        "registro": registro if registro.year == anio and exigibles < 12 else None,
        "exigibles": exigibles,
    }
    if mesa.es_consejo:
        resumen["faltan"] = max(0, exigibles - con_sesion)
        resumen["cumple"] = exigibles > 0 and resumen["faltan"] == 0
    return resumen


def inicio_del_registro(mesa):
    """Since when the platform holds the mesa's sessions: its registration, or its first session if earlier (a
    consejo may load the sessions it held before joining). One query."""
    primera = mesa.sesiones.order_by("inicio").values_list("inicio", flat=True).first()
    registro = timezone.localdate(mesa.creada)
    return min(registro, timezone.localdate(primera)) if primera else registro


def acta_de(sesion):
    try:
        return sesion.acta
    except Acta.DoesNotExist:
        return None


def leer_anio(valor, hoy=None):
    """The year asked for (?anio=2026), or the current one; (year, error message or "")."""
    hoy = hoy or timezone.localdate()
    if valor in (None, ""):
        return hoy.year, ""
    try:
        anio = int(valor)
    except (TypeError, ValueError):
        return hoy.year, f"«{valor}» no es un año; se muestra {hoy.year}."
    if not 2000 <= anio <= hoy.year + 5:
        return hoy.year, f"Elija un año entre 2000 y {hoy.year + 5}; se muestra {hoy.year}."
    return anio, ""
