import pytest
from django.core.management import call_command

from comunas.taxonomia import Arbol
from practicas.models import Practica, Resultado

pytestmark = pytest.mark.django_db


def test_la_demo_publica_una_docena_de_practicas_de_ejemplo_y_es_idempotente(dpa, taxonomia):
    call_command("demo")
    primera = sorted(Practica.objects.values_list("titulo", "organizacion__nombre"))
    call_command("demo")
    assert sorted(Practica.objects.values_list("titulo", "organizacion__nombre")) == primera

    assert len(primera) >= 12
    assert not Practica.objects.exclude(estado="publicada").exists()
    assert Practica.objects.values("organizacion").distinct().count() >= 8
    assert Practica.objects.filter(comuna=None).exists()  # provincial directorates too
    arbol = Arbol.vigente()
    familias = {arbol.ruta(c)[0].slug for p in Practica.objects.all() for c in p.categorias.all()}
    assert len(familias) >= 4  # practices on several CEAD families
    assert Practica.objects.filter(visibilidad="publica").exists()
    for practica in Practica.objects.all():
        assert "Ejemplo de demostración" in practica.resumen
        assert practica.resultados.exists() and practica.versiones.count() == 1
    assert Resultado.objects.count() >= 12
    assert {"efectiva", "prometedora", "sin_efecto", "efecto_negativo", "insuficiente"} <= set(
        Practica.objects.values_list("calificacion", flat=True)
    )


def test_la_demo_trae_replicas_con_resultados_y_una_cadena(dpa, taxonomia):
    from practicas.models import Replicacion

    call_command("demo")
    call_command("demo")
    assert Replicacion.objects.count() == 5  # idempotent
    assert Replicacion.objects.filter(resultados__isnull=False).distinct().count() >= 4
    assert {r.estado for r in Replicacion.objects.all()} >= {"finalizada", "en_curso", "planificada"}
    [eslabon] = Replicacion.objects.exclude(practica_resultante=None)
    siguiente = eslabon.practica_resultante.replicaciones.get()
    assert eslabon.practica.organizacion.comuna_id == "05801" and eslabon.organizacion.comuna_id == "05804"
    assert siguiente.organizacion.provincia_id == "054"  # Quilpué → Villa Alemana → provincia de Petorca
    assert "Ejemplo de demostración" in eslabon.adaptaciones
