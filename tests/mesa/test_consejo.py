"""The consejo comunal de seguridad pública: created by its commune's directorate (one per commune), chaired by the
alcalde or a delegate, its institutional members against art. 104 B, the next session proposed a month on, the
yearly view against the legal minimum, and its acuerdos as activities of the plan comunal."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comunas.models import Comuna, Membresia, Provincia
from mesa import consejo as servicios
from mesa import services, services_actas
from mesa.models import IntegranteInstitucional, Mesa, Participacion, PuntoTabla, Sesion
from nucleo.models import Aviso
from planes import services as planes_services
from tests.conftest import cliente_de, con_dos_factores, crear_organizacion, miembro
from tests.mesa.utiles import consejo_de, crear_mesa, crear_sesion, plan_con_linea
from tests.mesa.utiles_participantes import ics

pytestmark = pytest.mark.django_db


def _local(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def consejo(org_zapallar, director, coordinador):
    return consejo_de(org_zapallar, director, coordinador=coordinador)


# --- Creating it ----------------------------------------------------------------------------------------


def test_la_direccion_crea_el_consejo_de_su_comuna(director, org_zapallar):
    director = con_dos_factores(director)  # coordinating it will ask for the second step
    cliente = cliente_de(director)
    assert "Crear el consejo comunal de Zapallar" in cliente.get("/mesas/").content.decode()
    formulario = cliente.get("/mesas/consejo/nuevo/").content.decode()
    assert "Crear el consejo comunal de Zapallar" in formulario
    datos = {"anfitriona": org_zapallar.pk, "presidencia_nombre": "Gustavo Alcalde", "presidencia_cargo": ""}
    respuesta = cliente.post("/mesas/consejo/nuevo/", datos)
    assert respuesta.status_code == 400 and not Mesa.objects.exists()  # who chairs it, with their post
    respuesta = cliente.post("/mesas/consejo/nuevo/", {**datos, "presidencia_cargo": "Alcalde de Zapallar"})
    consejo = Mesa.objects.get()
    assert respuesta.url == f"/mesas/{consejo.pk}/"
    assert consejo.es_consejo and consejo.comuna.nombre == "Zapallar"
    assert consejo.nombre == "Consejo comunal de seguridad pública de Zapallar"
    assert (consejo.presidencia_nombre, consejo.presidencia_cargo) == ("Gustavo Alcalde", "Alcalde de Zapallar")
    assert "Ley 20.965" in consejo.descripcion
    assert list(consejo.coordinadores.all()) == [director]
    assert consejo.participaciones.get().estado == Participacion.Estado.ACEPTADA

    # One per commune: the button goes away and the form sends her to the consejo.
    cliente.force_login(director)
    assert "Crear el consejo comunal" not in cliente.get("/mesas/").content.decode()
    assert cliente.get("/mesas/consejo/nuevo/").url == f"/mesas/{consejo.pk}/"
    with pytest.raises(ValidationError, match="ya tiene su consejo"):
        servicios.consejo_crear(anfitriona=org_zapallar, por=director, presidencia_nombre="X", presidencia_cargo="Y")


def test_la_base_de_datos_admite_un_solo_consejo_por_comuna(consejo, org_zapallar):
    with pytest.raises(IntegrityError), transaction.atomic():
        Mesa.objects.create(tipo="consejo", comuna=consejo.comuna, nombre="Otro", anfitriona=org_zapallar)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mesa.objects.create(tipo="consejo", nombre="Sin comuna", anfitriona=org_zapallar)


def test_solo_la_direccion_de_una_comuna_crea_su_consejo(integrante, lector, org_zapallar, admin, dpa):
    for persona in (integrante, lector):
        assert cliente_de(persona).get("/mesas/consejo/nuevo/").status_code == 403
        assert "Crear el consejo comunal" not in cliente_de(persona).get("/mesas/").content.decode()
    delegacion = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    delegado = miembro(delegacion, "director@petorca.test", Membresia.Rol.DIRECTOR)
    assert cliente_de(delegado).get("/mesas/consejo/nuevo/").status_code == 403
    with pytest.raises(PermissionDenied):
        servicios.consejo_crear(anfitriona=org_zapallar, por=delegado, presidencia_nombre="X", presidencia_cargo="Y")
    # Staff chooses the commune.
    papudo = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    assert "Crear un consejo comunal" in cliente_de(admin).get("/mesas/").content.decode()
    datos = {"anfitriona": papudo.pk, "presidencia_nombre": "Rosa Alcaldesa", "presidencia_cargo": "Alcaldesa"}
    assert cliente_de(admin).post("/mesas/consejo/nuevo/", datos).status_code == 302
    assert Mesa.objects.get().comuna.nombre == "Papudo"


def test_la_coordinacion_edita_la_presidencia(consejo, coordinador, director):
    url = f"/mesas/{consejo.pk}/consejo/"
    assert cliente_de(director).get(url).status_code == 403
    datos = {
        "presidencia_nombre": "Ana Administradora",
        "presidencia_cargo": "Administradora municipal, por delegación",
    }
    assert cliente_de(coordinador).post(url, {**datos, "descripcion": "Consejo de Zapallar."}).status_code == 302
    consejo.refresh_from_db()
    assert consejo.presidencia_nombre == "Ana Administradora"
    pagina = cliente_de(director).get(f"/mesas/{consejo.pk}/").content.decode()
    assert "Ana Administradora" in pagina and "por delegación" in pagina
    mesa = crear_mesa(consejo.anfitriona, coordinador, nombre="Mesa intercomunal")
    assert cliente_de(coordinador).get(f"/mesas/{mesa.pk}/consejo/").status_code == 404  # not a consejo


# --- Institutional members ------------------------------------------------------------------------------


def test_los_integrantes_institucionales_y_la_integracion_minima(consejo, coordinador, director):
    url = f"/mesas/{consejo.pk}/integrantes/"
    cliente = cliente_de(coordinador)
    datos = {
        "institucion": "carabineros",
        "unidad": "1.ª Comisaría de Zapallar",
        "nombre": "Cristián Carabinero",
        "cargo": "Capitán",
        "email": "capitan@carabineros.test",
    }
    respuesta = cliente.post(url, datos, follow=True)
    assert "Cristián Carabinero quedó registrado(a)" in respuesta.content.decode()
    repetido = cliente.post(url, {**datos, "nombre": "Otro", "email": "CAPITAN@carabineros.test"})
    assert (
        repetido.status_code == 400 and "Ya hay un integrante del consejo con ese correo." in repetido.content.decode()
    )
    cliente.post(url, {"institucion": "concejo", "nombre": "Concejala Uno", "cargo": "Concejala"})
    assert IntegranteInstitucional.objects.filter(mesa=consejo).count() == 2

    pagina = cliente_de(director).get(f"/mesas/{consejo.pk}/").content.decode()  # every member reads them
    assert "Cristián Carabinero" in pagina and "Carabineros de Chile, 1.ª Comisaría de Zapallar" in pagina
    assert "Concejo municipal (1 de 2)" in pagina and "PDI" in pagina  # still missing, by art. 104 B
    assert "capitan@carabineros.test" not in pagina  # the e-mails, only on the coordination's page
    assert cliente_de(director).get(url).status_code == 403

    for institucion, requeridos in IntegranteInstitucional.REQUERIDOS.items():
        for i in range(requeridos):
            servicios.integrante_agregar(consejo=consejo, por=coordinador, institucion=institucion, nombre=f"{i}")
    assert (
        "Están registradas todas las instituciones"
        in cliente_de(director).get(f"/mesas/{consejo.pk}/").content.decode()
    )

    integrante = IntegranteInstitucional.objects.get(nombre="Cristián Carabinero")
    editado = cliente.post(f"/mesas/integrantes/{integrante.pk}/editar/", {**datos, "cargo": "Mayor"})
    assert editado.status_code == 302 and IntegranteInstitucional.objects.get(pk=integrante.pk).cargo == "Mayor"
    assert cliente_de(director).post(f"/mesas/integrantes/{integrante.pk}/quitar/").status_code == 403
    assert cliente.post(f"/mesas/integrantes/{integrante.pk}/quitar/").status_code == 302
    assert not IntegranteInstitucional.objects.filter(pk=integrante.pk).exists()


def test_una_mesa_intercomunal_no_tiene_integrantes_institucionales(org_zapallar, coordinador):
    mesa = crear_mesa(org_zapallar, coordinador)
    assert cliente_de(coordinador).get(f"/mesas/{mesa.pk}/integrantes/").status_code == 404
    with pytest.raises(ValidationError, match="Solo un consejo comunal"):
        servicios.integrante_agregar(consejo=mesa, por=coordinador, institucion="pdi", nombre="X")


# --- The monthly cadence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ultima", "anio", "mes", "esperada"),
    [
        (date(2026, 3, 10), 2026, 4, date(2026, 4, 14)),  # 2nd Tuesday
        (date(2026, 1, 29), 2026, 2, date(2026, 2, 26)),  # 5th Thursday → the last one
        (date(2026, 3, 31), 2026, 4, date(2026, 4, 28)),  # 5th Tuesday → the last one
        (date(2026, 12, 1), 2027, 1, date(2027, 1, 5)),  # 1st Tuesday, next year
        (date(2026, 3, 26), 2026, 4, date(2026, 4, 23)),  # 4th Thursday stays the 4th
    ],
)
def test_el_mismo_dia_del_mes(ultima, anio, mes, esperada):
    assert servicios.dia_equivalente(ultima, anio, mes) == esperada


def test_se_propone_la_proxima_sesion_un_mes_despues(consejo, coordinador, director):
    sesion = Sesion.objects.create(
        mesa=consejo,
        numero=1,
        inicio=_local(2026, 3, 10, 10, 0),
        fin=_local(2026, 3, 10, 12, 0),
        modalidad=Sesion.Modalidad.HIBRIDA,
        lugar="Salón del Concejo",
        enlace="https://reuniones.example/consejo",
        recordatorios=[24 * 60],
        estado=Sesion.Estado.REALIZADA,
    )
    PuntoTabla.objects.create(sesion=sesion, orden=1, titulo="Aprobación del acta anterior", duracion_minutos=10)
    PuntoTabla.objects.create(
        sesion=sesion, orden=2, titulo="Cuenta de Carabineros", expositor="Capitán Pérez", duracion_minutos=20
    )
    url = f"/mesas/{consejo.pk}/sesiones/proxima/"
    with time_machine.travel(_local(2026, 3, 20, 9, 0), tick=False):
        assert (
            "Proponer la próxima sesión (un mes después)"
            in cliente_de(coordinador).get(f"/mesas/{consejo.pk}/").content.decode()
        )
        assert cliente_de(director).get(url).status_code == 403
        pagina = cliente_de(coordinador).get(url).content.decode()
        assert "el segundo martes de cada mes" in pagina and "martes 14 de abril de 2026, 10:00" in pagina
        assert 'value="2026-04-14T10:00"' in pagina and 'value="2026-04-14T12:00"' in pagina
        assert 'value="Salón del Concejo"' in pagina and 'value="24"' in pagina
        datos = {
            "tipo": "ordinaria",
            "inicio": "2026-04-14T10:00",
            "fin": "2026-04-14T12:00",
            "modalidad": "hibrida",
            "lugar": "Salón del Concejo",
            "enlace": "https://reuniones.example/consejo",
            "recordatorios": "24",
            "copiar_tabla": "on",
        }
        respuesta = cliente_de(coordinador).post(url, datos, follow=True)
    assert "Sesión n.º 2 creada en borrador para el martes 14 de abril de 2026, 10:00." in respuesta.content.decode()
    nueva = consejo.sesiones.get(numero=2)
    assert (nueva.estado, nueva.inicio, nueva.recordatorios) == ("borrador", _local(2026, 4, 14, 10), [24 * 60])
    assert list(nueva.puntos.values_list("titulo", "expositor")) == [
        ("Aprobación del acta anterior", ""),
        ("Cuenta de Carabineros", "Capitán Pérez"),
    ]


def test_la_propuesta_salta_los_meses_ya_pasados_y_no_copia_la_tabla_si_no_se_pide(consejo, coordinador):
    Sesion.objects.create(
        mesa=consejo, numero=1, inicio=_local(2026, 1, 6, 9), fin=_local(2026, 1, 6, 10, 30), lugar="Salón municipal"
    )
    with time_machine.travel(_local(2026, 5, 1, 9, 0), tick=False):
        inicial, ultima, regla = servicios.proponer_proxima(consejo)
        assert (inicial["inicio"], inicial["fin"]) == (_local(2026, 5, 5, 9), _local(2026, 5, 5, 10, 30))
        assert regla == "el primer martes de cada mes"
        datos = {k: v for k, v in inicial.items() if k not in ("copiar_tabla", "recordatorios")}
        sesion = servicios.sesion_proxima_crear(mesa=consejo, por=coordinador, copiar_tabla=False, **datos)
    assert sesion.numero == 2 and not sesion.puntos.exists()


def test_sin_sesiones_no_hay_propuesta(consejo, coordinador):
    respuesta = cliente_de(coordinador).get(f"/mesas/{consejo.pk}/sesiones/proxima/")
    assert respuesta.url == f"/mesas/{consejo.pk}/sesiones/nueva/"
    assert "Proponer la próxima sesión" not in cliente_de(coordinador).get(f"/mesas/{consejo.pk}/").content.decode()


def test_el_consejo_convoca_como_una_mesa(
    consejo, coordinador, director, integrante, django_capture_on_commit_callbacks
):
    sesion = crear_sesion(consejo)
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    convocados = set(Aviso.objects.filter(sesion=sesion, plantilla="sesion_convocada").values_list("para", flat=True))
    assert {director.email, integrante.email, coordinador.email} <= convocados


def test_los_integrantes_institucionales_reciben_la_convocatoria_como_invitados(
    consejo, coordinador, director, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    datos = {"consejo": consejo, "por": coordinador, "cargo": ""}
    servicios.integrante_agregar(
        **datos, institucion="carabineros", unidad="1.ª Comisaría", nombre="Cristián Carabinero", email="Cap@Car.test"
    )
    servicios.integrante_agregar(**datos, institucion="pdi", unidad="", nombre="Sin Correo", email="")
    servicios.integrante_agregar(**datos, institucion="concejo", unidad="", nombre="Directora", email=director.email)
    sesion = crear_sesion(consejo)
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    [invitado] = sesion.invitados.all()  # no e-mail: nobody to write to; a member: convened with her account
    assert (invitado.email, invitado.institucion) == ("cap@car.test", "Carabineros de Chile — 1.ª Comisaría")
    para_el = [m for m in mailoutbox if m.to == ["cap@car.test"]]
    assert len(para_el) == 1 and para_el[0].subject.startswith("Sesión ")
    assert ics(para_el[0])[0] == "REQUEST"
    assert len([m for m in mailoutbox if m.to == [director.email]]) == 1  # once, as a member


# --- The yearly view ------------------------------------------------------------------------------------


def _sesion_en(mesa, numero, inicio, estado):
    return Sesion.objects.create(
        mesa=mesa, numero=numero, inicio=inicio, fin=inicio + timedelta(hours=2), estado=estado
    )


def test_la_vista_anual_cuenta_las_sesiones_realizadas_contra_el_minimo_legal(consejo, coordinador, director):
    Mesa.objects.filter(pk=consejo.pk).update(creada=_local(2026, 2, 15, 12))
    consejo.refresh_from_db()
    _sesion_en(consejo, 1, _local(2026, 2, 20, 10), Sesion.Estado.REALIZADA)
    _sesion_en(consejo, 2, _local(2026, 3, 17, 10), Sesion.Estado.REALIZADA)
    _sesion_en(consejo, 3, _local(2026, 3, 31, 10), Sesion.Estado.REALIZADA)  # an extraordinary one
    _sesion_en(consejo, 4, _local(2026, 4, 21, 10), Sesion.Estado.CANCELADA)
    _sesion_en(consejo, 5, _local(2026, 6, 16, 10), Sesion.Estado.CONVOCADA)
    _sesion_en(consejo, 6, _local(2026, 7, 21, 10), Sesion.Estado.BORRADOR)
    with time_machine.travel(_local(2026, 6, 5, 9, 0), tick=False):
        resumen = servicios.resumen_anual(consejo, 2026, coordina=False)
        estados = [m["estado"] for m in resumen["meses"]]
        assert estados == ["sin_registro", "cumplido", "cumplido", "falta", "falta", "en_curso"] + ["por_venir"] * 6
        cifras = ("realizadas", "meses_con_sesion", "exigibles", "minimo", "faltan")
        assert [resumen[c] for c in cifras] == [3, 2, 11, 12, 9]  # counted from February, its registration
        assert sum(len(m["sesiones"]) for m in resumen["meses"]) == 5  # the draft is the coordination's
        assert len(servicios.resumen_anual(consejo, 2026, coordina=True)["meses"][6]["sesiones"]) == 1
        pagina = cliente_de(director).get(f"/mesas/{consejo.pk}/anual/?anio=2026").content.decode()
    assert "Sesiones de 2026" in pagina and "Sesiones realizadas: 3" in pagina
    assert "Meses con sesión realizada: 2 de 11" in pagina and "Se cuentan los meses desde febrero de 2026" in pagina
    assert "Mínimo legal: una sesión al mes, 12 al año" in pagina and "Faltan 9 meses" in pagina
    assert "Antes de su registro en la plataforma" in pagina and "Sin sesión realizada" in pagina
    assert "En curso: sesión convocada" in pagina


def test_la_vista_anual_de_una_mesa_no_exige_minimo_y_avisa_un_anio_invalido(org_zapallar, coordinador, director):
    mesa = crear_mesa(org_zapallar, coordinador)
    pagina = cliente_de(director).get(f"/mesas/{mesa.pk}/anual/?anio=dos-mil").content.decode()
    anio = timezone.localdate().year
    assert f"«dos-mil» no es un año; se muestra {anio}." in pagina and f"Sesiones de {anio}" in pagina
    assert "Mínimo legal" not in pagina
    assert "se muestra" in cliente_de(director).get(f"/mesas/{mesa.pk}/anual/?anio=1850").content.decode()


def test_la_vista_anual_en_consultas_fijas(consejo, director):
    def consultas():
        cliente = cliente_de(director)
        cliente.get(f"/mesas/{consejo.pk}/anual/?anio=2026")
        with CaptureQueriesContext(connection) as capturadas:
            assert cliente.get(f"/mesas/{consejo.pk}/anual/?anio=2026").status_code == 200
        return len(capturadas)

    _sesion_en(consejo, 1, _local(2026, 1, 13, 10), Sesion.Estado.REALIZADA)
    una = consultas()
    for numero in range(2, 13):
        _sesion_en(consejo, numero, _local(2026, numero, 10, 10), Sesion.Estado.REALIZADA)
    assert consultas() == una
    pagina = cliente_de(director).get(f"/mesas/{consejo.pk}/anual/?anio=2026").content.decode()
    assert "Meses con sesión realizada: 12 de 12" in pagina and "Cumplido." in pagina


# --- Acuerdos become activities of the plan comunal -------------------------------------------------------


def test_un_acuerdo_del_consejo_se_vuelve_actividad_del_plan_comunal(consejo, coordinador, director, org_zapallar):
    plan, linea = plan_con_linea(
        org_zapallar, director, titulo="Plan comunal de seguridad pública de Zapallar", tipo="comunal", aprobar=False
    )
    hoy = timezone.localdate()
    planes_services.aprobacion_registrar(plan=plan, por=director, tipo="opinion_consejo", fecha=hoy)
    planes_services.aprobacion_registrar(plan=plan, por=director, tipo="concejo", fecha=hoy, numero_acuerdo="123")
    sesion = crear_sesion(consejo, estado=Sesion.Estado.CONVOCADA, dias=-1)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[director.pk])
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinador)
    acuerdo = services_actas.acuerdo_agregar(
        acta=acta,
        por=coordinador,
        descripcion="Carabineros y la dirección harán rondas mixtas en la plaza los viernes.",
        organizacion=org_zapallar,
        plazo=timezone.localdate() + timedelta(days=30),
    )
    services_actas.acta_aprobar(acta=acta, por=coordinador)
    url = f"/mesas/acuerdos/{acuerdo.pk}/actividad/"
    assert "Plan comunal de seguridad pública de Zapallar" in cliente_de(director).get(url).content.decode()
    respuesta = cliente_de(director).post(url, {"linea": linea.pk})
    acuerdo.refresh_from_db()
    assert acuerdo.actividad.plan == plan and respuesta.url.endswith(f"#nodo-{acuerdo.actividad.pk}")
    assert "Consejo comunal de seguridad pública de Zapallar" in acuerdo.actividad.descripcion


def test_el_horario_del_consejo_es_local(consejo):
    assert servicios.regla_mensual(date(2026, 3, 10)) == "el segundo martes de cada mes"
    assert servicios.fecha_larga(_local(2026, 4, 14, 10)).startswith("martes 14 de abril de 2026")
