"""Big CSV exports are streamed (issue 17): the response is written and sent a batch at a time — the first piece
(BOM and header) before any row is read — with the same columns and the CSV-injection protection as before."""

import pytest

from diagnosticos import importacion as imp
from diagnosticos.models import Indicador
from practicas import exportar
from tests.conftest import cliente_de
from tests.diagnosticos.utiles import categoria
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


def _piezas(respuesta):
    assert respuesta.status_code == 200 and respuesta.streaming
    return list(respuesta.streaming_content)


def test_el_csv_de_practicas_sale_por_lotes(director, org_zapallar, monkeypatch):
    monkeypatch.setattr(exportar, "LOTE", 2)
    for i in range(5):
        crear_practica(org_zapallar, director, titulo=f"=Práctica {i}", estado="publicada")
    piezas = _piezas(cliente_de(director).get("/practicas/exportar/?orden=titulo"))
    assert piezas[0].startswith(b"\xef\xbb\xbfT\xc3\xadtulo;Organizaci\xc3\xb3n;") and piezas[0].count(b"\r\n") == 1
    assert [p.count(b"\r\n") for p in piezas[1:]] == [2, 2, 1]  # five rows, two per batch
    filas = b"".join(piezas).decode("utf-8-sig").splitlines()[1:]
    assert [f.split(";")[0] for f in filas] == [f"'=Práctica {i}" for i in range(5)]  # no formula runs


def test_el_csv_de_indicadores_sale_por_lotes_y_lee_valores_simples(director, django_assert_max_num_queries):
    hurtos = categoria("hurtos")
    Indicador.objects.bulk_create(
        Indicador(territorio="05405", comuna_id="05405", categoria=hurtos, anio=anio, frecuencia=9, fuente="+CEAD")
        for anio in range(2010, 2025)
    )
    piezas = list(imp.exportar_csv(Indicador.objects.order_by("anio"), lote=4))
    assert piezas[0].startswith("\ufeffcodigo_territorio;territorio;categoria".encode())
    assert len(piezas) == 4 and b"".join(piezas).count(b"\r\n") == 16  # header and 15 rows, 4 per piece
    assert b"05405;Zapallar;hurtos;2010;;;Casos policiales;CEAD;9;;'+CEAD;;CEAD 2024" in b"".join(piezas)
    with django_assert_max_num_queries(5):  # four small lookups and one cursor, whatever the number of rows
        list(imp.exportar_csv(Indicador.objects.order_by("anio"), lote=4))
