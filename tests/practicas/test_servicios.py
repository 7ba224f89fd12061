import pytest
from django.core.exceptions import ValidationError

from comunas.models import Categoria, Provincia
from practicas.models import Practica
from practicas.services import plegar, practica_actualizar, practica_archivar, practica_crear, practica_publicar
from tests.conftest import crear_organizacion
from tests.mesa.utiles import crear_mesa
from tests.practicas.utiles import crear_practica, participar

pytestmark = pytest.mark.django_db


def test_plegar_quita_tildes_y_mayusculas_sin_cambiar_el_largo():
    assert plegar("Cámaras de Televigilancia en Ñuñoa") == "camaras de televigilancia en nunoa"
    assert len(plegar("ÁÉÍÓÚü ñ")) == len("ÁÉÍÓÚü ñ")


def test_crear_un_borrador_solo_con_titulo_deriva_el_territorio(org_zapallar, director, taxonomia):
    practica = practica_crear(organizacion=org_zapallar, por=director, datos={"titulo": "Ferias seguras"})
    assert practica.estado == Practica.Estado.BORRADOR
    assert (practica.comuna_id, practica.provincia_id, practica.region_id) == ("05405", "054", "05")
    assert practica.autor == director
    assert "ferias seguras" in practica.texto_busqueda


def test_una_organizacion_provincial_no_tiene_comuna(dpa, director, taxonomia):
    provincial = crear_organizacion(provincia=Provincia.objects.get(codigo="055"))
    practica = practica_crear(organizacion=provincial, por=director, datos={"titulo": "Patrullaje provincial"})
    assert (practica.comuna_id, practica.provincia_id, practica.region_id) == (None, "055", "05")
    assert practica.territorio.nombre == "Quillota"


def test_sin_titulo_o_con_periodo_invertido_no_se_guarda(org_zapallar, director, taxonomia):
    import datetime

    with pytest.raises(ValidationError):
        practica_crear(organizacion=org_zapallar, por=director, datos={"titulo": "  "})
    with pytest.raises(ValidationError, match="término"):
        practica_crear(
            organizacion=org_zapallar,
            por=director,
            datos={
                "titulo": "X",
                "periodo_inicio": datetime.date(2025, 3, 1),
                "periodo_fin": datetime.date(2024, 3, 1),
            },
        )
    assert not Practica.objects.exists()


def test_publicar_exige_resumen_categoria_resultado_y_calificacion(org_zapallar, director, taxonomia):
    practica = practica_crear(organizacion=org_zapallar, por=director, datos={"titulo": "Incompleta"})
    with pytest.raises(ValidationError) as error:
        practica_publicar(practica=practica, visibilidad="plataforma", por=director)
    mensajes = " ".join(error.value.messages)
    assert "Falta el resumen" in mensajes
    assert "al menos un problema" in mensajes
    assert "al menos un resultado" in mensajes
    assert "Autoevalúe la evidencia" in mensajes
    practica.refresh_from_db()
    assert practica.es_borrador and not practica.versiones.exists()


def test_publicar_registra_la_version_y_los_cambios_publicados_suman_versiones(org_zapallar, director, taxonomia):
    practica = crear_practica(org_zapallar, director, titulo="Alarmas comunitarias")
    practica = practica_publicar(practica=practica, visibilidad="publica", por=director)
    assert practica.es_publicada and practica.visibilidad == "publica" and practica.publicada_en
    assert practica.versiones.get().datos["titulo"] == "Alarmas comunitarias"

    practica = practica_actualizar(practica=practica, por=director, datos={"titulo": "Alarmas comunitarias 2.0"})
    versiones = list(practica.versiones.values_list("numero", "datos__titulo"))
    assert versiones == [(2, "Alarmas comunitarias 2.0"), (1, "Alarmas comunitarias")]
    assert versiones[0] and practica.versiones.first().datos["categorias"] == ["hurtos"]


def test_una_publicada_no_puede_quedar_sin_categorias(org_zapallar, director, taxonomia):
    practica = crear_practica(org_zapallar, director, estado="publicada")
    with pytest.raises(ValidationError, match="al menos un problema"):
        practica_actualizar(practica=practica, por=director, datos={}, categorias=[])
    assert practica.categorias.count() == 1


def test_la_visibilidad_de_mesa_pide_compartir_una_mesa(org_zapallar, org_ajena, coordinador, director, taxonomia):
    practica = crear_practica(org_zapallar, director)
    mesa = crear_mesa(org_zapallar, coordinador)
    with pytest.raises(ValidationError, match="aún no comparte una mesa"):
        practica_publicar(practica=practica, visibilidad="mesa", por=director)
    participar(mesa, org_ajena, estado="invitada")  # an invitation is not enough
    with pytest.raises(ValidationError, match="aún no comparte una mesa"):
        practica_publicar(practica=practica, visibilidad="mesa", por=director)
    mesa.participaciones.filter(organizacion=org_ajena).update(estado="aceptada")
    practica = practica_publicar(practica=practica, visibilidad="mesa", por=director)
    assert (practica.estado, practica.visibilidad) == ("publicada", "mesa")


def test_actualizar_reemplaza_los_resultados(org_zapallar, director, taxonomia):
    practica = crear_practica(org_zapallar, director)
    primero = practica.resultados.get()
    practica_actualizar(
        practica=practica,
        por=director,
        datos={},
        resultados=[
            {"id": primero.pk, "indicador": "Denuncias por hurto (corregido)", "nivel_maryland": 3},
            {"id": None, "indicador": "Percepción de inseguridad", "linea_base": "64%", "resultado": "51%"},
        ],
    )
    assert list(practica.resultados.values_list("pk", "indicador", "orden")) == [
        (primero.pk, "Denuncias por hurto (corregido)", 1),
        (practica.resultados.last().pk, "Percepción de inseguridad", 2),
    ]
    practica_actualizar(practica=practica, por=director, datos={}, resultados=[])
    assert not practica.resultados.exists()


def test_archivar_y_una_archivada_no_se_edita_ni_publica(org_zapallar, director, taxonomia):
    practica = crear_practica(org_zapallar, director, estado="publicada")
    practica = practica_archivar(practica=practica, por=director)
    assert practica.es_archivada and practica.archivada_en
    with pytest.raises(ValidationError):
        practica_actualizar(practica=practica, por=director, datos={"titulo": "Otra"})
    with pytest.raises(ValidationError):
        practica_publicar(practica=practica, visibilidad="plataforma", por=director)
    with pytest.raises(ValidationError):
        practica_archivar(practica=practica, por=director)


def test_categorias_de_la_taxonomia_vigente(taxonomia):
    assert Categoria.objects.vigentes().count() == 63  # CEAD 2024: 8 families, their groups and subgroups
