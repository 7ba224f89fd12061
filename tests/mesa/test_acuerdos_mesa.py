"""The mesa-wide list of acuerdos (/mesas/<pk>/acuerdos/): what it shows, its filters, who sees it, its queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comunas.models import Comuna, Membresia
from mesa import services, services_actas
from mesa.models import Acuerdo, Sesion
from tests.conftest import cliente_de, con_dos_factores, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def org_papudo(mesa, coordinador):
    org = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    participacion = services.mesa_invitar(mesa=mesa, organizacion=org, por=coordinador)
    services.participacion_aceptar(participacion=participacion, por=coordinador)
    return org


def _acta(mesa, coordinador, numero, acuerdos, aprobar=True):
    """The acta of a held session n.º `numero`, with the given (descripción, organización, plazo) acuerdos."""
    sesion = crear_sesion(mesa, numero=numero, estado=Sesion.Estado.CONVOCADA, dias=-numero)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[])
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinador)
    for descripcion, organizacion, plazo in acuerdos:
        services_actas.acuerdo_agregar(
            acta=acta, por=coordinador, descripcion=descripcion, organizacion=organizacion, plazo=plazo
        )
    if aprobar:
        services_actas.acta_aprobar(acta=acta, por=coordinador)
    return acta


@pytest.fixture
def con_acuerdos(mesa, coordinador, org_zapallar, org_papudo, org_ajena):
    """Session 1 (approved acta): an overdue, a fulfilled and a pending acuerdo; session 2 (published): one in
    progress; session 3 is still a draft, and another mesa has its own acuerdo."""
    hoy = timezone.localdate()
    _acta(
        mesa,
        coordinador,
        1,
        [
            ("Mapa de calor de Zapallar", org_zapallar, hoy - timedelta(days=5)),
            ("Protocolo de rondas", org_zapallar, hoy - timedelta(days=20)),
            ("Catastro de luminarias de Papudo", org_papudo, hoy + timedelta(days=30)),
        ],
    )
    segunda = _acta(mesa, coordinador, 2, [("Cámaras en la costanera", org_papudo, hoy + timedelta(days=10))])
    services_actas.acta_publicar(acta=segunda, por=coordinador)
    _acta(mesa, coordinador, 3, [("Borrador reservado", org_zapallar, hoy)], aprobar=False)
    de_santiago = con_dos_factores(miembro(org_ajena, "coordinacion@santiago.test", Membresia.Rol.INTEGRANTE))
    otra = crear_mesa(org_ajena, de_santiago, nombre="Mesa de Santiago")
    _acta(otra, de_santiago, 1, [("Acuerdo de otra mesa", org_ajena, hoy)])
    Acuerdo.objects.filter(descripcion="Protocolo de rondas").update(estado=Acuerdo.Estado.CUMPLIDO)
    Acuerdo.objects.filter(descripcion="Cámaras en la costanera").update(estado=Acuerdo.Estado.EN_CURSO)
    return mesa


def _url(mesa, consulta=""):
    return f"/mesas/{mesa.pk}/acuerdos/{consulta}"


def _listados(respuesta):
    assert respuesta.status_code == 200
    return [a.descripcion for a in respuesta.context["pagina"].object_list]


def test_lista_los_acuerdos_vigentes_de_la_mesa_por_plazo(con_acuerdos, lector):
    respuesta = cliente_de(lector).get(_url(con_acuerdos))
    assert _listados(respuesta) == [
        "Protocolo de rondas",
        "Mapa de calor de Zapallar",
        "Cámaras en la costanera",
        "Catastro de luminarias de Papudo",
    ]
    html = respuesta.content.decode()
    assert "Borrador reservado" not in html and "Acuerdo de otra mesa" not in html
    sesion_1 = con_acuerdos.sesiones.get(numero=1)
    assert f'href="/mesas/sesiones/{sesion_1.pk}/acta/"' in html and "Sesión n.º 2" in html
    assert "acta publicada" in html and "acta aprobada" in html
    for estado in ("Vencido", "Cumplido", "En curso", "Pendiente"):
        assert f">{estado}</span>" in html
    assert '<th scope="col">Plazo</th>' in html and "<caption>" in html


def test_enlace_desde_la_pagina_de_la_mesa(mesa, integrante):
    assert f'href="{_url(mesa)}"' in cliente_de(integrante).get(f"/mesas/{mesa.pk}/").content.decode()


@pytest.mark.parametrize(
    ("estado", "esperados"),
    [
        ("pendiente", ["Catastro de luminarias de Papudo"]),  # an overdue pendiente is listed as vencido only
        ("en_curso", ["Cámaras en la costanera"]),
        ("cumplido", ["Protocolo de rondas"]),
        ("vencido", ["Mapa de calor de Zapallar"]),
    ],
)
def test_filtra_por_estado_visible(con_acuerdos, director, estado, esperados):
    respuesta = cliente_de(director).get(_url(con_acuerdos, f"?estado={estado}"))
    assert _listados(respuesta) == esperados
    assert f'<option value="{estado}" selected>' in respuesta.content.decode()


def test_filtra_por_organizacion_responsable(con_acuerdos, director, org_papudo):
    cliente = cliente_de(director)
    papudo = _listados(cliente.get(_url(con_acuerdos, f"?organizacion={org_papudo.pk}")))
    assert papudo == ["Cámaras en la costanera", "Catastro de luminarias de Papudo"]
    ambos = _listados(cliente.get(_url(con_acuerdos, f"?organizacion={org_papudo.pk}&estado=pendiente")))
    assert ambos == ["Catastro de luminarias de Papudo"]


@pytest.mark.parametrize(
    "consulta",
    [
        "?estado=archivado",
        "?estado=",
        "?organizacion=abc",
        "?organizacion=999999999",
        "?organizacion=99999999999999999999999",
        "?organizacion=ajena",  # replaced below by the id of an organization outside the mesa
        "?pagina=xyz",
        "?pagina=999",
        "?estado[]=vencido&organizacion=1.5",
    ],
)
def test_un_filtro_invalido_se_ignora(con_acuerdos, director, org_ajena, consulta):
    consulta = consulta.replace("=ajena", f"={org_ajena.pk}")
    assert len(_listados(cliente_de(director).get(_url(con_acuerdos, consulta)))) == 4


def test_pagina_de_50_y_los_enlaces_conservan_los_filtros(mesa, coordinador, director, org_papudo):
    acta = _acta(mesa, coordinador, 1, [])
    plazo = timezone.localdate() + timedelta(days=1)
    Acuerdo.objects.bulk_create(
        Acuerdo(acta=acta, organizacion=org_papudo, descripcion=f"Acuerdo {i:02}", plazo=plazo) for i in range(51)
    )
    consulta = f"estado=pendiente&organizacion={org_papudo.pk}"
    respuesta = cliente_de(director).get(_url(mesa, f"?{consulta}&pagina=2"))
    assert _listados(respuesta) == ["Acuerdo 50"]
    html = respuesta.content.decode()
    assert f'href="?pagina=1&amp;{consulta.replace("&", "&amp;")}"' in html and "Página 2 de 2" in html


def test_exporta_csv_con_los_filtros(con_acuerdos, coordinador, org_zapallar):
    Acuerdo.objects.filter(descripcion="Mapa de calor de Zapallar").update(descripcion="=HIPERVINCULO()")
    respuesta = cliente_de(coordinador).get(_url(con_acuerdos, f"?formato=csv&organizacion={org_zapallar.pk}"))
    assert respuesta["Content-Type"] == "text/csv; charset=utf-8" and respuesta.streaming  # sent as it is written
    texto = b"".join(respuesta.streaming_content).decode("utf-8-sig")
    filas = texto.splitlines()
    assert filas[0] == "Acuerdo;Organización responsable;Plazo;Estado;Sesión;Estado del acta"
    assert len(filas) == 3 and "Papudo" not in texto
    assert filas[2].startswith("'=HIPERVINCULO();") and ";Vencido;n.º 1 (" in filas[2]


def test_ajeno_no_sabe_que_existe_y_anonimo_va_a_ingresar(con_acuerdos, ajeno, anonimo):
    assert cliente_de(ajeno).get(_url(con_acuerdos)).status_code == 404
    assert cliente_de(ajeno).get(_url(con_acuerdos, "?formato=csv")).status_code == 404
    respuesta = cliente_de(anonimo).get(_url(con_acuerdos))
    assert respuesta.status_code == 302 and respuesta.url.startswith("/cuenta/ingresar/")


def test_numero_fijo_de_consultas(mesa, coordinador, integrante, org_zapallar, org_papudo, django_assert_num_queries):
    actas = [_acta(mesa, coordinador, n, []) for n in (1, 2)]
    organizaciones = [org_zapallar, org_papudo]
    hoy = timezone.localdate()

    def agregar(desde, hasta):
        Acuerdo.objects.bulk_create(
            Acuerdo(
                acta=actas[i % 2],
                organizacion=organizaciones[i // 2 % 2],
                descripcion=f"Acuerdo {i}",
                plazo=hoy + timedelta(days=i - 6),
            )
            for i in range(desde, hasta)
        )

    cliente = cliente_de(integrante)
    agregar(0, 2)
    with django_assert_num_queries(CONSULTAS):
        assert len(_listados(cliente.get(_url(mesa)))) == 2
    agregar(2, 12)
    with django_assert_num_queries(CONSULTAS):
        assert len(_listados(cliente.get(_url(mesa)))) == 12
    with django_assert_num_queries(CONSULTAS):
        assert len(_listados(cliente.get(_url(mesa, f"?estado=vencido&organizacion={org_papudo.pk}")))) == 2


# Session and user, "coordinates a mesa?" (two-step verification), suspended organizations, the gate (the
# user's organizations, the mesa), the filter's organizations, the count and the page.
CONSULTAS = 9
