"""`make audit`: the pinned dependencies (requirements*.txt) against a vulnerability database, with pip-audit.

pip-audit says "No known vulnerabilities found" even when it could not ask anyone: a package its database does
not answer for is only "skipped", and the exit code is 0. Here an audit counts only when every dependency was
checked. Each of pip-audit's databases is tried in turn; when none answered for all of them the report says
so plainly and exits 2 (1: vulnerabilities found; 0: all checked, none known). Standard library only: it runs
with the throwaway environment's Python where the Makefile installed pip-audit, never in the project's.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
REQUISITOS = ["requirements.txt", "requirements-dev.txt"]
SERVICIOS = ["pypi", "osv"]  # pip-audit's vulnerability services, by its names for them
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def auditar(servicio):
    """(dependencias, None) from pip-audit's JSON report, or (None, why it could not audit)."""
    with tempfile.TemporaryDirectory() as carpeta:
        informe = Path(carpeta) / "informe.json"
        orden = [str(PIP_AUDIT), "--vulnerability-service", servicio, "--no-deps", "--disable-pip"]
        orden += [a for r in REQUISITOS for a in ("-r", str(RAIZ / r))]
        orden += ["--progress-spinner", "off", "--timeout", "30", "--format", "json", "--output", str(informe)]
        resultado = subprocess.run(orden, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603 (our own argv)
        if not informe.exists():
            ultimas = (resultado.stderr or resultado.stdout).strip().splitlines()[-1:] or ["(sin salida)"]
            return None, f"pip-audit terminó con código {resultado.returncode}: {ultimas[0][:300]}"
        return json.loads(informe.read_text())["dependencies"], None


def main():
    motivos = []
    for servicio in SERVICIOS:
        dependencias, motivo = auditar(servicio)
        if dependencias is None:
            motivos.append(f"- {servicio}: {motivo}")
            continue
        omitidas = [d for d in dependencias if "skip_reason" in d]
        if omitidas:
            ejemplo = omitidas[0]["skip_reason"]
            motivos.append(
                f"- {servicio}: no respondió por {len(omitidas)} de {len(dependencias)} dependencias ({ejemplo})"
            )
            continue
        vulnerables = [d for d in dependencias if d.get("vulns")]
        if vulnerables:
            print(f"Auditoría completa ({servicio}): {len(vulnerables)} dependencias con vulnerabilidades conocidas:")
            for d in vulnerables:
                for v in d["vulns"]:
                    arreglo = ", ".join(v.get("fix_versions") or []) or "sin versión corregida"
                    print(f"  {d['name']} {d['version']}: {v['id']} (corregida en: {arreglo})")
            return 1
        print(f"Auditoría completa ({servicio}): {len(dependencias)} dependencias, ninguna vulnerabilidad conocida.")
        return 0
    print("AUDITORÍA NO REALIZADA: ninguna base de vulnerabilidades respondió por todas las dependencias.")
    print("No se sabe si hay vulnerabilidades conocidas. Intentos:")
    print("\n".join(motivos))
    print("Corra `make audit` desde una máquina con acceso a esas bases de datos.")
    return 2


if __name__ == "__main__":
    sys.exit(main())
