"""A plan's files: the tree imported from CSV/XLSX (preview, every error with its row and column, all or nothing,
who may do it), the template, the activities as CSV and the plan as PDF."""

import base64
import csv
import io
import re
import zlib
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from comunas.models import Comuna, Organizacion
from planes import services
from planes.importacion import importacion_confirmar
from planes.models import ImportacionPlan, Nodo, Plan
from planes.pdf import plan_pdf
from tests.conftest import cliente_de, crear_organizacion
from tests.planes.utiles import crear_plan, subir_arbol

pytestmark = pytest.mark.django_db
HOY = date.today()
ANIO = HOY.year
CABECERA = "codigo;tipo;titulo;responsable;socios;inicio;termino;peso;presupuesto;financiamiento\n"
ARBOL = (
    "\ufeff" + CABECERA + "1;;Prevención situacional;;;;;;;\n"
    "1.1;Línea de acción;Recuperación de espacios;Dirección de Seguridad Pública de Zapallar;;;;;;\n"
    f"1.1.1;;Luminarias en la plaza;Zapallar;Carabineros, junta de vecinos;01-03-{ANIO};{ANIO}-06-30;2;1.234.567;FNSP\n"
    f"1.1.2;actividad;Rondas preventivas;;;;15/07/{ANIO};1,5;$ 800.000;Municipal\n"
    "2;Eje;Convivencia;;;;;;;\n"
)


def _url(plan, resto=""):
    return f"/planes/{plan.pk}/{resto}"


def _mensajes(importacion):
    return [e["mensaje"] for e in importacion.errores]


def _xlsx(filas):
    libro = Workbook()
    for fila in filas:
        libro.active.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


# --- Import ------------------------------------------------------------------------------------------------------


def test_subir_revisar_y_confirmar_agrega_el_arbol(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    cliente = cliente_de(director)
    archivo = SimpleUploadedFile("plan.csv", ARBOL.encode(), content_type="text/csv")

    respuesta = cliente.post(_url(plan, "importar/"), {"archivo": archivo})
    importacion = ImportacionPlan.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == _url(plan, f"importar/{importacion.pk}/")
    assert importacion.errores == [] and importacion.total_filas == 5
    assert not Nodo.objects.exists()  # nothing is written before confirming

    previa = cliente.get(respuesta.url).content.decode()
    for texto in ("5</strong> elementos", "(2 ejes, 1 línea de acción, 2 actividades)", "1.1.1 Luminarias en la plaza"):
        assert texto in previa
    assert "$ 1.234.567" in previa and "01-03-" in previa and "Dirección de Seguridad Pública de Zapallar" in previa

    respuesta = cliente.post(_url(plan, f"importar/{importacion.pk}/"), follow=True)
    assert respuesta.redirect_chain[-1][0] == plan.get_absolute_url()
    assert "Se agregaron 5 elementos al plan." in respuesta.content.decode()
    nodos = {n.codigo: n for n in Nodo.objects.filter(plan=plan).select_related("padre")}
    assert sorted(nodos) == ["1", "1.1", "1.1.1", "1.1.2", "2"]
    assert [nodos[c].tipo for c in ("1", "1.1", "1.1.1", "1.1.2", "2")] == [
        "eje",
        "linea",
        "actividad",
        "actividad",
        "eje",
    ]
    assert nodos["1.1.1"].padre == nodos["1.1"] and nodos["1.1"].padre == nodos["1"] and nodos["2"].padre is None
    luminarias = nodos["1.1.1"]
    assert luminarias.responsable == org_zapallar  # found by the name of its commune
    assert (luminarias.inicio, luminarias.termino) == (date(ANIO, 3, 1), date(ANIO, 6, 30))
    assert (luminarias.peso, luminarias.presupuesto, luminarias.financiamiento) == (Decimal(2), 1_234_567, "FNSP")
    assert luminarias.socios == "Carabineros, junta de vecinos"
    rondas = nodos["1.1.2"]
    assert (rondas.peso, rondas.presupuesto, rondas.termino) == (Decimal("1.5"), 800_000, date(ANIO, 7, 15))
    assert [n.codigo for n in Nodo.objects.filter(plan=plan).order_by("orden")] == ["1", "1.1", "1.1.1", "1.1.2", "2"]
    importacion.refresh_from_db()
    assert (importacion.estado, importacion.creados) == ("confirmada", 5)
    # the same upload cannot be written twice
    respuesta = cliente.post(_url(plan, f"importar/{importacion.pk}/"), follow=True)
    assert "Esta importación ya se confirmó." in respuesta.content.decode()
    assert Nodo.objects.filter(plan=plan).count() == 5


SERIAL = (date(ANIO, 9, 30) - date(1899, 12, 30)).days  # how Excel stores 30-09 of this year


def test_excel_con_fechas_de_excel_columna_padre_y_un_eje_que_ya_esta_en_el_plan(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    eje = services.nodo_agregar(plan=plan, por=director, datos={"tipo": "eje", "codigo": "1", "titulo": "Prevención"})
    contenido = _xlsx(
        [
            ["Código", "Padre", "Título", "Fecha de inicio", "Término", "Peso", "Presupuesto (CLP)"],
            [1.2, None, "Patrullaje mixto", datetime(ANIO, 4, 1), SERIAL, 3, 2_500_000],  # a code Excel made a number
            ["A", "1.2", "Coordinación con Carabineros", f"{ANIO}-05-02", None, None, None],
        ]
    )
    importacion = subir_arbol(plan, director, contenido, nombre="plan.xlsx")
    assert importacion.errores == []
    previa = cliente_de(director).get(_url(plan, f"importar/{importacion.pk}/")).content.decode()
    assert "algunos dentro de 1 Prevención" in previa and "Dentro de «1 Prevención», ya en el plan" in previa
    importacion_confirmar(importacion=importacion, por=director)

    linea = Nodo.objects.get(plan=plan, codigo="1.2")
    assert linea.padre == eje and linea.tipo == "linea"  # depth 2: a line of action
    assert (linea.inicio, linea.termino) == (date(ANIO, 4, 1), date(ANIO, 9, 30))
    assert (linea.peso, linea.presupuesto) == (Decimal(3), 2_500_000)
    hija = Nodo.objects.get(plan=plan, codigo="A")
    assert hija.padre == linea and hija.tipo == "actividad" and hija.inicio == date(ANIO, 5, 2)


def test_latin1_con_comas(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    texto = 'Código,Título,Peso\n1,Prevención,"1,5"\n1.1,Iluminación y señalética,2\n'
    importacion = subir_arbol(plan, director, texto.encode("latin-1"))
    assert importacion.errores == []
    importacion_confirmar(importacion=importacion, por=director)
    assert Nodo.objects.get(codigo="1.1").titulo == "Iluminación y señalética"
    assert Nodo.objects.get(codigo="1").peso == Decimal("1.5")


@pytest.mark.parametrize(
    ("fila", "esperado"),
    [
        ("1;;;;;;;;;", "Fila 2, columna «titulo»: falta el título."),
        (";;Sin código;;;;;;;", "Fila 2, columna «codigo»: falta el código"),
        ("1..2;;Mal;;;;;;;", "Fila 2, columna «codigo»: «1..2» no es un código"),
        ("1;Programa;Prevención;;;;;;;", "Fila 2, columna «tipo»: «Programa» no es un tipo"),
        ("1;;Prevención;Municipalidad de Marte;;;;;;", "Fila 2, columna «responsable»: no hay una organización activa"),
        ("1;;Prevención;;;31-02-2026;;;;", "Fila 2, columna «inicio»: «31-02-2026» no es una fecha"),
        ("1;;Prevención;;;01/13/2026;;;;", "Fila 2, columna «inicio»: «01/13/2026» no es una fecha"),
        ("1;;Prevención;;;;01-01-1990;;;", "Fila 2, columna «termino»: 01-01-1990 está fuera del rango admitido"),
        ("1;;Prevención;;;10-05-2026;01-05-2026;;;", "Fila 2, columna «termino»: termina (01-05-2026) antes"),
        ("1;;Prevención;;;;;mucho;;", "Fila 2, columna «peso»: «mucho» no es un número."),
        ("1;;Prevención;;;;;-1;;", "Fila 2, columna «peso»: -1 está fuera del rango admitido"),
        ("1;;Prevención;;;;;;1234,5;", "Fila 2, columna «presupuesto»: «1234,5» debe ser un monto en pesos"),
        ("1;;Prevención;;;;;;mil pesos;", "Fila 2, columna «presupuesto»: «mil pesos» no es un monto en pesos"),
        ("1.1;;Huérfana;;;;;;;", "Fila 2, columna «codigo»: no hay un elemento «1» al que pertenezca"),
        ("1;;" + "x" * 251 + ";;;;;;;", "Fila 2, columna «titulo»: tiene 251 caracteres; el máximo es 250."),
    ],
)
def test_cada_error_nombra_fila_y_columna(director, org_zapallar, fila, esperado):
    plan = crear_plan(org_zapallar, director)
    importacion = subir_arbol(plan, director, CABECERA + fila + "\n")
    assert len(importacion.errores) == 1, _mensajes(importacion)
    assert _mensajes(importacion)[0].startswith(esperado), _mensajes(importacion)
    assert importacion.filas == []


def test_una_organizacion_suspendida_no_es_responsable(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    otra = crear_organizacion(comuna=Comuna.objects.get(codigo="05401"), estado=Organizacion.Estado.SUSPENDIDA)
    importacion = subir_arbol(plan, director, f"codigo;titulo;responsable\n1;Eje;{otra.nombre}\n")
    assert _mensajes(importacion) == [
        f"Fila 2, columna «responsable»: no hay una organización activa llamada «{otra.nombre}» en la plataforma; "
        f"escríbala como aparece en ella (p. ej. «{org_zapallar.nombre}»)."
    ]


def test_codigos_repetidos_ya_en_el_plan_y_ciclos(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    services.nodo_agregar(plan=plan, por=director, datos={"tipo": "eje", "codigo": "3", "titulo": "Eje existente"})
    texto = "codigo;padre;titulo\n1;;Uno\n1;;Otra vez uno\n3;;Choca\n7;8;Siete\n8;7;Ocho\n9;9;Nueve\n"
    importacion = subir_arbol(plan, director, texto)
    assert _mensajes(importacion) == [
        "Fila 3, columna «codigo»: repite el código «1» de la fila 2.",
        "Fila 4, columna «codigo»: el plan ya tiene el elemento «3 Eje existente»; use otro código.",
        "Fila 7, columna «padre»: un elemento no puede pertenecer a sí mismo.",
        "Fila 5, columna «padre»: las filas forman un ciclo (7 → 8 → 7).",
    ]


def test_faltan_columnas_o_no_es_una_tabla(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    cliente = cliente_de(director)
    sin_titulo = SimpleUploadedFile("plan.csv", b"codigo;responsable\n1;Zapallar\n")
    respuesta = cliente.post(_url(plan, "importar/"), {"archivo": sin_titulo})
    assert respuesta.status_code == 400
    assert "Faltan columnas en la primera fila: «titulo»." in respuesta.content.decode()
    pdf = SimpleUploadedFile("plan.csv", b"%PDF-1.4\n%%EOF\n")
    respuesta = cliente.post(_url(plan, "importar/"), {"archivo": pdf})
    assert respuesta.status_code == 400 and "no se aceptó" in respuesta.content.decode()
    assert not ImportacionPlan.objects.exists()


def test_con_errores_no_se_guarda_nada_ni_se_puede_confirmar(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    importacion = subir_arbol(plan, director, CABECERA + "1;;Bien;;;;;;;\n2;;Mal;;;;;pesado;;\n")
    assert importacion.filas == [] and len(importacion.errores) == 1
    pagina = cliente_de(director).get(_url(plan, f"importar/{importacion.pk}/")).content.decode()
    assert "no se guardó nada" in pagina and "Fila 3, columna «peso»" in pagina
    assert "Confirmar la importación" not in pagina
    respuesta = cliente_de(director).post(_url(plan, f"importar/{importacion.pk}/"), follow=True)
    assert "El archivo tiene errores" in respuesta.content.decode()
    assert not Nodo.objects.exists()


def test_si_el_plan_cambio_antes_de_confirmar_no_se_agrega_nada(director, integrante, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    eje = services.nodo_agregar(plan=plan, por=director, datos={"tipo": "eje", "codigo": "1", "titulo": "Prevención"})
    importacion = subir_arbol(plan, director, "codigo;titulo\n1.1;Cámaras\n1.2;Rondas\n2;Convivencia\n")
    assert importacion.errores == []
    services.nodo_agregar(plan=plan, por=integrante, datos={"codigo": "2", "titulo": "Agregado por otra persona"})
    with pytest.raises(ValidationError, match="El plan cambió desde que subió el archivo"):
        importacion_confirmar(importacion=importacion, por=director)
    services.nodo_quitar(nodo=Nodo.objects.get(codigo="2"), por=director)
    services.nodo_quitar(nodo=eje, por=director)  # the axis the rows hang from is gone
    with pytest.raises(ValidationError, match="se quitó un elemento"):
        importacion_confirmar(importacion=importacion, por=director)
    assert not Nodo.objects.filter(plan=plan).exists()


def test_un_plan_cerrado_no_se_importa(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    importacion = subir_arbol(plan, director, "codigo;titulo\n1;Prevención\n")
    Plan.objects.filter(pk=plan.pk).update(estado=Plan.Estado.CERRADO)
    with pytest.raises(ValidationError, match="Un plan cerrado ya no se modifica."):
        importacion_confirmar(importacion=importacion, por=director)
    assert not Nodo.objects.exists()


def test_quien_puede_importar_y_ver_la_vista_previa(director, integrante, lector, ajeno, org_zapallar):
    plan = crear_plan(org_zapallar, director, visibilidad="plataforma")
    services.nodo_agregar(plan=plan, por=director, datos={"tipo": "eje", "codigo": "1", "titulo": "Prevención"})
    services.aprobacion_registrar(plan=plan, por=director, tipo="opinion_consejo", fecha=HOY)
    importacion = subir_arbol(plan, director, "codigo;titulo\n2;Convivencia\n")
    archivo = lambda: SimpleUploadedFile("plan.csv", b"codigo;titulo\n3;Otro\n")  # noqa: E731
    assert cliente_de(lector).post(_url(plan, "importar/"), {"archivo": archivo()}).status_code == 403
    assert cliente_de(ajeno).post(_url(plan, "importar/"), {"archivo": archivo()}).status_code == 403
    assert cliente_de(None).get(_url(plan, "importar/")).status_code == 302
    for persona, codigo in ((integrante, 404), (lector, 403), (ajeno, 403)):  # only whoever uploaded it
        assert cliente_de(persona).post(_url(plan, f"importar/{importacion.pk}/")).status_code == codigo
    assert ImportacionPlan.objects.count() == 1 and Nodo.objects.count() == 1
    # the integrante may import into the plan too, her own upload
    assert cliente_de(integrante).post(_url(plan, "importar/"), {"archivo": archivo()}).status_code == 302


def test_la_plantilla_trae_un_ejemplo_que_no_se_importa_tal_cual(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    cliente = cliente_de(director)
    respuesta = cliente.get(_url(plan, "importar/plantilla.csv"))
    assert respuesta["Content-Disposition"] == 'attachment; filename="plantilla-plan.csv"'
    contenido = respuesta.content
    assert contenido.startswith("\ufeff".encode()) and contenido.decode("utf-8-sig").startswith("codigo;padre;tipo;")
    assert "1.1.1;;Actividad;Iluminación peatonal de la plaza central" in contenido.decode("utf-8-sig")
    importacion = subir_arbol(plan, director, contenido)
    assert len(importacion.errores) == 3
    assert _mensajes(importacion)[0] == (
        "Fila 2: es una fila de ejemplo de la plantilla: reemplácela por la suya o bórrela."
    )

    respuesta = cliente.get(_url(plan, "importar/plantilla.xlsx"))
    libro = load_workbook(io.BytesIO(respuesta.content))
    assert libro.sheetnames == ["plan", "organizaciones", "instrucciones"]
    hoja = libro["plan"]
    assert [c.value for c in hoja[1]][:4] == ["codigo", "padre", "tipo", "titulo"]
    assert hoja["A4"].value == "1.1.1" and hoja["H4"].value == datetime(plan.anio_inicio, 3, 1)
    assert org_zapallar.nombre in [c.value for c in libro["organizaciones"]["A"]]
    # filled in (example rows replaced), the Excel template imports
    for fila in (2, 3, 4):
        hoja.cell(row=fila, column=5).value = ""
    salida = io.BytesIO()
    libro.save(salida)
    importacion = subir_arbol(plan, director, salida.getvalue(), nombre="plantilla-plan.xlsx")
    assert importacion.errores == []
    importacion_confirmar(importacion=importacion, por=director)
    actividad = Nodo.objects.get(plan=plan, codigo="1.1.1")
    assert (actividad.responsable, actividad.presupuesto) == (org_zapallar, 12_500_000)
    assert cliente.get(_url(plan, "importar/plantilla.doc")).status_code == 404


def test_la_pagina_de_importar_lista_las_columnas_y_la_del_plan_enlaza_los_archivos(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    pagina = cliente_de(director).get(_url(plan, "importar/")).content.decode()
    assert "Plantilla Excel (XLSX)" in pagina and "<code>financiamiento</code>" in pagina
    pagina = cliente_de(director).get(plan.get_absolute_url()).content.decode()
    for enlace in ("plan.pdf", "actividades.csv", "importar/"):
        assert _url(plan, enlace) in pagina


# --- CSV of the activities --------------------------------------------------------------------------------------


def _plan_con_arbol(director, org, **extra):
    plan = crear_plan(org, director, **extra)
    eje = services.nodo_agregar(plan=plan, por=director, datos={"tipo": "eje", "codigo": "1", "titulo": "Prevención"})
    linea = services.nodo_agregar(
        plan=plan, por=director, padre=eje, datos={"tipo": "linea", "codigo": "1.1", "titulo": "Vigilancia"}
    )
    atrasada = services.nodo_agregar(
        plan=plan,
        por=director,
        padre=linea,
        datos={
            "codigo": "1.1.1",
            "titulo": '=HYPERLINK("http://x")',
            "responsable": org,
            "socios": "Carabineros",
            "inicio": HOY - timedelta(days=60),
            "termino": HOY - timedelta(days=1),
            "peso": Decimal("1.5"),
            "presupuesto": 1_234_567,
            "financiamiento": "FNSP",
        },
    )
    services.nodo_agregar(
        plan=plan,
        por=director,
        padre=linea,
        datos={"codigo": "1.1.2", "titulo": "Rondas", "termino": HOY + timedelta(days=90)},
    )
    services.aprobacion_registrar(plan=plan, por=director, tipo="opinion_consejo", fecha=HOY)
    services.aprobacion_registrar(plan=plan, por=director, tipo="concejo", fecha=HOY, numero_acuerdo="123/2026")
    services.avance_registrar(nodo=atrasada, por=director, fecha=HOY, texto="Licitación adjudicada.", porcentaje=25)
    return plan


def _filas_csv(respuesta):
    texto = respuesta.content.decode("utf-8")
    assert texto.startswith("\ufeff")
    return list(csv.reader(io.StringIO(texto[1:]), delimiter=";"))


def test_el_csv_de_actividades(director, org_zapallar):
    plan = _plan_con_arbol(director, org_zapallar)
    respuesta = cliente_de(director).get(_url(plan, "actividades.csv"))
    assert respuesta.status_code == 200 and respuesta["Content-Type"] == "text/csv; charset=utf-8"
    assert respuesta["Content-Disposition"].startswith(f'attachment; filename="plan-{plan.pk}-actividades-')
    filas = _filas_csv(respuesta)
    assert filas[0] == [
        "codigo",
        "padre",
        "tipo",
        "titulo",
        "descripcion",
        "responsable",
        "socios",
        "inicio",
        "termino",
        "peso",
        "presupuesto",
        "financiamiento",
        "avance",
        "estado",
        "semaforo",
        "atrasada",
    ]
    assert [f[0] for f in filas[1:]] == ["1", "1.1", "1.1.1", "1.1.2"]
    actividad = dict(zip(filas[0], filas[3], strict=True))
    assert actividad["titulo"] == '\'=HYPERLINK("http://x")'  # never runs as a formula
    assert (actividad["padre"], actividad["tipo"], actividad["responsable"]) == (
        "1.1",
        "Actividad",
        org_zapallar.nombre,
    )
    assert actividad["inicio"] == (HOY - timedelta(days=60)).strftime("%d-%m-%Y")
    assert (actividad["peso"], actividad["presupuesto"], actividad["financiamiento"]) == ("1,5", "1234567", "FNSP")
    assert (actividad["avance"], actividad["semaforo"], actividad["atrasada"]) == ("25", "Atrasada", "sí")
    linea = dict(zip(filas[0], filas[2], strict=True))
    # the line: (25 × 1,5 + 0 × 1) / 2,5
    assert (linea["tipo"], linea["avance"], linea["atrasada"]) == ("Línea de acción", "15", "no")


def test_el_csv_exportado_se_importa_en_otro_plan(director, org_zapallar):
    origen = _plan_con_arbol(director, org_zapallar)
    contenido = cliente_de(director).get(_url(origen, "actividades.csv")).content
    destino = crear_plan(org_zapallar, director, titulo="Plan que reutiliza la estructura")
    importacion = subir_arbol(destino, director, contenido)
    assert importacion.errores == []
    assert "No se importan las columnas «avance», «estado», «semaforo», «atrasada»" in importacion.advertencias[0]
    importacion_confirmar(importacion=importacion, por=director)
    campos = ("codigo", "padre__codigo", "tipo", "titulo", "responsable", "inicio", "termino", "peso", "presupuesto")
    copia = list(Nodo.objects.filter(plan=destino).order_by("orden").values_list(*campos))
    assert copia == list(Nodo.objects.filter(plan=origen).order_by("orden").values_list(*campos))
    assert Nodo.objects.get(plan=destino, codigo="1.1.1").titulo == '=HYPERLINK("http://x")'  # the text, unescaped


def test_el_csv_y_el_pdf_con_la_visibilidad_del_plan(director, ajeno, org_zapallar):
    publico = _plan_con_arbol(director, org_zapallar, visibilidad="publica")
    propio = _plan_con_arbol(director, org_zapallar, visibilidad="duenas", titulo="Solo de Zapallar")
    anonimo = cliente_de(None)
    for archivo in ("actividades.csv", "plan.pdf"):
        assert anonimo.get(_url(publico, archivo)).status_code == 200
        assert cliente_de(ajeno).get(_url(publico, archivo)).status_code == 200
        respuesta = anonimo.get(_url(propio, archivo))
        assert respuesta.status_code == 302 and respuesta.url.startswith("/cuenta/ingresar/")
        assert cliente_de(ajeno).get(_url(propio, archivo)).status_code == 404


def test_el_csv_hace_las_mismas_consultas_con_5_y_con_50_elementos(director, org_zapallar, django_assert_num_queries):
    plan = crear_plan(org_zapallar, director)
    cliente = cliente_de(director)

    def agregar(hasta):
        for i in range(Nodo.objects.filter(plan=plan).count(), hasta):
            services.nodo_agregar(
                plan=plan, por=director, datos={"codigo": str(i + 1), "titulo": f"A{i}", "responsable": org_zapallar}
            )

    agregar(5)
    cliente.get(_url(plan, "actividades.csv"))  # warm the session
    with django_assert_num_queries(8) as a_5:
        assert len(_filas_csv(cliente.get(_url(plan, "actividades.csv")))) == 6
    agregar(50)
    with django_assert_num_queries(len(a_5.captured_queries)):
        assert len(_filas_csv(cliente.get(_url(plan, "actividades.csv")))) == 51


# --- PDF ----------------------------------------------------------------------------------------------------------


def texto_del_pdf(contenido):
    """The text drawn on the pages of a reportlab PDF (its content streams, ASCII85 + Flate), lines joined by a
    space (a wrapped title reads whole)."""
    lineas = []
    for flujo in re.finditer(rb"/Filter \[ /ASCII85Decode /FlateDecode \] /Length (\d+)\s*>>\s*stream\r?\n", contenido):
        datos = contenido[flujo.end() : flujo.end() + int(flujo.group(1))]
        pagina = zlib.decompress(base64.a85decode(datos, adobe=True))
        for cadena in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", pagina):
            cadena = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), cadena)
            lineas.append(re.sub(rb"\\(.)", rb"\1", cadena).decode("cp1252"))
    return " ".join(lineas)


def test_el_pdf_del_plan(director, org_zapallar):
    plan = _plan_con_arbol(director, org_zapallar)
    services.hito_agregar(plan=plan, por=director, titulo="Licitación de cámaras", fecha=date(ANIO, 5, 4))
    services.indicador_agregar(
        plan=plan,
        por=director,
        datos={
            "nombre": "Robos en viviendas por 100.000 habitantes",
            "tipo": "impacto",
            "linea_base": Decimal("412.5"),
            "linea_base_anio": ANIO - 1,
            "unidad": "tasa",
            "sentido": "baja",
        },
        metas=[(ANIO, Decimal(400)), (ANIO + 1, Decimal("380.25"))],
    )
    respuesta = cliente_de(director).get(_url(plan, "plan.pdf"))
    assert respuesta.status_code == 200 and respuesta["Content-Type"] == "application/pdf"
    assert respuesta["Content-Disposition"] == f'attachment; filename="plan-{plan.pk}.pdf"'
    assert respuesta.content.startswith(b"%PDF")
    texto = texto_del_pdf(respuesta.content)
    total = texto.count("Página ")
    assert total >= 2 and f"Página 1 de {total}" in texto and f"Página {total} de {total}" in texto
    for esperado in (
        "Plan comunal de seguridad pública",
        plan.titulo,
        f"{plan.anio_inicio}–{plan.anio_fin}",
        org_zapallar.nombre,
        "En ejecución",  # approved, then progress was reported
        "Aprobación del concejo municipal",
        "123/2026",
        f"{HOY.day} de ",  # Spanish long dates: "2 de diciembre de 2026"
        "1. Objetivo general",
        "Reducir los robos en viviendas",
        "Prevención",
        "Vigilancia",
        "Rondas",
        "Socios: Carabineros · Presupuesto: $ 1.234.567 (FNSP)",
        "atrasada",
        "Licitación de cámaras",
        f"04-05-{ANIO}",
        "4. Indicadores y metas",
        "Robos en viviendas por 100.000",
        f"412,5 ({ANIO - 1})",
        f"Meta {ANIO}",
        "380,25",
    ):
        assert esperado in texto, esperado
    meses = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre")
    assert any(f"de {m} de {HOY.year}" in texto for m in (*meses, "noviembre", "diciembre"))


def test_el_pdf_de_un_plan_sin_arbol_ni_indicadores(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    texto = texto_del_pdf(plan_pdf(plan))
    assert "Aún no tiene ejes ni actividades." in texto and "Aún no tiene indicadores." in texto
    assert "Aún no tiene aprobaciones registradas." in texto and "Página 1 de 2" in texto
