import re

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import CLAVE

pytestmark = pytest.mark.django_db


def test_ingreso_con_correo_y_contrasena(director):
    client = Client()
    pagina = client.get("/cuenta/ingresar/")
    html = pagina.content.decode()
    assert "Correo electrónico" in html and "Contraseña" in html
    respuesta = client.post("/cuenta/ingresar/", {"username": "DIRECTOR@zapallar.test", "password": CLAVE})
    assert respuesta.status_code == 302 and respuesta.url == "/inicio/"
    assert client.get("/inicio/").context["user"] == director


def test_ingreso_fallido_explica_en_espanol_y_conserva_el_correo(director):
    respuesta = Client().post("/cuenta/ingresar/", {"username": "director@zapallar.test", "password": "mala"})
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "El correo o la contraseña no son correctos" in html
    assert 'value="director@zapallar.test"' in html


def test_el_ingreso_rota_la_sesion(director):
    client = Client()
    client.get("/cuenta/ingresar/")
    client.cookies["sessionid"] = "sesion-fijada-por-un-atacante"
    client.post("/cuenta/ingresar/", {"username": "director@zapallar.test", "password": CLAVE})
    assert client.cookies["sessionid"].value != "sesion-fijada-por-un-atacante"


def test_salir_solo_por_post(director):
    client = Client()
    client.force_login(director)
    assert client.get("/cuenta/salir/").status_code == 405
    respuesta = client.post("/cuenta/salir/")
    assert respuesta.status_code == 302
    assert client.get("/inicio/").status_code == 302


def test_cambio_de_contrasena(director):
    client = Client()
    client.force_login(director)
    respuesta = client.post(
        "/cuenta/clave/",
        {"old_password": CLAVE, "new_password1": "nueva-frase-larga-9", "new_password2": "nueva-frase-larga-9"},
    )
    assert respuesta.status_code == 302
    director.refresh_from_db()
    assert director.check_password("nueva-frase-larga-9")


def test_cambio_de_contrasena_rechaza_una_debil_en_espanol(director):
    client = Client()
    client.force_login(director)
    respuesta = client.post(
        "/cuenta/clave/", {"old_password": CLAVE, "new_password1": "12345678", "new_password2": "12345678"}
    )
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "demasiado corta" in html or "demasiado común" in html
    director.refresh_from_db()
    assert director.check_password(CLAVE)


def test_recuperar_contrasena_envia_correo_y_el_enlace_funciona(director):
    client = Client()
    respuesta = client.post("/cuenta/recuperar/", {"email": "Director@Zapallar.test"})
    assert respuesta.status_code == 302
    assert len(mail.outbox) == 1
    correo = mail.outbox[0]
    assert correo.to == ["director@zapallar.test"]
    assert correo.subject == "Mesa: enlace para crear una contraseña nueva"
    assert "Hola, Rodrigo Director" in correo.body
    html, tipo = correo.alternatives[0]
    assert tipo == "text/html" and "Crear mi contraseña nueva" in html

    enlace = re.search(r"http://testserver(/cuenta/recuperar/\S+/)", correo.body).group(1)
    formulario = client.get(enlace, follow=True)
    assert "Cree su nueva contraseña" in formulario.content.decode()
    final = client.post(
        formulario.redirect_chain[-1][0],
        {"new_password1": "otra-frase-larga-7", "new_password2": "otra-frase-larga-7"},
    )
    assert final.status_code == 302
    director.refresh_from_db()
    assert director.check_password("otra-frase-larga-7")
    # The link is single-use.
    assert "ya no es válido" in client.get(enlace, follow=True).content.decode()


def test_recuperar_con_correo_desconocido_no_revela_nada(db):
    respuesta = Client().post("/cuenta/recuperar/", {"email": "nadie@ninguna.example"}, follow=True)
    assert "Revise su correo" in respuesta.content.decode()
    assert mail.outbox == []


def test_enlace_de_recuperacion_alterado(director):
    respuesta = Client().get("/cuenta/recuperar/MQ/abc-123/", follow=True)
    assert "El enlace ya no es válido" in respuesta.content.decode()


def test_una_cuenta_aprobada_sin_contrasena_puede_pedir_un_enlace_nuevo(director):
    """The 24-hour set-password link of an approved account expired: the reset form is the way back."""
    director.set_unusable_password()
    director.save()
    Client().post("/cuenta/recuperar/", {"email": "director@zapallar.test"})
    assert [m.to for m in mail.outbox] == [["director@zapallar.test"]]


def test_una_cuenta_pendiente_no_recibe_enlace(director):
    director.is_active = False
    director.set_unusable_password()
    director.save()
    Client().post("/cuenta/recuperar/", {"email": "director@zapallar.test"})
    assert mail.outbox == []
