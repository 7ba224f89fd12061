"""Questions and comments: who reads and who writes, Markdown made safe, the e-mail to the authoring team."""

import re

import pytest
from django.core import mail
from django.test import Client

from nucleo.models import Aviso
from practicas.models import Comentario
from tests.conftest import cliente_de
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


@pytest.fixture
def publicada(org_zapallar, director, taxonomia):
    return crear_practica(org_zapallar, director, titulo="Ferias libres seguras", estado="publicada")


def test_una_pregunta_de_otra_comuna_avisa_al_equipo_por_correo_via_celery(
    publicada, director, integrante, lector, ajeno, org_ajena, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(ajeno).post(
            f"/practicas/{publicada.pk}/comentarios/",
            {"tipo": "pregunta", "texto": "¿Cuántos **inspectores** por feria?"},
            follow=True,
        )
        assert mail.outbox == []  # nothing leaves before the comment commits
    html = respuesta.content.decode()
    comentario = Comentario.objects.get()
    assert (comentario.autor, comentario.organizacion, comentario.tipo) == (ajeno, org_ajena, "pregunta")
    assert "<strong>inspectores</strong>" in html and f'id="comentario-{comentario.pk}"' in html
    assert "El equipo que registró la práctica recibirá un aviso." in html

    assert sorted(m.to[0] for m in mail.outbox) == ["director@zapallar.test", "integrante@zapallar.test"]
    correo = mail.outbox[0]
    assert correo.subject == "Mesa: nueva pregunta en «Ferias libres seguras»"
    assert "Alberto Ajeno (Dirección de Seguridad Pública de Santiago) hizo una pregunta" in correo.body
    assert f"/practicas/{publicada.pk}/#comentario-{comentario.pk}" in correo.body
    assert "<strong>Ferias libres seguras</strong>" in correo.alternatives[0].content
    assert set(Aviso.objects.values_list("estado", flat=True)) == {Aviso.Estado.ENVIADO}


def test_la_respuesta_avisa_a_quien_pregunto_y_no_a_quien_responde(
    publicada, director, ajeno, celery_eager, django_capture_on_commit_callbacks
):
    cliente_de(ajeno).post(f"/practicas/{publicada.pk}/comentarios/", {"tipo": "pregunta", "texto": "¿Costo?"})
    pregunta = Comentario.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        cliente_de(director).post(
            f"/practicas/{publicada.pk}/comentarios/",
            {"tipo": "comentario", "texto": "Unos $4.500.000.", "responde_a": pregunta.pk},
        )
    respuesta = Comentario.objects.exclude(pk=pregunta.pk).get()
    assert respuesta.responde_a == pregunta
    destinatarios = [m.to[0] for m in mail.outbox]
    assert "director@santiago.test" in destinatarios and "director@zapallar.test" not in destinatarios
    [a_ajeno] = [m for m in mail.outbox if m.to == ["director@santiago.test"]]
    assert a_ajeno.subject.startswith("Mesa: respondieron su comentario")
    html = cliente_de(ajeno).get(f"/practicas/{publicada.pk}/").content.decode()
    hilo = html.split(f'id="comentario-{pregunta.pk}"')[1]
    assert f'id="comentario-{respuesta.pk}"' in hilo and "Unos $4.500.000." in hilo


def test_quien_lee_y_quien_escribe(org_zapallar, director, lector, ajeno, taxonomia):
    publica = crear_practica(org_zapallar, director, estado="publicada", visibilidad="publica")
    cliente_de(ajeno).post(f"/practicas/{publica.pk}/comentarios/", {"tipo": "comentario", "texto": "Muy útil."})
    anonimo = Client()
    html = anonimo.get(f"/practicas/{publica.pk}/").content.decode()
    assert "Muy útil." in html and "para preguntar o comentar" in html and 'name="texto"' not in html
    respuesta = anonimo.post(f"/practicas/{publica.pk}/comentarios/", {"tipo": "comentario", "texto": "Spam"})
    assert respuesta.status_code == 302 and "/cuenta/ingresar/" in respuesta.url
    assert cliente_de(lector).post(f"/practicas/{publica.pk}/comentarios/", {"texto": "Bien", "tipo": "comentario"})
    assert Comentario.objects.count() == 2  # a lector of the authoring team may comment too

    borrador = crear_practica(org_zapallar, director, titulo="Borrador")
    url = f"/practicas/{borrador.pk}/comentarios/"
    assert cliente_de(ajeno).post(url, {"tipo": "comentario", "texto": "x"}).status_code == 404
    archivada = crear_practica(org_zapallar, director, titulo="Vieja", estado="archivada")
    url = f"/practicas/{archivada.pk}/comentarios/"
    assert cliente_de(director).post(url, {"tipo": "comentario", "texto": "x"}).status_code == 403


def test_un_script_en_un_comentario_nunca_llega_a_la_pagina(publicada, ajeno, director):
    malicioso = '<script>alert("x")</script> [clic](javascript:alert(1)) <img src=x onerror="alert(2)">'
    cliente_de(ajeno).post(f"/practicas/{publicada.pk}/comentarios/", {"tipo": "comentario", "texto": malicioso})
    cuerpo = cliente_de(director).get(f"/practicas/{publicada.pk}/").content.decode().split("<main", 1)[1]
    assert Comentario.objects.exists()
    assert "<script>alert" not in cuerpo and 'href="javascript:' not in cuerpo and "<img" not in cuerpo


def test_un_comentario_vacio_no_se_publica(publicada, ajeno):
    url = f"/practicas/{publicada.pk}/comentarios/"
    respuesta = cliente_de(ajeno).post(url, {"tipo": "comentario", "texto": "   "})
    assert respuesta.status_code == 400
    assert "Este campo es obligatorio." in respuesta.content.decode()
    assert not Comentario.objects.exists()


def test_un_comentario_rechazado_conserva_lo_escrito(publicada, ajeno):
    largo = "¿Cuántos <inspectores> por feria? " + "x" * 5000
    respuesta = cliente_de(ajeno).post(f"/practicas/{publicada.pk}/comentarios/", {"tipo": "pregunta", "texto": largo})
    assert respuesta.status_code == 400
    html = respuesta.content.decode()
    assert "Ferias libres seguras" in html  # the practice page again, not a bare error
    assert "Asegúrese de que este valor tenga menos de 5000 caracteres" in html
    principal = html.split('id="id_texto"', 1)[1].split("</textarea>", 1)[0]
    assert "¿Cuántos &lt;inspectores&gt; por feria? xxx" in principal and 'aria-invalid="true"' in principal
    assert re.search(r'<input type="radio" name="tipo" value="pregunta"[^>]* checked', html)
    assert not Comentario.objects.exists()


def test_una_respuesta_rechazada_vuelve_abierta_con_su_texto(publicada, ajeno, director):
    cliente_de(ajeno).post(f"/practicas/{publicada.pk}/comentarios/", {"tipo": "pregunta", "texto": "¿Costo?"})
    pregunta = Comentario.objects.get()
    respuesta = cliente_de(director).post(
        f"/practicas/{publicada.pk}/comentarios/",
        {"tipo": "comentario", "texto": "Unos pesos " + "9" * 5000, "responde_a": pregunta.pk},
    )
    assert respuesta.status_code == 400
    hilo = respuesta.content.decode().split(f'id="comentario-{pregunta.pk}"', 1)[1].split("</article>")[0]
    assert '<details class="mt-2" open>' in hilo and "Unos pesos 999" in hilo
    assert Comentario.objects.count() == 1
