"""Reply-To: a notice may name who answers reach (e.g. a mesa's coordination) instead of the no-reply sender."""

import pytest
from django.core import mail

from nucleo.avisos import aviso_crear, avisos_masivos_crear
from nucleo.models import Aviso

pytestmark = pytest.mark.django_db

CONTEXTO = {"asunto": "Aviso de prueba", "mensaje": "Hola desde Mesa."}


def test_un_aviso_lleva_responder_a(director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        aviso = aviso_crear(
            para=director,
            plantilla="aviso_generico",
            contexto=CONTEXTO,
            clave="responder:1",
            responder_a=["Carolina Coordinadora <coordinacion@zapallar.test>", "otra@zapallar.test"],
        )
    assert aviso.responder_a == ["Carolina Coordinadora <coordinacion@zapallar.test>", "otra@zapallar.test"]
    [mensaje] = mail.outbox
    assert mensaje.message()["Reply-To"] == "Carolina Coordinadora <coordinacion@zapallar.test>, otra@zapallar.test"


def test_sin_responder_a_no_hay_reply_to(director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        aviso_crear(para=director, plantilla="aviso_generico", contexto=CONTEXTO, clave="responder:2")
    assert mail.outbox[0].message()["Reply-To"] is None


def test_un_aviso_masivo_lleva_el_mismo_responder_a(director, integrante, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        avisos_masivos_crear(
            para=[director, integrante],
            plantilla="aviso_generico",
            contexto=CONTEXTO,
            clave=lambda usuario_id: f"responder:masivo:{usuario_id}",
            responder_a=["coordinacion@zapallar.test"],
        )
    assert [a.responder_a for a in Aviso.objects.all()] == [["coordinacion@zapallar.test"]] * 2
    assert [m.message()["Reply-To"] for m in mail.outbox] == ["coordinacion@zapallar.test"] * 2
