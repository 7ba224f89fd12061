"""Demo data of the mesa (after comunas.demo): the Zapallar mesa (quorum: mayoría absoluta), its first session held
(attendance with a Carabineros guest and a subrogante, an approved acta with acuerdos, each with its responsible
organization and person) and the next one convened; then
(`cargar_planes`, after planes.demo.cargar) the acuerdos become activities of the mesa's intercommunal plan and the
next session presents that plan's progress.

Idempotent: the mesa is looked up by name and each session by number; what exists is left as it is.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from comunas.demo import COORDINADORA, DIRECCIONES
from comunas.models import Organizacion, Usuario
from mesa import demo_consejo, services, services_actas
from mesa.access import planes_para_la_tabla
from mesa.models import (
    Acuerdo,
    InvitadoSesion,
    Mesa,
    Participacion,
    PuntoTabla,
    ReglaQuorum,
    Respuesta,
    Sesion,
    Subrogacion,
)
from mesa.models_participantes import RespuestaInvitado
from planes import demo as demo_planes

NOMBRE = "Mesa de buenas prácticas en seguridad pública"
DESCRIPCION = (
    "Convocada por la Dirección de Seguridad Pública de Zapallar para intercambiar experiencias exitosas, "
    "compartir diagnósticos territoriales y coordinar nuevas líneas de acción contra delitos e incivilidades."
)
ALCANCE = (
    "Una plataforma de implementación táctica: las experiencias compartidas se vuelven planes de acción "
    "replicables, adaptables a cada comuna. Un laboratorio de políticas reales."
)
# (título, correo del director(a) de la organización presentadora, minutos, texto del acta)
TABLA_PRIMERA = [
    (
        "Bienvenida y propósito de la mesa",
        "director@zapallar.example",
        20,
        "Zapallar presentó el propósito de la mesa y la periodicidad mensual de las sesiones.",
    ),
    (
        "Diagnóstico provincial de incivilidades",
        "director@prov-petorca.example",
        40,
        "Petorca mostró el aumento de ruidos molestos y consumo de alcohol en la vía pública en temporada estival.",
    ),
    (
        "Experiencia: patrullaje preventivo en el borde costero",
        "director@algarrobo.example",
        30,
        "Algarrobo compartió su protocolo de rondas mixtas con Carabineros en fines de semana largos.",
    ),
]
TABLA_SEGUNDA = [
    ("Aprobación del acta de la sesión anterior", "director@zapallar.example", 10),
    ("Avance de los acuerdos", "director@zapallar.example", 30),
    ("Experiencia: mediación vecinal en Quilpué", "director@quilpue.example", 40),
]
# (acuerdo, correo del director(a) de la organización responsable, días de plazo desde la sesión, persona
# responsable, código de la línea del plan intercomunal donde se vuelve actividad)
ACUERDOS = [
    (
        "Compartir con la mesa el protocolo de rondas del borde costero.",
        "director@algarrobo.example",
        10,
        "analista@algarrobo.example",
        "2.1",
    ),
    (
        "Consolidar las cifras de incivilidades de la provincia para la próxima sesión.",
        "director@prov-petorca.example",
        40,
        "director@prov-petorca.example",
        "1.1",
    ),
    (
        "Proponer un formato común de diagnóstico comunal.",
        "director@zapallar.example",
        60,
        "coordinacion@zapallar.example",
        "1.1",
    ),
]
# The item of the second session that presents the intercommunal plan's progress.
PUNTO_DEL_PLAN = "Avance de los acuerdos"
# At the first session: a guest of Carabineros (no account) and Quilpué's director represented by her analyst.
INVITADO = {
    "nombre": "Capitán Sergio Rojas Valdés",
    "institucion": "Carabineros de Chile — 2ª Comisaría de Zapallar",
    "cargo": "Oficial de integración comunitaria",
    "email": "sergio.rojas@carabineros.example",
}
SUBROGANCIA = ("director@quilpue.example", "analista@quilpue.example")


def _org(email_director):
    return Organizacion.objects.get(membresias__usuario__email=email_director, membresias__rol="director")


def _a_las(dias, hora):
    dia = timezone.localdate() + timedelta(days=dias)
    return timezone.make_aware(datetime.combine(dia, time(hora, 0)))


def _sesion(mesa, numero, *, dias, tabla, estado):
    sesion, creada = Sesion.objects.get_or_create(
        mesa=mesa,
        numero=numero,
        defaults={
            "inicio": _a_las(dias, 10),
            "fin": _a_las(dias, 12),
            "modalidad": Sesion.Modalidad.HIBRIDA,
            "lugar": "Salón del Concejo, Municipalidad de Zapallar",
            "enlace": "https://reuniones.example/mesa-zapallar",
            "estado": estado,
        },
    )
    if creada:
        for orden, (titulo, email, minutos, *_) in enumerate(tabla, start=1):
            PuntoTabla.objects.create(
                sesion=sesion, orden=orden, titulo=titulo, organizacion=_org(email), duracion_minutos=minutos
            )
    return sesion, creada


def _invitado_y_subrogante(sesion, coordinadora):
    """The first session's Carabineros guest (who said they would come) and the subrogancia of Quilpué's director,
    written as rows (the session is in the past: no notices). Returns (guest, titular)."""
    invitado = InvitadoSesion.objects.create(
        sesion=sesion, respuesta=RespuestaInvitado.ASISTIRE, invitado_por=coordinadora, **INVITADO
    )
    titular, colega = (Usuario.objects.get(email=email) for email in SUBROGANCIA)
    Subrogacion.objects.create(
        sesion=sesion, titular=titular, organizacion=_org(titular.email), subrogante=colega, designada_por=titular
    )
    Respuesta.objects.create(sesion=sesion, usuario=titular, opcion=Respuesta.Opcion.SUBROGANTE)
    return invitado, titular


@transaction.atomic
def cargar():
    """Creates what is missing of the Zapallar mesa; returns it."""
    coordinadora = Usuario.objects.get(email=COORDINADORA[0])
    zapallar = _org(DIRECCIONES[0][4])
    mesa = Mesa.objects.filter(nombre=NOMBRE, anfitriona=zapallar).first()
    if mesa is None:
        mesa = services.mesa_crear(
            nombre=NOMBRE, anfitriona=zapallar, por=coordinadora, descripcion=DESCRIPCION, alcance=ALCANCE
        )
        mesa.quorum_regla = ReglaQuorum.MAYORIA_ABSOLUTA
        mesa.save(update_fields=["quorum_regla"])
    for _, _, _, _, email, *_ in DIRECCIONES[1:]:
        Participacion.objects.get_or_create(
            mesa=mesa,
            organizacion=_org(email),
            defaults={"estado": Participacion.Estado.ACEPTADA, "aceptada_en": timezone.now()},
        )

    # The first session, held two weeks ago: written as rows (no notices go out for the past).
    primera, creada = _sesion(mesa, 1, dias=-14, tabla=TABLA_PRIMERA, estado=Sesion.Estado.CONVOCADA)
    if creada:
        invitado, titular = _invitado_y_subrogante(primera, coordinadora)
        presentes = [
            u.pk
            for u in services.convocados(primera)
            if not u.email.startswith(("prevencion", "apoyo")) and u.pk != titular.pk
        ]
        services.asistencia_registrar(sesion=primera, por=coordinadora, presentes=presentes, invitados=[invitado.pk])
        acta = services_actas.acta_redactar(sesion=primera, por=coordinadora)
        textos = {s.pk: TABLA_PRIMERA[s.orden - 1][3] for s in acta.secciones.all()}
        services_actas.acta_guardar(
            acta=acta, por=coordinadora, resumen="Sesión constitutiva de la mesa.", textos=textos
        )
        for texto, email, dias, persona, _ in ACUERDOS:
            services_actas.acuerdo_agregar(
                acta=acta,
                por=coordinadora,
                descripcion=texto,
                organizacion=_org(email),
                persona=Usuario.objects.get(email=persona),
                plazo=timezone.localdate(primera.inicio) + timedelta(days=dias),
            )
        services_actas.acta_aprobar(acta=acta, por=coordinadora)

    # The next one, in two weeks, convened (the invitations are notices like any other).
    segunda, creada = _sesion(mesa, 2, dias=14, tabla=TABLA_SEGUNDA, estado=Sesion.Estado.BORRADOR)
    if creada:
        services.sesion_convocar(sesion=segunda, por=coordinadora)
    demo_consejo.cargar()  # Zapallar's consejo comunal de seguridad pública, with two sessions held
    return mesa


@transaction.atomic
def cargar_planes():
    """After planes.demo.cargar: each acuerdo of the first session becomes an activity of the intercommunal plan
    ("Convertir en actividad", by the director(a) of its responsible organization, an owner of the plan); then the
    plan is approved and moves on (planes.demo.cargar_ejecucion) and the second session's item on the acuerdos
    presents its progress. Returns the plan (None without the mesa or the plan)."""
    mesa = Mesa.objects.filter(nombre=NOMBRE, anfitriona=_org(DIRECCIONES[0][4])).first()
    plan = demo_planes.plan_intercomunal()
    if mesa is None or plan is None:
        return None
    lineas = {n.codigo: n for n in plan.nodos.filter(tipo__in=["eje", "linea"])}
    por_texto = {texto: (email, linea) for texto, email, _, _, linea in ACUERDOS}
    pendientes = Acuerdo.objects.filter(acta__sesion__mesa=mesa, acta__sesion__numero=1, actividad=None)
    for acuerdo in pendientes.order_by("pk"):
        if acuerdo.descripcion not in por_texto:
            continue
        email, linea = por_texto[acuerdo.descripcion]
        services_actas.acuerdo_convertir_en_actividad(
            acuerdo=acuerdo, por=Usuario.objects.get(email=email), linea=lineas[linea]
        )
    demo_planes.cargar_ejecucion()
    if planes_para_la_tabla(mesa).filter(pk=plan.pk).exists():  # approved: every member of the mesa sees it
        PuntoTabla.objects.filter(sesion__mesa=mesa, sesion__numero=2, titulo=PUNTO_DEL_PLAN, plan=None).update(
            plan=plan
        )
    return plan
