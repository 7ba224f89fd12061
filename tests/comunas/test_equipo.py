"""Teams: invitations (single use, 7 days, resend, revoke), roles, removals, always one director."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from comunas.models import Auditoria, Invitacion, Membresia, Usuario
from tests.comunas.fabricas import invitacion
from tests.conftest import CLAVE, cliente_de, crear_usuario

pytestmark = pytest.mark.django_db
CLAVE_NUEVA = "faro-costero-zapallar-2026"


def _ruta(correo):
    return re.search(r"http://127\.0\.0\.1:8000(/invitacion/\S+/)", correo.body).group(1)


def _cuenta(**extra):
    datos = {"nombre": "Inés Invitada", "cargo": "Analista", "telefono": "", "password1": CLAVE_NUEVA}
    return {**datos, "password2": CLAVE_NUEVA, **extra}


def test_el_director_invita_y_la_persona_crea_su_cuenta(director, org_zapallar, django_capture_on_commit_callbacks):
    client = cliente_de(director)
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = client.post(
            f"/organizaciones/{org_zapallar.pk}/invitar/", {"email": "Ines@Zapallar.test", "rol": "lector"}
        )
    assert respuesta["Location"] == f"/organizaciones/{org_zapallar.pk}/"
    inv = Invitacion.objects.get()
    assert inv.email == "ines@zapallar.test" and inv.rol == "lector" and inv.invitada_por == director
    assert timedelta(days=6, hours=23) < inv.expira - timezone.now() <= timedelta(days=7)
    (correo,) = mail.outbox
    assert correo.to == ["ines@zapallar.test"] and "Rodrigo Director" in correo.subject
    ruta = _ruta(correo)
    assert inv.token_hash == Invitacion.huella(ruta.split("/")[2]) and ruta.split("/")[2] not in inv.token_hash
    assert "ines@zapallar.test" in client.get(f"/organizaciones/{org_zapallar.pk}/").content.decode()

    anonimo = cliente_de(None)
    assert "Cree su cuenta" in anonimo.get(ruta).content.decode()
    respuesta = anonimo.post(ruta, _cuenta())
    assert respuesta.status_code == 302 and respuesta["Location"].startswith("/cuenta/ingresar/?next=")
    ines = Usuario.objects.get(email="ines@zapallar.test")
    assert ines.check_password(CLAVE_NUEVA) and ines.is_active and ines.nombre == "Inés Invitada"
    assert Membresia.objects.get(usuario=ines).rol == "lector"
    inv.refresh_from_db()
    assert inv.aceptada_por == ines and inv.aceptada_en
    assert {a.accion for a in Auditoria.objects.all()} == {"invitar", "aceptar"}

    # Single use.
    usada = anonimo.get(ruta)
    assert usada.status_code == 410 and "ya se usó" in usada.content.decode()


def test_la_clave_de_la_cuenta_invitada_pasa_los_validadores(director, org_zapallar):
    inv = invitacion(org_zapallar, director)
    respuesta = cliente_de(None).post(f"/invitacion/{inv.token}/", _cuenta(password1="12345", password2="12345"))
    assert respuesta.status_code == 200 and "demasiado corta" in respuesta.content.decode()
    respuesta = cliente_de(None).post(f"/invitacion/{inv.token}/", _cuenta(password2="otra-cosa-distinta"))
    assert "no coinciden" in respuesta.content.decode()
    assert 'value="Inés Invitada"' in respuesta.content.decode()
    assert not Usuario.objects.filter(email=inv.email).exists()


def test_una_cuenta_existente_acepta_ingresando(director, org_zapallar, ajeno):
    inv = invitacion(org_zapallar, director, email=ajeno.email)
    assert "Ingrese" in cliente_de(None).get(f"/invitacion/{inv.token}/").content.decode()
    otra = crear_usuario("otra@persona.test")
    assert "pero la invitación es para" in cliente_de(otra).get(f"/invitacion/{inv.token}/").content.decode()
    assert cliente_de(otra).post(f"/invitacion/{inv.token}/").status_code == 403
    respuesta = cliente_de(ajeno).post(f"/invitacion/{inv.token}/")
    assert respuesta["Location"] == f"/organizaciones/{org_zapallar.pk}/"
    assert Membresia.objects.get(usuario=ajeno, organizacion=org_zapallar).rol == "integrante"


@pytest.mark.parametrize("caso", ["vencida", "revocada", "alterada"])
def test_enlaces_vencidos_revocados_o_alterados_no_cambian_nada(director, org_zapallar, caso):
    inv = invitacion(org_zapallar, director)
    token = inv.token
    if caso == "revocada":
        cliente_de(director).post(f"/invitaciones/{inv.pk}/revocar/")
    if caso == "alterada":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with time_machine.travel(timezone.now() + timedelta(days=8 if caso == "vencida" else 0)):
        anonimo = cliente_de(None)
        pagina = anonimo.get(f"/invitacion/{token}/")
        envio = anonimo.post(f"/invitacion/{token}/", _cuenta())
    esperado = {"vencida": "venció", "revocada": "fue revocada", "alterada": "no es válido"}[caso]
    assert esperado in pagina.content.decode() and esperado in envio.content.decode()
    assert pagina.status_code == envio.status_code == (404 if caso == "alterada" else 410)
    assert not Usuario.objects.filter(email=inv.email).exists()
    assert org_zapallar.membresias.count() == 1


def test_reenviar_da_un_enlace_nuevo_y_mata_el_anterior(director, org_zapallar, django_capture_on_commit_callbacks):
    inv = invitacion(org_zapallar, director)
    viejo, expira = inv.token, inv.expira
    with time_machine.travel(timezone.now() + timedelta(days=3)), django_capture_on_commit_callbacks(execute=True):
        cliente_de(director).post(f"/invitaciones/{inv.pk}/reenviar/")
    inv.refresh_from_db()
    assert inv.expira > expira + timedelta(days=2)
    nueva = _ruta(mail.outbox[-1])
    assert cliente_de(None).get(f"/invitacion/{viejo}/").status_code == 404
    assert cliente_de(None).get(nueva).status_code == 200
    assert Auditoria.objects.filter(accion="reenviar").exists()


def test_no_se_invita_dos_veces_ni_a_quien_ya_integra(director, integrante, org_zapallar):
    invitacion(org_zapallar, director)
    client = cliente_de(director)
    url = f"/organizaciones/{org_zapallar.pk}/invitar/"
    assert (
        "Ya hay una invitación vigente"
        in client.post(url, {"email": "invitada@zapallar.test", "rol": "lector"}).content.decode()
    )
    assert "ya integra el equipo" in client.post(url, {"email": integrante.email, "rol": "lector"}).content.decode()
    assert Invitacion.objects.count() == 1


def test_una_invitacion_vencida_se_reemplaza(director, org_zapallar):
    vieja = invitacion(org_zapallar, director)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        nueva = invitacion(org_zapallar, director)
    vieja.refresh_from_db()
    assert vieja.revocada_en and nueva.pk != vieja.pk


def test_cambiar_rol_y_quitar(director, integrante, lector, org_zapallar):
    client = cliente_de(director)
    m = Membresia.objects.get(usuario=integrante)
    client.post(f"/equipo/{m.pk}/rol/", {"rol": "director"})
    m.refresh_from_db()
    assert m.rol == "director"
    registro = Auditoria.objects.get(accion="cambiar_rol")
    assert registro.antes == {"rol": "integrante"} and registro.despues == {"rol": "director"}

    quitar = Membresia.objects.get(usuario=lector)
    assert "¿Quitar a Laura Lectora del equipo?" in client.get(f"/equipo/{quitar.pk}/quitar/").content.decode()
    client.post(f"/equipo/{quitar.pk}/quitar/")
    assert not Membresia.objects.filter(usuario=lector).exists()
    assert Usuario.objects.filter(pk=lector.pk).exists()  # the account stays
    assert Auditoria.objects.get(accion="quitar").objeto == lector.email


def test_el_ultimo_director_no_se_degrada_ni_se_quita(director, admin, org_zapallar):
    m = Membresia.objects.get(usuario=director)
    respuesta = cliente_de(director).post(f"/equipo/{m.pk}/rol/", {"rol": "integrante"}, follow=True)
    assert "debe conservar al menos un(a) director(a)" in respuesta.content.decode()
    respuesta = cliente_de(admin).post(f"/equipo/{m.pk}/quitar/", follow=True)
    assert "No se puede quitar al único director(a)" in respuesta.content.decode()
    m.refresh_from_db()
    assert m.rol == "director"
    assert not Auditoria.objects.filter(accion__in=["cambiar_rol", "quitar"]).exists()


def test_el_equipo_lo_gestiona_solo_su_director(integrante, lector, org_zapallar, director):
    m = Membresia.objects.get(usuario=lector)
    assert cliente_de(integrante).post(f"/equipo/{m.pk}/rol/", {"rol": "director"}).status_code == 403
    inv = invitacion(org_zapallar, director)
    assert cliente_de(lector).post(f"/invitaciones/{inv.pk}/revocar/").status_code == 403
    html = cliente_de(integrante).get(f"/organizaciones/{org_zapallar.pk}/").content.decode()
    assert "Invitar a una persona" not in html and "Invitaciones pendientes" not in html
    m.refresh_from_db()
    assert m.rol == "lector"


def test_ingreso_despues_de_aceptar(director, org_zapallar):
    inv = invitacion(org_zapallar, director)
    cliente_de(None).post(f"/invitacion/{inv.token}/", _cuenta())
    client = cliente_de(None)
    respuesta = client.post("/cuenta/ingresar/", {"username": inv.email, "password": CLAVE_NUEVA})
    assert respuesta.status_code == 302
    assert client.get(f"/organizaciones/{org_zapallar.pk}/").status_code == 200
    assert CLAVE != CLAVE_NUEVA
