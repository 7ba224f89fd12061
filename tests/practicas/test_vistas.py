import pytest
from django.test import Client

from comunas.models import Categoria
from practicas.models import Practica
from tests.conftest import cliente_de
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


def _formset(*filas, prefijo="resultados", iniciales=0):
    datos = {f"{prefijo}-TOTAL_FORMS": str(len(filas)), f"{prefijo}-INITIAL_FORMS": str(iniciales),
             f"{prefijo}-MIN_NUM_FORMS": "0", f"{prefijo}-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for i, fila in enumerate(filas):
        datos.update({f"{prefijo}-{i}-{k}": v for k, v in fila.items()})
    return datos


def test_un_director_guarda_un_borrador_con_resultados(director, org_zapallar, taxonomia):
    hurtos = Categoria.objects.vigentes().get(slug="hurtos")
    datos = {
        "organizacion": org_zapallar.pk,
        "titulo": "Ferias libres seguras",
        "resumen": "Coordinación con **Carabineros** en ferias.",
        "categorias": [hurtos.pk],
        "presupuesto": "4500000",
        **_formset(
            {"indicador": "Hurtos en ferias", "linea_base": "38", "resultado": "21", "nivel_maryland": "2"},
            {"indicador": ""},
        ),  # fmt: skip
    }
    respuesta = cliente_de(director).post("/practicas/nueva/", datos)
    practica = Practica.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == f"/practicas/{practica.pk}/editar/"
    assert practica.es_borrador and practica.presupuesto == 4_500_000
    assert list(practica.categorias.all()) == [hurtos]
    assert list(practica.resultados.values_list("indicador", flat=True)) == ["Hurtos en ferias"]
    html = cliente_de(director).get(f"/practicas/{practica.pk}/").content.decode()
    assert "<strong>Carabineros</strong>" in html and "$4.500.000" in html and "Borrador" in html


def test_un_error_de_validacion_no_pierde_lo_escrito(director, org_zapallar, taxonomia):
    datos = {
        "organizacion": org_zapallar.pk,
        "titulo": "Patrullaje preventivo",
        "contexto": "Un texto largo que la directora escribió durante una hora.",
        "periodo_inicio": "2025-05-01",
        "periodo_fin": "2024-05-01",
        "contacto_email": "no-es-correo",
        **_formset({"indicador": "Robos", "linea_base": "10"}),
    }
    respuesta = cliente_de(director).post("/practicas/nueva/", datos)
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "Un texto largo que la directora escribió durante una hora." in html
    assert 'value="Patrullaje preventivo"' in html and 'value="Robos"' in html
    assert "lo que escribió se conserva" in html and "El término no puede ser anterior al inicio." in html
    assert not Practica.objects.exists()


def test_editar_publicar_y_archivar_por_las_vistas(director, org_zapallar, taxonomia):
    practica = crear_practica(org_zapallar, director, titulo="Luminarias LED")
    cliente = cliente_de(director)
    resultado = practica.resultados.get()
    datos = {
        "titulo": "Luminarias LED en pasajes",
        "resumen": "Recambio de luminarias.",
        "calificacion": "prometedora",
        "categorias": [Categoria.objects.vigentes().get(slug="robo-por-sorpresa").pk],
        **_formset({"id": resultado.pk, "indicador": "Robos por sorpresa", "nivel_maryland": "3"}, iniciales=1),
    }
    assert cliente.post(f"/practicas/{practica.pk}/editar/", datos).status_code == 302
    practica.refresh_from_db()
    assert practica.titulo == "Luminarias LED en pasajes"
    assert practica.resultados.get().pk == resultado.pk

    assert "Todas las organizaciones" in cliente.get(f"/practicas/{practica.pk}/publicar/").content.decode()
    respuesta = cliente.post(f"/practicas/{practica.pk}/publicar/", {"visibilidad": "publica"}, follow=True)
    assert "Práctica publicada." in respuesta.content.decode()
    practica.refresh_from_db()
    assert practica.es_publicada and practica.visibilidad == "publica"
    assert "Versión 1" in respuesta.content.decode()

    respuesta = cliente.post(f"/practicas/{practica.pk}/archivar/", follow=True)
    assert "Práctica archivada" in respuesta.content.decode()
    practica.refresh_from_db()
    assert practica.es_archivada
    assert cliente.get(f"/practicas/{practica.pk}/editar/").status_code == 302


def test_publicar_incompleta_explica_lo_que_falta(director, org_zapallar, taxonomia):
    practica = crear_practica(org_zapallar, director, resumen="", categorias=(), resultados=[])
    html = cliente_de(director).post(f"/practicas/{practica.pk}/publicar/", {"visibilidad": "plataforma"}).content
    html = html.decode()
    assert "Aún no se puede publicar" in html and "Falta el resumen." in html
    practica.refresh_from_db()
    assert practica.es_borrador


def test_el_lector_no_edita_ni_publica(lector, director, org_zapallar, taxonomia):
    practica = crear_practica(org_zapallar, director)
    cliente = cliente_de(lector)
    assert cliente.post(f"/practicas/{practica.pk}/editar/", {"titulo": "X"}).status_code == 403
    assert cliente.post(f"/practicas/{practica.pk}/publicar/", {"visibilidad": "publica"}).status_code == 403
    assert cliente.post(f"/practicas/{practica.pk}/archivar/").status_code == 403
    assert cliente.get("/practicas/nueva/").status_code == 403
    html = cliente.get(f"/practicas/{practica.pk}/").content.decode()
    assert ">Editar<" not in html


def test_un_script_nunca_llega_a_la_pagina(director, org_zapallar, taxonomia):
    malicioso = '<script>alert("x")</script> [clic](javascript:alert(1)) <img src=x onerror="alert(2)">'
    practica = crear_practica(
        org_zapallar, director, estado="publicada", visibilidad="publica", titulo="<script>alert(3)</script>",
        resumen=malicioso, efecto=malicioso, actividades=malicioso, socios=malicioso,
    )  # fmt: skip
    for cliente, urls in (
        (Client(), [f"/practicas/{practica.pk}/"]),
        (cliente_de(director), [f"/practicas/{practica.pk}/", "/practicas/?q=alert", "/practicas/"]),
    ):
        for url in urls:
            html = cliente.get(url).content.decode()
            cuerpo = html.split("<main", 1)[1]
            assert "<script>alert" not in cuerpo
            assert 'href="javascript:' not in cuerpo
            assert "<img" not in cuerpo  # the onerror= left is inert text


def test_una_publica_se_lee_sin_ingresar_y_una_de_plataforma_pide_ingresar(director, org_zapallar, taxonomia):
    publica = crear_practica(org_zapallar, director, titulo="Abierta", estado="publicada", visibilidad="publica")
    plataforma = crear_practica(org_zapallar, director, titulo="Interna", estado="publicada")
    anonimo = Client()
    respuesta = anonimo.get(f"/practicas/{publica.pk}/")
    assert respuesta.status_code == 200 and "Abierta" in respuesta.content.decode()
    for url in (f"/practicas/{plataforma.pk}/", "/practicas/999999/"):
        respuesta = anonimo.get(url)
        assert respuesta.status_code == 302 and respuesta.url.startswith("/cuenta/ingresar/?next=")


def test_borradores_propios_aparecen_aparte_en_la_biblioteca(director, ajeno, org_zapallar, taxonomia):
    crear_practica(org_zapallar, director, titulo="Mi borrador secreto")
    assert "Mi borrador secreto" in cliente_de(director).get("/practicas/").content.decode()
    assert "Mi borrador secreto" not in cliente_de(ajeno).get("/practicas/").content.decode()


def test_la_biblioteca_se_abre_sin_ingresar_y_muestra_solo_lo_publico(director, org_zapallar, taxonomia):
    crear_practica(org_zapallar, director, titulo="Cámaras abiertas", estado="publicada", visibilidad="publica")
    crear_practica(org_zapallar, director, titulo="Cámaras internas", estado="publicada")
    crear_practica(org_zapallar, director, titulo="Cámaras en borrador")
    for url in ("/practicas/", "/practicas/?q=camaras"):
        respuesta = Client().get(url)
        html = respuesta.content.decode()
        assert respuesta.status_code == 200
        assert "Cámaras abiertas" in html
        assert "Cámaras internas" not in html and "Cámaras en borrador" not in html
        assert "1 práctica publicada" in html and "Registrar una práctica" not in html
