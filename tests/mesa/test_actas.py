"""After the session: the acta (draft, comments, approval, publication with PDF) and its acuerdos."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from comunas.models import Comuna, Membresia
from mesa import services, services_actas
from mesa.models import Acta, Acuerdo, ComentarioActa, Sesion
from nucleo.models import Aviso
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


@pytest.fixture
def realizada(mesa, coordinador, director, integrante, lector):
    """Session n.º 1, held yesterday, two agenda items; the director and the coordinator attended."""
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1, puntos=2)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[director.pk, coordinador.pk])
    return sesion


@pytest.fixture
def acta(realizada, coordinador):
    return services_actas.acta_redactar(sesion=realizada, por=coordinador)


def _url(sesion, accion=""):
    return f"/mesas/sesiones/{sesion.pk}/acta/{accion}"


def test_redactar_crea_una_seccion_por_punto_con_la_asistencia(realizada, coordinador):
    cliente = cliente_de(coordinador)
    assert "Redactar el acta" in cliente.get(f"/mesas/sesiones/{realizada.pk}/").content.decode()
    respuesta = cliente.post(_url(realizada, "redactar/"))
    assert respuesta.status_code == 302 and respuesta.url == _url(realizada, "editar/")
    acta = Acta.objects.get(sesion=realizada)
    assert [s.titulo for s in acta.secciones.all()] == ["Punto 1", "Punto 2"]
    formulario = cliente.get(_url(realizada, "editar/")).content.decode()
    assert "1. Punto 1" in formulario and "2. Punto 2" in formulario
    [s1, s2] = acta.secciones.all()
    cliente.post(
        _url(realizada, "editar/"),
        {"resumen": "Sesión inaugural.", f"seccion_{s1.pk}": "Se presentó el diagnóstico.", f"seccion_{s2.pk}": ""},
    )
    html = cliente.get(_url(realizada)).content.decode()
    assert "Se presentó el diagnóstico." in html and "Sesión inaugural." in html
    # Attendance is filled in from what was recorded: present and absent, per organization.
    assert "Rodrigo Director" in html and "ausentes:" in html and "Laura Lectora" in html
    assert services_actas.acta_redactar(sesion=realizada, por=coordinador) == acta  # idempotent


def test_solo_se_redacta_una_sesion_realizada(mesa, coordinador):
    convocada = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    with pytest.raises(ValidationError, match="después de registrar la asistencia"):
        services_actas.acta_redactar(sesion=convocada, por=coordinador)


def test_el_borrador_solo_lo_ve_la_coordinacion(acta, realizada, director, coordinador, ajeno):
    assert cliente_de(director).get(_url(realizada)).status_code == 404
    assert cliente_de(ajeno).get(_url(realizada)).status_code == 404
    assert cliente_de(director).post(_url(realizada, "circular/")).status_code == 403
    assert cliente_de(coordinador).get(_url(realizada)).status_code == 200


def test_circular_avisa_a_los_miembros_que_comentan(
    acta, realizada, coordinador, director, integrante, lector, ajeno, celery_eager, django_capture_on_commit_callbacks
):
    plazo = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_de(coordinador).post(
            _url(realizada, "circular/"), {"plazo_comentarios": plazo.isoformat()}, follow=True
        )
    assert "Acta enviada a los miembros" in respuesta.content.decode()
    acta.refresh_from_db()
    assert acta.estado == Acta.Estado.EN_REVISION
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (coordinador, director, integrante, lector))
    correo = next(m for m in mail.outbox if m.to == [director.email])
    assert correo.subject.startswith("Acta para comentarios hasta el")
    assert "sesión n.º 1" in correo.subject
    assert f"/mesas/sesiones/{realizada.pk}/acta/" in correo.body
    assert all(a.estado == Aviso.Estado.ENVIADO for a in Aviso.objects.filter(clave__startswith="acta_circulada"))

    cliente = cliente_de(director)
    assert "Su comentario" in cliente.get(_url(realizada)).content.decode()
    cliente.post(_url(realizada, "comentar/"), {"texto": "Falta la cifra de Papudo en el punto 2."})
    assert ComentarioActa.objects.get().autor == director
    assert "Falta la cifra de Papudo" in cliente_de(coordinador).get(_url(realizada)).content.decode()
    assert cliente_de(ajeno).post(_url(realizada, "comentar/"), {"texto": "x"}).status_code == 404


def test_aprobar_y_publicar_envia_el_aviso_con_el_pdf(
    acta, realizada, coordinador, director, celery_eager, django_capture_on_commit_callbacks
):
    services_actas.acta_circular(acta=acta, por=coordinador)
    cliente = cliente_de(coordinador)
    assert cliente_de(director).get(_url(realizada).replace("acta/", "acta.pdf")).status_code == 404  # not yet
    cliente.post(_url(realizada, "aprobar/"), {"en_sesion": ""})
    acta.refresh_from_db()
    assert (acta.estado, acta.aprobada_por) == (Acta.Estado.APROBADA, coordinador)
    assert acta.pdf_aprobado  # kept at approval
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente.post(_url(realizada, "publicar/"), follow=True)
    assert "Acta publicada" in respuesta.content.decode()
    correo = next(m for m in mail.outbox if m.to == [director.email])
    assert correo.subject == f"Acta publicada: sesión n.º 1 de la {realizada.mesa}"
    assert f"/mesas/sesiones/{realizada.pk}/acta.pdf" in correo.body
    pdf = cliente_de(director).get(f"/mesas/sesiones/{realizada.pk}/acta.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    with pytest.raises(ValidationError, match="ya no se modifica"):
        services_actas.acta_guardar(acta=acta, por=coordinador, resumen="Cambio tardío", textos={})


def test_aprobada_en_la_sesion_siguiente(acta, realizada, coordinador, mesa):
    siguiente = crear_sesion(mesa, numero=2, estado=Sesion.Estado.CONVOCADA, dias=7)
    with pytest.raises(ValidationError):
        services_actas.acta_aprobar(acta=acta, por=coordinador, en_sesion=siguiente)  # not held yet
    with time_machine.travel(siguiente.inicio + timedelta(minutes=10), tick=False):
        services.asistencia_registrar(sesion=siguiente, por=coordinador, presentes=[])
        cliente = cliente_de(coordinador)
        assert "(n.º 2)" in cliente.get(_url(realizada, "aprobar/")).content.decode()
        cliente.post(_url(realizada, "aprobar/"), {"en_sesion": siguiente.pk})
        acta.refresh_from_db()
        assert acta.aprobada_en_sesion == siguiente
        assert acta.estado == Acta.Estado.APROBADA
        assert "Aprobada en la sesión del" in cliente.get(_url(realizada)).content.decode()


def test_solo_la_coordinacion_aprueba(acta, director):
    with pytest.raises(PermissionDenied):
        services_actas.acta_aprobar(acta=acta, por=director)


# --- Acuerdos -------------------------------------------------------------------------------------------


@pytest.fixture
def org_papudo(dpa, mesa, coordinador):
    org = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    services.mesa_invitar(mesa=mesa, organizacion=org, por=coordinador)
    return org


def test_acuerdo_con_responsable_y_plazo(acta, realizada, coordinador, org_zapallar, org_papudo):
    cliente = cliente_de(coordinador)
    formulario = cliente.get(_url(realizada, "acuerdos/nuevo/")).content.decode()
    assert org_zapallar.nombre in formulario and org_papudo.nombre not in formulario  # only accepted ones
    datos = {"descripcion": "Compartir el protocolo de rondas.", "organizacion": org_zapallar.pk, "plazo": "2030-03-31"}
    assert cliente.post(_url(realizada, "acuerdos/nuevo/"), datos).status_code == 302
    acuerdo = Acuerdo.objects.get()
    assert (acuerdo.organizacion, acuerdo.plazo, acuerdo.estado) == (org_zapallar, date(2030, 3, 31), "pendiente")
    with pytest.raises(ValidationError):
        services_actas.acuerdo_agregar(
            acta=acta, por=coordinador, descripcion="x", organizacion=org_papudo, plazo=date(2030, 1, 1)
        )
    assert "Compartir el protocolo de rondas." in cliente.get(_url(realizada)).content.decode()


def test_vencido_se_calcula(acta, coordinador, org_zapallar):
    acuerdo = services_actas.acuerdo_agregar(
        acta=acta, por=coordinador, descripcion="Mapa de calor", organizacion=org_zapallar, plazo=date(2031, 5, 10)
    )
    with time_machine.travel(timezone.make_aware(timezone.datetime(2031, 5, 10, 23, 0)), tick=False):
        assert not acuerdo.vencido and acuerdo.estado_visible == "Pendiente"
    with time_machine.travel(timezone.make_aware(timezone.datetime(2031, 5, 11, 0, 30)), tick=False):
        assert acuerdo.vencido and acuerdo.estado_visible == "Vencido"
        assert list(Acuerdo.objects.vencidos()) == [acuerdo]
        acuerdo.estado = Acuerdo.Estado.CUMPLIDO
        assert not acuerdo.vencido


def test_la_organizacion_responsable_actualiza_el_estado(acta, coordinador, director, lector, org_zapallar):
    acuerdo = services_actas.acuerdo_agregar(
        acta=acta, por=coordinador, descripcion="Mapa de calor", organizacion=org_zapallar, plazo=date(2031, 5, 10)
    )
    services_actas.acta_aprobar(acta=acta, por=coordinador)
    cliente = cliente_de(director)
    assert "Mapa de calor" in cliente.get("/mesas/acuerdos/").content.decode()
    respuesta = cliente.post(
        f"/mesas/acuerdos/{acuerdo.pk}/estado/", {"estado": "cumplido", "siguiente": "/mesas/acuerdos/"}
    )
    assert respuesta.url == "/mesas/acuerdos/"
    acuerdo.refresh_from_db()
    assert acuerdo.estado == Acuerdo.Estado.CUMPLIDO and acuerdo.cumplido_en is not None
    with pytest.raises(PermissionDenied):
        services_actas.acuerdo_cambiar_estado(acuerdo=acuerdo, por=lector, estado="en_curso")


# --- The weekly digest ----------------------------------------------------------------------------------


@pytest.fixture
def con_acuerdos(acta, coordinador, org_zapallar, mesa, dpa):
    """Zapallar owns an overdue and an open acuerdo and a fulfilled one; Petorca (member) owns one."""
    from comunas.models import Provincia

    petorca = crear_organizacion(provincia=Provincia.objects.get(codigo="054"))
    services.mesa_invitar(mesa=mesa, organizacion=petorca, por=coordinador)
    services.participacion_aceptar(participacion=mesa.participaciones.get(organizacion=petorca), por=coordinador)
    miembro(petorca, "director@petorca.test", Membresia.Rol.DIRECTOR, nombre="Pedro Provincial")
    for texto, org, plazo in [
        ("Vencido de Zapallar", org_zapallar, date(2031, 3, 1)),
        ("En plazo de Zapallar", org_zapallar, date(2031, 6, 1)),
        ("Cumplido de Zapallar", org_zapallar, date(2031, 6, 1)),
        ("De Petorca", petorca, date(2031, 6, 1)),
    ]:
        services_actas.acuerdo_agregar(acta=acta, por=coordinador, descripcion=texto, organizacion=org, plazo=plazo)
    Acuerdo.objects.filter(descripcion__startswith="Cumplido").update(estado=Acuerdo.Estado.CUMPLIDO)
    return petorca


def test_resumen_semanal_de_acuerdos(
    con_acuerdos, acta, coordinador, director, celery_eager, django_capture_on_commit_callbacks
):
    from mesa.tasks import acuerdos_semana_task

    with time_machine.travel(timezone.make_aware(timezone.datetime(2031, 3, 17, 8, 0)), tick=False):
        acuerdos_semana_task()
        assert Aviso.objects.count() == 0  # the acta is still a draft: nothing binds yet
        services_actas.acta_aprobar(acta=acta, por=coordinador)
        with django_capture_on_commit_callbacks(execute=True):
            acuerdos_semana_task()
        with django_capture_on_commit_callbacks(execute=True):
            acuerdos_semana_task()  # the same ISO week: nothing new
    # Zapallar's four members and Petorca's director, once each.
    assert len(mail.outbox) == 5
    correo = next(m for m in mail.outbox if m.to == [director.email])
    assert correo.subject == f"Acuerdos abiertos de {director.membresias.get().organizacion}: 1 vencido"
    assert "Vencido de Zapallar" in correo.body and "En plazo de Zapallar" in correo.body
    assert "Cumplido" not in correo.body and "De Petorca" not in correo.body
    assert "/mesas/acuerdos/" in correo.body
    petorca = next(m for m in mail.outbox if m.to == ["director@petorca.test"])
    assert "De Petorca" in petorca.body and "Vencido de Zapallar" not in petorca.body
    assert Aviso.objects.filter(clave__startswith=f"acuerdos_semana:{con_acuerdos.pk}:2031-W12:").count() == 1

    with time_machine.travel(timezone.make_aware(timezone.datetime(2031, 3, 24, 8, 0)), tick=False):
        acuerdos_semana_task()
    assert Aviso.objects.filter(clave__contains=":2031-W13:").count() == 5  # a new week, a new reminder


def test_resumen_semanal_esta_en_el_calendario_de_beat():
    from mesa.celery import _schedule

    entrada = _schedule()["acuerdos_semana"]
    assert entrada["task"] == "mesa.tasks.acuerdos_semana_task"
    assert entrada["schedule"].day_of_week == {1}
