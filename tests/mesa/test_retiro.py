"""Leaving ends coordination (issue 11, item 1): a coordinator removed from her organization, or whose
organization is suspended, loses every mesa right at the gate at once, her appointment ends with an audit row,
and a suspended organization's people lose their calendar feed."""

import pytest
from django.core.exceptions import PermissionDenied

from comunas import services as comunas_services
from comunas.access import requiere_dos_factores
from comunas.models import Auditoria, Comuna, Membresia
from mesa import services, services_actas
from mesa.access import puede_coordinar
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import actas_del_elenco, crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


def _paginas_de_coordinacion(mesa, coordinador, director):
    """Every page the review found still open to a removed coordinator."""
    objetos = actas_del_elenco(mesa, coordinador, director)
    realizada, borrador = objetos["sesion_realizada"], objetos["sesion_con_borrador"]
    return [
        f"/mesas/{mesa.pk}/",
        f"/mesas/{mesa.pk}/avisos/",
        f"/mesas/{mesa.pk}/editar/",
        f"/mesas/{mesa.pk}/sesiones/nueva/",
        f"/mesas/sesiones/{borrador.pk}/acta/editar/",
        f"/mesas/sesiones/{realizada.pk}/acta/",
        f"/mesas/sesiones/{realizada.pk}/acta.pdf",
        f"/mesas/{mesa.pk}/acuerdos/?formato=csv",
    ]


def _nueva_sesion():
    return {
        "tipo": "ordinaria",
        "inicio": "2031-03-10T10:00",
        "fin": "2031-03-10T12:00",
        "modalidad": "presencial",
        "lugar": "Salón municipal",
        "recordatorios": "48",
    }


def test_quitada_del_equipo_deja_de_coordinar_con_auditoria(mesa, coordinador, director, org_zapallar):
    paginas = _paginas_de_coordinacion(mesa, coordinador, director)
    cliente = cliente_de(coordinador)
    assert all(cliente.get(url).status_code == 200 for url in paginas)

    membresia = Membresia.objects.get(usuario=coordinador, organizacion=org_zapallar)
    respuesta = cliente_de(director).post(f"/equipo/{membresia.pk}/quitar/")
    assert respuesta.status_code == 302

    assert not mesa.coordinadores.filter(pk=coordinador.pk).exists()
    fila = Auditoria.objects.get(accion=Auditoria.Accion.CAMBIAR_ROL, objeto=coordinador.email)
    assert (fila.actor, fila.organizacion) == (director, org_zapallar)
    assert fila.antes == {"rol": "coordinación de mesa", "mesa": mesa.nombre, "mesa_id": mesa.pk}
    assert fila.motivo == f"Salió del equipo de {org_zapallar}."
    assert not requiere_dos_factores(coordinador)
    for url in paginas:
        respuesta = cliente.get(url)
        assert respuesta.status_code == 404, url
        assert "No encontramos esa página" in respuesta.content.decode()
    antes = mesa.sesiones.count()
    assert cliente.post(f"/mesas/{mesa.pk}/sesiones/nueva/", _nueva_sesion()).status_code == 404
    assert mesa.sesiones.count() == antes


def test_la_puerta_no_basta_con_la_fila_de_coordinacion(mesa, coordinador, director):
    """Removed outside the service (Django's admin deletes the row directly): her appointment remains, and the
    gate still refuses her, in pages and in services."""
    paginas = _paginas_de_coordinacion(mesa, coordinador, director)
    Membresia.objects.filter(usuario=coordinador).delete()
    assert mesa.coordinadores.filter(pk=coordinador.pk).exists()
    assert not puede_coordinar(coordinador, mesa)
    cliente = cliente_de(coordinador)
    assert all(cliente.get(url).status_code == 404 for url in paginas)
    otra = crear_sesion(mesa, numero=9)
    with pytest.raises(PermissionDenied, match="Solo la coordinación de la mesa puede hacer esto."):
        services.sesion_crear(mesa=mesa, por=coordinador, inicio=otra.inicio, fin=otra.fin, lugar="Salón")


def test_quien_sigue_en_otra_organizacion_de_la_mesa_sigue_coordinando(mesa, coordinador, director, dpa):
    vecina = crear_organizacion(comuna=Comuna.objects.get(codigo="05401"))  # La Ligua
    miembro(vecina, "director@laligua.test", Membresia.Rol.DIRECTOR)
    services.mesa_invitar(mesa=mesa, organizacion=vecina, por=coordinador)
    services.participacion_aceptar(participacion=mesa.participaciones.get(organizacion=vecina), por=coordinador)
    Membresia.objects.create(usuario=coordinador, organizacion=vecina, rol=Membresia.Rol.LECTOR)

    membresia = Membresia.objects.get(usuario=coordinador, organizacion=mesa.anfitriona)
    comunas_services.membresia_quitar(membresia=membresia, por=director)

    assert mesa.coordinadores.filter(pk=coordinador.pk).exists()
    assert puede_coordinar(coordinador, mesa)
    assert not Auditoria.objects.filter(accion=Auditoria.Accion.CAMBIAR_ROL, objeto=coordinador.email).exists()


def test_suspender_la_organizacion_termina_coordinacion_y_calendario(mesa, coordinador, director, admin):
    sesion = crear_sesion(mesa, estado="convocada")
    mesa.coordinadores.add(director)
    token = services_actas.calendario_generar(usuario=director)
    feed = f"/mesas/calendario/{token}.ics"
    anonimo = cliente_de(None)
    assert str(sesion.uid) in anonimo.get(feed).content.decode()

    comunas_services.organizacion_suspender(organizacion=mesa.anfitriona, por=admin, motivo="Revisión de cuentas")

    assert list(mesa.coordinadores.all()) == []  # staff run it until they appoint others
    filas = Auditoria.objects.filter(accion=Auditoria.Accion.CAMBIAR_ROL, organizacion=mesa.anfitriona)
    assert sorted(filas.values_list("objeto", flat=True)) == sorted([coordinador.email, director.email])
    assert {f.motivo for f in filas} == {"Suspensión: Revisión de cuentas"}
    respuesta = anonimo.get(feed)
    assert respuesta.status_code == 404
    assert "No encontramos esa página" in respuesta.content.decode()
    # Reactivated, the people come back as members, not as coordinators: that is appointed again.
    comunas_services.organizacion_reactivar(organizacion=mesa.anfitriona, por=admin, motivo="Aclarado")
    assert anonimo.get(feed).status_code == 200
    assert not puede_coordinar(coordinador, mesa)
