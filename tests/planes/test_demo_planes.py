"""The plans of `manage.py demo`: Zapallar's plan comunal, the mesa's intercommunal plan born from its acuerdos,
Quilpué's adaptation — and running the demo twice changes nothing."""

import pytest
from django.core.management import call_command

from comunas.models import Usuario
from mesa.models import Acuerdo, Mesa, PuntoTabla
from planes import demo
from planes.models import Aprobacion, Avance, Hito, IndicadorPlan, Medicion, MetaAnual, Nodo, Plan, VersionPlan
from planes.selectors import tarjetas_de_indicadores
from tests.conftest import cliente_de

pytestmark = pytest.mark.django_db


def _foto():
    return (
        sorted(Plan.objects.values_list("pk", "titulo", "estado", "avance", "actualizado", "origen_id")),
        sorted(Nodo.objects.values_list("pk", "plan_id", "codigo", "titulo", "avance", "adaptacion", "termino")),
        sorted(Avance.objects.values_list("pk", "nodo_id", "fecha", "porcentaje")),
        sorted(Hito.objects.values_list("pk", "titulo", "fecha", "cumplido_en")),
        sorted(IndicadorPlan.objects.values_list("pk", "nombre", "linea_base")),
        sorted(MetaAnual.objects.values_list("indicador_id", "anio", "valor")),
        sorted(Medicion.objects.values_list("indicador_id", "anio", "valor")),
        sorted(Aprobacion.objects.values_list("pk", "tipo", "numero_acuerdo")),
        sorted(VersionPlan.objects.values_list("pk", "plan_id", "numero")),
        sorted(Acuerdo.objects.values_list("pk", "estado", "actividad_id", "persona_id")),
        sorted(PuntoTabla.objects.values_list("pk", "plan_id")),
    )


def test_la_demo_de_planes_es_completa_e_idempotente(capsys):
    call_command("demo")
    primera = _foto()
    call_command("demo")
    assert _foto() == primera

    comunal = Plan.objects.get(titulo=demo.TITULO_COMUNAL)
    assert comunal.tipo == Plan.Tipo.COMUNAL and (comunal.anio_inicio, comunal.anio_fin) == (2024, 2027)
    assert comunal.estado == Plan.Estado.EN_EJECUCION and 0 < comunal.avance < 100
    assert comunal.diagnostico is not None and comunal.problemas.exists()
    assert list(comunal.nodos.filter(tipo="eje").values_list("codigo", flat=True)) == ["1", "2", "3"]
    assert comunal.nodos.filter(tipo="linea").count() == 5
    actividades = comunal.nodos.filter(tipo="actividad")
    assert actividades.count() == 10
    assert not actividades.filter(responsable=None).exists() and not actividades.filter(termino=None).exists()
    assert comunal.hitos.count() == 2 and comunal.hitos.exclude(cumplido_en=None).count() == 1
    aprobaciones = list(comunal.aprobaciones.values_list("tipo", "numero_acuerdo"))
    assert aprobaciones == [("opinion_consejo", "Sesión ordinaria n.º 12"), ("concejo", "Acuerdo n.º 4/2024")]
    assert comunal.versiones.count() == 2
    tipos = {t.indicador.tipo: t for t in tarjetas_de_indicadores(comunal)}
    assert set(tipos) == {"proceso", "resultado", "impacto"}
    assert tipos["proceso"].indicador.mediciones.count() == 2
    impacto = tipos["impacto"].indicador
    assert impacto.sigue_serie and impacto.serie_categoria.slug == "robo-en-lugar-habitado"
    assert impacto.serie_territorio == "05405" and impacto.linea_base is not None and impacto.linea_base_anio == 2023
    assert [m.anio for m in impacto.metas.all()] == [2024, 2025, 2026, 2027]
    assert tipos["impacto"].ultimo is not None  # the figures of the demo series

    intercomunal = Plan.objects.get(titulo=demo.TITULO_INTERCOMUNAL)
    duenas = set(intercomunal.duenas.values_list("nombre", flat=True))
    assert len(duenas) == 3 and any("Petorca" in d for d in duenas) and any("Algarrobo" in d for d in duenas)
    assert intercomunal.estado == Plan.Estado.EN_EJECUCION
    assert intercomunal.aprobaciones.get().tipo == Aprobacion.Tipo.MESA
    acuerdos = list(
        Acuerdo.objects.filter(acta__sesion__mesa__tipo="mesa", acta__sesion__numero=1).select_related(
            "actividad", "persona"
        )
    )
    assert len(acuerdos) == 3 and all(a.actividad.plan_id == intercomunal.pk for a in acuerdos)
    assert all(a.persona is not None and a.actividad.persona_id == a.persona_id for a in acuerdos)
    assert sorted(a.actual for a in acuerdos) == ["cumplido", "en_curso", "pendiente"]
    assert Avance.objects.filter(nodo__plan=intercomunal).count() == 4
    assert PuntoTabla.objects.get(sesion__numero=2, plan=intercomunal).titulo == "Avance de los acuerdos"

    adaptacion = Plan.objects.get(origen=intercomunal)
    assert adaptacion.organizacion.comuna.nombre == "Quilpué" and adaptacion.es_borrador
    descartada = adaptacion.nodos.get(adaptacion=Nodo.Adaptacion.DESCARTADO)
    cambiada = adaptacion.nodos.get(adaptacion=Nodo.Adaptacion.CAMBIADO)
    assert "borde costero" in descartada.adaptacion_motivo and "ferias" in cambiada.titulo


def test_las_paginas_de_la_demo_se_ven(capsys):
    call_command("demo")
    mesa = Mesa.objects.get(tipo=Mesa.Tipo.MESA)  # not the consejo comunal
    director = Usuario.objects.get(email="director@zapallar.example")  # coordinators must verify in two steps
    cliente = cliente_de(director)
    pagina = cliente.get(f"/mesas/{mesa.pk}/planes/").content.decode()
    assert demo.TITULO_INTERCOMUNAL in pagina and demo.TITULO_COMUNAL in pagina
    assert "Compartir con la mesa el protocolo de rondas" in pagina
    segunda = mesa.sesiones.get(numero=2).pk
    assert f"Avance del plan {demo.TITULO_INTERCOMUNAL}" in cliente.get(f"/mesas/sesiones/{segunda}/").content.decode()
    intercomunal = Plan.objects.get(titulo=demo.TITULO_INTERCOMUNAL)
    assert cliente.get(intercomunal.get_absolute_url()).status_code == 200
