"""The acta's PDF: page X of Y, dates with their weekday, the host in the header, metadata and outline; frozen at
approval (and kept for actas approved before PDFs were kept); attached to the publication e-mail."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage

from mesa import services, services_actas
from mesa.models import Acta, SeccionActa, Sesion
from tests.conftest import cliente_de
from tests.mesa import leer_pdf
from tests.mesa.actas_utiles import DIA_SESION, DIA_SIGUIENTE, acta_de_la_sesion
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def reloj():
    with time_machine.travel(DIA_SESION, tick=False) as viaje:
        yield viaje


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def acta(reloj, mesa, coordinador, director, integrante, lector):
    return acta_de_la_sesion(mesa, coordinador, director)


def _pdf(usuario, acta):
    respuesta = cliente_de(usuario).get(f"/mesas/sesiones/{acta.sesion_id}/acta.pdf")
    assert respuesta.status_code == 200 and respuesta["Content-Type"] == "application/pdf"
    return respuesta.content


def test_paginas_fecha_con_dia_anfitriona_metadatos_y_esquema(acta, coordinador, org_zapallar):
    # Long enough for several pages.
    textos = {s.pk: "La mesa revisó las cifras de la temporada. " * 60 for s in acta.secciones.all()}
    services_actas.acta_guardar(acta=acta, por=coordinador, resumen="Sesión de prueba.", textos=textos)
    pdf = _pdf(coordinador, acta)

    paginas = leer_pdf.paginas(pdf)
    total = len(paginas)
    assert total >= 2
    for numero, pagina in enumerate(paginas, start=1):
        assert f"Página {numero} de {total}" in pagina
        assert org_zapallar.nombre in pagina.splitlines()[0]  # the host heads every page
        assert "BORRADOR SIN APROBAR" in pagina  # a draft says so on every page
    texto = leer_pdf.texto(pdf)
    assert "Fecha: miércoles 16 de diciembre de 2026, 10:00 a 12:00" in texto
    assert "Borrador sin aprobar." in texto

    info = leer_pdf.metadatos(pdf)
    assert info["Title"].startswith("Acta de la sesión ordinaria n.º 1 de la Mesa de buenas prácticas")
    assert "miércoles 16 de diciembre de 2026" in info["Title"]
    assert info["Author"] == org_zapallar.nombre
    assert info["Subject"].startswith("Borrador sin aprobar.")
    assert info["Lang"] == "es-CL"
    assert b"/DisplayDocTitle true" in pdf and b"/PageMode /UseOutlines" in pdf
    assert leer_pdf.esquema(pdf) == [
        "Acta de la sesión ordinaria n.º 1",
        "Asistencia",
        "Desarrollo de la tabla",
        "1. Punto 1",
        "2. Punto 2",
        "Acuerdos",
    ]


def test_el_pdf_aprobado_queda_congelado(acta, reloj, coordinador, director):
    services_actas.acta_circular(acta=acta, por=coordinador)
    services_actas.acta_aprobar(acta=acta, por=coordinador)
    services_actas.acta_publicar(acta=acta, por=coordinador)
    acta.refresh_from_db()
    guardado = acta.pdf_aprobado.name
    assert guardado.startswith("mesa/actas/") and guardado.endswith(".pdf")
    assert "acta-sesion" not in guardado  # a random name, not a guessable one
    aprobado = _pdf(director, acta)
    texto = leer_pdf.texto(aprobado)
    assert "Aprobada por la coordinación el miércoles 16 de diciembre de 2026." in texto
    assert "BORRADOR" not in texto
    assert "Pendiente" in texto and "Vencido" not in texto
    assert "Estado de los acuerdos al miércoles 16 de diciembre de 2026" in texto

    # A month later the acuerdo is overdue on the page, but the approved PDF still says what was approved.
    reloj.move_to(DIA_SESION + timedelta(days=30))
    assert "Vencido" in cliente_de(director).get(f"/mesas/sesiones/{acta.sesion_id}/acta/").content.decode()
    assert _pdf(director, acta) == aprobado
    acta.refresh_from_db()
    assert acta.pdf_aprobado.name == guardado


def test_un_borrador_se_genera_en_cada_descarga(acta, coordinador):
    antes = leer_pdf.texto(_pdf(coordinador, acta))
    services_actas.acta_guardar(acta=acta, por=coordinador, resumen="Texto corregido.", textos={})
    despues = leer_pdf.texto(_pdf(coordinador, acta))
    assert "Texto corregido." in despues and "Texto corregido." not in antes
    acta.refresh_from_db()
    assert not acta.pdf_aprobado


def test_un_acta_aprobada_antes_recibe_su_pdf_en_la_primera_descarga(acta, reloj, coordinador):
    """Approved before PDFs were kept (no file): rendered at its first download, saying when it was approved and
    generated, stored, and served as it is from then on."""
    services_actas.acta_aprobar(acta=acta, por=coordinador)
    acta.refresh_from_db()
    default_storage.delete(acta.pdf_aprobado.name)
    Acta.objects.filter(pk=acta.pk).update(pdf_aprobado="")
    reloj.move_to(DIA_SESION + timedelta(days=3))

    primero = _pdf(coordinador, acta)
    texto = leer_pdf.texto(primero)
    assert "Aprobada por la coordinación el miércoles 16 de diciembre de 2026." in texto
    assert "Este PDF se generó el sábado 19 de diciembre de 2026 a partir del acta aprobada." in texto
    acta.refresh_from_db()
    assert acta.pdf_aprobado.name.startswith("mesa/actas/")
    guardado = acta.pdf_aprobado.name
    reloj.move_to(DIA_SESION + timedelta(days=10))
    assert _pdf(coordinador, acta) == primero
    acta.refresh_from_db()
    assert acta.pdf_aprobado.name == guardado


def test_aprobada_en_la_sesion_siguiente_lo_dice_el_pdf(acta, reloj, mesa, coordinador):
    services_actas.acta_circular(acta=acta, por=coordinador)
    siguiente = crear_sesion(mesa, numero=2, estado=Sesion.Estado.CONVOCADA, dias=28)
    reloj.move_to(DIA_SIGUIENTE)
    services.asistencia_registrar(sesion=siguiente, por=coordinador, presentes=[coordinador.pk])
    services_actas.acta_aprobar(acta=acta, por=coordinador, en_sesion=siguiente)
    texto = leer_pdf.texto(_pdf(coordinador, acta))
    assert "Aprobada en la sesión del miércoles 13 de enero de 2027." in texto
    assert leer_pdf.metadatos(_pdf(coordinador, acta))["Subject"].startswith(
        "Aprobada en la sesión del miércoles 13 de enero de 2027."
    )


def test_el_correo_del_acta_publicada_lleva_el_pdf_aprobado(
    acta, coordinador, director, celery_eager, django_capture_on_commit_callbacks
):
    services_actas.acta_circular(acta=acta, por=coordinador)
    services_actas.acta_aprobar(acta=acta, por=coordinador)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(coordinador).post(f"/mesas/sesiones/{acta.sesion_id}/acta/publicar/", follow=True)
    assert "los miembros reciben el aviso con el PDF adjunto" in respuesta.content.decode()
    acta.refresh_from_db()
    with acta.pdf_aprobado.open("rb") as archivo:
        guardado = archivo.read()
    correo = next(m for m in mail.outbox if m.to == [director.email])
    [(nombre, contenido, tipo)] = correo.attachments
    assert (nombre, tipo) == ("acta-sesion-1.pdf", "application/pdf")
    assert contenido == guardado
    assert "PDF adjunta a este correo" in correo.body
    assert correo.reply_to == [f"{coordinador.nombre} <{coordinador.email}>"]


def test_una_seccion_larga_con_titulo_largo_no_rompe_el_esquema(acta, coordinador):
    SeccionActa.objects.create(acta=acta, orden=3, titulo="Varios: " + "asuntos pendientes " * 12, texto="x " * 2000)
    pdf = _pdf(coordinador, acta)
    assert any(t.startswith("3. Varios: asuntos pendientes") for t in leer_pdf.esquema(pdf))
