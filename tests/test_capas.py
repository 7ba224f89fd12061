"""The layers (nucleo < comunas < practicas < diagnosticos < planes < mesa) are a contract `make lint` enforces:
an import that runs up the layers fails it. Checked on a copy of the apps, never on the checkout itself."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent
CAPAS = ["nucleo", "comunas", "practicas", "diagnosticos", "planes", "mesa"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copia(destino):
    for app in CAPAS:
        shutil.copytree(RAIZ / app, destino / app, ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.csv"))
    shutil.copy(RAIZ / "pyproject.toml", destino / "pyproject.toml")


def _lint(carpeta):
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"],
        cwd=carpeta,
        env={"PYTHONPATH": str(carpeta), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter viene con requirements-dev.txt")
def test_un_import_hacia_arriba_rompe_el_contrato(tmp_path):
    _copia(tmp_path)
    assert _lint(tmp_path).returncode == 0, "el contrato de capas debe cumplirse en el código tal como está"
    selectors = tmp_path / "comunas" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\nfrom mesa.models import Sesion  # noqa\n")
    resultado = _lint(tmp_path)
    assert resultado.returncode != 0
    assert "comunas is not allowed to import mesa" in resultado.stdout


def test_ningun_import_sube_de_capa_salvo_la_excepcion_de_las_puertas():
    """The same rule by an AST scan (what shared/tools/layers.py counts), independent of import-linter."""
    rango = {app: i for i, app in enumerate(CAPAS)}
    hacia_arriba = []
    for app in CAPAS:
        for archivo in (RAIZ / app).rglob("*.py"):
            if "migrations" in archivo.parts:
                continue
            for nodo in ast.walk(ast.parse(archivo.read_text())):
                if isinstance(nodo, ast.ImportFrom) and nodo.module and nodo.level == 0:
                    modulos = [(nodo.module, {a.name for a in nodo.names})]
                elif isinstance(nodo, ast.Import):
                    modulos = [(a.name, set()) for a in nodo.names]
                else:
                    continue
                for modulo, nombres in modulos:
                    arriba = modulo.split(".")[0]
                    if arriba not in rango or rango[arriba] <= rango[app]:
                        continue
                    puerta = archivo.name == "access.py" and modulo == "mesa.selectors"
                    if puerta and nombres <= {"organizaciones_companeras"}:
                        continue
                    hacia_arriba.append(f"{archivo.relative_to(RAIZ)}:{nodo.lineno} -> {modulo}")
    assert hacia_arriba == []
