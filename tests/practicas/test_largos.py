"""Text that makes every view slow (issue 11, item 5): long texts have limits that forms and services enforce
with Spanish messages, and a practice's Markdown is rendered when saved, never on a page view."""

import importlib
import time

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client

from practicas import markdown
from practicas.models import MAX_TEXTO, TEXTOS_MARKDOWN, Practica
from practicas.services import comentario_crear, practica_actualizar, replicacion_crear
from tests.conftest import cliente_de
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


def tabla_markdown(caracteres):
    """What the review pasted: a Markdown table of about `caracteres` characters."""
    fila = "| " + " | ".join(["celda con texto"] * 8) + " |\n"
    texto = "| " + " | ".join(["columna"] * 8) + " |\n|" + "---|" * 8 + "\n"
    return (texto + fila * (caracteres // len(fila) + 1))[:caracteres]


def test_480_kb_en_una_seccion_se_rechazan_en_el_formulario(director, org_zapallar, taxonomia):
    respuesta = cliente_de(director).post(
        "/practicas/nueva/",
        {
            "organizacion": org_zapallar.pk,
            "titulo": "Tabla enorme",
            "contexto": tabla_markdown(480_000),
            "resultados-TOTAL_FORMS": "0",
            "resultados-INITIAL_FORMS": "0",
        },
    )
    assert respuesta.status_code == 200
    pagina = respuesta.content.decode()
    assert "Asegúrese de que este valor tenga menos de 15000 caracteres (tiene 479999)." in pagina  # stripped
    assert 'maxlength="15000"' in pagina
    assert not Practica.objects.exists()


def test_los_servicios_tambien_exigen_los_largos(director, org_zapallar, ajeno, org_ajena):
    practica = crear_practica(org_zapallar, director, estado="publicada")
    with pytest.raises(ValidationError) as error:
        practica_actualizar(practica=practica, por=director, datos={"contexto": tabla_markdown(480_000)})
    assert error.value.message_dict == {
        "contexto": ["«Contexto y diagnóstico» admite hasta 15.000 caracteres; tiene 480.000."]
    }
    with pytest.raises(ValidationError, match="«Resumen» admite hasta 2.000 caracteres; tiene 2.001."):
        practica_actualizar(practica=practica, por=director, datos={"resumen": "x" * 2001})
    fila = {"indicador": "Hurtos", "como_se_midio": "y" * 2001}
    with pytest.raises(ValidationError, match="«Cómo se midió» admite hasta 2.000 caracteres"):
        practica_actualizar(practica=practica, por=director, datos={}, resultados=[fila])
    with pytest.raises(ValidationError, match="«Adaptaciones» admite hasta 10.000 caracteres"):
        replicacion_crear(practica=practica, organizacion=org_ajena, por=ajeno, datos={"adaptaciones": "z" * 10_001})
    with pytest.raises(ValidationError, match="El texto no puede superar los 5000 caracteres."):
        comentario_crear(practica=practica, autor=ajeno, texto="c" * 5001)
    practica.refresh_from_db()
    assert practica.contexto == "" and practica.resumen == "Un resumen de prueba."


def test_la_pagina_publica_no_renderiza_markdown_al_verla(director, org_zapallar, monkeypatch):
    """Every section at its limit, full of tables: saved once (rendered then), then viewed by anyone as often as
    they like without rendering again."""
    textos = {campo: tabla_markdown(MAX_TEXTO) for campo in TEXTOS_MARKDOWN if campo != "resumen"}
    practica = crear_practica(
        org_zapallar, director, estado="publicada", visibilidad="publica", resumen="Con **tablas**.", **textos
    )
    assert set(practica.html) == set(TEXTOS_MARKDOWN)

    def prohibido(texto):
        raise AssertionError("se renderizó Markdown al ver la página")

    monkeypatch.setattr(markdown, "a_html", prohibido)
    anonimo = Client()
    inicio = time.perf_counter()
    for url in (f"/practicas/{practica.pk}/", f"/practicas/{practica.pk}/imprimir/"):
        respuesta = anonimo.get(url)
        assert respuesta.status_code == 200
        pagina = respuesta.content.decode()
        assert "<strong>tablas</strong>" in pagina and "<table>" in pagina
    assert time.perf_counter() - inicio < 3.0


def test_un_texto_cambiado_fuera_del_sitio_se_muestra_al_dia(director, org_zapallar):
    practica = crear_practica(org_zapallar, director, estado="publicada", visibilidad="publica", resumen="Antes.")
    Practica.objects.filter(pk=practica.pk).update(resumen="Después, **en el admin**.")
    pagina = Client().get(f"/practicas/{practica.pk}/").content.decode()
    assert "Después, <strong>en el admin</strong>." in pagina and "Antes." not in pagina


def test_la_migracion_renderiza_las_practicas_existentes(director, org_zapallar):
    practica = crear_practica(org_zapallar, director, resumen="Ya **guardada**.")
    Practica.objects.filter(pk=practica.pk).update(html={})
    migracion = importlib.import_module("practicas.migrations.0009_largos_y_html_guardado")
    migracion.renderizar_guardadas(apps, None)
    guardado = Practica.objects.con_html().get(pk=practica.pk).html
    assert guardado["resumen"] == [markdown.huella("Ya **guardada**."), "<p>Ya <strong>guardada</strong>.</p>\n"]
