from django.utils.functional import SimpleLazyObject

from comunas.selectors import membresia_principal


def organizacion_actual(request):
    """The signed-in user's main membership, computed only if a template asks for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"membresia_actual": None}
    return {"membresia_actual": SimpleLazyObject(lambda: membresia_principal(user))}
