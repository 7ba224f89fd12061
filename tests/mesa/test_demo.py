import pytest
from django.core.management import call_command
from django.utils import timezone

from comunas.demo import CLAVE_DEMO
from comunas.models import Invitacion, Membresia, Organizacion, SolicitudAcceso, Usuario

pytestmark = pytest.mark.django_db


def _foto():
    return (
        sorted(Usuario.objects.values_list("email", "password", "is_staff")),
        sorted(Organizacion.objects.values_list("nombre", "comuna_id", "provincia_id", "estado")),
        sorted(Membresia.objects.values_list("usuario__email", "organizacion__nombre", "rol")),
        sorted(SolicitudAcceso.objects.values_list("usuario__email", "estado")),
        sorted(Invitacion.objects.values_list("email", "token_hash", "expira")),
    )


def test_demo_crea_la_mesa_de_zapallar_y_es_idempotente(capsys):
    call_command("demo")
    salida = capsys.readouterr().out
    primera = _foto()
    call_command("demo")
    assert _foto() == primera

    activas = Organizacion.objects.activas()
    comunas = set(activas.exclude(comuna=None).values_list("comuna__nombre", flat=True))
    provincias = set(Organizacion.objects.exclude(provincia=None).values_list("provincia__nombre", flat=True))
    assert comunas == {"Zapallar", "Algarrobo", "Cartagena", "Santo Domingo", "Quilpué", "Villa Alemana"}
    assert provincias == {"Petorca", "Quillota", "Valparaíso"}
    assert list(Organizacion.objects.exclude(estado="activa").values_list("comuna__nombre", "estado")) == [
        ("Papudo", "pendiente")
    ]
    assert SolicitudAcceso.objects.get(estado="pendiente").usuario.email == "directora@papudo.example"
    assert Membresia.objects.filter(organizacion__comuna__nombre="Quilpué").count() == 3
    assert Invitacion.objects.filter(aceptada_en=None, revocada_en=None).count() == 1
    for org in Organizacion.objects.all():
        assert org.membresias.filter(rol=Membresia.Rol.DIRECTOR).count() == 1

    coordinadora = Usuario.objects.get(email="coordinacion@zapallar.example")
    assert coordinadora.membresias.get().organizacion.comuna.nombre == "Zapallar"
    admin = Usuario.objects.get(email="admin@mesa.example")
    assert admin.is_staff and admin.check_password(CLAVE_DEMO)

    assert CLAVE_DEMO in salida
    for email in Usuario.objects.values_list("email", flat=True):
        assert email in salida


def test_demo_de_la_mesa_de_zapallar(capsys):
    from mesa.models import Acta, Acuerdo, Asistencia, Mesa, Sesion
    from nucleo.models import Aviso

    call_command("demo")
    call_command("demo")  # idempotent
    mesa = Mesa.objects.get(tipo=Mesa.Tipo.MESA)
    assert mesa.anfitriona.comuna.nombre == "Zapallar"
    assert list(mesa.coordinadores.values_list("email", flat=True)) == ["coordinacion@zapallar.example"]
    assert mesa.participaciones.filter(estado="aceptada").count() == 9  # the host and the 8 other directorates
    primera, segunda = mesa.sesiones.order_by("numero")
    assert primera.estado == Sesion.Estado.REALIZADA and segunda.estado == Sesion.Estado.CONVOCADA
    assert Asistencia.objects.filter(sesion=primera, presente=True).count() >= 10
    # A Carabineros guest present, and Quilpué's director represented by her analyst; the quorum is kept.
    [invitado] = primera.invitados.all()
    assert invitado.institucion.startswith("Carabineros de Chile") and invitado.asistio
    assert not Usuario.objects.filter(email=invitado.email).exists()
    [subrogacion] = primera.subrogaciones.all()
    assert (subrogacion.titular.email, subrogacion.subrogante.email) == (
        "director@quilpue.example",
        "analista@quilpue.example",
    )
    assert Asistencia.objects.get(sesion=primera, usuario=subrogacion.subrogante).presente
    assert not Asistencia.objects.get(sesion=primera, usuario=subrogacion.titular).presente
    quorum = {"presentes": 9, "miembros": 9, "minimo": 5, "regla": "mayoría absoluta", "alcanzado": True}
    assert primera.quorum == quorum
    assert primera.acta.estado == Acta.Estado.APROBADA
    assert [s.texto != "" for s in primera.acta.secciones.all()] == [True, True, True]
    assert Acuerdo.objects.filter(acta=primera.acta).count() == 3
    assert segunda.puntos.count() == 3
    assert Aviso.objects.filter(sesion=segunda, clave__startswith="convocatoria").count() == len(
        {a.para for a in Aviso.objects.filter(sesion=segunda)}
    )


def test_demo_del_consejo_comunal_de_zapallar(capsys):
    from mesa.models import Acta, Acuerdo, IntegranteInstitucional, Mesa, Sesion

    def foto():
        return (
            sorted(Mesa.objects.values_list("pk", "tipo", "nombre", "presidencia_nombre")),
            sorted(IntegranteInstitucional.objects.values_list("pk", "institucion", "nombre")),
            sorted(Sesion.objects.values_list("pk", "mesa_id", "numero", "inicio", "estado")),
            sorted(Acuerdo.objects.values_list("pk", "descripcion", "plazo")),
        )

    call_command("demo")
    primera = foto()
    call_command("demo")
    assert foto() == primera  # idempotent

    consejo = Mesa.objects.get(tipo=Mesa.Tipo.CONSEJO)
    assert consejo.comuna.nombre == "Zapallar" and consejo.nombre.endswith("de Zapallar")
    assert consejo.presidencia_cargo == "Alcaldesa de Zapallar"
    assert list(consejo.coordinadores.values_list("email", flat=True)) == ["coordinacion@zapallar.example"]
    instituciones = set(consejo.integrantes_institucionales.values_list("institucion", flat=True))
    assert instituciones == set(IntegranteInstitucional.REQUERIDOS)  # art. 104 B, complete
    primera_sesion, segunda = consejo.sesiones.order_by("numero")
    assert primera_sesion.estado == segunda.estado == Sesion.Estado.REALIZADA
    assert primera_sesion.inicio < segunda.inicio < timezone.now()
    assert timezone.localtime(primera_sesion.inicio).weekday() == timezone.localtime(segunda.inicio).weekday() == 1
    for sesion in (primera_sesion, segunda):
        assert sesion.acta.estado == Acta.Estado.APROBADA
        assert sesion.asistencias.filter(presente=True).exists()
        assert Acuerdo.objects.filter(acta=sesion.acta).exists()
    assert segunda.puntos.filter(expositor="SENDA Previene Zapallar").exists()
