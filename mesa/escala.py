"""National-scale mesas (manage.py sembrar_escala): five mesas of forty organizations, their sessions with agenda,
actas and acuerdos, and the convocatorias sent for them. EXAMPLE DATA: fictitious.

Mesas through the service (mesa_crear); sessions, agenda items, actas and acuerdos by bulk insert with the fields
the services set (numbers in order, states, dates); the notices through the outbox's bulk path
(avisos_masivos_crear, as a convocatoria writes them), then recorded as delivered, as a sender does.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from comunas.models import Membresia
from mesa.models import Acta, Acuerdo, Participacion, PuntoTabla, SeccionActa, Sesion
from mesa.services import mesa_crear
from nucleo.avisos import avisos_masivos_crear
from nucleo.models import Aviso

MESAS = 5
ORGANIZACIONES_POR_MESA = 40
SESIONES = 2_000
ACUERDOS = 10_000
AVISOS = 50_000
FUTURAS = 3  # convened sessions still to come, per mesa
# The hosts: the directorates of five regional capitals (Santiago, Valparaíso, Concepción, La Serena, Temuco).
ANFITRIONAS = ("13101", "05101", "08101", "04101", "09101")
PUNTOS = (
    "Cuenta de la coordinación", "Presentación de una práctica", "Avance del plan intercomunal",
    "Análisis de las cifras del trimestre", "Coordinación de la temporada estival", "Acuerdos pendientes",
    "Exposición de Carabineros", "Varios",
)  # fmt: skip
ACUERDOS_TEXTOS = (
    "Enviar a la coordinación el informe de cámaras operativas", "Compartir el protocolo de derivación de víctimas",
    "Presentar el avance del plan comunal en la próxima sesión", "Coordinar un operativo conjunto de fiscalización",
    "Actualizar el diagnóstico con las cifras del último año", "Proponer un punto de la tabla sobre alcohol",
    "Invitar a la fiscalía regional a la próxima sesión", "Circular la guía de marchas exploratorias",
)  # fmt: skip


@dataclass
class MesaElegida:
    anfitriona: object
    organizaciones: list = field(default_factory=list)  # the host first


def elegir(*, rng, plataforma):
    """Which organizations sit at each mesa (decided before the practices, whose "mesa" visibility needs it):
    the host and 39 others, of its region first."""
    por_territorio = {o.comuna_id: o for o in plataforma.organizaciones if o.comuna_id}
    elegidas = []
    for codigo in ANFITRIONAS[:MESAS]:
        anfitriona = por_territorio[codigo]
        region = plataforma.territorio[anfitriona.pk][1].region_id
        cercanas = [
            o
            for o in plataforma.organizaciones
            if o.pk != anfitriona.pk and plataforma.territorio[o.pk][1].region_id == region
        ]
        otras = [o for o in plataforma.organizaciones if o.pk != anfitriona.pk and o not in cercanas]
        rng.shuffle(cercanas)
        rng.shuffle(otras)
        elegidas.append(MesaElegida(anfitriona, [anfitriona, *(cercanas + otras)[: ORGANIZACIONES_POR_MESA - 1]]))
    return elegidas


def _en_hora(dia, hora=10):
    return timezone.make_aware(datetime.combine(dia, time(hora)))


def sembrar(*, rng, escala, plataforma, elegidas):
    """The mesas with their sessions, actas, acuerdos and delivered convocatorias. Returns the Mesa rows."""
    mesas = []
    por_mesa = max(FUTURAS + 1, round(SESIONES * escala / len(elegidas)))
    acuerdos_por_mesa = ACUERDOS * escala / len(elegidas)
    avisos_total = max(1, round(AVISOS * escala))
    hoy = timezone.localdate()
    for n, elegida in enumerate(elegidas, start=1):
        coordinadora = plataforma.personas[elegida.anfitriona.pk][Membresia.Rol.INTEGRANTE]
        # Mesa coordinators must use two-step verification (comunas.access.requiere_dos_factores).
        TOTPDevice.objects.create(
            user=coordinadora, name="Aplicación de autenticación", confirmed=True, key=rng.randbytes(20).hex()
        )
        mesa = mesa_crear(
            nombre=f"Mesa regional de buenas prácticas en seguridad pública n.º {n}",
            anfitriona=elegida.anfitriona,
            por=coordinadora,
            descripcion="Mesa de ejemplo a escala nacional (datos ficticios).",
        )
        Participacion.objects.bulk_create(
            Participacion(
                mesa=mesa,
                organizacion=org,
                estado=Participacion.Estado.ACEPTADA,
                aceptada_en=timezone.now(),
                aceptada_por=plataforma.director(org),
            )
            for org in elegida.organizaciones[1:]
        )
        sesiones = _sesiones(rng, mesa, por_mesa, hoy)
        _tabla_y_actas(rng, sesiones, elegida.organizaciones, coordinadora, plataforma, acuerdos_por_mesa)
        mesas.append((mesa, sesiones, elegida))
    enviadas = [(m, s, e) for m, ss, e in mesas for s in ss if s.estado != Sesion.Estado.BORRADOR]
    for i, (_, sesion, elegida) in enumerate(enviadas):
        cuantos = avisos_total // len(enviadas) + (i < avisos_total % len(enviadas))
        _convocatoria(sesion, elegida, plataforma, cuantos, i)
    return [m for m, _, _ in mesas]


def _sesiones(rng, mesa, cuantas, hoy):
    filas = []
    for numero in range(1, cuantas + 1):
        dia = hoy + timedelta(weeks=numero - (cuantas - FUTURAS))
        inicio = _en_hora(dia)
        futura = dia > hoy
        estado = Sesion.Estado.CONVOCADA if futura else Sesion.Estado.REALIZADA
        if not futura and rng.random() < 0.02:
            estado = Sesion.Estado.CANCELADA
        filas.append(
            Sesion(
                mesa=mesa,
                numero=numero,
                tipo=Sesion.Tipo.ORDINARIA if rng.random() < 0.9 else Sesion.Tipo.EXTRAORDINARIA,
                inicio=inicio,
                fin=inicio + timedelta(hours=2),
                modalidad=rng.choice(Sesion.Modalidad.values),
                lugar="Salón del consejo municipal",
                estado=estado,
                convocada_en=inicio - timedelta(days=7),
            )
        )
    return Sesion.objects.bulk_create(filas)


def _tabla_y_actas(rng, sesiones, organizaciones, coordinadora, plataforma, acuerdos_por_mesa):
    puntos = []
    for sesion in sesiones:
        for orden, titulo in enumerate(rng.sample(PUNTOS, 3), start=1):
            puntos.append(
                PuntoTabla(sesion=sesion, orden=orden, titulo=titulo, organizacion=rng.choice(organizaciones))
            )
    puntos = PuntoTabla.objects.bulk_create(puntos)
    realizadas = [s for s in sesiones if s.estado == Sesion.Estado.REALIZADA]
    actas = []
    for sesion in realizadas:
        estado = rng.choices(
            (Acta.Estado.PUBLICADA, Acta.Estado.APROBADA, Acta.Estado.EN_REVISION), weights=(80, 16, 4)
        )[0]
        fin = sesion.fin
        acta = Acta(
            sesion=sesion,
            estado=estado,
            resumen="Sesión de ejemplo (ficticia): asistieron las organizaciones de la mesa.",
            vueltas=1,
            redactada_por=coordinadora,
            circulada_en=fin + timedelta(days=2),
        )
        if estado != Acta.Estado.EN_REVISION:
            acta.aprobada_en, acta.aprobada_por = fin + timedelta(days=9), coordinadora
        if estado == Acta.Estado.PUBLICADA:
            acta.publicada_en = fin + timedelta(days=10)
        actas.append(acta)
    actas = Acta.objects.bulk_create(actas)
    por_sesion = {}
    for punto in puntos:
        por_sesion.setdefault(punto.sesion_id, []).append(punto)
    SeccionActa.objects.bulk_create(
        SeccionActa(acta=acta, punto=p, orden=p.orden, titulo=p.titulo, texto="Se expuso y se comentó el punto.")
        for acta in actas
        for p in por_sesion[acta.sesion_id]
    )
    hoy = timezone.localdate()
    acuerdos, deuda = [], 0.0
    for acta in actas:
        deuda += acuerdos_por_mesa / max(1, len(actas)) + 1e-9
        while deuda >= 1:
            deuda -= 1
            org = rng.choice(organizaciones)
            plazo = timezone.localdate(acta.sesion.inicio) + timedelta(days=rng.randrange(15, 120))
            estado = Acuerdo.Estado.PENDIENTE
            if plazo < hoy:
                estado = rng.choices((Acuerdo.Estado.CUMPLIDO, Acuerdo.Estado.PENDIENTE), weights=(80, 20))[0]
            elif rng.random() < 0.4:
                estado = Acuerdo.Estado.EN_CURSO
            acuerdos.append(
                Acuerdo(
                    acta=acta,
                    descripcion=rng.choice(ACUERDOS_TEXTOS),
                    organizacion=org,
                    persona=plataforma.director(org) if rng.random() < 0.7 else None,
                    plazo=plazo,
                    estado=estado,
                    cumplido_en=_en_hora(plazo, 12) if estado == Acuerdo.Estado.CUMPLIDO else None,
                )
            )
    Acuerdo.objects.bulk_create(acuerdos, batch_size=2000)


def _convocatoria(sesion, elegida, plataforma, cuantos, desplazamiento):
    """`cuantos` people of the mesa (a different slice each session) got the convocatoria; it was delivered."""
    personas = [p for org in elegida.organizaciones for p in plataforma.miembros(org)]
    inicio = desplazamiento % len(personas)
    para = [personas[(inicio + k) % len(personas)] for k in range(min(cuantos, len(personas)))]
    avisos_masivos_crear(
        para=para,
        plantilla="sesion_convocada",
        contexto={"sesion": sesion, "metodo": "REQUEST"},
        clave=lambda usuario_id: f"convocatoria:{sesion.pk}:{usuario_id}:{sesion.secuencia}",
        sobre=sesion,
        redactor="mesa.sesion",
    )
    asunto = " ".join(render_to_string("emails/sesion_convocada_asunto.txt", {"sesion": sesion}).split())
    Aviso.objects.filter(objeto_tipo=ContentType.objects.get_for_model(Sesion), objeto_id=sesion.pk).update(
        estado=Aviso.Estado.ENVIADO,
        asunto=asunto[:255],
        creado=sesion.convocada_en,
        en_cola_desde=sesion.convocada_en,
        programado_para=sesion.convocada_en,
        enviado_en=sesion.convocada_en + timedelta(seconds=30),
        intentos=1,
    )
