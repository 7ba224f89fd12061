"""Demo data of Zapallar's consejo comunal de seguridad pública (called from mesa.demo): created by the directorate,
chaired by the alcaldesa, its institutional members as art. 104 B requires, and its last two monthly sessions held
(attendance, approved actas with acuerdos, which the director may turn into activities of the plan comunal). The
people and units are fictitious.

Idempotent: the consejo is looked up by its commune, each member by e-mail and each session by number.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from comunas.demo import COORDINADORA, DIRECCIONES
from comunas.models import Organizacion, Usuario
from mesa import consejo as servicios
from mesa import services, services_actas
from mesa.models import IntegranteInstitucional, PuntoTabla, Sesion

PRESIDENCIA = ("María Elena Rojas Fuenzalida", "Alcaldesa de Zapallar")
LUGAR = "Salón del Concejo, Municipalidad de Zapallar"
# (institución, unidad, nombre, cargo, correo)
INTEGRANTES = [
    ("concejo", "", "Pablo Fuentes Araya", "Concejal", "pfuentes@concejo-zapallar.example"),
    ("concejo", "", "Carmen Soto Lagos", "Concejala", "csoto@concejo-zapallar.example"),
    (
        "delegacion",
        "Delegación Presidencial Provincial de Petorca",
        "Andrea Muñoz Pizarro",
        "Encargada provincial de seguridad pública",
        "amunoz@delegacion-petorca.example",
    ),
    ("carabineros", "Tenencia de Zapallar", "Jorge Pérez Castro", "Teniente, jefe de la tenencia", ""),
    ("pdi", "Brigada de Investigación Criminal de La Ligua", "Claudia Vera Ortiz", "Subcomisaria", ""),
    ("fiscalia", "Fiscalía Local de La Ligua", "Ignacio Bravo Mena", "Fiscal adjunto", ""),
    ("sociedad_civil", "Unión comunal de juntas de vecinos", "Rosa Contreras Díaz", "Presidenta", ""),
    ("sociedad_civil", "Cámara de comercio y turismo de Zapallar", "Tomás Guzmán Ríos", "Secretario", ""),
    ("gendarmeria", "Centro de Reinserción Social de La Ligua", "Luis Herrera Campos", "Delegado", ""),
    ("senda", "SENDA Previene Zapallar", "Valentina Reyes Olmos", "Coordinadora comunal", ""),
]
# Each session: (título, expone, minutos, texto del acta); acuerdos: (texto, días de plazo desde la sesión).
SESIONES = [
    (
        [
            (
                "Cuenta de Carabineros: delitos y operativos del mes",
                "Tenencia de Zapallar",
                20,
                "Carabineros informó una baja de robos en lugar habitado y mayor presencia en el borde costero.",
            ),
            (
                "Avance del plan comunal de seguridad pública",
                "",
                30,
                "La dirección presentó el avance de la vigilancia de segundas viviendas y de las luminarias LED.",
            ),
            ("Varios", "", 10, "La junta de vecinos pidió reforzar la iluminación del paradero de Catapilco."),
        ],
        [("Carabineros y la dirección coordinarán rondas mixtas en la costanera los fines de semana.", 30)],
    ),
    (
        [
            ("Aprobación del acta anterior", "", 10, "Se aprobó el acta de la sesión anterior sin observaciones."),
            (
                "Cuenta de la PDI y de la Fiscalía Local",
                "PDI y Fiscalía Local de La Ligua",
                25,
                "La Fiscalía expuso las causas por receptación vinculadas a robos de segundas viviendas.",
            ),
            (
                "Prevención del consumo de alcohol y drogas en temporada",
                "SENDA Previene Zapallar",
                25,
                "SENDA propuso talleres en los liceos y una campaña en la costanera durante el verano.",
            ),
        ],
        [
            ("Programar con SENDA los talleres de prevención en los dos liceos de la comuna.", 45),
            ("Iluminar el paradero de Catapilco antes del inicio de la temporada.", 60),
        ],
    ),
]


def _zapallar():
    return Organizacion.objects.get(comuna__codigo=DIRECCIONES[0][1], tipo=Organizacion.Tipo.DIRECCION_MUNICIPAL)


def _fecha_de_la_sesion(meses_atras):
    """The second Tuesday of the month `meses_atras` months ago, at 09:30: the consejo's monthly day."""
    hoy = timezone.localdate()
    indice = hoy.year * 12 + hoy.month - 1 - meses_atras
    dia = servicios.dia_equivalente(date(2026, 3, 10), indice // 12, indice % 12 + 1)  # a second Tuesday
    return timezone.make_aware(datetime.combine(dia, time(9, 30)))


def _sesion(consejo, numero, coordinadora, *, meses_atras, tabla, acuerdos):
    inicio = _fecha_de_la_sesion(meses_atras)
    sesion, creada = Sesion.objects.get_or_create(
        mesa=consejo,
        numero=numero,
        defaults={
            "inicio": inicio,
            "fin": inicio + timedelta(hours=2),
            "lugar": LUGAR,
            "estado": Sesion.Estado.CONVOCADA,  # written as rows: no notices go out for the past
        },
    )
    if not creada:
        return sesion
    for orden, (titulo, expone, minutos, _) in enumerate(tabla, start=1):
        PuntoTabla.objects.create(
            sesion=sesion,
            orden=orden,
            titulo=titulo,
            expositor=expone,
            organizacion=consejo.anfitriona if not expone else None,
            duracion_minutos=minutos,
        )
    presentes = [u.pk for u in services.convocados(sesion)]
    services.asistencia_registrar(sesion=sesion, por=coordinadora, presentes=presentes)
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinadora)
    textos = {s.pk: tabla[s.orden - 1][3] for s in acta.secciones.all()}
    resumen = f"Sesión ordinaria presidida por {PRESIDENCIA[0]}, {PRESIDENCIA[1].lower()}."
    services_actas.acta_guardar(acta=acta, por=coordinadora, resumen=resumen, textos=textos)
    for texto, dias in acuerdos:
        services_actas.acuerdo_agregar(
            acta=acta,
            por=coordinadora,
            descripcion=texto,
            organizacion=consejo.anfitriona,
            plazo=timezone.localdate(sesion.inicio) + timedelta(days=dias),
        )
    services_actas.acta_aprobar(acta=acta, por=coordinadora)
    return sesion


@transaction.atomic
def cargar():
    """Creates what is missing of Zapallar's consejo comunal; returns it."""
    zapallar = _zapallar()
    coordinadora = Usuario.objects.get(email=COORDINADORA[0])
    consejo = servicios.consejo_de_la_comuna(zapallar.comuna_id)
    if consejo is None:
        director = Usuario.objects.get(email=DIRECCIONES[0][4])
        consejo = servicios.consejo_crear(
            anfitriona=zapallar, por=director, presidencia_nombre=PRESIDENCIA[0], presidencia_cargo=PRESIDENCIA[1]
        )
        consejo.coordinadores.set([coordinadora])  # the directorate created it; its coordinator runs it
    for institucion, unidad, nombre, cargo, email in INTEGRANTES:
        if not IntegranteInstitucional.objects.filter(mesa=consejo, nombre=nombre).exists():
            servicios.integrante_agregar(
                consejo=consejo,
                por=coordinadora,
                institucion=institucion,
                unidad=unidad,
                nombre=nombre,
                cargo=cargo,
                email=email,
            )
    for numero, (tabla, acuerdos) in enumerate(SESIONES, start=1):
        _sesion(consejo, numero, coordinadora, meses_atras=len(SESIONES) + 1 - numero, tabla=tabla, acuerdos=acuerdos)
    return consejo
