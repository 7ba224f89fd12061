"""Every e-mail is an Aviso row: the accounts flows (nucleo.avisos.enviar_correo) and the password reset too."""

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client

from nucleo.avisos import enviar_correo
from nucleo.models import Aviso

pytestmark = pytest.mark.django_db


def test_enviar_correo_crea_un_aviso_por_destinatario(director, django_capture_on_commit_callbacks):
    contexto = {"asunto": "Prueba", "mensaje": "Hola."}
    with django_capture_on_commit_callbacks(execute=True):
        avisos = enviar_correo(
            para=["director@zapallar.test", "otra@muni.example"], plantilla="aviso_generico", contexto=contexto
        )
        assert mail.outbox == []  # only after the cause commits
    assert {a.para for a in avisos} == {"director@zapallar.test", "otra@muni.example"}
    por_correo = {a.para: a for a in Aviso.objects.all()}
    assert por_correo["director@zapallar.test"].usuario == director  # linked to the account when there is one
    assert all(a.estado == Aviso.Estado.ENVIADO for a in Aviso.objects.all())
    assert sorted(m.to[0] for m in mail.outbox) == ["director@zapallar.test", "otra@muni.example"]
    assert mail.outbox[0].extra_headers["Message-ID"] in {a.message_id for a in avisos}


def test_con_clave_no_se_duplica(director):
    contexto = {"asunto": "Prueba", "mensaje": "Hola."}
    for _ in range(2):
        enviar_correo(para=director.email, plantilla="aviso_generico", contexto=contexto, clave="solicitud:7")
    assert Aviso.objects.count() == 1


def test_nada_sale_si_la_causa_se_deshace(director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        enviar_correo(para=director.email, plantilla="aviso_generico", contexto={"mensaje": "x"})
        raise RuntimeError
    assert Aviso.objects.count() == 0 and mail.outbox == []


def test_restablecer_la_contrasena_es_un_aviso_esencial(director):
    Client().post("/cuenta/recuperar/", {"email": "director@zapallar.test"})
    aviso = Aviso.objects.get()
    assert (aviso.plantilla, aviso.usuario, aviso.esencial, aviso.estado) == (
        "restablecer_clave",
        director,
        True,
        Aviso.Estado.ENVIADO,
    )
    [correo] = mail.outbox
    assert correo.extra_headers["Message-ID"] == aviso.message_id
    assert "/cuenta/recuperar/" in correo.body
