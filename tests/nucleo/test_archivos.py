"""Decompression bombs (issue 11, item 2): a ZIP-based upload is judged from its central directory, before any
member is decompressed, so a 1 MB file that expands to a gigabyte costs neither memory nor time."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nucleo import archivos
from nucleo.archivos import ArchivoNoAdmitido, verificar
from practicas.models import AdjuntoPractica
from tests.conftest import cliente_de
from tests.practicas.utiles import crear_practica

MB = 1024 * 1024
MAX_BYTES = 10 * MB  # the attachment limit: the bomb fits under it


def _zip(partes, *, grande=None, mb=0):
    """A ZIP with small `partes` and, if given, one member `grande` of `mb` megabytes of zeros (deflated)."""
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w", compression=zipfile.ZIP_DEFLATED) as z:
        if grande:
            info = zipfile.ZipInfo(grande)
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as parte:
                bloque = b"\0" * MB
                for _ in range(mb):
                    parte.write(bloque)
        for nombre, contenido in partes.items():
            z.writestr(nombre, contenido)
    return salida.getvalue()


ODF = {"content.xml": "<office:document-content/>"}
PARTES = {
    "odt": ({**ODF, "mimetype": "application/vnd.oasis.opendocument.text"}, "content.xml"),
    "ods": ({**ODF, "mimetype": "application/vnd.oasis.opendocument.spreadsheet"}, "content.xml"),
    "docx": ({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}, "word/document.xml"),
    "xlsx": ({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}, "xl/worksheets/sheet1.xml"),
    "pptx": ({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}, "ppt/slides/slide1.xml"),
}


@pytest.fixture(scope="module")
def bomba_odt():
    """What the review uploaded: an .odt of about 1 MB whose `mimetype` entry expands to 1 GB."""
    contenido = _zip(ODF, grande="mimetype", mb=1024)
    assert len(contenido) < 1.1 * MB
    return contenido


def test_una_bomba_odt_se_rechaza_sin_memoria_ni_tiempo(bomba_odt):
    archivo = SimpleUploadedFile("informe.odt", bomba_odt)
    tracemalloc.start()
    inicio = time.perf_counter()
    try:
        with pytest.raises(ArchivoNoAdmitido) as error:
            verificar(archivo, "informe.odt", max_bytes=MAX_BYTES)
        transcurrido = time.perf_counter() - inicio
        _, pico = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pico < 8 * MB, f"pico de memoria {pico / MB:.1f} MB"
    assert transcurrido < 1.0, f"{transcurrido:.2f} s"
    mensaje = str(error.value)
    assert mensaje.startswith("«informe.odt» no se aceptó: ")
    assert "veces al descomprimirla" in mensaje and "Parece un archivo manipulado" in mensaje


@pytest.mark.parametrize("tipo", sorted(PARTES))
def test_cada_tipo_zip_rechaza_una_parte_que_se_expande_demasiado(tipo):
    partes, interna = PARTES[tipo]
    partes = {k: v for k, v in partes.items() if k != interna}
    contenido = _zip(partes, grande=interna, mb=16)  # 16 MB of zeros in a few KB
    with pytest.raises(ArchivoNoAdmitido, match="se expandiría .* veces al descomprimirla"):
        verificar(SimpleUploadedFile(f"a.{tipo}", contenido), f"a.{tipo}", max_bytes=MAX_BYTES)


@pytest.mark.parametrize("tipo", sorted(PARTES))
def test_cada_tipo_zip_acota_el_total_y_la_cantidad_de_partes(tipo, monkeypatch):
    partes, _ = PARTES[tipo]
    relleno = {f"relleno/{i}.xml": "x" * 2000 for i in range(40)}  # 80 KB that compress well, but under the ratio
    contenido = _zip({**partes, **relleno})
    assert verificar(SimpleUploadedFile(f"a.{tipo}", contenido), f"a.{tipo}", max_bytes=MAX_BYTES).clave == tipo
    monkeypatch.setattr(archivos, "ZIP_MAX_DESCOMPRIMIDO", 64 * 1024)
    with pytest.raises(ArchivoNoAdmitido, match=r"descomprimido ocuparía 0 MB; el máximo es 0 MB"):
        verificar(SimpleUploadedFile(f"a.{tipo}", contenido), f"a.{tipo}", max_bytes=MAX_BYTES)
    monkeypatch.setattr(archivos, "ZIP_MAX_DESCOMPRIMIDO", 200 * MB)
    monkeypatch.setattr(archivos, "ZIP_MAX_ENTRADAS", 30)
    with pytest.raises(ArchivoNoAdmitido, match=r"contiene 4\d archivos internos; el máximo es 30"):
        verificar(SimpleUploadedFile(f"a.{tipo}", contenido), f"a.{tipo}", max_bytes=MAX_BYTES)


def test_un_mimetype_que_no_es_una_linea_se_rechaza_sin_leerlo():
    contenido = _zip({"mimetype": "application/vnd.oasis.opendocument.text" + " " * 4000, **ODF})
    with pytest.raises(ArchivoNoAdmitido, match="su parte «mimetype» no es la de un documento OpenDocument"):
        verificar(SimpleUploadedFile("a.odt", contenido), "a.odt", max_bytes=MAX_BYTES)


@pytest.mark.django_db
def test_la_bomba_subida_como_adjunto_muestra_el_motivo_y_no_se_guarda(bomba_odt, director, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    practica = crear_practica(director.membresias.get().organizacion, director)
    respuesta = cliente_de(director).post(
        f"/practicas/{practica.pk}/adjuntos/", {"archivos": [SimpleUploadedFile("informe.odt", bomba_odt)]}, follow=True
    )
    pagina = respuesta.content.decode()
    assert "«informe.odt» no se aceptó:" in pagina and "Parece un archivo manipulado" in pagina
    assert not AdjuntoPractica.objects.exists()
