"""The signed-in home shows what concerns the person: sessions to answer, open acuerdos, pending decisions; and, to
a coordinator, the work of the mesas she coordinates and her roles."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comunas.models import Comuna, Membresia
from mesa import services, services_actas, services_participacion
from mesa.models import Respuesta, Sesion
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import coordinadora_retirada, crear_mesa, crear_sesion, mesa_del_elenco

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa_con_trabajo(org_zapallar, coordinador, director):
    return mesa_del_elenco(org_zapallar, coordinador, director)  # with a published acta and its acuerdo


def test_el_inicio_muestra_sesiones_por_responder_y_acuerdos(director, mesa_con_trabajo):
    html = cliente_de(director).get("/inicio/").content.decode()
    assert "Lo que le concierne" in html
    assert "Próximas sesiones" in html
    assert "Aún no responde si asistirá" in html
    assert f"/mesas/sesiones/{mesa_con_trabajo['sesion'].pk}/" in html
    assert "Acuerdos abiertos de su organización" in html
    assert "Compartir el protocolo." in html


def test_el_inicio_muestra_la_respuesta_dada(director, mesa_con_trabajo):
    Respuesta.objects.create(sesion=mesa_con_trabajo["sesion"], usuario=director, opcion="asistire")
    html = cliente_de(director).get("/inicio/").content.decode()
    assert "Su respuesta: Asistiré" in html


def test_quien_no_participa_no_ve_sesiones_ajenas(ajeno, mesa_con_trabajo):
    html = cliente_de(ajeno).get("/inicio/").content.decode()
    assert "Próximas sesiones" not in html
    assert "Compartir el protocolo." not in html


def test_el_inicio_no_crece_en_consultas(director, mesa_con_trabajo, django_assert_max_num_queries):
    client = cliente_de(director)
    client.get("/inicio/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as antes:
        client.get("/inicio/")
    for numero in range(10, 16):
        crear_sesion(mesa_con_trabajo["mesa"], numero=numero, estado="convocada", dias=numero)
    with django_assert_max_num_queries(len(antes)):
        client.get("/inicio/")


# --- The coordinator's home -------------------------------------------------------------------------------


def _trabajo(mesa, coordinador, director, *, n=1, desde=10):
    """Work waiting for the coordination, `n` of each: a convened session past its end without attendance, an acta
    in review with a comment, an overdue acuerdo (of an approved acta), a request to join, a convened session ahead
    with one answer."""
    for i in range(n):
        numero = desde + 4 * i
        crear_sesion(mesa, numero=numero, estado=Sesion.Estado.CONVOCADA, dias=-30 - i)
        revisada = crear_sesion(mesa, numero=numero + 1, estado=Sesion.Estado.CONVOCADA, dias=-40 - i)
        services.asistencia_registrar(sesion=revisada, por=coordinador, presentes=[director.pk])
        acta = services_actas.acta_redactar(sesion=revisada, por=coordinador)
        services_actas.acuerdo_agregar(
            acta=acta,
            por=coordinador,
            descripcion=f"Enviar el catastro de luminarias ({i}).",
            organizacion=mesa.anfitriona,
            plazo=timezone.localdate() - timedelta(days=3),
        )
        acta = services_actas.acta_circular(acta=acta, por=coordinador)
        services_actas.acta_comentar(acta=acta, por=director, texto="Falta la asistencia de Petorca.")
        aprobada = crear_sesion(mesa, numero=numero + 2, estado=Sesion.Estado.CONVOCADA, dias=-50 - i)
        services.asistencia_registrar(sesion=aprobada, por=coordinador, presentes=[director.pk])
        otra = services_actas.acta_redactar(sesion=aprobada, por=coordinador)
        services_actas.acuerdo_agregar(
            acta=otra,
            por=coordinador,
            descripcion=f"Informe de rondas ({i}).",
            organizacion=mesa.anfitriona,
            plazo=timezone.localdate() - timedelta(days=10),
        )
        services_actas.acta_aprobar(acta=otra, por=coordinador)
        proxima = crear_sesion(mesa, numero=numero + 3, estado=Sesion.Estado.CONVOCADA, dias=20 + i)
        Respuesta.objects.create(sesion=proxima, usuario=director, opcion=Respuesta.Opcion.ASISTIRE)
        org = crear_organizacion(comuna=Comuna.objects.filter(organizaciones__isnull=True).order_by("codigo").first())
        directora = miembro(org, f"directora{org.pk}@vecina.test", Membresia.Rol.DIRECTOR, nombre=f"Directora {i}")
        services_participacion.mesa_solicitar(mesa=mesa, organizacion=org, por=directora)


def test_la_coordinadora_ve_lo_que_coordina(coordinador, director, mesa_con_trabajo):
    mesa = mesa_con_trabajo["mesa"]
    _trabajo(mesa, coordinador, director)
    pagina = cliente_de(coordinador).get("/inicio/").content.decode()
    # Her roles: integrante of her organization, coordinator of the mesa.
    assert "Su rol en la organización: <strong>Integrante</strong>" in pagina
    assert "Coordinación de mesas" in pagina and f'Coordina <a href="/mesas/{mesa.pk}/">{mesa.nombre}</a>' in pagina
    assert "Su coordinación" in pagina and "Usted coordina" in pagina
    # The draft session to convene.
    assert "Sesiones por convocar" in pagina
    assert f"/mesas/sesiones/{mesa_con_trabajo['sesion_borrador'].pk}/" in pagina
    # Convened sessions with people who have not answered, with the counts (director, coordinator: 2 convened).
    assert "Respuestas pendientes" in pagina
    assert "1 asistirá · 0 no · 0 tal vez · <strong>1 sin respuesta</strong>" in " ".join(pagina.split())
    # Actas: attendance to record, a draft to finish, one in review with its comment, to approve.
    assert "Actas por redactar o aprobar" in pagina
    assert "registre la asistencia y redacte el acta" in pagina
    assert "acta en borrador: termínela y circúlela" in pagina
    assert "1 comentario" in pagina and "por aprobar" in pagina
    # Overdue acuerdos of her mesas (of approved actas only), and the request to join.
    assert "Acuerdos vencidos de sus mesas (1)" in pagina and "Informe de rondas (0)." in pagina
    assert "Enviar el catastro de luminarias" not in pagina  # its acta is not approved yet
    assert "Solicitudes para unirse" in pagina and f"/mesas/{mesa.pk}/#solicitudes" in pagina


def test_quien_no_coordina_no_ve_la_coordinacion(director, integrante, coordinador, mesa_con_trabajo):
    for persona in (director, integrante):
        pagina = cliente_de(persona).get("/inicio/").content.decode()
        assert "Su coordinación" not in pagina and "Coordinación de mesas" not in pagina
    retirada = coordinadora_retirada(mesa_con_trabajo["mesa"])
    assert "Su coordinación" not in cliente_de(retirada).get("/inicio/").content.decode()


def test_una_mesa_sin_proxima_sesion_invita_a_programarla(coordinador, org_zapallar):
    mesa = crear_mesa(org_zapallar, coordinador)
    pagina = cliente_de(coordinador).get("/inicio/").content.decode()
    assert f"{mesa.nombre} no tiene una próxima sesión." in pagina
    assert f"/mesas/{mesa.pk}/sesiones/nueva/" in pagina


def test_la_coordinacion_en_el_inicio_no_crece_en_consultas(coordinador, director, org_zapallar, mesa_con_trabajo):
    mesa = mesa_con_trabajo["mesa"]
    _trabajo(mesa, coordinador, director)
    cliente = cliente_de(coordinador)
    cliente.get("/inicio/")
    with CaptureQueriesContext(connection) as pocas:
        cliente.get("/inicio/")
    _trabajo(mesa, coordinador, director, n=3, desde=30)
    otra = crear_mesa(org_zapallar, coordinador, nombre="Mesa de la costa")
    _trabajo(otra, coordinador, director, n=1, desde=10)
    with CaptureQueriesContext(connection) as muchas:
        pagina = cliente.get("/inicio/").content.decode()
    assert "Acuerdos vencidos de sus mesas (5)" in pagina and "Mesa de la costa" in pagina
    assert len(muchas) == len(pocas), [q["sql"][:120] for q in muchas.captured_queries]
