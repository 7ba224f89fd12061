"""Objects of the mesa domain for the access matrix and the mesa tests."""

from datetime import timedelta

from django.utils import timezone

from comunas.models import Membresia
from mesa import services
from mesa.models import PuntoTabla, Sesion
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


def mesa_del_elenco(org, coordinador, director):
    """A mesa hosted by `org` and coordinated by `coordinador`, with a convened and a draft session."""
    mesa = crear_mesa(org, coordinador)
    convocada = crear_sesion(mesa, numero=1, estado=Sesion.Estado.CONVOCADA)
    borrador = crear_sesion(mesa, numero=2)
    token = services.rsvp_token(usuario=director, sesion=convocada, opcion="asistire")
    participacion = mesa.participaciones.get()
    return {
        **actas_del_elenco(mesa, coordinador, director),
        "mesa": mesa,
        "participacion": participacion,
        "sesion": convocada,
        "sesion_borrador": borrador,
        "punto": convocada.puntos.get(),
        "rsvp_token": token,
    }


def actas_del_elenco(mesa, coordinador, director):
    """A held session with a published acta (and an acuerdo of the host), another with a draft acta, and the
    director's calendar token."""
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
    services_actas.acta_aprobar(acta=acta, por=coordinador)
    services_actas.acta_publicar(acta=acta, por=coordinador)
    con_borrador = crear_sesion(mesa, numero=4, estado=Sesion.Estado.CONVOCADA, dias=-1)
    services.asistencia_registrar(sesion=con_borrador, por=coordinador, presentes=[])
    services_actas.acta_redactar(sesion=con_borrador, por=coordinador)
    return {
        "sesion_realizada": realizada,
        "sesion_con_borrador": con_borrador,
        "acuerdo": acuerdo,
        "token_calendario": services_actas.calendario_generar(usuario=director),
    }
