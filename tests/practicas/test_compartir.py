"""Share: the print view (the browser's "Guardar como PDF" makes the PDF) and the CSV export of a search."""

import csv
import io

import pytest
from django.test import Client

from tests.conftest import cliente_de
from tests.practicas.test_busqueda import _consultas, _leer
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


def test_la_version_para_imprimir_es_limpia_y_explica_el_pdf(director, org_zapallar, taxonomia):
    practica = crear_practica(
        org_zapallar, director, titulo="Ferias libres seguras", estado="publicada", visibilidad="publica",
        actividades="Rondas **mixtas**.", presupuesto=4_500_000,
    )  # fmt: skip
    assert f'href="/practicas/{practica.pk}/imprimir/"' in Client().get(f"/practicas/{practica.pk}/").content.decode()
    respuesta = Client().get(f"/practicas/{practica.pk}/imprimir/")
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "«Guardar como PDF»" in html and "practicas/imprimir.css" in html
    assert "Rondas <strong>mixtas</strong>." in html and "$4.500.000" in html and "Denuncias por hurto" in html
    assert 'aria-label="Navegación principal"' not in html  # no site navigation on paper
    assert f"http://testserver/practicas/{practica.pk}/" in html


def test_imprimir_pasa_por_el_gate(director, ajeno, org_zapallar, taxonomia):
    borrador = crear_practica(org_zapallar, director)
    assert cliente_de(director).get(f"/practicas/{borrador.pk}/imprimir/").status_code == 200
    assert cliente_de(ajeno).get(f"/practicas/{borrador.pk}/imprimir/").status_code == 404
    assert Client().get(f"/practicas/{borrador.pk}/imprimir/").status_code == 302


def _filas(respuesta):
    contenido = _leer(respuesta)
    assert contenido.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(contenido.decode("utf-8-sig")), delimiter=";"))


def test_el_csv_trae_el_resultado_de_la_busqueda_para_excel(director, org_zapallar, taxonomia):
    crear_practica(org_zapallar, director, titulo="Cámaras en accesos", estado="publicada", categorias=("hurtos",),
                   presupuesto=85_000_000)  # fmt: skip
    crear_practica(org_zapallar, director, titulo="=HYPERLINK(\"http://x\")", estado="publicada",
                   categorias=("hurtos", "danos"), resumen="Con; punto y coma")  # fmt: skip
    crear_practica(org_zapallar, director, titulo="Ruidos", estado="publicada", categorias=("otras-incivilidades",))
    crear_practica(org_zapallar, director, titulo="Borrador", categorias=("hurtos",))
    respuesta = cliente_de(director).get("/practicas/exportar/?categoria=hurtos&orden=titulo")
    assert respuesta["Content-Type"] == "text/csv; charset=utf-8"
    assert respuesta["Content-Disposition"].startswith('attachment; filename="practicas-')
    encabezado, *filas = _filas(respuesta)
    assert encabezado[:3] == ["Título", "Organización", "Región"]
    assert [f[0] for f in filas] == ['\'=HYPERLINK("http://x")', "Cámaras en accesos"]  # no formula runs
    camaras = dict(zip(encabezado, filas[1], strict=True))
    assert camaras["Comuna"] == "Zapallar" and camaras["Presupuesto (CLP)"] == "85000000"
    assert camaras["Problemas que aborda"] == "Hurtos" and camaras["Calificación de la evidencia"] == "Prometedora"
    assert camaras["Enlace"].startswith("http://testserver/practicas/")
    assert dict(zip(encabezado, filas[0], strict=True))["Resumen"] == "Con; punto y coma"


def test_el_csv_sin_ingresar_solo_trae_lo_publico(director, org_zapallar, taxonomia):
    crear_practica(org_zapallar, director, titulo="Abierta", estado="publicada", visibilidad="publica")
    crear_practica(org_zapallar, director, titulo="Interna", estado="publicada")
    _, *filas = _filas(Client().get("/practicas/exportar/"))
    assert [f[0] for f in filas] == ["Abierta"]


def test_el_csv_hace_las_mismas_consultas_con_5_y_con_50(director, org_zapallar, taxonomia, django_assert_num_queries):
    cliente = cliente_de(director)

    def poblar(n):
        for i in range(n):
            crear_practica(org_zapallar, director, titulo=f"Cámaras {i}", estado="publicada",
                           categorias=("hurtos", "danos"))  # fmt: skip

    poblar(5)
    con_5 = _consultas(cliente, "/practicas/exportar/?q=camaras")
    poblar(45)
    with django_assert_num_queries(con_5):
        _leer(cliente.get("/practicas/exportar/?q=camaras"))
