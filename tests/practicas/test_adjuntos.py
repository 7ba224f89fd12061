"""Attachments: type read from the content, size limit, random stored names, download only through the gate."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from nucleo.archivos import detectar
from practicas.models import AdjuntoPractica
from tests.conftest import cliente_de
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _zip(partes):
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w") as z:
        for nombre, contenido in partes.items():
            z.writestr(nombre, contenido)
    return salida.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODS = _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _archivo(nombre, contenido, content_type="application/pdf"):
    return SimpleUploadedFile(nombre, contenido, content_type=content_type)


def _subir(cliente, practica, *archivos):
    return cliente.post(f"/practicas/{practica.pk}/adjuntos/", {"archivos": list(archivos)}, follow=True)


@pytest.mark.parametrize(
    ("contenido", "esperado"),
    [(PDF, "pdf"), (PNG, "png"), (b"\xff\xd8\xff\xe0JFIF", "jpeg"), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
     (DOCX, "docx"), (XLSX, "xlsx"), (ODS, "ods"), (b"comuna;casos\nZapallar;12\n", "csv"),
     ("año;tasa\n2024;3,5\n".encode("cp1252"), "csv"), (EXE, None), (HTML, None),
     (_zip({"hola.txt": "x"}), None), (b"\x00\x01\x02binario", None)],
)  # fmt: skip
def test_el_tipo_se_lee_del_contenido(contenido, esperado):
    assert detectar(io.BytesIO(contenido)) == esperado


def test_un_director_adjunta_varios_archivos_con_nombres_aleatorios(director, org_zapallar, taxonomia, media):
    practica = crear_practica(org_zapallar, director)
    respuesta = _subir(
        cliente_de(director), practica, _archivo("Informe final.pdf", PDF),
        _archivo("planilla.xlsx", XLSX, "application/octet-stream"), _archivo("foto.png", PNG, "image/png"),
    )  # fmt: skip
    html = respuesta.content.decode()
    assert "Archivos adjuntados: Informe final.pdf, planilla.xlsx, foto.png." in html
    adjuntos = list(practica.adjuntos.order_by("pk"))
    assert [(a.nombre, a.tipo, a.tamano) for a in adjuntos] == [
        ("Informe final.pdf", "pdf", len(PDF)), ("planilla.xlsx", "xlsx", len(XLSX)), ("foto.png", "png", len(PNG))
    ]  # fmt: skip
    for a in adjuntos:
        assert "Informe" not in a.archivo.name and a.archivo.name.startswith("practicas/adjuntos/")
        assert (media / a.archivo.name).exists()
    assert "Informe final.pdf" in html  # listed on the edit page


@pytest.mark.parametrize(
    ("nombre", "contenido", "mensaje"),
    [
        ("informe.pdf", EXE, "por su contenido es un programa ejecutable de Windows"),
        ("informe.pdf", HTML, "por su contenido es una página web o código (HTML/XML)"),
        ("foto.pdf", PNG, "su nombre no corresponde a su contenido, que es un(a) imagen PNG"),
        ("programa.exe", EXE, "no se aceptó"),
    ],
)
def test_un_archivo_disfrazado_por_su_nombre_se_rechaza(director, org_zapallar, taxonomia, nombre, contenido, mensaje):
    practica = crear_practica(org_zapallar, director)
    html = _subir(cliente_de(director), practica, _archivo(nombre, contenido)).content.decode()
    assert mensaje in html
    assert not AdjuntoPractica.objects.exists()


def test_si_uno_falla_no_se_guarda_ninguno(director, org_zapallar, taxonomia, media):
    practica = crear_practica(org_zapallar, director)
    _subir(cliente_de(director), practica, _archivo("bueno.pdf", PDF), _archivo("malo.pdf", HTML))
    assert not AdjuntoPractica.objects.exists()
    assert not (media / "practicas").exists() or not any((media / "practicas").rglob("*.*"))


def test_un_archivo_demasiado_grande_se_rechaza(director, org_zapallar, taxonomia, settings):
    settings.PRACTICAS_ADJUNTO_MAX_MB = 1
    practica = crear_practica(org_zapallar, director)
    grande = PDF + b"0" * (1024 * 1024)
    html = _subir(cliente_de(director), practica, _archivo("grande.pdf", grande)).content.decode()
    assert "«grande.pdf» pesa 1.0 MB; el máximo es 1 MB." in html
    assert not AdjuntoPractica.objects.exists()


def _con_adjunto(org, director, **kwargs):
    practica = crear_practica(org, director, **kwargs)
    _subir(cliente_de(director), practica, _archivo("informe.pdf", PDF))
    return practica, practica.adjuntos.get()


def test_la_descarga_pasa_por_el_gate_y_siempre_como_adjunto(director, lector, ajeno, org_zapallar, taxonomia):
    practica, adjunto = _con_adjunto(org_zapallar, director)  # a draft: only its organization
    url = f"/practicas/{practica.pk}/adjuntos/{adjunto.pk}/"
    respuesta = cliente_de(lector).get(url)
    assert respuesta.status_code == 200
    assert b"".join(respuesta.streaming_content) == PDF
    assert respuesta["Content-Type"] == "application/pdf"
    assert respuesta["Content-Disposition"] == 'attachment; filename="informe.pdf"'
    assert respuesta["X-Content-Type-Options"] == "nosniff"
    assert cliente_de(ajeno).get(url).status_code == 404
    anonimo = Client().get(url)
    assert anonimo.status_code == 302 and anonimo.url.startswith("/cuenta/ingresar/")
    otra, _ = _con_adjunto(org_zapallar, director, titulo="Otra")
    assert cliente_de(director).get(f"/practicas/{otra.pk}/adjuntos/{adjunto.pk}/").status_code == 404


def test_los_adjuntos_de_una_practica_publica_se_descargan_sin_ingresar(director, org_zapallar, taxonomia):
    practica, adjunto = _con_adjunto(org_zapallar, director, estado="publicada", visibilidad="publica")
    html = Client().get(f"/practicas/{practica.pk}/").content.decode()
    assert f'href="/practicas/{practica.pk}/adjuntos/{adjunto.pk}/"' in html
    assert Client().get(f"/practicas/{practica.pk}/adjuntos/{adjunto.pk}/").status_code == 200
    assert "/media/" not in html


def test_solo_quien_edita_sube_o_borra(
    director, lector, ajeno, org_zapallar, taxonomia, media, django_capture_on_commit_callbacks
):
    practica, adjunto = _con_adjunto(org_zapallar, director, estado="publicada")
    assert _subir(cliente_de(lector), practica, _archivo("x.pdf", PDF)).status_code == 403
    assert _subir(cliente_de(ajeno), practica, _archivo("x.pdf", PDF)).status_code == 403
    borrar = f"/practicas/{practica.pk}/adjuntos/{adjunto.pk}/borrar/"
    assert cliente_de(lector).post(borrar).status_code == 403
    ruta = media / adjunto.archivo.name
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the deletion commits
        respuesta = cliente_de(director).post(borrar, follow=True)
    assert "Se eliminó «informe.pdf»." in respuesta.content.decode()
    assert not AdjuntoPractica.objects.exists() and not ruta.exists()
