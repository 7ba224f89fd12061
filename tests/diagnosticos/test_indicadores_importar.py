"""Importing indicators: reading what spreadsheets produce, every error kind, atomicity, re-import, access."""

import pytest

from comunas.models import Membresia, Poblacion, Provincia
from diagnosticos.models import ImportacionIndicadores, Indicador
from diagnosticos.services import importacion_confirmar
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.diagnosticos.utiles import archivo, subir, xlsx
from tests.practicas.utiles import taxonomia

CABECERA = "codigo_territorio;categoria;anio;trimestre;mes;frecuencia;tasa;fuente\n"


def _mensajes(importacion):
    return [e["mensaje"] for e in importacion.errores]


def test_un_csv_con_punto_y_coma_bom_y_coma_decimal_se_revisa_y_confirma(director):
    texto = "\ufeff" + CABECERA + "05405;Hurtos;2023;;;1.234;16.812,5;CEAD\n05405;hurtos;2024;;;98;1335,2;CEAD\n"
    importacion = subir(director, texto)
    assert importacion.errores == []
    assert importacion.total_filas == 2
    hecha = importacion_confirmar(importacion=importacion, por=director)
    assert (hecha.creados, hecha.actualizados) == (2, 0)
    indicador = Indicador.objects.get(territorio="05405", anio=2023)
    assert indicador.frecuencia == 1234
    assert str(indicador.tasa) == "16812.50"
    assert indicador.comuna_id == "05405" and indicador.periodicidad == "anual"
    assert indicador.categoria.taxonomia.version == "CEAD 2024"


def test_latin1_con_comas_y_codigo_sin_cero(director):
    texto = 'Código CUT,Categoría,Año,Frecuencia,Tasa\n5405,Robo en lugar habitado,2024,7,"95,4"\n'
    importacion = subir(director, texto, codificacion="latin-1")
    assert importacion.errores == []
    importacion_confirmar(importacion=importacion, por=director)
    assert Indicador.objects.get().territorio == "05405"


def test_excel(director):
    taxonomia()
    subido = xlsx([["codigo_territorio", "categoria", "anio", "mes", "frecuencia"], ["05405", "hurtos", 2024, 3, 11]])
    respuesta = cliente_de(director).post("/indicadores/importar/", {"archivo": subido})
    importacion = ImportacionIndicadores.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == f"/indicadores/importar/{importacion.pk}/"
    assert importacion.errores == []
    importacion_confirmar(importacion=importacion, por=director)
    indicador = Indicador.objects.get()
    assert (indicador.periodicidad, indicador.mes, indicador.frecuencia) == ("mensual", 3, 11)


@pytest.mark.parametrize(
    ("fila", "esperado"),
    [
        ("05999;hurtos;2024;;;3;;", "Fila 2, columna «Código del territorio»: no existe una comuna, provincia"),
        ("05405;bicicletas;2024;;;3;;", "Fila 2, columna «Categoría»: «bicicletas» no es una categoría"),
        ("05405;hurtos;2024;;;tres;;", "Fila 2, columna «Casos»: «tres» no es un número."),
        ("05405;hurtos;2024;;;3;abc;", "Fila 2, columna «Tasa por 100.000 habitantes»: «abc» no es un número."),
        ("05405;hurtos;1890;;;3;;", "Fila 2, columna «Año»: 1890 está fuera del rango admitido"),
        ("05405;hurtos;2024;5;;3;;", "Fila 2, columna «Trimestre»: 5 está fuera del rango admitido (1 a 4)."),
        ("05405;hurtos;2024;;13;3;;", "Fila 2, columna «Mes»: 13 está fuera del rango admitido (1 a 12)."),
        ("05405;hurtos;2024;;;;;", "Fila 2, columna «Casos»: indique los casos, la tasa o ambos."),
        ("13101;hurtos;2024;;;3;;", "Fila 2, columna «Código del territorio»: su organización no puede cargar cifras"),
    ],
)
def test_cada_error_nombra_fila_y_columna(director, fila, esperado):
    importacion = subir(director, CABECERA + fila + "\n")
    assert len(importacion.errores) == 1
    assert _mensajes(importacion)[0].startswith(esperado), _mensajes(importacion)


def test_fila_repetida_en_el_archivo(director):
    importacion = subir(director, CABECERA + "05405;hurtos;2024;;;3;;\n05405;Hurtos;2024;;;4;;\n")
    assert _mensajes(importacion) == [
        "Fila 3: repite el territorio, la categoría, el período, la medida y la fuente de la fila 2."
    ]


def test_con_un_error_no_se_guarda_nada_ni_se_puede_confirmar(director):
    importacion = subir(director, CABECERA + "05405;hurtos;2024;;;3;;\n05405;hurtos;20x4;;;3;;\n")
    assert importacion.filas == []
    respuesta = cliente_de(director).post(f"/indicadores/importar/{importacion.pk}/", follow=True)
    assert "corríjalos y súbalo de nuevo" in respuesta.content.decode()
    assert Indicador.objects.count() == 0


def test_todo_o_nada_si_falla_la_escritura(director, monkeypatch):
    importacion = subir(director, CABECERA + "05405;hurtos;2023;;;3;;\n05405;hurtos;2024;;;4;;\n")
    original = Indicador.objects.bulk_create

    def falla(objs, **kwargs):
        original(objs[:1])
        raise RuntimeError("se cortó la base de datos")

    monkeypatch.setattr(Indicador.objects, "bulk_create", falla)
    with pytest.raises(RuntimeError):
        importacion_confirmar(importacion=importacion, por=director)
    assert Indicador.objects.count() == 0
    assert ImportacionIndicadores.objects.get().estado == "pendiente"


def test_reimportar_actualiza_en_vez_de_duplicar(director):
    importacion_confirmar(importacion=subir(director, CABECERA + "05405;hurtos;2024;;;3;;\n"), por=director)
    segunda = subir(director, CABECERA + "05405;hurtos;2024;;;5;;v2\n05405;hurtos;2023;;;2;;v2\n")
    pagina = cliente_de(director).get(f"/indicadores/importar/{segunda.pk}/").content.decode()
    assert "se crearán <strong>1</strong> indicadores y se actualizarán\n      <strong>1</strong>" in pagina
    hecha = importacion_confirmar(importacion=segunda, por=director)
    assert (hecha.creados, hecha.actualizados) == (1, 1)
    assert Indicador.objects.count() == 2
    assert Indicador.objects.get(anio=2024).frecuencia == 5


def test_una_importacion_no_se_confirma_dos_veces(director):
    importacion = subir(director, CABECERA + "05405;hurtos;2024;;;3;;\n")
    cliente = cliente_de(director)
    cliente.post(f"/indicadores/importar/{importacion.pk}/")
    respuesta = cliente.post(f"/indicadores/importar/{importacion.pk}/", follow=True)
    assert "ya se confirmó" in respuesta.content.decode()
    assert Indicador.objects.count() == 1


def test_la_tasa_se_calcula_con_la_poblacion(director):
    Poblacion.objects.create(comuna_id="05405", anio=2024, habitantes=8000)
    importacion = subir(director, CABECERA + "05405;hurtos;2024;;;12;;\n")
    importacion_confirmar(importacion=importacion, por=director)
    assert str(Indicador.objects.get().tasa) == "150.00"  # 12 / 8000 * 100000


def test_una_direccion_provincial_carga_su_provincia_y_sus_comunas(dpa):
    org = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    directora = miembro(org, "directora@petorca.test", Membresia.Rol.DIRECTOR)
    texto = CABECERA + "054;hurtos;2024;;;30;;\n05401;hurtos;2024;;;9;;\n05501;hurtos;2024;;;9;;\n"
    importacion = subir(directora, texto)
    assert [e["fila"] for e in importacion.errores] == [4]  # Quillota is another province


def test_staff_carga_cualquier_territorio(admin):
    importacion = subir(admin, CABECERA + "13101;hurtos;2024;;;3;;\n05;hurtos;2024;;;3;;\n")
    assert importacion.errores == []


def test_archivo_que_no_es_tabla(director):
    taxonomia()
    subido = archivo("<html><script>alert(1)</script></html>", nombre="indicadores.csv")
    respuesta = cliente_de(director).post("/indicadores/importar/", {"archivo": subido})
    assert respuesta.status_code == 400
    assert "página web o código" in respuesta.content.decode()
    assert ImportacionIndicadores.objects.count() == 0


def test_faltan_columnas(director):
    taxonomia()
    respuesta = cliente_de(director).post("/indicadores/importar/", {"archivo": archivo("comuna;valor\n05405;3\n")})
    assert respuesta.status_code == 400
    assert "Faltan columnas" in respuesta.content.decode()


def test_la_importacion_es_solo_de_quien_la_subio(director, integrante):
    importacion = subir(director, CABECERA + "05405;hurtos;2024;;;3;;\n")
    assert cliente_de(integrante).post(f"/indicadores/importar/{importacion.pk}/").status_code == 404
    assert Indicador.objects.count() == 0


def test_plantillas(director):
    taxonomia()
    cliente = cliente_de(director)
    csv = cliente.get("/indicadores/plantilla.csv")
    texto = csv.content.decode("utf-8")
    assert texto.startswith("\ufeffCódigo del territorio;Territorio;Categoría;Año;")
    # The template as a person fills it in (headers in plain Spanish) imports as it is.
    relleno = texto.replace("\ufeff", "").replace("EJEMPLO: reemplace esta fila por sus cifras", "CEAD")
    assert subir(director, relleno).errores == []
    respuesta = cliente.get("/indicadores/plantilla.xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    libro = load_workbook(BytesIO(respuesta.content))
    assert libro.sheetnames == ["indicadores", "categorias", "instrucciones"]
    assert ["Hurtos", "hurtos"] in [[c.value for c in f][:2] for f in libro["categorias"].iter_rows()]
    # the user's own territory in the example row, and the category as a dropdown over the categories sheet
    assert [c.value for c in libro["indicadores"][2]][:2] == ["05405", "Zapallar"]
    validaciones = libro["indicadores"].data_validations.dataValidation
    assert any(v.formula1.startswith("categorias!") and "C2:C1001" in str(v.sqref) for v in validaciones)


def test_exportar_y_volver_a_importar(director):
    importacion_confirmar(importacion=subir(director, CABECERA + "05405;hurtos;2024;;;3;12,5;CEAD\n"), por=director)
    respuesta = cliente_de(director).get("/indicadores/exportar.csv?territorio=05405")
    assert respuesta.streaming  # written while it is sent (README "Rendimiento")
    texto = b"".join(respuesta.streaming_content).decode("utf-8")
    assert texto.startswith("\ufeffcodigo_territorio;territorio;categoria")
    assert "05405;Zapallar;hurtos;2024;;;Casos policiales;CEAD;3;12,50;CEAD;;CEAD 2024" in texto
    otra = subir(director, texto.replace("\ufeff", ""))
    assert otra.errores == []


def test_la_exportacion_no_deja_formulas_para_la_planilla(director):
    """A source typed as a formula comes back as text: the CSV never makes the spreadsheet run it."""
    fuente = '=HYPERLINK("http://malo.example","ver")'
    importacion_confirmar(
        importacion=subir(director, CABECERA + f"05405;hurtos;2024;;;3;12,5;{fuente}\n"), por=director
    )
    texto = b"".join(cliente_de(director).get("/indicadores/exportar.csv?territorio=05405").streaming_content).decode()
    assert "'=HYPERLINK(" in texto
    assert ";=HYPERLINK(" not in texto
    assert ';"=HYPERLINK(' not in texto
