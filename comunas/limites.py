"""Rate limits for the public forms that send e-mail (request access, password reset), kept in Django's cache.

Each limit counts events per key (a client address, an e-mail address, a territory) in a fixed window that
starts with the first event. The cache must be shared by every web process (settings.CACHES: Redis in
production). Keys are hashed: the cache never holds the addresses themselves.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

HORA = 60 * 60
DIA = 24 * HORA


@dataclass(frozen=True)
class Limite:
    nombre: str
    maximo: int
    segundos: int

    def _clave(self, valor):
        huella = hashlib.sha256(str(valor or "").strip().lower().encode()).hexdigest()[:40]
        return f"limite:{self.nombre}:{huella}"

    def permitir(self, valor):
        """Counts one event for `valor`; False once the window already holds `maximo` of them."""
        clave = self._clave(valor)
        if cache.add(clave, 1, timeout=self.segundos):
            return True
        try:
            cuenta = cache.incr(clave)  # keeps the key's expiry (Redis, local memory)
        except ValueError:  # expired between add and incr
            cache.add(clave, 1, timeout=self.segundos)
            return True
        return cuenta <= self.maximo


# /solicitar-acceso/: sends from one client address; confirmation e-mails to one address; notices to the
# reviewers (the directors of an organization, or the platform admins for a territory).
SOLICITUD_POR_IP = Limite("solicitud-ip", maximo=5, segundos=HORA)
CONFIRMACION_POR_CORREO = Limite("solicitud-correo", maximo=3, segundos=DIA)
CONFIRMAR_POR_IP = Limite("confirmar-ip", maximo=10, segundos=HORA)
AVISOS_POR_DESTINO = Limite("solicitud-aviso", maximo=5, segundos=DIA)
# /cuenta/recuperar/: reset e-mails asked from one client address, and sent to one account.
RESTABLECER_POR_IP = Limite("restablecer-ip", maximo=5, segundos=HORA)
RESTABLECER_POR_CORREO = Limite("restablecer-correo", maximo=3, segundos=HORA)
# A session's guests and external subrogantes (mesa.services_participantes): each one is an e-mail to an address
# without an account, sent by the coordination (guests) or by any member (their subrogante).
INVITADOS_POR_PERSONA = Limite("invitado-sesion", maximo=60, segundos=HORA)
SUBROGANTES_POR_PERSONA = Limite("subrogante-externo", maximo=10, segundos=DIA)
