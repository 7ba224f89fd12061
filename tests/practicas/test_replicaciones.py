"""Replicar en mi comuna: who may replicate, the replication's page, outcomes side by side, the chain A → B → C."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comunas.models import Comuna
from practicas.models import Replicacion
from practicas.services import (
    comentario_crear,
    practica_archivar,
    practica_publicar,
    replicacion_crear,
    replicacion_publicar_como_practica,
)
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.practicas.test_vistas import _formset
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


@pytest.fixture
def origen(org_zapallar, director, taxonomia):
    return crear_practica(org_zapallar, director, titulo="Ferias libres seguras", estado="publicada")


def _replicar(practica, organizacion, por, resultados=(), **datos):
    datos = {"estado": "en_curso", "adaptaciones": "Solo los fines de semana.", **datos}
    return replicacion_crear(practica=practica, organizacion=organizacion, por=por, datos=datos, resultados=resultados)


def test_replicar_en_mi_comuna_y_el_origen_muestra_los_resultados_lado_a_lado(origen, ajeno, org_ajena, director):
    cliente = cliente_de(ajeno)
    html = cliente.get(f"/practicas/{origen.pk}/").content.decode()
    assert "Replicar en mi comuna" in html
    formulario = cliente.get(f"/practicas/{origen.pk}/replicar/").content.decode()
    assert 'value="Denuncias por hurto"' in formulario  # the origin's indicators, ready to compare

    datos = {
        "organizacion": org_ajena.pk,
        "estado": "en_curso",
        "fecha_inicio": "2025-03-01",
        "adaptaciones": "Patrullaje **solo** en la feria de Avenida Matta.",
        **_formset(
            {"indicador": "Denuncias por hurto", "linea_base": "80", "resultado": "52", "nivel_maryland": "2"},
            {"indicador": "Percepción de seguridad en la feria", "linea_base": "40%", "resultado": "65%"},
            {"indicador": ""},
        ),
    }
    respuesta = cliente.post(f"/practicas/{origen.pk}/replicar/", datos)
    replicacion = Replicacion.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == f"/practicas/replicaciones/{replicacion.pk}/"
    assert (replicacion.organizacion, replicacion.estado, replicacion.creada_por) == (org_ajena, "en_curso", ajeno)
    assert replicacion.resultados.count() == 2

    pagina = cliente.get(respuesta.url).content.decode()
    assert "<strong>solo</strong>" in pagina and "En curso" in pagina

    html = cliente_de(director).get(f"/practicas/{origen.pk}/").content.decode()
    assert "Réplicas en otras comunas" in html and org_ajena.nombre in html
    tabla = html.split('class="table table-sm table-bordered align-middle comparacion"')[1].split("</table>")[0]
    fila = tabla.split("Denuncias por hurto")[1].split("</tr>")[0]
    assert "120 → 90" in fila and "80 → 52" in fila  # the same indicator, in adjacent columns
    assert "Otros indicadores medidos en las réplicas" in html and "Percepción de seguridad en la feria" in html
    assert "Replicar en mi comuna" not in html  # its own organization does not replicate it
    assert "Replicar en mi comuna" not in cliente.get(f"/practicas/{origen.pk}/").content.decode()  # done


def test_quien_puede_replicar(origen, director, lector, ajeno, org_ajena, dpa, taxonomia):
    url = f"/practicas/{origen.pk}/replicar/"
    assert cliente_de(director).get(url).status_code == 403  # its own organization
    assert cliente_de(lector).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    lectora_ajena = miembro(org_ajena, "lectora@santiago.test", "lector")
    assert cliente_de(lectora_ajena).get(url).status_code == 403
    assert cliente_de(ajeno).get(url).status_code == 200
    borrador = crear_practica(origen.organizacion, director, titulo="Borrador")
    assert cliente_de(ajeno).get(f"/practicas/{borrador.pk}/replicar/").status_code == 404
    _replicar(origen, org_ajena, ajeno)
    assert cliente_de(ajeno).get(url).status_code == 403  # already replicated


def test_el_servicio_rechaza_la_propia_la_duplicada_y_el_borrador(origen, director, ajeno, org_ajena, org_zapallar):
    with pytest.raises(ValidationError, match="su propia práctica"):
        _replicar(origen, org_zapallar, director)
    _replicar(origen, org_ajena, ajeno)
    with pytest.raises(ValidationError, match="ya registró"):
        _replicar(origen, org_ajena, ajeno)
    borrador = crear_practica(org_zapallar, director, titulo="Borrador")
    with pytest.raises(ValidationError, match="publicadas"):
        _replicar(borrador, org_ajena, ajeno)


def test_acceso_a_la_replica(origen, director, integrante, lector, ajeno, org_ajena):
    replicacion = _replicar(origen, org_ajena, ajeno)
    ver, editar = f"/practicas/replicaciones/{replicacion.pk}/", f"/practicas/replicaciones/{replicacion.pk}/editar/"
    for usuario in (director, integrante, lector, ajeno):
        assert cliente_de(usuario).get(ver).status_code == 200
    assert Client().get(ver).status_code == 302
    assert cliente_de(ajeno).get(editar).status_code == 200
    assert cliente_de(director).get(editar).status_code == 403

    respuesta = cliente_de(ajeno).post(
        editar, {"estado": "finalizada", "adaptaciones": "", **_formset({"indicador": "Hurtos", "resultado": "40"})}
    )
    assert respuesta.status_code == 302
    replicacion.refresh_from_db()
    assert replicacion.estado == "finalizada"
    assert list(replicacion.resultados.values_list("indicador", flat=True)) == ["Hurtos"]

    practica_archivar(practica=origen, por=director)  # the origin leaves the library: the replica stays its own
    assert cliente_de(ajeno).get(ver).status_code == 200
    otra = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    assert cliente_de(miembro(otra, "dir@algarrobo.test", "director")).get(ver).status_code == 404


def test_anonimos_no_ven_las_replicas_de_una_practica_publica(org_zapallar, director, ajeno, org_ajena, taxonomia):
    publica = crear_practica(org_zapallar, director, estado="publicada", visibilidad="publica")
    _replicar(publica, org_ajena, ajeno)
    html = Client().get(f"/practicas/{publica.pk}/").content.decode()
    assert "Réplicas en otras comunas" not in html and org_ajena.nombre not in html


def test_la_cadena_a_b_c_se_ve_en_cada_pagina(origen, director, ajeno, org_ajena):
    replica_b = _replicar(
        origen,
        org_ajena,
        ajeno,
        resultados=[{"indicador": "Denuncias por hurto", "linea_base": "80", "resultado": "52"}],
    )
    respuesta = cliente_de(ajeno).post(f"/practicas/replicaciones/{replica_b.pk}/practica/")
    replica_b.refresh_from_db()
    practica_b = replica_b.practica_resultante
    assert respuesta.url == f"/practicas/{practica_b.pk}/editar/"
    assert practica_b.organizacion == org_ajena and practica_b.es_borrador
    assert "Solo los fines de semana." in practica_b.contexto
    assert list(practica_b.resultados.values_list("indicador", "resultado")) == [("Denuncias por hurto", "52")]
    practica_b.calificacion = "prometedora"
    practica_b.save()
    practica_publicar(practica=practica_b, visibilidad="plataforma", por=ajeno)

    org_c = crear_organizacion(comuna=Comuna.objects.get(codigo="05602"))
    director_c = miembro(org_c, "director@algarrobo.test", "director")
    _replicar(practica_b, org_c, director_c)

    html_b = cliente_de(director_c).get(f"/practicas/{practica_b.pk}/").content.decode()
    linaje = html_b.split('id="linaje"')[1].split("</p>")[0]
    assert "Ferias libres seguras" in linaje and "esta práctica" in linaje
    assert org_c.nombre in html_b  # its own replications
    html_a = cliente_de(director).get(f"/practicas/{origen.pk}/").content.decode()
    assert "publicada como" in html_a and "replicada a su vez por" in html_a and org_c.nombre in html_a
    assert cliente_de(ajeno).post(f"/practicas/replicaciones/{replica_b.pk}/practica/", follow=True).status_code == 200
    assert Replicacion.objects.filter(practica_resultante__isnull=False).count() == 1  # only once


def _consultas(cliente, url):
    with CaptureQueriesContext(connection) as consultas:
        assert cliente.get(url).status_code == 200
    return len(consultas)


def test_el_detalle_con_replicas_y_comentarios_hace_las_mismas_consultas_con_1_y_con_8(
    origen, director, dpa, django_assert_num_queries
):
    codigos = ["05602", "05603", "05606", "05801", "05804", "05101", "05109", "05501"]

    def replicar(codigo, i):
        org = crear_organizacion(comuna=Comuna.objects.get(codigo=codigo))
        jefe = miembro(org, f"director{i}@replica.test", "director")
        resultados = [{"indicador": "Denuncias por hurto", "resultado": str(i)}, {"indicador": f"Otro {i}"}]
        replica = _replicar(origen, org, jefe, resultados=resultados)
        if i % 2 == 0:
            replicacion_publicar_como_practica(replicacion=replica, por=jefe)
        pregunta = comentario_crear(practica=origen, autor=jefe, texto=f"¿Pregunta {i}?", organizacion=org)
        comentario_crear(practica=origen, autor=director, texto="Respuesta", responde_a=pregunta)

    replicar(codigos[0], 0)
    cliente = cliente_de(director)
    con_1 = _consultas(cliente, f"/practicas/{origen.pk}/")
    for i, codigo in enumerate(codigos[1:], start=1):
        replicar(codigo, i)
    with django_assert_num_queries(con_1):
        cliente.get(f"/practicas/{origen.pk}/")
