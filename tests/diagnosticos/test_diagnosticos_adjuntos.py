"""Diagnosis attachments: type read from the content, size limit, random stored names, gated download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from diagnosticos.models import AdjuntoDiagnostico, Diagnostico
from tests.conftest import cliente_de
from tests.diagnosticos.utiles import crear_diagnostico

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def diagnostico(org_zapallar, director):
    return crear_diagnostico(org_zapallar, director)


def _subir(usuario, diagnostico, *archivos):
    return cliente_de(usuario).post(
        f"/diagnosticos/{diagnostico.pk}/adjuntos/", {"archivos": list(archivos)}, follow=True
    )


def _pdf(nombre="encuesta.pdf", contenido=PDF):
    return SimpleUploadedFile(nombre, contenido, content_type="application/pdf")


def test_el_equipo_sube_y_se_descarga_solo_por_la_puerta(integrante, director, diagnostico, media):
    respuesta = _subir(integrante, diagnostico, _pdf())
    assert "Archivos adjuntados: encuesta.pdf." in respuesta.content.decode()
    adjunto = AdjuntoDiagnostico.objects.get()
    assert adjunto.archivo.name.startswith("diagnosticos/adjuntos/") and "encuesta" not in adjunto.archivo.name
    assert (media / adjunto.archivo.name).exists()
    descarga = cliente_de(director).get(f"/diagnosticos/{diagnostico.pk}/adjuntos/{adjunto.pk}/")
    assert descarga.status_code == 200 and b"".join(descarga.streaming_content) == PDF
    assert descarga["Content-Disposition"].startswith('attachment; filename="encuesta.pdf"')
    assert descarga["Content-Type"] == "application/pdf"
    assert descarga["X-Content-Type-Options"] == "nosniff"
    assert "encuesta.pdf" in cliente_de(director).get(f"/diagnosticos/{diagnostico.pk}/editar/").content.decode()


@pytest.mark.parametrize(("nombre", "contenido"), [("acta.pdf", EXE), ("mapa.pdf", HTML), ("informe.docx", PDF)])
def test_un_tipo_disfrazado_por_el_nombre_se_rechaza(director, diagnostico, nombre, contenido):
    html = _subir(director, diagnostico, _pdf(nombre, contenido)).content.decode()
    assert "no se aceptó" in html
    assert not AdjuntoDiagnostico.objects.exists()


def test_un_archivo_demasiado_grande_se_rechaza(director, diagnostico, settings):
    settings.PRACTICAS_ADJUNTO_MAX_MB = 1
    html = _subir(director, diagnostico, _pdf(contenido=PDF + b"0" * (1024 * 1024))).content.decode()
    assert "el máximo es 1 MB" in html
    assert not AdjuntoDiagnostico.objects.exists()


def test_un_lector_no_sube_ni_borra(lector, director, diagnostico):
    assert _subir(lector, diagnostico, _pdf()).status_code == 403
    _subir(director, diagnostico, _pdf())
    adjunto = AdjuntoDiagnostico.objects.get()
    url = f"/diagnosticos/{diagnostico.pk}/adjuntos/{adjunto.pk}/"
    assert cliente_de(lector).post(f"{url}borrar/").status_code == 403
    assert cliente_de(lector).get(url).status_code == 200  # but reads it: it sees the diagnosis


def test_quien_no_ve_el_diagnostico_recibe_404(ajeno, director, diagnostico):
    _subir(director, diagnostico, _pdf())
    adjunto = AdjuntoDiagnostico.objects.get()
    url = f"/diagnosticos/{diagnostico.pk}/adjuntos/{adjunto.pk}/"
    assert cliente_de(ajeno).get(url).status_code == 404  # a draft of another organization
    assert cliente_de(ajeno).post(f"/diagnosticos/{diagnostico.pk}/adjuntos/", {}).status_code == 404
    assert cliente_de(None).get(url).status_code == 302
    otro = crear_diagnostico(diagnostico.organizacion, director, titulo="Otro")
    assert cliente_de(director).get(f"/diagnosticos/{otro.pk}/adjuntos/{adjunto.pk}/").status_code == 404


def test_publicado_para_el_publico_se_descarga_sin_ingresar(director, org_zapallar):
    publico = crear_diagnostico(org_zapallar, director, publicar=Diagnostico.Visibilidad.PUBLICA)
    _subir(director, publico, _pdf())
    adjunto = AdjuntoDiagnostico.objects.get()
    assert cliente_de(None).get(f"/diagnosticos/{publico.pk}/adjuntos/{adjunto.pk}/").status_code == 200
    assert "encuesta.pdf" in cliente_de(None).get(f"/diagnosticos/{publico.pk}/").content.decode()


def test_el_equipo_borra_un_adjunto_y_su_archivo(director, diagnostico, media, django_capture_on_commit_callbacks):
    _subir(director, diagnostico, _pdf())
    adjunto = AdjuntoDiagnostico.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(director).post(
            f"/diagnosticos/{diagnostico.pk}/adjuntos/{adjunto.pk}/borrar/", follow=True
        )
    assert "Se eliminó «encuesta.pdf»." in respuesta.content.decode()
    assert not AdjuntoDiagnostico.objects.exists()
    assert not (media / adjunto.archivo.name).exists()
