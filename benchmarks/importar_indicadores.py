"""Benchmark: import 50,000 indicator rows (check, create, then re-import as updates) and print rows/second.

Runs against a throw-away test database (created and dropped here), e.g.:

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/mesa .venv/bin/python benchmarks/importar_indicadores.py
"""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesa.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

FILAS = int(os.environ.get("FILAS", "50000"))


def archivo_csv(comunas, categorias, filas):
    """A semicolon CSV with decimal commas, as a Chilean spreadsheet saves it."""
    salida = io.StringIO()
    salida.write("codigo_territorio;categoria;anio;frecuencia;tasa;fuente\n")
    n = 0
    for anio in range(2024, 1999, -1):
        for codigo in comunas:
            for categoria in categorias:
                salida.write(f"{codigo};{categoria};{anio};{n % 997};{n % 997},5;Ejemplo de rendimiento\n")
                n += 1
                if n == filas:
                    return salida.getvalue().encode("utf-8")
    return salida.getvalue().encode("utf-8")


def medir(titulo, funcion):
    inicio = time.perf_counter()
    resultado = funcion()
    segundos = time.perf_counter() - inicio
    print(f"{titulo:<38} {segundos:6.2f} s   {FILAS / segundos:>9,.0f} filas/s".replace(",", "."))
    return resultado


def main():
    from comunas.models import Categoria, Comuna, Usuario
    from diagnosticos.models import Indicador
    from diagnosticos.services import importacion_confirmar, importacion_preparar

    staff = Usuario.objects.create_user(email="bench@mesa.test", nombre="Benchmark", is_staff=True)
    comunas = list(Comuna.objects.values_list("codigo", flat=True))
    categorias = list(Categoria.objects.vigentes().values_list("slug", flat=True))
    contenido = archivo_csv(comunas, categorias, FILAS)
    print(f"{FILAS} filas, {len(contenido) / 1e6:.1f} MB, {connection.vendor}")

    def subir():
        archivo = SimpleUploadedFile("indicadores.csv", contenido, content_type="text/csv")
        return importacion_preparar(usuario=staff, archivo=archivo, nombre="indicadores.csv")

    importacion = medir("revisar el archivo (vista previa)", subir)
    assert not importacion.errores, importacion.errores[:3]
    medir("confirmar: crear", lambda: importacion_confirmar(importacion=importacion, por=staff))
    importacion = medir("revisar de nuevo", subir)
    hecho = medir(
        "confirmar: actualizar (reimportar)", lambda: importacion_confirmar(importacion=importacion, por=staff)
    )
    assert hecho.actualizados == FILAS and Indicador.objects.count() == FILAS


if __name__ == "__main__":
    setup_test_environment()
    nombre_original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        main()
    finally:
        connection.creation.destroy_test_db(nombre_original, verbosity=0)
