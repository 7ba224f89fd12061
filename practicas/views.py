from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def indice(request):
    return render(request, "practicas/indice.html")
