"""Action plans: creation, the tree and its weighted roll-up, progress with evidence, states, approvals with
frozen versions, adaptation with lineage, indicators against targets, the measured effect, access and speed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from comunas.models import Comuna, Membresia, Poblacion
from diagnosticos.models import Indicador
from planes import selectors as sel
from planes import services
from planes.models import Aprobacion, Nodo, Plan
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.planes.utiles import crear_plan
from tests.practicas.utiles import taxonomia

pytestmark = pytest.mark.django_db
HOY = date.today()


def arbol(plan, por):
    eje = services.nodo_agregar(plan=plan, por=por, datos={"tipo": "eje", "codigo": "1", "titulo": "Prevención"})
    linea = services.nodo_agregar(
        plan=plan, por=por, padre=eje, datos={"tipo": "linea", "codigo": "1.1", "titulo": "Vigilancia"}
    )
    a = services.nodo_agregar(
        plan=plan,
        por=por,
        padre=linea,
        datos={"codigo": "1.1.1", "titulo": "Cámaras", "peso": Decimal(3), "termino": HOY + timedelta(days=30)},
    )
    b = services.nodo_agregar(plan=plan, por=por, padre=linea, datos={"codigo": "1.1.2", "titulo": "Rondas"})
    return eje, linea, a, b


def _aprobar(plan, por):
    services.aprobacion_registrar(plan=plan, por=por, tipo="opinion_consejo", fecha=HOY)
    return services.aprobacion_registrar(plan=plan, por=por, tipo="concejo", fecha=HOY, numero_acuerdo="123/2026")


def test_el_avance_sube_por_peso_hasta_el_plan(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    eje, linea, camaras, rondas = arbol(plan, director)
    _aprobar(plan, director)
    services.avance_registrar(nodo=camaras, por=director, fecha=HOY, texto="Instaladas 12 de 24.", porcentaje=50)
    estados = services.estados_asegurar()
    terminada = next(e for e in estados if e.porcentaje == 100)
    services.avance_registrar(nodo=rondas, por=director, fecha=HOY, texto="Rondas diarias.", estado=terminada)
    # (50 × 3 + 100 × 1) / 4 = 62.5 for the line, the axis and the plan
    for objeto in (linea, eje):
        objeto.refresh_from_db()
        assert objeto.avance == Decimal("62.50")
    plan.refresh_from_db()
    assert plan.avance == Decimal("62.50") and plan.estado == Plan.Estado.EN_EJECUCION


def test_un_avance_con_evidencia_y_sus_reglas(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    eje, linea, camaras, _ = arbol(plan, director)
    with pytest.raises(ValidationError, match="aprobado o en ejecución"):
        services.avance_registrar(nodo=camaras, por=director, fecha=HOY, texto="x", porcentaje=10)
    _aprobar(plan, director)
    with pytest.raises(ValidationError, match="se calcula de ellas"):
        services.avance_registrar(nodo=linea, por=director, fecha=HOY, texto="x", porcentaje=10)
    with pytest.raises(ValidationError):
        services.avance_registrar(nodo=camaras, por=director, fecha=HOY + timedelta(days=2), texto="x", porcentaje=5)
    pdf = SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n%%EOF\n")
    avance = services.avance_registrar(
        nodo=camaras, por=director, fecha=HOY, texto="Recepción conforme.", porcentaje=30, archivos=[pdf]
    )
    assert avance.adjuntos.get().nombre == "acta.pdf"
    respuesta = cliente_de(director).get(avance.adjuntos.get().url_descarga())
    assert respuesta.status_code == 200 and respuesta["Content-Disposition"].startswith("attachment")


def test_el_plan_comunal_lo_opina_el_consejo_y_lo_aprueba_el_concejo_con_version(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    with pytest.raises(ValidationError, match="sin ejes"):
        services.aprobacion_registrar(plan=plan, por=director, tipo="opinion_consejo", fecha=HOY)
    arbol(plan, director)
    with pytest.raises(ValidationError, match="opinión del consejo"):
        services.aprobacion_registrar(plan=plan, por=director, tipo="concejo", fecha=HOY, numero_acuerdo="1")
    opinion = services.aprobacion_registrar(plan=plan, por=director, tipo="opinion_consejo", fecha=HOY)
    plan.refresh_from_db()
    assert plan.estado == Plan.Estado.EN_CONSULTA and opinion.version.numero == 1
    with pytest.raises(ValidationError):
        services.aprobacion_registrar(plan=plan, por=director, tipo="concejo", fecha=HOY)  # no acuerdo number
    concejo = services.aprobacion_registrar(plan=plan, por=director, tipo="concejo", fecha=HOY, numero_acuerdo="77")
    plan.refresh_from_db()
    assert plan.estado == Plan.Estado.APROBADO and concejo.version.numero == 2
    assert [n["titulo"] for n in concejo.version.datos["nodos"]] == ["Prevención", "Vigilancia", "Cámaras", "Rondas"]
    html = cliente_de(director).get(f"/planes/{plan.pk}/versiones/2/").content.decode()
    assert "Versión 2" in html and "Cámaras" in html


def test_estados_solo_en_el_orden_previsto(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    with pytest.raises(ValidationError, match="al menos un eje"):
        services.plan_cambiar_estado(plan=plan, por=director, estado="en_consulta")
    arbol(plan, director)
    with pytest.raises(ValidationError):
        services.plan_cambiar_estado(plan=plan, por=director, estado="cerrado")
    assert services.plan_cambiar_estado(plan=plan, por=director, estado="en_consulta").estado == "en_consulta"


def test_adaptar_copia_el_arbol_y_el_origen_lista_la_adaptacion(director, org_zapallar, ajeno, org_ajena):
    plan = crear_plan(org_zapallar, director, tipo="intercomunal", visibilidad="plataforma")
    eje, linea, camaras, rondas = arbol(plan, director)
    services.indicador_agregar(
        plan=plan, por=director, datos={"nombre": "Cámaras operativas", "unidad": "%"}, metas=[(HOY.year, 80)]
    )
    services.plan_cambiar_estado(plan=plan, por=director, estado="en_consulta")
    with pytest.raises(ValidationError):
        services.plan_adaptar(origen=plan, organizacion=org_zapallar, por=director)
    copia = services.plan_adaptar(origen=plan, organizacion=org_ajena, por=ajeno)
    assert copia.origen == plan and copia.es_borrador and list(copia.duenas.all()) == [org_ajena]
    copias = {n.origen_id: n for n in copia.nodos.all()}
    assert set(copias) == {eje.pk, linea.pk, camaras.pk, rondas.pk}
    assert {n.adaptacion for n in copias.values()} == {"mantenido"}
    with pytest.raises(ValidationError, match="por qué"):
        services.nodo_adaptar(nodo=copias[rondas.pk], por=ajeno, adaptacion="descartado")
    services.nodo_adaptar(nodo=copias[rondas.pk], por=ajeno, adaptacion="descartado", motivo="Sin personal.")
    assert copia.indicadores.get().metas.get().valor == 80
    with pytest.raises(PermissionDenied):
        services.nodo_adaptar(nodo=copias[camaras.pk], por=director, adaptacion="cambiado", motivo="x")
    # The origin shows its adaptation; side by side, the dropped activity says why.
    html = cliente_de(ajeno).get(f"/planes/{plan.pk}/").content.decode()
    assert "Adaptaciones de este plan" in html and copia.titulo in html
    comparacion = cliente_de(ajeno).get(f"/planes/{plan.pk}/comparar/{copia.pk}/").content.decode()
    assert "Se descarta" in comparacion and "Sin personal." in comparacion


def test_indicador_de_impacto_sigue_la_serie_y_mide_el_efecto(director, org_zapallar):
    taxonomia()
    from comunas.models import Categoria

    robos = Categoria.objects.vigentes().get(slug="robo-en-lugar-habitado")
    comparables = ["05401", "05403", "05404"]
    for codigo in ["05405", *comparables]:
        Poblacion.objects.create(comuna_id=codigo, anio=HOY.year - 2, habitantes=10_000)
    for anio, propia, otras in ((HOY.year - 2, 300, 300), (HOY.year - 1, 300, 300), (HOY.year, 200, 290)):
        for codigo, tasa in [("05405", propia), *((c, otras) for c in comparables)]:
            Indicador.objects.create(territorio=codigo, comuna_id=codigo, categoria=robos, anio=anio, tasa=tasa)
    plan = crear_plan(org_zapallar, director)
    Plan.objects.filter(pk=plan.pk).update(comparables=comparables)
    plan.refresh_from_db()
    indicador = services.indicador_agregar(
        plan=plan,
        por=director,
        datos={
            "nombre": "Tasa de robos en lugar habitado",
            "tipo": "impacto",
            "unidad": "por 100.000 hab.",
            "sentido": "baja",
            "serie_categoria": robos,
        },
        metas=[(HOY.year, 250)],
    )
    assert indicador.serie_territorio == "05405" and indicador.serie_medida == "casos_policiales"
    [tarjeta] = sel.tarjetas_de_indicadores(plan)
    assert tarjeta.ultimo == (HOY.year, Decimal("200")) and tarjeta.cumple is True
    efecto = sel.efecto_medido(plan, indicador)
    assert efecto["disponible"] and efecto["diferencia"] == "-90,0" and efecto["favorable"]
    assert "no una prueba" in efecto["advertencia"]
    with pytest.raises(ValidationError, match="se cargan solos"):
        services.medicion_registrar(indicador=indicador, por=director, anio=HOY.year, valor=1)


def test_actividades_atrasadas_e_hitos_vencidos(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    _, _, camaras, _ = arbol(plan, director)
    Nodo.objects.filter(pk=camaras.pk).update(inicio=HOY - timedelta(days=60), termino=HOY - timedelta(days=1))
    services.hito_agregar(plan=plan, por=director, titulo="Licitación adjudicada", fecha=HOY - timedelta(days=3))
    filas = sel.arbol_del_plan(plan)
    atrasadas, vencidos = sel.atrasos(filas, list(plan.hitos.all()))
    assert [f.nodo.titulo for f in atrasadas] == ["Cámaras"] and [h.titulo for h in vencidos] == [
        "Licitación adjudicada"
    ]
    assert next(f for f in filas if f.nodo.pk == camaras.pk).semaforo == "rojo"
    html = cliente_de(director).get(f"/planes/{plan.pk}/").content.decode()
    assert "1 actividad atrasada" in html and "1 hito sin cumplir" in html


def test_quien_ve_y_quien_edita(director, integrante, lector, ajeno, anonimo, org_zapallar):
    plan = crear_plan(org_zapallar, director, visibilidad="duenas")
    arbol(plan, director)
    url = f"/planes/{plan.pk}/"
    assert cliente_de(ajeno).get(url).status_code == 404  # a draft: only its owners
    assert cliente_de(lector).get(url).status_code == 200
    assert cliente_de(lector).get(f"/planes/{plan.pk}/editar/").status_code == 403
    assert cliente_de(integrante).get(f"/planes/{plan.pk}/editar/").status_code == 200
    services.plan_cambiar_estado(plan=plan, por=director, estado="en_consulta")
    assert cliente_de(ajeno).get(url).status_code == 404  # "solo las responsables", even once out of draft
    Plan.objects.filter(pk=plan.pk).update(visibilidad="plataforma")
    assert cliente_de(ajeno).get(url).status_code == 200
    assert cliente_de(ajeno).get(f"/planes/{plan.pk}/editar/").status_code == 403
    assert cliente_de(anonimo).get(url).status_code == 302
    Plan.objects.filter(pk=plan.pk).update(visibilidad="publica")
    assert cliente_de(anonimo).get(url).status_code == 200


def test_un_socio_informa_avance_de_su_actividad(director, org_zapallar, ajeno, org_ajena):
    plan = crear_plan(org_zapallar, director, visibilidad="plataforma")
    _, linea, _, _ = arbol(plan, director)
    suya = services.nodo_agregar(
        plan=plan, por=director, padre=linea, datos={"titulo": "Patrullaje mixto", "responsable": org_ajena}
    )
    _aprobar(plan, director)
    cliente = cliente_de(ajeno)
    assert cliente.get(f"/planes/elementos/{suya.pk}/avance/").status_code == 200
    otra = plan.nodos.get(titulo="Rondas")
    assert cliente.get(f"/planes/elementos/{otra.pk}/avance/").status_code == 403
    respuesta = cliente.post(
        f"/planes/elementos/{suya.pk}/avance/", {"fecha": HOY.isoformat(), "texto": "Primer turno.", "porcentaje": "40"}
    )
    assert respuesta.status_code == 302
    suya.refresh_from_db()
    assert suya.avance == 40 and suya.avances.get().organizacion == org_ajena


def test_el_formulario_de_avance_conserva_lo_escrito_ante_un_error(director, org_zapallar):
    plan = crear_plan(org_zapallar, director)
    _, _, camaras, _ = arbol(plan, director)
    _aprobar(plan, director)
    html = (
        cliente_de(director)
        .post(f"/planes/elementos/{camaras.pk}/avance/", {"fecha": HOY.isoformat(), "texto": "Texto que no se pierde."})
        .content.decode()
    )
    assert "Indique el porcentaje de avance o el estado" in html and "Texto que no se pierde." in html


@pytest.mark.parametrize("actividades", [5, 200])
def test_la_pagina_del_plan_no_crece_en_consultas(director, org_zapallar, actividades, django_assert_num_queries):
    plan = crear_plan(org_zapallar, director)
    eje, linea, _, _ = arbol(plan, director)
    otra = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    persona = miembro(org_zapallar, "persona@zapallar.test", Membresia.Rol.INTEGRANTE)
    Nodo.objects.bulk_create(
        Nodo(plan=plan, padre=linea, titulo=f"Actividad {i}", responsable=otra, persona=persona, orden=10 + i)
        for i in range(actividades)
    )
    services.hito_agregar(plan=plan, por=director, titulo="Hito", fecha=HOY)
    services.indicador_agregar(plan=plan, por=director, datos={"nombre": "Cobertura"}, metas=[(HOY.year, 50)])
    cliente = cliente_de(director)
    cliente.get(f"/planes/{plan.pk}/")  # warm the session and the content types
    with django_assert_num_queries(PLAN_CONSULTAS):
        assert cliente.get(f"/planes/{plan.pk}/").status_code == 200


PLAN_CONSULTAS = 15


def test_aprobacion_por_la_vista_y_tipos_segun_el_plan(director, org_zapallar):
    plan = crear_plan(org_zapallar, director, tipo="institucional", anio_fin=HOY.year + 5)
    arbol(plan, director)
    cliente = cliente_de(director)
    html = cliente.get(f"/planes/{plan.pk}/aprobar/").content.decode()
    assert "Aprobación de la mesa" in html and "Opinión del consejo" not in html
    cliente.post(f"/planes/{plan.pk}/aprobar/", {"tipo": "direccion", "fecha": HOY.isoformat()})
    assert plan.aprobaciones.get().tipo == Aprobacion.Tipo.DIRECCION


def test_un_plan_comunal_dura_cuatro_anios(director, org_zapallar):
    with pytest.raises(ValidationError, match="cuatro años"):
        crear_plan(org_zapallar, director, anio_fin=HOY.year + 6)


def test_nuevo_plan_intercomunal_por_el_formulario(director, org_zapallar, ajeno, org_ajena):
    cliente = cliente_de(director)
    assert cliente.get("/planes/nuevo/").status_code == 200
    respuesta = cliente.post(
        "/planes/nuevo/",
        {
            "tipo": "intercomunal",
            "titulo": "Plan intercomunal del litoral",
            "objetivo": "Coordinar la prevención en el borde costero.",
            "anio_inicio": HOY.year,
            "anio_fin": HOY.year + 1,
            "visibilidad": "mesa",
            "duenas": [org_ajena.pk],
        },
    )
    plan = Plan.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == f"/planes/{plan.pk}/"
    assert set(plan.duenas.all()) == {org_zapallar, org_ajena} and plan.territorios == ["05405", "13101"]
    # Both owners edit it; the other owner's director sees it as his own.
    assert cliente_de(ajeno).get(f"/planes/{plan.pk}/editar/").status_code == 200
    errores = cliente.post("/planes/nuevo/", {"titulo": "Sin período", "objetivo": "x", "tipo": "comunal"})
    assert errores.status_code == 200 and "Sin período" in errores.content.decode()


def test_un_plan_nace_de_una_replica_de_practica(director, org_zapallar, ajeno, org_ajena):
    from practicas.models import Practica
    from tests.practicas.utiles import crear_practica

    practica = crear_practica(org_zapallar, director, estado="publicada", titulo="Rondas preventivas")
    Practica.objects.filter(pk=practica.pk).update(actividades="- Turnos nocturnos\n- Coordinación con Carabineros\n")
    replicacion = services_practicas_replicar(practica, org_ajena, ajeno)
    cliente = cliente_de(ajeno)
    assert "Crear un plan" in cliente.get("/planes/").content.decode()
    respuesta = cliente.post(f"/planes/desde-replicacion/{replicacion.pk}/")
    plan = Plan.objects.get(replicacion=replicacion)
    assert respuesta.status_code == 302 and respuesta.url == f"/planes/{plan.pk}/"
    assert plan.es_borrador and list(plan.duenas.all()) == [org_ajena]
    assert [n.titulo for n in plan.nodos.filter(tipo="actividad")] == [
        "Turnos nocturnos",
        "Coordinación con Carabineros",
    ]
    assert plan.nodos.get(tipo="eje").practicas.get() == practica
    assert cliente_de(director).post(f"/planes/desde-replicacion/{replicacion.pk}/").status_code == 403


def services_practicas_replicar(practica, organizacion, por):
    from practicas.services import replicacion_crear

    return replicacion_crear(
        practica=practica, organizacion=organizacion, por=por, datos={"adaptaciones": "Turnos propios."}
    )


@pytest.mark.parametrize("actividades", [5, 200])
def test_los_tableros_no_crecen_en_consultas(
    director, coordinador, org_zapallar, actividades, django_assert_num_queries
):
    from tests.mesa.utiles import crear_mesa

    mesa = crear_mesa(org_zapallar, coordinador)
    plan = crear_plan(org_zapallar, director, visibilidad="mesa")
    _, linea, _, _ = arbol(plan, director)
    Nodo.objects.bulk_create(
        Nodo(plan=plan, padre=linea, titulo=f"Actividad {i}", termino=HOY - timedelta(days=1), orden=10 + i)
        for i in range(actividades)
    )
    cliente = cliente_de(director)
    cliente.get("/planes/")
    with django_assert_num_queries(TABLERO_CONSULTAS):
        assert cliente.get("/planes/").status_code == 200
    with django_assert_num_queries(TABLERO_MESA_CONSULTAS):
        assert cliente.get(f"/mesas/{mesa.pk}/planes/").status_code == 200


TABLERO_CONSULTAS = 17  # a page of plans, summed up whole (planes.selectors.resumen_de_planes)
TABLERO_MESA_CONSULTAS = 19
