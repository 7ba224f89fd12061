"""Browser journeys: pytest-playwright driving Debian's Chromium (never a downloaded browser)."""

import shutil
from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.fail("Falta Chromium de Debian: `make test` lo instala (apt-get install chromium chromium-driver).")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    return {**browser_context_args, "locale": "es-CL", "timezone_id": "America/Santiago", "bypass_csp": True}


@pytest.fixture
def e2e_db(transactional_db):
    """live_server needs committed rows; reload the territory a previous flush may have removed."""
    from comunas.dpa import cargar_dpa
    from comunas.models import Comuna, Provincia, Region

    cargar_dpa(Region, Provincia, Comuna)


def violaciones_graves(page):
    """axe-core on the current page: the serious and critical violations (empty when accessible)."""
    page.add_script_tag(path=str(AXE))
    resultado = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impacto": v["impact"], "nodos": [n["target"] for n in v["nodes"]][:5]}
        for v in resultado["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
