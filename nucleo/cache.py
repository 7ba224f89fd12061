"""Reads cached under a version (issue 17): what is expensive to compute from many rows (the facets of the practice
library, the years and measures of 200,000 indicators, a chart of the whole country) is kept in the cache under
the version of the data it comes from; any write of that data takes a new version, so nothing stale is read and
nothing has to be found and deleted. The cache is Redis in production (shared by every process), the process's
memory otherwise (mesa/settings.py)."""

import hashlib
import time

from django.core.cache import cache
from django.db import transaction

SEGUNDOS = 15 * 60  # an entry's life, at most (versions make them stale sooner)


def _clave_version(nombre):
    return f"version:{nombre}"


def version(nombre):
    """The current version of a kind of data ("practicas", "indicadores")."""
    return cache.get_or_set(_clave_version(nombre), time.time_ns, None)


def _avanzar(nombre):
    try:
        cache.incr(_clave_version(nombre))
    except ValueError:  # not there (first change, or evicted): any new value will do
        cache.set(_clave_version(nombre), time.time_ns(), None)


def version_nueva(nombre):
    """Called by the services that write that data, inside their transaction: a new version now (the transaction's
    own later reads see its change) and again on commit (a reader that cached the state before the commit,
    meanwhile, is not kept)."""
    _avanzar(nombre)
    transaction.on_commit(lambda: _avanzar(nombre))


def clave_de(nombre, partes):
    """The cache key of what depends on the current version of `nombre` and on `partes` (what else it depends on:
    the filters, the user's visibility...; anything with a stable repr). Templates vary their {% cache %} fragments
    on it, so a rendered chart or list of options expires with its data."""
    huella = hashlib.blake2b(repr(partes).encode(), digest_size=16).hexdigest()
    return f"{nombre}:{version(nombre)}:{huella}"


def guardado(nombre, partes, calcular, segundos=SEGUNDOS):
    """calcular(), cached under clave_de(nombre, partes)."""
    clave = clave_de(nombre, partes)
    valor = cache.get(clave)
    if valor is None:
        valor = calcular()
        cache.set(clave, valor, segundos)
    return valor
