"""A newly approved directorate's "Primeros pasos" on the home page: computed from its data, each step a link to where
it is done and ticked once done; the list hides itself when complete, and its director(a) may hide it before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comunas import services as comunas_services
from comunas.models import Membresia, Organizacion
from mesa import services, services_participacion
from mesa.inicio import primeros_pasos
from tests.comunas.fabricas import invitacion, solicitud_nueva
from tests.conftest import cliente_de, miembro
from tests.diagnosticos.utiles import crear_diagnostico
from tests.mesa.utiles import crear_mesa
from tests.planes.utiles import crear_plan
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db

PASOS = [
    "Complete el perfil de su organización",
    "Invite a su equipo",
    "Únase a una mesa",
    "Comparta una práctica",
    "Suba un diagnóstico o sus indicadores",
    "Cree el plan comunal de seguridad pública",
]


@pytest.fixture
def papudo(dpa, admin):
    """Papudo's directorate, just approved by the platform admin: its applicant is its director(a)."""
    solicitud = solicitud_nueva()
    comunas_services.solicitud_aprobar(solicitud=solicitud, por=admin)
    organizacion = Organizacion.objects.get(pk=solicitud.organizacion_id)
    return organizacion, solicitud.usuario


def _pasos(organizacion, usuario):
    """({titulo: Paso}, how many are done) of that organization's list for the person; ({}, 0) when not shown."""
    membresias = list(Membresia.objects.filter(usuario=usuario).select_related("organizacion"))
    for org, pasos, hechos in primeros_pasos(membresias):
        if org.pk == organizacion.pk:
            return {p.titulo: p for p in pasos}, hechos
    return {}, 0


def test_la_direccion_recien_aprobada_ve_sus_primeros_pasos(papudo):
    organizacion, directora = papudo
    pagina = cliente_de(directora).get("/inicio/").content.decode()
    assert "Primeros pasos" in pagina and "0 de 6 listos" in pagina
    for titulo in PASOS:
        assert titulo in pagina
    # Each step links to where it is done.
    for url in (
        f"/organizaciones/{organizacion.pk}/editar/",
        f"/organizaciones/{organizacion.pk}/invitar/",
        "/mesas/",
        "/practicas/nueva/",
        "/diagnosticos/nuevo/",
        "/planes/nuevo/",
    ):
        assert f'href="{url}"' in pagina


def test_cada_paso_se_marca_con_los_datos_reales(papudo, org_zapallar, coordinador):
    organizacion, directora = papudo
    pasos, hechos = _pasos(organizacion, directora)
    assert hechos == 0 and not any(p.hecho for p in pasos.values())

    comunas_services.organizacion_editar(
        organizacion=organizacion, por=directora, direccion="Calle Chorrillos 10, Papudo", telefono="+56 33 279 0000"
    )
    invitacion(organizacion, directora, email="analista@papudo.test")
    mesa = crear_mesa(org_zapallar, coordinador)
    solicitud = services_participacion.mesa_solicitar(mesa=mesa, organizacion=organizacion, por=directora)
    pasos, hechos = _pasos(organizacion, directora)
    assert hechos == 2 and pasos["Complete el perfil de su organización"].hecho and pasos["Invite a su equipo"].hecho
    assert not pasos["Únase a una mesa"].hecho
    assert pasos["Únase a una mesa"].estado == "Solicitud o invitación pendiente"

    services_participacion.solicitud_aceptar(participacion=solicitud, por=coordinador)
    crear_practica(organizacion, directora, titulo="Rondas en la caleta")
    pasos, hechos = _pasos(organizacion, directora)
    assert pasos["Únase a una mesa"].hecho and not pasos["Comparta una práctica"].hecho
    assert pasos["Comparta una práctica"].estado == "Tiene un borrador sin publicar"
    crear_practica(organizacion, directora, titulo="Patrullaje de verano", estado="publicada")
    crear_diagnostico(organizacion, directora, publicar="plataforma")
    pasos, hechos = _pasos(organizacion, directora)
    assert hechos == 5 and not pasos["Cree el plan comunal de seguridad pública"].hecho

    # An intercommunal plan is not the plan comunal; once it exists, the list is complete and hides itself.
    crear_plan(organizacion, directora, tipo="intercomunal", titulo="Plan de la costa")
    assert not _pasos(organizacion, directora)[0]["Cree el plan comunal de seguridad pública"].hecho
    crear_plan(organizacion, directora, titulo="Plan comunal de seguridad pública de Papudo")
    assert _pasos(organizacion, directora) == ({}, 0)
    assert "Primeros pasos" not in cliente_de(directora).get("/inicio/").content.decode()


def test_una_provincia_crea_un_plan_de_accion(dpa, admin):
    from comunas.models import Provincia

    solicitud = comunas_services.solicitud_crear(
        territorio=Provincia.objects.get(codigo="056"),
        email="jefa@prov-sanantonio.test",
        nombre_organizacion="Delegación Presidencial Provincial de San Antonio",
        nombre="Julia Provincial",
        cargo="Jefa de Seguridad Pública provincial",
    )
    comunas_services.solicitud_aprobar(solicitud=solicitud, por=admin)
    pasos, _ = _pasos(solicitud.organizacion, solicitud.usuario)
    assert "Cree un plan de acción" in pasos and "Cree el plan comunal de seguridad pública" not in pasos


def test_solo_la_direccion_de_una_organizacion_activa_ve_la_lista(papudo, director, integrante):
    organizacion, directora = papudo
    analista = miembro(organizacion, "analista@papudo.test", Membresia.Rol.INTEGRANTE)
    assert "Primeros pasos" not in cliente_de(analista).get("/inicio/").content.decode()
    assert "Primeros pasos" not in cliente_de(integrante).get("/inicio/").content.decode()
    Organizacion.objects.filter(pk=organizacion.pk).update(estado=Organizacion.Estado.PENDIENTE)
    assert "Primeros pasos" not in cliente_de(directora).get("/inicio/").content.decode()


def test_ocultar_la_lista(papudo, ajeno, org_ajena):
    organizacion, directora = papudo
    cliente = cliente_de(directora)
    # Someone else's organization, or none: nothing changes.
    respuesta = cliente.post("/inicio/primeros-pasos/ocultar/", {"organizacion": org_ajena.pk}, follow=True)
    assert "No encontramos esa lista de primeros pasos." in respuesta.content.decode()
    assert cliente_de(ajeno).post("/inicio/primeros-pasos/ocultar/", {"organizacion": "x"}).status_code == 302
    assert "Primeros pasos" in cliente.get("/inicio/").content.decode()
    respuesta = cliente.post("/inicio/primeros-pasos/ocultar/", {"organizacion": organizacion.pk}, follow=True)
    assert "ya no verá los primeros pasos" in respuesta.content.decode()
    assert "Primeros pasos" not in respuesta.content.decode()
    assert Membresia.objects.get(usuario=directora).primeros_pasos_ocultos_en is not None
    assert Membresia.objects.get(usuario=ajeno).primeros_pasos_ocultos_en is None


def test_la_lista_no_crece_en_consultas(papudo, org_zapallar, coordinador):
    organizacion, directora = papudo
    cliente = cliente_de(directora)
    cliente.get("/inicio/")
    with CaptureQueriesContext(connection) as pocas:
        cliente.get("/inicio/")
    for i in range(4):
        crear_practica(organizacion, directora, titulo=f"Práctica {i}", estado="publicada" if i % 2 else "borrador")
        crear_plan(organizacion, directora, tipo="intercomunal", titulo=f"Plan {i}")
        mesa = crear_mesa(org_zapallar, coordinador, nombre=f"Mesa {i}")
        services.mesa_invitar(mesa=mesa, organizacion=organizacion, por=coordinador)
    with CaptureQueriesContext(connection) as muchas:
        pagina = cliente.get("/inicio/").content.decode()
    assert "1 de 6 listos" in pagina
    assert len(muchas) == len(pocas), [q["sql"][:120] for q in muchas.captured_queries]


def test_los_indicadores_cargados_cuentan_como_diagnostico(papudo):
    from diagnosticos.models import ImportacionIndicadores

    organizacion, directora = papudo
    ImportacionIndicadores.objects.create(usuario=directora, nombre_archivo="cead.csv", huella="0" * 64)
    assert not _pasos(organizacion, directora)[0]["Suba un diagnóstico o sus indicadores"].hecho  # not confirmed
    ImportacionIndicadores.objects.update(estado=ImportacionIndicadores.Estado.CONFIRMADA)
    assert _pasos(organizacion, directora)[0]["Suba un diagnóstico o sus indicadores"].hecho
