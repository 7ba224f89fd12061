"""Groups of territories a person may compare together, such as the mesas they take part in. The mesa app sits
above this one, so it contributes them from its AppConfig.ready() instead of being imported here:

    grupos.registrar(visibles=lambda user: [...mesas...], territorios=lambda grupo_id: [...CUT codes...])

`visibles(user)` goes through the mesa's own gate; each group has `pk` and `nombre`.
"""

_proveedor = {}


def registrar(*, visibles, territorios):
    _proveedor["visibles"] = visibles
    _proveedor["territorios"] = territorios


def visibles(user):
    """The groups (mesas) this user may compare, oldest first; none when no app contributes them."""
    return list(_proveedor["visibles"](user)) if _proveedor else []


def territorios(grupo_id):
    """The CUT codes of the organizations in a group the caller already got from `visibles`."""
    return list(_proveedor["territorios"](grupo_id)) if _proveedor else []
