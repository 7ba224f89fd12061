"""Search on PostgreSQL (spanish_unaccent): accents, ranking, snippets, facets, URL filters, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comunas.models import Comuna, Provincia
from practicas.selectors import FIN_MARCA, INICIO_MARCA, Filtros, buscar_practicas, resaltar_en_python
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


def _publicada(org, por, titulo, **datos):
    return crear_practica(org, por, titulo=titulo, estado="publicada", **datos)


def _titulos(user, **get):
    practicas, _ = buscar_practicas(user, Filtros.de_get(get))
    return [p.titulo for p in practicas]


def test_sin_tildes_ni_mayusculas_camara_encuentra_camaras(director, org_zapallar, taxonomia):
    _publicada(org_zapallar, director, "Red de cámaras de televigilancia", resumen="Cámaras en accesos.")
    _publicada(org_zapallar, director, "Ferias libres seguras", resumen="Patrullaje en ferias.")
    assert _titulos(director, q="camara") == ["Red de cámaras de televigilancia"]
    assert _titulos(director, q="CAMARAS TELEVIGILANCIA") == ["Red de cámaras de televigilancia"]
    assert _titulos(director, q="Ñuñoa") == []


def test_el_titulo_pesa_mas_que_el_texto(director, org_zapallar, taxonomia):
    _publicada(org_zapallar, director, "Ferias seguras", resumen="Se instalaron luminarias junto a las ferias.")
    _publicada(org_zapallar, director, "Luminarias LED en pasajes", resumen="Recambio de luminarias en pasajes.")
    assert _titulos(director, q="luminaria")[0] == "Luminarias LED en pasajes"


def test_fragmento_resaltado_y_escapado(director, org_zapallar, taxonomia):
    resumen = "Instalamos <b>alarmas</b> <script>alert(1)</script> & cámaras vecinales en 2024."
    _publicada(org_zapallar, director, "Alarmas", resumen=resumen)
    html = cliente_de(director).get("/practicas/?q=camara").content.decode()
    fragmento = html.split('class="card-text fragmento">')[1].split("</p>")[0]
    assert "<mark>cámaras</mark>" in fragmento
    assert "<b>" not in fragmento and "<script" not in fragmento and "&amp;" in fragmento


def test_el_respaldo_sin_postgresql_resalta_sin_tildes():
    fragmento = resaltar_en_python("Instalamos Cámaras en la plaza.", "camara")
    assert fragmento == f"Instalamos {INICIO_MARCA}Cámara{FIN_MARCA}s en la plaza."


def test_solo_se_buscan_las_publicadas_visibles(director, ajeno, org_zapallar, taxonomia):
    crear_practica(org_zapallar, director, titulo="Cámaras en borrador")
    _publicada(org_zapallar, director, "Cámaras para la plataforma")
    _publicada(org_zapallar, director, "Cámaras abiertas", visibilidad="publica")
    assert sorted(_titulos(ajeno, q="camaras")) == ["Cámaras abiertas", "Cámaras para la plataforma"]
    from django.contrib.auth.models import AnonymousUser

    assert _titulos(AnonymousUser(), q="camaras") == ["Cámaras abiertas"]


def test_facetas_y_filtros_en_la_url(director, org_zapallar, taxonomia):
    provincial = crear_organizacion(provincia=Provincia.objects.get(codigo="055"))
    jefa = miembro(provincial, "jefa@quillota.test", "director")
    _publicada(org_zapallar, director, "A", categorias=("hurtos",), periodo_inicio=datetime.date(2023, 3, 1),
               calificacion="efectiva")  # fmt: skip
    _publicada(org_zapallar, director, "B", categorias=("hurtos", "otras-incivilidades"),
               periodo_inicio=datetime.date(2024, 3, 1))  # fmt: skip
    _publicada(provincial, jefa, "C", categorias=("vif-lesiones-fisicas",), periodo_inicio=datetime.date(2024, 6, 1))

    _, facetas = buscar_practicas(director, Filtros())
    assert [(c["slug"], c["n"]) for c in facetas.categorias] == [("vif-lesiones-fisicas", 1), ("hurtos", 2),
                                                                   ("otras-incivilidades", 1)]  # fmt: skip
    assert [(r["codigo"], r["n"]) for r in facetas.regiones] == [("05", 3)]
    assert [(p["codigo"], p["n"]) for p in facetas.provincias] == [("054", 2), ("055", 1)]
    assert [(c["codigo"], c["n"]) for c in facetas.comunas] == [("05405", 2)]
    assert [(a["anio"], a["n"]) for a in facetas.anios] == [(2024, 2), (2023, 1)]
    assert {c["valor"]: c["n"] for c in facetas.calificaciones} == {"efectiva": 1, "prometedora": 2}
    assert len(facetas.organizaciones) == 2

    assert _titulos(director, categoria="hurtos", orden="titulo") == ["A", "B"]
    assert _titulos(director, territorio="055") == ["C"]
    assert _titulos(director, territorio="05405", orden="titulo") == ["A", "B"]
    assert _titulos(director, anio="2023") == ["A"]
    assert _titulos(director, calificacion="efectiva") == ["A"]
    assert _titulos(director, organizacion=str(provincial.pk)) == ["C"]
    assert _titulos(director, orden="evidencia")[0] == "A"

    html = cliente_de(director).get("/practicas/?categoria=hurtos&territorio=05405&orden=titulo").content.decode()
    assert '<option value="hurtos" selected>Hurtos (2)</option>' in html
    assert "2 prácticas publicadas" in html


def test_paginacion_conserva_los_filtros(director, org_zapallar, taxonomia):
    for i in range(23):
        _publicada(org_zapallar, director, f"Práctica {i:02d}", categorias=("hurtos",))
    html = cliente_de(director).get("/practicas/?categoria=hurtos&orden=titulo").content.decode()
    assert "Página 1 de 2" in html and "categoria=hurtos&amp;orden=titulo&amp;pagina=2" in html
    html = cliente_de(director).get("/practicas/?categoria=hurtos&orden=titulo&pagina=2").content.decode()
    assert "Práctica 22" in html and "Práctica 00" not in html


def _leer(respuesta):
    """The whole body, a streamed one (CSV) included: its queries run while it is read."""
    return b"".join(respuesta.streaming_content) if respuesta.streaming else respuesta.content


def _consultas(cliente, url):
    with CaptureQueriesContext(connection) as consultas:
        respuesta = cliente.get(url)
        assert respuesta.status_code == 200
        _leer(respuesta)
    return len(consultas)


@pytest.mark.parametrize("url", ["/practicas/", "/practicas/?q=camaras&categoria=hurtos&territorio=05"])
def test_la_biblioteca_hace_las_mismas_consultas_con_5_y_con_50(
    director, org_zapallar, dpa, taxonomia, url, django_assert_num_queries
):
    otra = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    cliente = cliente_de(director)

    def poblar(n):
        for i in range(n):
            org = org_zapallar if i % 2 else otra
            _publicada(org, director, f"Cámaras {i}", categorias=("hurtos", "danos"),
                       periodo_inicio=datetime.date(2020 + i % 5, 1, 1))  # fmt: skip
        crear_practica(org_zapallar, director, titulo=f"Borrador {n}")

    poblar(5)
    con_5 = _consultas(cliente, url)
    poblar(45)
    with django_assert_num_queries(con_5):
        cliente.get(url)


def test_el_detalle_hace_las_mismas_consultas_con_pocos_y_muchos_resultados(
    director, org_zapallar, taxonomia, django_assert_num_queries
):
    from practicas.services import practica_actualizar

    practica = _publicada(org_zapallar, director, "Detalle", categorias=("hurtos",))
    cliente = cliente_de(director)
    pocas = _consultas(cliente, f"/practicas/{practica.pk}/")
    practica_actualizar(
        practica=practica,
        por=director,
        datos={},
        categorias=list(practica.categorias.model.objects.vigentes()[:10]),
        resultados=[{"indicador": f"Indicador {i}"} for i in range(12)],
    )
    with django_assert_num_queries(pocas):
        cliente.get(f"/practicas/{practica.pk}/")
