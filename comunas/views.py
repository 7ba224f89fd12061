from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from comunas.models import Organizacion
from comunas.selectors import equipo_de, membresia_principal, membresias_de


def portada(request):
    """Public landing page that explains the platform."""
    organizaciones = Organizacion.objects.activas().con_territorio().order_by("nombre")
    return render(request, "comunas/portada.html", {"organizaciones": organizaciones})


@login_required
def inicio(request):
    """Signed-in home: the user's organization and what concerns them."""
    membresias = membresias_de(request.user)
    return render(request, "comunas/inicio.html", {"membresias": membresias})


@login_required
def mi_organizacion(request):
    membresia = membresia_principal(request.user)
    if membresia is None:
        return render(request, "comunas/sin_organizacion.html")
    organizacion = membresia.organizacion
    return render(
        request,
        "comunas/organizacion.html",
        {"organizacion": organizacion, "membresia": membresia, "equipo": equipo_de(organizacion)},
    )


@login_required
def diagnosticos(request):
    return render(request, "comunas/diagnosticos.html")
