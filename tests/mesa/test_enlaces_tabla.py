"""Draft titles do not leak through the agenda (issue 11, item 7): an item links only what every member of the
mesa may see, and a link that some reader may not see is not shown to them, on the page or in the e-mails."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from mesa import services
from mesa.models import PuntoTabla, Sesion
from tests.conftest import cliente_de
from tests.diagnosticos.utiles import crear_diagnostico
from tests.mesa.utiles import crear_mesa, crear_sesion
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, org_ajena, coordinador, ajeno):
    """Zapallar hosts; org_ajena (directed by `ajeno`) takes part."""
    mesa = crear_mesa(org_zapallar, coordinador)
    services.mesa_invitar(mesa=mesa, organizacion=org_ajena, por=coordinador)
    services.participacion_aceptar(participacion=mesa.participaciones.get(organizacion=org_ajena), por=ajeno)
    return mesa


def test_la_coordinacion_no_puede_enlazar_un_borrador_que_otros_miembros_no_ven(mesa, coordinador, director):
    borrador = crear_practica(mesa.anfitriona, director, titulo="Plan reservado de cámaras")
    diagnostico = crear_diagnostico(mesa.anfitriona, director, titulo="Diagnóstico en borrador")
    publicada = crear_practica(mesa.anfitriona, director, titulo="Rondas mixtas", estado="publicada")
    sesion = crear_sesion(mesa, puntos=0)
    cliente = cliente_de(coordinador)
    url = f"/mesas/sesiones/{sesion.pk}/tabla/"
    formulario = cliente.get(url).content.decode()
    assert "Rondas mixtas" in formulario  # she may see all three; only the published one is offered
    assert "Plan reservado de cámaras" not in formulario and "Diagnóstico en borrador" not in formulario
    datos = {"titulo": "Verano", "duracion_minutos": 20}
    for campo, objeto in (("practica", borrador), ("diagnostico", diagnostico)):
        respuesta = cliente.post(url, {**datos, campo: objeto.pk})
        assert respuesta.status_code == 200
        assert "Escoja una opción válida" in respuesta.content.decode()
    assert not sesion.puntos.exists()
    with pytest.raises(ValidationError) as error:
        services.punto_agregar(sesion=sesion, por=coordinador, titulo="Verano", practica=borrador)
    assert error.value.message_dict == {
        "practica": ["Solo se enlaza una práctica publicada que todos los miembros de la mesa puedan ver."]
    }
    with pytest.raises(ValidationError, match="Solo se enlaza un diagnóstico publicado"):
        services.punto_agregar(sesion=sesion, por=coordinador, titulo="Verano", diagnostico=diagnostico)
    assert cliente.post(url, {**datos, "practica": publicada.pk}).status_code == 302
    assert sesion.puntos.get().practica == publicada


def test_visibilidad_mesa_se_enlaza_si_su_organizacion_participa(mesa, coordinador, director):
    propia = crear_practica(mesa.anfitriona, director, titulo="De la mesa", estado="publicada", visibilidad="mesa")
    sesion = crear_sesion(mesa, puntos=0)
    punto = services.punto_agregar(sesion=sesion, por=coordinador, titulo="Uno", practica=propia)
    assert punto.practica == propia


def test_un_enlace_que_un_miembro_no_ve_no_se_le_muestra_ni_llega_por_correo(
    mesa, coordinador, director, ajeno, django_capture_on_commit_callbacks
):
    """A link made before this rule (or a practice archived after being linked): the title stays with whoever
    may see it."""
    borrador = crear_practica(mesa.anfitriona, director, titulo="Plan reservado de cámaras")
    diagnostico = crear_diagnostico(mesa.anfitriona, director, titulo="Diagnóstico en borrador")
    sesion = crear_sesion(mesa, puntos=0)
    PuntoTabla.objects.create(sesion=sesion, orden=1, titulo="Seguridad en verano", practica=borrador,
                              diagnostico=diagnostico)  # fmt: skip
    url = f"/mesas/sesiones/{sesion.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    pagina = cliente_de(ajeno).get(url).content.decode()
    assert "Seguridad en verano" in pagina
    assert "Plan reservado de cámaras" not in pagina and "Diagnóstico en borrador" not in pagina
    assert f"/practicas/{borrador.pk}/" not in pagina
    propia = cliente_de(director).get(url).content.decode()  # his organization's drafts: he sees them
    assert "Plan reservado de cámaras" in propia and "Diagnóstico en borrador" in propia
    correos = [m for m in mail.outbox if sesion.mesa.nombre in m.subject or "Seguridad en verano" in m.body]
    assert {c.to[0] for c in correos} >= {ajeno.email, director.email}
    for correo in correos:
        html = correo.alternatives[0][0]
        assert "Seguridad en verano" in correo.body
        for texto in (correo.body, html):
            assert "Plan reservado de cámaras" not in texto and "Diagnóstico en borrador" not in texto
    assert Sesion.objects.get(pk=sesion.pk).estado == Sesion.Estado.CONVOCADA
