"""Account security: sign-in lockout, password rules, two-step verification, ending other sessions."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from comunas.admin_sitio import SitioAdmin
from comunas.models import Auditoria, Usuario
from comunas.seguridad import ip_del_cliente
from tests.conftest import CLAVE, codigo_totp, con_dos_factores, crear_usuario

pytestmark = pytest.mark.django_db

INGRESO = "/cuenta/ingresar/"


def ingresar(client, email, clave=CLAVE, ip="10.0.0.1"):
    return client.post(INGRESO, {"username": email, "password": clave}, REMOTE_ADDR=ip)


def con_codigos(usuario, *codigos):
    dispositivo = StaticDevice.objects.create(user=usuario, name="Códigos de recuperación", confirmed=True)
    for codigo in codigos:
        StaticToken.objects.create(device=dispositivo, token=codigo)
    return dispositivo


def despues(segundos):
    return time_machine.travel(timezone.now() + timedelta(seconds=segundos), tick=False)


# --- Lockout -------------------------------------------------------------------------


def test_cinco_fallos_bloquean_la_cuenta_y_explican_que_hacer(director):
    client = Client()
    for _ in range(4):
        assert ingresar(client, "director@zapallar.test", "equivocada").status_code == 200
    bloqueo = ingresar(client, "director@zapallar.test", "equivocada")
    html = bloqueo.content.decode()
    assert bloqueo.status_code == 429
    assert "Ingreso bloqueado por un momento" in html
    assert "15 minutos" in html and "¿Olvidó su contraseña?" in html
    # Not even the right password, nor from another address: the account is locked.
    otra_ip = ingresar(Client(), "Director@Zapallar.test", CLAVE, ip="10.9.9.9")
    assert otra_ip.status_code == 429
    assert "_auth_user_id" not in otra_ip.wsgi_request.session


def test_el_bloqueo_de_la_cuenta_termina_tras_la_espera(director):
    client = Client()
    for _ in range(5):
        ingresar(client, "director@zapallar.test", "equivocada")
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        respuesta = ingresar(Client(), "director@zapallar.test")
    assert respuesta.status_code == 302 and respuesta.url == "/inicio/"


def test_cinco_fallos_desde_una_direccion_la_bloquean_para_todas_las_cuentas(director, integrante):
    for n in range(5):
        ingresar(Client(), f"persona{n}@ninguna.example", "equivocada", ip="10.0.0.7")
    assert ingresar(Client(), "integrante@zapallar.test", ip="10.0.0.7").status_code == 429
    # Another address with the same account still gets in: that account was never attacked.
    assert ingresar(Client(), "integrante@zapallar.test", ip="10.0.0.8").status_code == 302


def test_la_direccion_real_detras_del_proxy(settings):
    settings.PROXIES_DE_CONFIANZA = 1
    peticion = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 200.1.1.1")
    assert ip_del_cliente(peticion) == "200.1.1.1"  # the one our proxy saw; the left one the client may forge
    settings.PROXIES_DE_CONFIANZA = 0
    assert ip_del_cliente(peticion) == "10.0.0.1"


# --- Password rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    "clave, mensaje",
    [
        ("Seguridad-Publica-77", "palabras fáciles de adivinar como «seguridad»"),
        ("mi-CONTRASEÑA-larga-9", "«contraseña»"),
        ("municipalidad-2026-zz", "«municipalidad»"),
        ("rodrigo.director-2026", "la primera parte de su correo"),
        ("corta1", "demasiado corta"),
    ],
)
def test_contrasenas_rechazadas_en_espanol(clave, mensaje):
    usuario = Usuario(email="rodrigo.director@zapallar.test", nombre="Rodrigo Director")
    with pytest.raises(ValidationError) as error:
        validate_password(clave, usuario)
    assert any(mensaje in m for m in error.value.messages), error.value.messages


def test_una_contrasena_buena_pasa(director):
    validate_password("arbol-rojo-junto-al-rio-41", director)


def test_el_formulario_de_cambio_muestra_la_regla(director):
    client = Client()
    client.force_login(director)
    respuesta = client.post(
        "/cuenta/clave/",
        {"old_password": CLAVE, "new_password1": "mesa-de-zapallar-81", "new_password2": "mesa-de-zapallar-81"},
    )
    assert respuesta.status_code == 200
    assert "palabras fáciles de adivinar como «mesa»" in respuesta.content.decode()


# --- Two-step verification: enrolment ------------------------------------------------------


def test_activar_la_verificacion_muestra_qr_y_codigos_una_sola_vez(director):
    client = Client()
    client.force_login(director)
    pagina = client.get("/cuenta/seguridad/activar/")
    html = pagina.content.decode()
    assert pagina.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html
    dispositivo = TOTPDevice.objects.get(user=director, confirmed=False)
    assert re.search(r"[A-Z2-7]{4} [A-Z2-7]{4}", html)  # the secret, for typing it in by hand

    mal = client.post("/cuenta/seguridad/activar/", {"codigo": "000000"})
    assert "El código no coincide" in mal.content.decode()

    with despues(5):
        bien = client.post("/cuenta/seguridad/activar/", {"codigo": codigo_totp(dispositivo)})
    assert bien.status_code == 302 and bien.url.startswith("/cuenta/seguridad/codigos/")
    dispositivo.refresh_from_db()
    assert dispositivo.confirmed
    codigos = client.get(bien.url)
    assert "no los volveremos a mostrar" in codigos.content.decode()
    guardados = list(StaticToken.objects.filter(device__user=director).values_list("token", flat=True))
    assert len(guardados) == 10 and all(c in codigos.content.decode() for c in guardados)
    assert client.get("/cuenta/seguridad/codigos/").status_code == 302  # shown once
    # This session is verified: the internal pages open.
    assert client.get("/inicio/").status_code == 200
    registro = Auditoria.objects.get(accion=Auditoria.Accion.DOS_FACTORES)
    assert registro.actor == director and registro.despues == {"verificacion_en_dos_pasos": True}


def test_el_admin_sin_verificacion_debe_activarla_antes_de_todo(db):
    admin = crear_usuario("nuevo.admin@mesa.test", nombre="Nuevo Admin", is_staff=True)
    client = Client()
    respuesta = ingresar(client, "nuevo.admin@mesa.test")
    assert respuesta.url == "/inicio/"
    for url in ("/inicio/", "/admin/", "/cuenta/seguridad/", "/cuenta/clave/"):
        respuesta = client.get(url)
        assert respuesta.status_code == 302 and respuesta.url.startswith("/cuenta/seguridad/activar/"), url
    assert client.get("/cuenta/seguridad/activar/").status_code == 200
    assert client.post("/cuenta/salir/").status_code == 302  # leaving is always possible
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_el_admin_que_activa_sigue_a_donde_iba(db):
    admin = crear_usuario("nuevo.admin@mesa.test", nombre="Nuevo Admin", is_staff=True, is_superuser=True)
    client = Client()
    ingresar(client, "nuevo.admin@mesa.test")
    client.get("/cuenta/seguridad/activar/?next=/admin/")
    dispositivo = TOTPDevice.objects.get(user=admin)
    respuesta = client.post("/cuenta/seguridad/activar/?next=/admin/", {"codigo": codigo_totp(dispositivo)})
    codigos = client.get(respuesta.url)
    assert 'href="/admin/"' in codigos.content.decode()
    assert client.get("/admin/").status_code == 200


# --- Two-step verification: sign-in ------------------------------------------------------


def test_con_verificacion_el_ingreso_pide_el_codigo(director):
    dispositivo = con_dos_factores(director).otp_device
    client = Client()
    assert ingresar(client, "director@zapallar.test").url == "/inicio/"
    pendiente = client.get("/inicio/")
    assert pendiente.status_code == 302 and pendiente.url == "/cuenta/verificar/?next=/inicio/"
    assert client.get("/organizacion/").url.startswith("/cuenta/verificar/")
    pagina = client.get(pendiente.url)
    assert "Verificación en dos pasos" in pagina.content.decode()

    mal = client.post(pendiente.url, {"codigo": "123456"})
    assert "El código no es correcto" in mal.content.decode()
    assert client.get("/inicio/").status_code == 302
    with despues(5):
        clave_de_sesion = client.session.session_key
        bien = client.post(pendiente.url, {"codigo": codigo_totp(dispositivo)})
        assert bien.status_code == 302 and bien.url == "/inicio/"
        assert client.session.session_key != clave_de_sesion  # rotated for the new level of access
        assert client.get("/inicio/").status_code == 200


def test_un_codigo_de_recuperacion_sirve_una_sola_vez(director):
    con_dos_factores(director)
    con_codigos(director, "abcd2345", "efgh2345")
    client = Client()
    ingresar(client, "director@zapallar.test")
    respuesta = client.post("/cuenta/verificar/", {"codigo": "ABCD 2345"}, follow=True)
    assert "le quedan 1" in respuesta.content.decode()
    assert respuesta.redirect_chain[-1][0] == "/inicio/"

    otro = Client()
    ingresar(otro, "director@zapallar.test")
    assert "ya fue usado" in otro.post("/cuenta/verificar/", {"codigo": "abcd2345"}).content.decode()


def test_la_verificacion_no_redirige_fuera_del_sitio(director):
    dispositivo = con_dos_factores(director).otp_device
    client = Client()
    ingresar(client, "director@zapallar.test")
    respuesta = client.post("/cuenta/verificar/?next=https://malo.example/", {"codigo": codigo_totp(dispositivo)})
    assert respuesta.url == "/inicio/"


def test_demasiados_codigos_errados_obligan_a_esperar(director):
    con_dos_factores(director)
    client = Client()
    ingresar(client, "director@zapallar.test")
    client.post("/cuenta/verificar/", {"codigo": "111111"})
    respuesta = client.post("/cuenta/verificar/", {"codigo": "222222"})
    assert "Demasiados intentos" in respuesta.content.decode()


def test_el_admin_sin_verificar_no_entra_al_admin_de_django(admin):
    client = Client()
    ingresar(client, "admin@mesa.test")
    respuesta = client.get("/admin/")
    assert respuesta.status_code == 302 and respuesta.url.startswith("/cuenta/verificar/")


def test_el_sitio_admin_exige_la_verificacion_por_si_mismo(admin):
    peticion = RequestFactory().get("/admin/")
    peticion.user = Usuario.objects.get(pk=admin.pk)
    peticion.user.is_verified = lambda: False
    assert SitioAdmin().has_permission(peticion) is False
    peticion.user.is_verified = lambda: True
    assert SitioAdmin().has_permission(peticion) is True


def test_el_admin_de_django_usa_el_ingreso_de_mesa(db):
    respuesta = Client().get("/admin/login/?next=/admin/comunas/")
    assert respuesta.status_code == 302 and respuesta.url == "/cuenta/ingresar/?next=/admin/comunas/"


def test_restablecer_la_contrasena_no_salta_el_segundo_paso(director):
    con_dos_factores(director)
    client = Client()
    client.post("/cuenta/recuperar/", {"email": "director@zapallar.test"})
    enlace = re.search(r"http://testserver(/cuenta/recuperar/\S+/)", mail.outbox[0].body).group(1)
    formulario = client.get(enlace, follow=True)
    client.post(
        formulario.redirect_chain[-1][0],
        {"new_password1": "rio-verde-de-zapallar-5", "new_password2": "rio-verde-de-zapallar-5"},
    )
    # The reset does not sign in...
    assert client.get("/inicio/").url.startswith("/cuenta/ingresar/")
    # ...and signing in with the new password still asks for the code.
    ingresar(client, "director@zapallar.test", "rio-verde-de-zapallar-5")
    assert client.get("/inicio/").url.startswith("/cuenta/verificar/")


# --- Security page, deactivation, recovery codes --------------------------------------------


def test_pagina_de_seguridad(director, admin):
    client = Client()
    client.force_login(director)
    html = client.get("/cuenta/seguridad/").content.decode()
    assert "Inactiva" in html and "Activar la verificación en dos pasos" in html
    assert "Cerrar mis otras sesiones" in html
    assert 'href="/cuenta/seguridad/"' in client.get("/inicio/").content.decode()  # in the user menu

    client = Client()
    client.force_login(admin)
    html = client.get("/cuenta/seguridad/").content.decode()
    assert "Activa" in html and "no se puede desactivar" in html
    assert "/cuenta/seguridad/desactivar/" not in html


def test_el_admin_no_puede_desactivar_la_verificacion(admin):
    client = Client()
    client.force_login(admin)
    assert client.get("/cuenta/seguridad/desactivar/").status_code == 403
    assert client.post("/cuenta/seguridad/desactivar/", {"clave": CLAVE}).status_code == 403
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_desactivar_pide_la_contrasena_y_queda_registrado(director):
    con_dos_factores(director)
    con_codigos(director, "abcd2345")
    client = Client()
    client.force_login(director)
    mal = client.post("/cuenta/seguridad/desactivar/", {"clave": "otra"})
    assert "La contraseña no es correcta" in mal.content.decode()
    assert TOTPDevice.objects.filter(user=director).exists()

    respuesta = client.post("/cuenta/seguridad/desactivar/", {"clave": CLAVE})
    assert respuesta.status_code == 302
    assert not TOTPDevice.objects.filter(user=director).exists()
    assert not StaticDevice.objects.filter(user=director).exists()
    assert client.get("/inicio/").status_code == 200
    registro = Auditoria.objects.get(accion=Auditoria.Accion.DOS_FACTORES)
    assert registro.despues == {"verificacion_en_dos_pasos": False}
    # The next sign-in asks for the password only.
    otro = Client()
    ingresar(otro, "director@zapallar.test")
    assert otro.get("/inicio/").status_code == 200


def test_codigos_nuevos_reemplazan_a_los_anteriores(director):
    con_dos_factores(director)
    con_codigos(director, "abcd2345")
    client = Client()
    client.force_login(director)
    respuesta = client.post("/cuenta/seguridad/codigos/", follow=True)
    assert "Sus códigos de recuperación" in respuesta.content.decode()
    tokens = StaticToken.objects.filter(device__user=director)
    assert tokens.count() == 10 and not tokens.filter(token="abcd2345").exists()


# --- Sessions -------------------------------------------------------------------------


def test_cerrar_mis_otras_sesiones(director):
    aqui, alla = Client(), Client()
    aqui.force_login(director)
    alla.force_login(director)
    mal = aqui.post("/cuenta/seguridad/sesiones/", {"clave": "otra"})
    assert "La contraseña no es correcta" in mal.content.decode()
    assert alla.get("/inicio/").status_code == 200

    respuesta = aqui.post("/cuenta/seguridad/sesiones/", {"clave": CLAVE}, follow=True)
    assert "Cerramos sus otras sesiones" in respuesta.content.decode()
    assert aqui.get("/inicio/").status_code == 200
    assert alla.get("/inicio/").url.startswith("/cuenta/ingresar/")
    director.refresh_from_db()
    assert director.check_password(CLAVE)  # the same password, only hashed again
    assert Auditoria.objects.filter(accion=Auditoria.Accion.CERRAR_SESIONES, actor=director).count() == 1


def test_cerrar_otras_sesiones_conserva_la_verificacion_de_esta(admin):
    aqui, alla = Client(), Client()
    aqui.force_login(admin)
    alla.force_login(admin)
    aqui.post("/cuenta/seguridad/sesiones/", {"clave": CLAVE})
    assert aqui.get("/admin/").status_code == 200
    assert alla.get("/admin/").status_code == 302


def test_cambiar_la_contrasena_cierra_las_otras_sesiones(director):
    aqui, alla = Client(), Client()
    aqui.force_login(director)
    alla.force_login(director)
    aqui.post(
        "/cuenta/clave/",
        {"old_password": CLAVE, "new_password1": "arbol-rojo-junto-al-rio", "new_password2": "arbol-rojo-junto-al-rio"},
    )
    assert aqui.get("/inicio/").status_code == 200
    assert alla.get("/inicio/").url.startswith("/cuenta/ingresar/")


def test_cookies_de_sesion_y_csrf_seguras_en_produccion():
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    env.update(DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="mesa.ejemplo.cl", DJANGO_SETTINGS_MODULE="mesa.settings")
    leer = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    resultado = subprocess.run(
        [sys.executable, "-c", leer], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert resultado.stdout.split() == ["True", "True"], resultado.stderr
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
