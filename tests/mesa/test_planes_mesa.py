"""From the mesa to the plan: an acuerdo's responsible person, "Convertir en actividad" (its state then follows the
activity), an agenda item that presents a plan (and the acta that keeps its progress), and "Planes de la mesa"."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comunas.models import Comuna, Membresia
from mesa import services, services_actas
from mesa.models import Acuerdo, Sesion
from nucleo.models import Aviso
from planes import services as planes_services
from planes.models import Nodo, Plan
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion, plan_con_linea

pytestmark = pytest.mark.django_db
HOY = timezone.localdate()


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def org_papudo(mesa, coordinador):
    org = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    participacion = services.mesa_invitar(mesa=mesa, organizacion=org, por=coordinador)
    services.participacion_aceptar(participacion=participacion, por=coordinador)
    return org


@pytest.fixture
def directora_papudo(org_papudo):
    return miembro(org_papudo, "directora@papudo.test", Membresia.Rol.DIRECTOR, nombre="Paula Papudo")


def _acta(mesa, coordinador, acuerdos, *, numero=1, aprobar=True):
    """A held session's acta with (descripción, organización, plazo, persona) acuerdos; approved by default."""
    sesion = crear_sesion(mesa, numero=numero, estado=Sesion.Estado.CONVOCADA, dias=-numero)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[])
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinador)
    for descripcion, organizacion, plazo, persona in acuerdos:
        services_actas.acuerdo_agregar(
            acta=acta, por=coordinador, descripcion=descripcion, organizacion=organizacion, plazo=plazo, persona=persona
        )
    if aprobar:
        services_actas.acta_aprobar(acta=acta, por=coordinador)
    return acta


@pytest.fixture
def acuerdo(mesa, coordinador, org_zapallar, integrante):
    acta = _acta(
        mesa, coordinador, [("Compartir el protocolo de rondas.", org_zapallar, HOY + timedelta(days=20), integrante)]
    )
    return acta.acuerdos.get()


def _avanzar(nodo, por, porcentaje):
    return planes_services.avance_registrar(
        nodo=nodo, por=por, fecha=HOY, texto="Avance informado.", porcentaje=Decimal(porcentaje)
    )


# --- The responsible person ------------------------------------------------------------------------------------


def test_el_acuerdo_lleva_una_persona_de_la_organizacion_responsable(
    mesa, coordinador, org_zapallar, integrante, directora_papudo
):
    acta = _acta(mesa, coordinador, [], aprobar=False)
    with pytest.raises(ValidationError, match="integrante de la organización responsable"):
        services_actas.acuerdo_agregar(
            acta=acta, por=coordinador, descripcion="x", organizacion=org_zapallar, plazo=HOY, persona=directora_papudo
        )
    url = f"/mesas/sesiones/{acta.sesion_id}/acta/acuerdos/nuevo/"
    respuesta = cliente_de(coordinador).post(
        url,
        {"descripcion": "Mapa de calor.", "organizacion": org_zapallar.pk, "persona": integrante.pk, "plazo": HOY},
    )
    assert respuesta.status_code == 302
    assert Acuerdo.objects.get(descripcion="Mapa de calor.").persona == integrante
    pagina = cliente_de(coordinador).get(f"/mesas/sesiones/{acta.sesion_id}/acta/").content.decode()
    assert "Ignacio Integrante" in pagina


# --- Convertir en actividad ------------------------------------------------------------------------------------


def test_convertir_en_actividad_en_un_paso(acuerdo, director, integrante, org_zapallar, org_ajena, ajeno):
    plan, linea = plan_con_linea(org_zapallar, director)
    _, ajena = plan_con_linea(org_ajena, ajeno, titulo="Plan de Santiago", visibilidad="plataforma")
    url = f"/mesas/acuerdos/{acuerdo.pk}/actividad/"
    cliente = cliente_de(director)
    formulario = cliente.get(url)
    opciones = dict(formulario.context["form"].fields["linea"].choices)
    assert formulario.status_code == 200 and "Plan de Santiago (aprobado)" not in opciones
    assert '<optgroup label="Plan intercomunal de la mesa (aprobado)">' in formulario.content.decode()
    assert cliente.post(url, {"linea": ajena.pk}).status_code == 200  # not a line they may edit: refused
    respuesta = cliente.post(url, {"linea": linea.pk})
    actividad = Nodo.objects.get(plan=plan, tipo="actividad")
    assert respuesta.status_code == 302 and respuesta.url == f"/planes/{plan.pk}/#nodo-{actividad.pk}"
    assert actividad.padre == linea and actividad.codigo == "1.1.1"
    assert actividad.titulo == "Compartir el protocolo de rondas."
    assert (actividad.responsable, actividad.persona, actividad.termino) == (org_zapallar, integrante, acuerdo.plazo)
    assert "Acuerdo de la sesión n.º 1" in actividad.descripcion
    acuerdo.refresh_from_db()
    assert acuerdo.actividad == actividad
    assert cliente.get(url).status_code == 302  # already an activity: back to the acta


def test_quien_convierte_y_que_no_se_convierte(mesa, coordinador, acuerdo, director, lector, org_zapallar, org_papudo):
    plan, linea = plan_con_linea(org_zapallar, director)
    with pytest.raises(PermissionDenied):
        services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=lector, linea=linea)
    assert cliente_de(lector).get(f"/mesas/acuerdos/{acuerdo.pk}/actividad/").status_code == 403
    with pytest.raises(ValidationError, match="eje del plan"):
        hoja = planes_services.nodo_agregar(plan=plan, por=director, padre=linea, datos={"titulo": "Hoja"})
        services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=director, linea=hoja)
    borrador = _acta(mesa, coordinador, [("Reservado", org_zapallar, HOY, None)], numero=2, aprobar=False)
    with pytest.raises(ValidationError, match="acta aprobada"):
        services_actas.acuerdo_convertir_en_actividad(acuerdo=borrador.acuerdos.get(), por=director, linea=linea)
    # The coordination may convert, but only into a plan it may edit (papudo's plan is not hers).
    directora = miembro(org_papudo, "d@papudo.test", Membresia.Rol.DIRECTOR)
    _, de_papudo = plan_con_linea(org_papudo, directora, titulo="Plan de Papudo")
    with pytest.raises(PermissionDenied):
        services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=coordinador, linea=de_papudo)
    services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=coordinador, linea=linea)
    with pytest.raises(ValidationError, match="ya es una actividad"):
        services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=coordinador, linea=linea)


def test_el_estado_del_acuerdo_sigue_a_la_actividad(mesa, coordinador, acuerdo, director, org_zapallar):
    plan, linea = plan_con_linea(org_zapallar, director)
    actividad = services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=director, linea=linea)
    abiertos = Acuerdo.objects.filter(acta__sesion__mesa=mesa)

    def estado():
        a = Acuerdo.objects.select_related("actividad").get(pk=acuerdo.pk)
        return a.actual, list(abiertos.abiertos()), list(abiertos.cumplidos())

    assert estado() == (Acuerdo.Estado.PENDIENTE, [acuerdo], [])
    _avanzar(actividad, director, 40)
    assert estado() == (Acuerdo.Estado.EN_CURSO, [acuerdo], [])
    assert list(abiertos.en_estado(Acuerdo.Estado.EN_CURSO)) == [acuerdo]
    with pytest.raises(ValidationError, match="sigue el avance"):
        services_actas.acuerdo_cambiar_estado(acuerdo=acuerdo, por=director, estado=Acuerdo.Estado.CUMPLIDO)
    _avanzar(actividad, director, 100)
    assert estado() == (Acuerdo.Estado.CUMPLIDO, [], [acuerdo])
    Acuerdo.objects.filter(pk=acuerdo.pk).update(plazo=HOY - timedelta(days=3))
    assert list(abiertos.vencidos()) == []  # fulfilled through its activity: not overdue

    pagina = cliente_de(director).get(f"/mesas/{mesa.pk}/acuerdos/?estado=cumplido").content.decode()
    assert "Compartir el protocolo" in pagina and 'aria-valuenow="100"' in pagina and plan.titulo in pagina
    pagina = cliente_de(director).get("/mesas/acuerdos/").content.decode()
    assert "actividad terminada del plan" in pagina


def test_las_listas_muestran_el_avance_y_enlazan_el_plan_solo_a_quien_lo_ve(
    mesa, coordinador, acuerdo, director, org_zapallar, org_papudo, directora_papudo
):
    plan, linea = plan_con_linea(org_zapallar, director, visibilidad="duenas")
    actividad = services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=director, linea=linea)
    _avanzar(actividad, director, 40)
    acta = f"/mesas/sesiones/{acuerdo.acta.sesion_id}/acta/"
    for url in (acta, f"/mesas/{mesa.pk}/acuerdos/", f"/mesas/{mesa.pk}/planes/", "/mesas/acuerdos/"):
        pagina = cliente_de(director).get(url).content.decode()
        assert 'aria-valuenow="40"' in pagina and "En curso" in pagina and f"/planes/{plan.pk}/#nodo-" in pagina, url
    for url in (acta, f"/mesas/{mesa.pk}/acuerdos/", f"/mesas/{mesa.pk}/planes/"):
        pagina = cliente_de(directora_papudo).get(url).content.decode()
        assert 'aria-valuenow="40"' in pagina and "de un plan de acción" in pagina, url
        assert f"/planes/{plan.pk}/" not in pagina and plan.titulo not in pagina, url


def test_convertir_desde_el_acta_y_mis_acuerdos(acuerdo, director, lector, coordinador, org_zapallar):
    plan_con_linea(org_zapallar, director)
    enlace = f"/mesas/acuerdos/{acuerdo.pk}/actividad/"
    acta = f"/mesas/sesiones/{acuerdo.acta.sesion_id}/acta/"
    assert enlace in cliente_de(director).get(acta).content.decode()
    assert enlace in cliente_de(coordinador).get(acta).content.decode()
    assert enlace in cliente_de(director).get("/mesas/acuerdos/").content.decode()
    assert enlace not in cliente_de(lector).get(acta).content.decode()


def test_el_resumen_semanal_no_trae_acuerdos_cumplidos_por_su_actividad(
    acuerdo, director, org_zapallar, django_capture_on_commit_callbacks
):
    _, linea = plan_con_linea(org_zapallar, director)
    actividad = services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=director, linea=linea)
    _avanzar(actividad, director, 30)
    avisos = services_actas.acuerdos_resumen_semanal()
    assert avisos and "en curso" in avisos[0].texto
    _avanzar(actividad, director, 100)
    Aviso.objects.all().delete()
    assert services_actas.acuerdos_resumen_semanal() == []


# --- The agenda and the acta -----------------------------------------------------------------------------------


def test_un_punto_presenta_un_plan_que_todos_los_miembros_ven(
    mesa, coordinador, director, org_zapallar, org_papudo, org_ajena, ajeno
):
    de_la_mesa, _ = plan_con_linea(org_zapallar, director, titulo="Plan de la mesa")
    borrador, _ = plan_con_linea(org_zapallar, director, titulo="Plan en borrador", aprobar=False)
    reservado, _ = plan_con_linea(org_zapallar, director, titulo="Plan reservado", visibilidad="duenas")
    de_otra_mesa, _ = plan_con_linea(org_ajena, ajeno, titulo="Plan de otra mesa")
    publico, _ = plan_con_linea(org_ajena, ajeno, titulo="Plan público", visibilidad="publica")
    sesion = crear_sesion(mesa, puntos=0)
    formulario = cliente_de(coordinador).get(f"/mesas/sesiones/{sesion.pk}/tabla/")
    assert list(formulario.context["form"].fields["plan"].queryset) == [de_la_mesa, publico]
    for plan in (borrador, reservado, de_otra_mesa):
        with pytest.raises(ValidationError, match="todos los miembros"):
            services.punto_agregar(sesion=sesion, por=coordinador, titulo="x", plan=plan)
    respuesta = cliente_de(coordinador).post(
        f"/mesas/sesiones/{sesion.pk}/tabla/",
        {"titulo": "Avance del plan", "duracion_minutos": 20, "plan": de_la_mesa.pk},
    )
    assert respuesta.status_code == 302 and sesion.puntos.get().plan == de_la_mesa
    pagina = cliente_de(coordinador).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert f'href="/planes/{de_la_mesa.pk}/"' in pagina and 'aria-label="Avance del plan Plan de la mesa"' in pagina


def test_el_acta_guarda_el_avance_del_plan_al_redactarse(mesa, coordinador, director, org_zapallar):
    plan, linea = plan_con_linea(org_zapallar, director)
    actividad = planes_services.nodo_agregar(plan=plan, por=director, padre=linea, datos={"titulo": "Rondas"})
    _avanzar(actividad, director, 45)
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1, puntos=2)
    sesion.puntos.filter(orden=2).update(plan=plan)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[])
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinador)
    _avanzar(actividad, director, 90)  # the plan moves on; the acta keeps what the mesa saw
    primera, segunda = acta.secciones.all()
    assert primera.texto == ""
    assert segunda.texto == f"Avance del plan «{plan.titulo}» al {HOY:%d-%m-%Y}: 45 %."


# --- Planes de la mesa -----------------------------------------------------------------------------------------


def test_planes_de_la_mesa(
    mesa, coordinador, acuerdo, director, org_zapallar, org_papudo, directora_papudo, org_ajena, ajeno
):
    plan, linea = plan_con_linea(org_zapallar, director, titulo="Plan de Zapallar")
    atrasada = planes_services.nodo_agregar(
        plan=plan, por=director, padre=linea, datos={"titulo": "Atrasada", "termino": HOY - timedelta(days=2)}
    )
    services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=director, linea=linea)
    plan_con_linea(org_papudo, directora_papudo, titulo="Plan de Papudo", visibilidad="plataforma")
    plan_con_linea(org_papudo, directora_papudo, titulo="Borrador de Papudo", aprobar=False)
    plan_con_linea(org_ajena, ajeno, titulo="Plan de Santiago", visibilidad="plataforma")
    respuesta = cliente_de(director).get(f"/mesas/{mesa.pk}/planes/")
    assert respuesta.status_code == 200
    titulos = [p.titulo for p in respuesta.context["tablero"]["planes"]]
    assert sorted(titulos) == ["Plan de Papudo", "Plan de Zapallar"]  # not the draft of another organization
    assert respuesta.context["tablero"]["atrasadas"] == 1 and atrasada.termino < HOY
    assert [a.pk for a in respuesta.context["acuerdos"]] == [acuerdo.pk]
    pagina = respuesta.content.decode()
    assert "1 actividad atrasada" in pagina and "Compartir el protocolo de rondas." in pagina
    assert f'href="/mesas/{mesa.pk}/planes/"' in cliente_de(director).get(f"/mesas/{mesa.pk}/").content.decode()
    assert cliente_de(ajeno).get(f"/mesas/{mesa.pk}/planes/").status_code == 404


def test_planes_de_la_mesa_no_crece_en_consultas(
    mesa, coordinador, director, integrante, org_zapallar, django_assert_num_queries
):
    cliente = cliente_de(integrante)
    url = f"/mesas/{mesa.pk}/planes/"

    def agregar(n, desde):
        for i in range(desde, desde + n):
            plan, linea = plan_con_linea(org_zapallar, director, titulo=f"Plan {i}")
            planes_services.nodo_agregar(plan=plan, por=director, padre=linea, datos={"titulo": "A", "termino": HOY})
            acta = _acta(mesa, coordinador, [(f"Acuerdo {i}", org_zapallar, HOY, None)], numero=i + 1)
            services_actas.acuerdo_convertir_en_actividad(acuerdo=acta.acuerdos.get(), por=director, linea=linea)

    agregar(2, 0)
    cliente.get(url)
    with CaptureQueriesContext(connection) as pocas:
        cliente.get(url)
    agregar(5, 2)
    with django_assert_num_queries(len(pocas)):
        respuesta = cliente.get(url)
    assert len(respuesta.context["tablero"]["planes"]) == 7 and len(respuesta.context["acuerdos"]) == 7


def test_un_plan_cerrado_no_recibe_actividades(acuerdo, director, org_zapallar):
    plan, linea = plan_con_linea(org_zapallar, director)
    Plan.objects.filter(pk=plan.pk).update(estado=Plan.Estado.CERRADO)
    linea.refresh_from_db()
    with pytest.raises(ValidationError, match="cerrado"):
        services_actas.acuerdo_convertir_en_actividad(acuerdo=acuerdo, por=director, linea=linea)
