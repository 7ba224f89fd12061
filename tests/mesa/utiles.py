"""Objects of the mesa domain for the access matrix and the mesa tests."""

from datetime import timedelta

from django.utils import timezone

from comunas.models import Membresia
from mesa import services, services_participantes
from mesa.models import ComentarioActa, PuntoTabla, Sesion
from planes import services as planes_services
from tests.conftest import con_dos_factores, miembro


def crear_mesa(org, coordinador, nombre="Mesa de buenas prácticas en seguridad pública"):
    return services.mesa_crear(nombre=nombre, anfitriona=org, por=coordinador, descripcion="La primera mesa.")


def crear_sesion(mesa, *, numero=1, estado=Sesion.Estado.BORRADOR, dias=7, puntos=1):
    inicio = (timezone.now() + timedelta(days=dias)).replace(hour=13, minute=0, second=0, microsecond=0)
    sesion = Sesion.objects.create(
        mesa=mesa,
        numero=numero,
        inicio=inicio,
        fin=inicio + timedelta(hours=2),
        lugar="Salón municipal de Zapallar",
        estado=estado,
    )
    for i in range(puntos):
        PuntoTabla.objects.create(sesion=sesion, orden=i + 1, titulo=f"Punto {i + 1}", organizacion=mesa.anfitriona)
    return sesion


def coordinadora_retirada(mesa):
    """A coordinator of the mesa who then left her organization outside the service (in Django's admin): her
    appointment row is still there, so only the gate (mesa.access) stands between her and the mesa. She has
    two-step verification, as coordinators must."""
    usuaria = con_dos_factores(
        miembro(mesa.anfitriona, "retirada@zapallar.test", Membresia.Rol.INTEGRANTE, nombre="Renata Retirada")
    )
    mesa.coordinadores.add(usuaria)
    Membresia.objects.filter(usuario=usuaria).delete()
    return usuaria


def plan_con_linea(org, por, *, titulo="Plan intercomunal de la mesa", visibilidad="mesa", aprobar=True, **extra):
    """A plan of `org` (visible to its mesas by default) with an eje and a línea de acción; approved by the mesa
    unless `aprobar=False`. Returns (plan, linea)."""
    hoy = timezone.localdate()
    datos = {
        "tipo": "intercomunal",
        "titulo": titulo,
        "objetivo": "Coordinar la prevención entre las comunas de la mesa.",
        "anio_inicio": hoy.year,
        "anio_fin": hoy.year + 1,
        "territorios": [org.comuna_id or org.provincia_id],
        "visibilidad": visibilidad,
        **extra,
    }
    plan = planes_services.plan_crear(organizacion=org, por=por, datos=datos)
    eje = planes_services.nodo_agregar(plan=plan, por=por, datos={"tipo": "eje", "codigo": "1", "titulo": "Prevención"})
    linea = planes_services.nodo_agregar(
        plan=plan, por=por, padre=eje, datos={"tipo": "linea", "codigo": "1.1", "titulo": "Rondas"}
    )
    if aprobar:
        planes_services.aprobacion_registrar(plan=plan, por=por, tipo="mesa", fecha=hoy)
        plan.refresh_from_db()
    return plan, linea


def mesa_del_elenco(org, coordinador, director):
    """A mesa hosted by `org` and coordinated by `coordinador`, with a convened and a draft session. The convened
    session's item presents a plan of `org` (plan_con_linea)."""
    mesa = crear_mesa(org, coordinador)
    convocada = crear_sesion(mesa, numero=1, estado=Sesion.Estado.CONVOCADA)
    borrador = crear_sesion(mesa, numero=2)
    token = services.rsvp_token(usuario=director, sesion=convocada, opcion="asistire")
    participacion = mesa.participaciones.get()
    plan, linea = plan_con_linea(org, director)
    PuntoTabla.objects.filter(sesion=convocada).update(plan=plan)
    # A guest of the convened session, and the coordinator's external subrogante (tests/mesa/test_invitados.py).
    invitado = services_participantes.invitado_agregar(
        sesion=convocada, por=coordinador, nombre="Paula Cáceres", institucion="Carabineros", email="pc@c.example"
    )
    subrogacion = services_participantes.subrogante_designar(
        sesion=convocada, titular=coordinador, por=coordinador, nombre="Marta Lagos", email="ml@consultora.example"
    )
    return {
        **actas_del_elenco(mesa, coordinador, director, linea=linea),
        "plan_de_la_mesa": plan,
        "mesa": mesa,
        "participacion": participacion,
        "sesion": convocada,
        "sesion_borrador": borrador,
        "punto": convocada.puntos.get(),
        "rsvp_token": token,
        "invitado": invitado,
        "rsvp_invitado_token": services_participantes.rsvp_invitado_token(invitado=invitado, opcion="asistire"),
        "subrogacion": subrogacion,
    }


def actas_del_elenco(mesa, coordinador, director, linea=None):
    """A held session with a published acta (an acuerdo of the host and, with `linea`, another one turned into an
    activity of that line's plan), another with a draft acta, and the director's calendar token."""
    from datetime import date

    from mesa import services_actas

    realizada = crear_sesion(mesa, numero=3, estado=Sesion.Estado.CONVOCADA, dias=-2)
    services.asistencia_registrar(sesion=realizada, por=coordinador, presentes=[director.pk])
    acta = services_actas.acta_redactar(sesion=realizada, por=coordinador)
    acuerdo = services_actas.acuerdo_agregar(
        acta=acta,
        por=coordinador,
        descripcion="Compartir el protocolo.",
        organizacion=mesa.anfitriona,
        plazo=date(2030, 1, 31),
    )
    con_actividad = services_actas.acuerdo_agregar(
        acta=acta,
        por=coordinador,
        descripcion="Rondas mixtas en la costanera.",
        organizacion=mesa.anfitriona,
        persona=director,
        plazo=date(2030, 3, 31),
    )
    comentario = ComentarioActa.objects.create(acta=acta, autor=director, texto="Falta la cifra de Papudo.")
    services_actas.acta_aprobar(acta=acta, por=coordinador, con_comentarios_abiertos=True)
    services_actas.acta_publicar(acta=acta, por=coordinador)
    if linea is not None:
        services_actas.acuerdo_convertir_en_actividad(acuerdo=con_actividad, por=director, linea=linea)
    con_borrador = crear_sesion(mesa, numero=4, estado=Sesion.Estado.CONVOCADA, dias=-1)
    services.asistencia_registrar(sesion=con_borrador, por=coordinador, presentes=[])
    services_actas.acta_redactar(sesion=con_borrador, por=coordinador)
    return {
        "sesion_realizada": realizada,
        "sesion_con_borrador": con_borrador,
        "acuerdo": acuerdo,
        "acuerdo_con_actividad": con_actividad,
        "comentario": comentario,
        "token_calendario": services_actas.calendario_generar(usuario=director),
    }


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(nombre="presentacion.pdf", contenido=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(nombre, contenido, content_type="application/pdf")


def consejo_de(org, director, *, coordinador=None, presidencia=("Gustavo Alcalde", "Alcalde de Zapallar")):
    """The commune's consejo comunal, created by its director(a); with `coordinador`, she alone coordinates it."""
    from mesa import consejo as servicios

    consejo = servicios.consejo_crear(
        anfitriona=org, por=director, presidencia_nombre=presidencia[0], presidencia_cargo=presidencia[1]
    )
    if coordinador is not None:
        consejo.coordinadores.set([coordinador])
    return consejo


def consejo_del_elenco(org, coordinador, director, punto):
    """For the access matrix: a document of the item `punto` (presented by `org`), and `org`'s consejo comunal,
    coordinated by `coordinador` alone, with an institutional member and a held session."""
    from mesa import consejo as servicios
    from mesa import documentos

    [documento] = documentos.documentos_agregar(sesion=punto.sesion, por=coordinador, archivos=[pdf()], punto=punto)
    consejo = consejo_de(org, director, coordinador=coordinador)
    integrante = servicios.integrante_agregar(
        consejo=consejo,
        por=coordinador,
        institucion="carabineros",
        unidad="1.ª Comisaría de Zapallar",
        nombre="Cristián Carabinero",
        cargo="Capitán",
        email="capitan@carabineros.test",
    )
    realizada = crear_sesion(consejo, numero=1, estado=Sesion.Estado.CONVOCADA, dias=-3)
    services.asistencia_registrar(sesion=realizada, por=coordinador, presentes=[director.pk])
    return {"documento": documento, "consejo": consejo, "integrante": integrante, "sesion_del_consejo": realizada}


def solicitud_de_mesa(mesa):
    """Cabildo's directorate (not in the cast) asks to join `mesa`: o["solicitud_mesa"], for its coordination."""
    from comunas.models import Comuna
    from mesa import services_participacion
    from tests.conftest import crear_organizacion

    cabildo = crear_organizacion(comuna=Comuna.objects.get(codigo="05402"))
    directora = miembro(cabildo, "directora@cabildo.test", Membresia.Rol.DIRECTOR, nombre="Camila Cabildo")
    solicitud = services_participacion.mesa_solicitar(
        mesa=mesa, organizacion=cabildo, por=directora, mensaje="Queremos sumarnos."
    )
    return {"solicitud_mesa": solicitud}
