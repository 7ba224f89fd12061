"""Diagnoses: writing, publishing with versions, visibility, print view and recommended practices."""

import pytest
from django.core.exceptions import ValidationError

from comunas.models import Comuna, Membresia
from diagnosticos.models import Diagnostico
from diagnosticos.services import diagnostico_actualizar
from practicas.models import Practica
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.diagnosticos.utiles import DATOS, categoria, crear_diagnostico
from tests.practicas.utiles import crear_practica, taxonomia


def _formulario(**cambios):
    datos = {**DATOS, "categoria_1": categoria("hurtos").pk, "justificacion_1": "Alza en verano."}
    return {k: v for k, v in {**datos, **cambios}.items() if v is not None}


def test_un_director_crea_un_borrador_de_su_comuna(director, org_zapallar):
    taxonomia()
    respuesta = cliente_de(director).post("/diagnosticos/nuevo/", {**_formulario(), "organizacion": org_zapallar.pk})
    diagnostico = Diagnostico.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == f"/diagnosticos/{diagnostico.pk}/"
    assert diagnostico.comuna_id == "05405" and diagnostico.provincia_id is None
    assert diagnostico.es_borrador and diagnostico.autor == director
    assert [(p.prioridad, p.categoria.slug) for p in diagnostico.problemas.all()] == [(1, "hurtos")]


def test_categoria_repetida_y_periodo_al_reves(director, org_zapallar):
    taxonomia()
    datos = _formulario(categoria_2=categoria("hurtos").pk, anio_inicio=2025, anio_fin=2020)
    respuesta = cliente_de(director).post("/diagnosticos/nuevo/", {**datos, "organizacion": org_zapallar.pk})
    html = respuesta.content.decode()
    assert "Esa categoría ya está priorizada más arriba." in html
    assert "El año de término no puede ser anterior al de inicio." in html
    assert Diagnostico.objects.count() == 0


def test_el_lector_no_escribe_diagnosticos(lector):
    assert cliente_de(lector).get("/diagnosticos/nuevo/").status_code == 403


def test_publicar_y_editar_guardan_versiones(director, org_zapallar):
    diagnostico = crear_diagnostico(org_zapallar, director)
    cliente = cliente_de(director)
    cliente.post(f"/diagnosticos/{diagnostico.pk}/publicar/", {"visibilidad": "publica"})
    diagnostico.refresh_from_db()
    assert not diagnostico.es_borrador and diagnostico.visibilidad == "publica"
    cliente.post(f"/diagnosticos/{diagnostico.pk}/editar/", _formulario(titulo="Diagnóstico corregido"))
    versiones = list(diagnostico.versiones.order_by("numero"))
    assert [v.numero for v in versiones] == [1, 2]
    assert versiones[0].datos["titulo"] == DATOS["titulo"]
    assert versiones[1].datos["titulo"] == "Diagnóstico corregido"
    assert versiones[1].datos["problemas"] == [
        {
            "prioridad": 1,
            "categoria": "hurtos",
            "problema_local": "",
            "justificacion": "Alza en verano.",
            "criterios": {},
            "grupos_afectados": [],
            "lugares": "",
        }
    ]


def test_no_se_publica_sin_problemas(director, org_zapallar):
    diagnostico = crear_diagnostico(org_zapallar, director, problemas=())
    respuesta = cliente_de(director).post(
        f"/diagnosticos/{diagnostico.pk}/publicar/", {"visibilidad": "plataforma"}, follow=True
    )
    assert "Priorice al menos un problema antes de publicar." in respuesta.content.decode()


def test_problema_duplicado_en_el_servicio(director, org_zapallar):
    diagnostico = crear_diagnostico(org_zapallar, director)
    with pytest.raises(ValidationError):
        diagnostico_actualizar(
            diagnostico=diagnostico,
            por=director,
            datos={},
            problemas=[{"categoria": categoria("hurtos")}, {"categoria": categoria("hurtos")}],
        )


@pytest.mark.parametrize(
    ("visibilidad", "esperado"),
    [(None, {"ajeno": 404, "anonimo": 302}), ("plataforma", {"ajeno": 200, "anonimo": 302}),
     ("publica", {"ajeno": 200, "anonimo": 200})],
)  # fmt: skip
def test_visibilidad(director, lector, ajeno, org_zapallar, visibilidad, esperado):
    diagnostico = crear_diagnostico(org_zapallar, director, publicar=visibilidad)
    url = f"/diagnosticos/{diagnostico.pk}/"
    obtenido = {"ajeno": cliente_de(ajeno).get(url).status_code, "anonimo": cliente_de(None).get(url).status_code}
    assert obtenido == esperado
    assert cliente_de(lector).get(url).status_code == 200
    assert cliente_de(lector).get(f"{url}editar/").status_code == 403
    assert cliente_de(ajeno).get(f"{url}editar/").status_code == (404 if visibilidad is None else 403)


def test_lista_muestra_borradores_solo_a_su_organizacion(director, ajeno, org_zapallar):
    crear_diagnostico(org_zapallar, director, titulo="Borrador secreto")
    crear_diagnostico(org_zapallar, director, titulo="Publicado para la plataforma", publicar="plataforma")
    propio = cliente_de(director).get("/diagnosticos/").content.decode()
    ajena = cliente_de(ajeno).get("/diagnosticos/").content.decode()
    assert "Borrador secreto" in propio and "Borrador secreto" not in ajena
    assert "Publicado para la plataforma" in ajena


def test_lista_con_cantidad_fija_de_consultas(director, org_zapallar, django_assert_max_num_queries):
    for i in range(5):
        crear_diagnostico(org_zapallar, director, titulo=f"Diagnóstico {i}", publicar="plataforma")
    cliente = cliente_de(director)
    with django_assert_max_num_queries(12) as cinco:
        cliente.get("/diagnosticos/")
    for i in range(20):
        crear_diagnostico(org_zapallar, director, titulo=f"Otro {i}", publicar="plataforma")
    with django_assert_max_num_queries(len(cinco)):
        cliente.get("/diagnosticos/")


def test_version_para_imprimir(director, org_zapallar):
    diagnostico = crear_diagnostico(org_zapallar, director, publicar="plataforma")
    html = cliente_de(director).get(f"/diagnosticos/{diagnostico.pk}/imprimir/").content.decode()
    assert DATOS["construccion_detalle"] in html and "Con el consejo comunal de seguridad pública" in html


# --- Recommendations ----------------------------------------------------------------------------------------


def test_recomendaciones_misma_provincia_luego_region_y_mejor_evidencia(director, org_zapallar, org_ajena):
    papudo = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))  # Petorca, like Zapallar
    quillota = crear_organizacion(comuna=Comuna.objects.get(codigo="05501"))  # same region, other province
    autor_p = miembro(papudo, "d@papudo.test", Membresia.Rol.DIRECTOR)
    autor_q = miembro(quillota, "d@quillota.test", Membresia.Rol.DIRECTOR)
    autor_s = miembro(org_ajena, "d@santiago.test", Membresia.Rol.DIRECTOR)

    def practica(org, autor, titulo, calificacion, **extra):
        return crear_practica(org, autor, titulo=titulo, estado="publicada", calificacion=calificacion, **extra)

    practica(org_ajena, autor_s, "Santiago efectiva", Practica.Calificacion.EFECTIVA)
    practica(quillota, autor_q, "Quillota prometedora", Practica.Calificacion.PROMETEDORA)
    practica(quillota, autor_q, "Quillota efectiva", Practica.Calificacion.EFECTIVA)
    practica(papudo, autor_p, "Papudo insuficiente", Practica.Calificacion.INSUFICIENTE)
    practica(papudo, autor_p, "Papudo prometedora débil", Practica.Calificacion.PROMETEDORA, efecto_puntaje=1)
    practica(papudo, autor_p, "Papudo prometedora sólida", Practica.Calificacion.PROMETEDORA, efecto_puntaje=4)
    crear_practica(papudo, autor_p, titulo="Papudo borrador", calificacion=Practica.Calificacion.EFECTIVA)
    practica(papudo, autor_p, "Papudo de otro tema", Practica.Calificacion.EFECTIVA, categorias=("femicidios",))
    diagnostico = crear_diagnostico(org_zapallar, director, problemas=("hurtos",), publicar="plataforma")

    html = cliente_de(director).get(f"/diagnosticos/{diagnostico.pk}/").content.decode()
    orden = ["Papudo prometedora sólida", "Papudo prometedora débil", "Papudo insuficiente", "Quillota efectiva",
             "Quillota prometedora"]  # fmt: skip
    posiciones = [html.index(t) for t in orden]
    assert posiciones == sorted(posiciones)
    assert "Santiago efectiva" not in html  # only the five best are listed
    assert "Papudo borrador" not in html and "Papudo de otro tema" not in html


def test_recomendaciones_respetan_la_visibilidad_de_las_practicas(director, org_zapallar):
    crear_practica(org_zapallar, director, titulo="Solo para la plataforma", estado="publicada")
    crear_practica(org_zapallar, director, titulo="Para todo público", estado="publicada", visibilidad="publica")
    diagnostico = crear_diagnostico(org_zapallar, director, problemas=("hurtos",), publicar="publica")
    html = cliente_de(None).get(f"/diagnosticos/{diagnostico.pk}/").content.decode()
    assert "Para todo público" in html and "Solo para la plataforma" not in html
