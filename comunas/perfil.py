"""What an organization's profile shows of its work (practices, diagnoses, mesas…), contributed by the apps
above comunas: each registers a section in its AppConfig.ready(), so comunas never imports them.

    perfil.registrar_seccion("practicas", orden=10, obtener=lambda user, organizacion, limite: [...])

`obtener` must go through its own access gate (only what this user may see) with a fixed number of queries.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Seccion:
    clave: str
    orden: int
    obtener: object  # (user, organizacion, limite) -> list


_secciones = {}


def registrar_seccion(clave, *, orden, obtener):
    _secciones[clave] = Seccion(clave=clave, orden=orden, obtener=obtener)


def trabajo_de_organizacion(user, organizacion, limite=5):
    """{clave: [objects]} of every registered section, in order: what this user may see of the organization."""
    return {s.clave: s.obtener(user, organizacion, limite) for s in sorted(_secciones.values(), key=lambda s: s.orden)}
