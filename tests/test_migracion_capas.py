"""The move to layers (nucleo, diagnosticos…) keeps an existing database: the code as it was before the move
(commit ANTES) migrates a fresh PostgreSQL database and loads the demo, then today's code migrates it forward,
and every row is still there and readable through the new models.

It runs both versions as real `manage.py` processes against their own throwaway database.
"""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

RAIZ = Path(__file__).resolve().parent.parent
ANTES = "d4ca1a5"  # the last commit before the layers: apps comunas, practicas and mesa only

CONTAR = """
import json
from django.contrib.contenttypes.models import ContentType
from comunas.models import Categoria, Taxonomia
from diagnosticos.models import AdjuntoDiagnostico, Diagnostico, Indicador, ProblemaPriorizado, VersionDiagnostico
from mesa.models import PuntoTabla, Sesion
from nucleo.models import Aviso, Latido, PreferenciaAvisos
from practicas.models import Practica
sesion = ContentType.objects.get_for_model(Sesion)
print(json.dumps({
    "diagnosticos": Diagnostico.objects.count(),
    "problemas": ProblemaPriorizado.objects.count(),
    "versiones_diagnostico": VersionDiagnostico.objects.count(),
    "indicadores": Indicador.objects.count(),
    "adjuntos_diagnostico": AdjuntoDiagnostico.objects.count(),
    "categorias": Categoria.objects.count(),
    "taxonomias": Taxonomia.objects.count(),
    "practica_categorias": Practica.categorias.through.objects.count(),
    "avisos": Aviso.objects.count(),
    "latidos": Latido.objects.count(),
    "preferencias": PreferenciaAvisos.objects.count(),
    "puntos_con_diagnostico": PuntoTabla.objects.exclude(diagnostico=None).count(),
    "avisos_de_sesion": sorted(
        [a.pk, a.objeto_id] for a in Aviso.objects.filter(objeto_tipo=sesion) if isinstance(a.objeto, Sesion)
    ),
    "tipos": sorted(ContentType.objects.values_list("app_label", "model")),
}))
"""


def _sql(dsn, consulta):
    with psycopg.connect(dsn, autocommit=True) as conexion:
        cursor = conexion.execute(consulta)
        return cursor.fetchall() if cursor.description else []


def _manage(carpeta, *args, url, var):
    entorno = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_"))},
        "DEBUG": "1",
        "DATABASE_URL": url,
        "MESA_VAR_DIR": str(var),
    }
    resultado = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=carpeta, env=entorno, capture_output=True, text=True, timeout=600
    )
    assert resultado.returncode == 0, resultado.stderr[-3000:]
    return resultado.stdout


@pytest.fixture
def base_desechable():
    datos = settings.DATABASES["default"]
    if datos["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("la migración se prueba sobre PostgreSQL (make test)")
    nombre = f"mesa_migracion_{uuid.uuid4().hex[:8]}"
    servidor = f"host={datos['HOST'] or '127.0.0.1'} port={datos['PORT'] or 5432} user={datos['USER']}"
    if datos.get("PASSWORD"):
        servidor += f" password={datos['PASSWORD']}"
    _sql(f"{servidor} dbname=postgres", f'CREATE DATABASE "{nombre}"')
    clave = f":{datos['PASSWORD']}" if datos.get("PASSWORD") else ""
    url = f"postgres://{datos['USER']}{clave}@{datos['HOST'] or '127.0.0.1'}:{datos['PORT'] or 5432}/{nombre}"
    try:
        yield url, f"{servidor} dbname={nombre}"
    finally:
        _sql(f"{servidor} dbname=postgres", f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')


def _filas_por_tabla(dsn):
    tablas = [t for (t,) in _sql(dsn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    return {t: _sql(dsn, f'SELECT count(*) FROM "{t}"')[0][0] for t in tablas}  # noqa: S608 — names from pg_tables


def test_una_base_con_la_demo_pasa_a_las_capas_sin_perder_nada(base_desechable, tmp_path):
    url, dsn = base_desechable
    antes = tmp_path / "antes"
    antes.mkdir()
    archivo = subprocess.run(["git", "archive", ANTES], cwd=RAIZ, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archivo)) as tar:
        tar.extractall(antes, filter="data")

    _manage(antes, "migrate", "--noinput", url=url, var=tmp_path / "var-antes")
    _manage(antes, "demo", url=url, var=tmp_path / "var-antes")
    filas_antes = _filas_por_tabla(dsn)
    avisos_de_sesion = sorted(
        [pk, sesion] for pk, sesion in _sql(dsn, "SELECT id, sesion_id FROM mesa_aviso WHERE sesion_id IS NOT NULL")
    )
    assert filas_antes["comunas_indicador"] > 1000 and avisos_de_sesion, "la demo de antes no se cargó"

    _manage(RAIZ, "migrate", "--noinput", url=url, var=tmp_path / "var-despues")
    filas_despues = _filas_por_tabla(dsn)
    # Later migrations add rows (the CEAD 2024 categories, content types of new models) and move practices to the
    # new categories; none may lose a row, and the links of practices to categories are checked on their own.
    remapeadas = {"django_migrations", "practicas_practica_categorias"}
    perdidas = {t: (n, filas_despues.get(t)) for t, n in filas_antes.items() if t not in remapeadas}
    perdidas = {t: par for t, par in perdidas.items() if par[1] is None or par[1] < par[0]}
    assert perdidas == {}, "tablas con filas de menos tras migrar"
    sin_categoria = _sql(
        dsn,
        "SELECT count(*) FROM practicas_practica p WHERE NOT EXISTS "
        "(SELECT 1 FROM practicas_practica_categorias c WHERE c.practica_id = p.id)",
    )[0][0]
    assert sin_categoria == 0, "prácticas que perdieron sus problemas al pasar a CEAD 2024"

    salida = _manage(RAIZ, "shell", "--no-imports", "-c", CONTAR, url=url, var=tmp_path / "var-despues")
    ahora = json.loads(salida.strip().splitlines()[-1])
    assert ahora["diagnosticos"] == filas_antes["comunas_diagnostico"]
    assert ahora["problemas"] == filas_antes["comunas_problemapriorizado"]
    assert ahora["versiones_diagnostico"] == filas_antes["comunas_versiondiagnostico"]
    assert ahora["indicadores"] == filas_antes["comunas_indicador"]
    assert ahora["adjuntos_diagnostico"] == filas_antes["comunas_adjuntodiagnostico"]
    assert ahora["categorias"] > filas_antes["practicas_categoria"]  # the earlier scheme kept, CEAD 2024 added
    assert ahora["taxonomias"] == filas_antes["practicas_taxonomia"] + 1
    assert ahora["avisos"] == filas_antes["mesa_aviso"]
    assert ahora["latidos"] == filas_antes["mesa_latido"]
    assert ahora["preferencias"] == filas_antes["mesa_preferenciaavisos"]
    # Each notice about a session still says which one, now through its generic object.
    assert ahora["avisos_de_sesion"] == avisos_de_sesion
    # The moved models kept their content types (permissions, generic references), none left behind.
    tipos = {tuple(t) for t in ahora["tipos"]}
    assert {("nucleo", "aviso"), ("diagnosticos", "indicador"), ("comunas", "categoria")} <= tipos
    assert not tipos & {("mesa", "aviso"), ("comunas", "indicador"), ("practicas", "categoria")}
