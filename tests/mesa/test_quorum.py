"""Quorum: a mesa sets it (a number of organizations, or a fraction of its members); the session page shows whether
it was met once attendance is recorded, and the session and its acta keep that result."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from mesa import services, services_actas
from mesa import services_participantes as participantes
from mesa.models import Mesa, ReglaQuorum, Sesion
from tests.conftest import cliente_de
from tests.mesa.utiles import crear_sesion
from tests.mesa.utiles_participantes import CARABINEROS, mesa_de_tres
from tests.pdf_texto import texto_de_pdf

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("regla", "minimos"),
    [
        (ReglaQuorum.MAYORIA_ABSOLUTA, {9: 5, 10: 6, 1: 1}),
        (ReglaQuorum.MITAD, {9: 5, 10: 5, 1: 1}),
        (ReglaQuorum.TRES_QUINTOS, {9: 6, 10: 6, 5: 3}),
        (ReglaQuorum.DOS_TERCIOS, {9: 6, 10: 7, 3: 2}),
        (ReglaQuorum.UN_TERCIO, {9: 3, 10: 4, 1: 1}),
        (ReglaQuorum.NINGUNA, {9: None}),
    ],
)
def test_el_minimo_de_cada_regla(regla, minimos):
    mesa = Mesa(quorum_regla=regla)
    assert {n: participantes.quorum_minimo(mesa, n) for n in minimos} == minimos


def test_el_texto_del_quorum():
    texto = participantes.quorum_texto
    alcanzado = {"presentes": 5, "miembros": 9, "minimo": 5, "regla": "", "alcanzado": True}
    assert texto(alcanzado) == "Quórum: 5 de 9 organizaciones presentes — alcanzado (mínimo 5)."
    fraccion = {**alcanzado, "presentes": 4, "regla": "mayoría absoluta", "alcanzado": False}
    assert texto(fraccion) == "Quórum: 4 de 9 organizaciones presentes — no alcanzado (mínimo 5, mayoría absoluta)."
    sin_regla = {**alcanzado, "minimo": None, "alcanzado": None}
    assert texto(sin_regla) == "Organizaciones presentes: 5 de 9 (la mesa no fija quórum)."


@pytest.fixture
def tres(org_zapallar, coordinador, director, integrante):
    return mesa_de_tres(org_zapallar, coordinador)


def test_la_coordinacion_fija_el_quorum(tres, coordinador, director):
    mesa = tres[0]
    url = f"/mesas/{mesa.pk}/quorum/"
    assert cliente_de(director).get(url).status_code == 403
    cliente = cliente_de(coordinador)
    pagina = cliente.get(url).content.decode()
    assert "Mayoría absoluta (más de la mitad): hoy, 2 de 3" in pagina
    respuesta = cliente.post(url, {"quorum_regla": "numero", "quorum_minimo": "4"})
    assert "La mesa tiene 3 organizaciones miembro: el mínimo no puede ser mayor." in respuesta.content.decode()
    respuesta = cliente.post(url, {"quorum_regla": "numero"})
    assert "Indique cuántas organizaciones deben estar presentes." in respuesta.content.decode()
    mesa.refresh_from_db()
    assert mesa.quorum_regla == ReglaQuorum.NINGUNA
    respuesta = cliente.post(url, {"quorum_regla": "mayoria_absoluta", "quorum_minimo": "3"}, follow=True)
    html = respuesta.content.decode()
    assert "Quórum guardado" in html and "Quórum: mayoría absoluta (hoy, 2 de 3 organizaciones)." in html
    mesa.refresh_from_db()
    assert (mesa.quorum_regla, mesa.quorum_minimo) == ("mayoria_absoluta", None)  # a fraction keeps no number
    with pytest.raises(ValidationError):
        participantes.mesa_quorum_fijar(mesa=mesa, por=coordinador, regla="casi_todas")


def test_la_sesion_muestra_y_guarda_el_quorum(tres, coordinador, director, integrante):
    mesa, pedro, ana = tres
    participantes.mesa_quorum_fijar(mesa=mesa, por=coordinador, regla=ReglaQuorum.NUMERO, minimo=2)
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=3)
    services.respuesta_registrar(sesion=sesion, usuario=pedro, opcion="asistire")
    antes = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert "Quórum exigido: 2 de 3 organizaciones. Según las respuestas recibidas, asistirían 1." in antes
    invitado = participantes.invitado_agregar(sesion=sesion, por=coordinador, **CARABINEROS)
    with time_machine.travel(sesion.inicio + timedelta(minutes=5), tick=False):
        # Two people of Zapallar and a guest: one organization (guests are not member organizations).
        services.asistencia_registrar(
            sesion=sesion, por=coordinador, presentes=[director.pk, integrante.pk], invitados=[invitado.pk]
        )
        sesion.refresh_from_db()
        assert sesion.quorum == {"presentes": 1, "miembros": 3, "minimo": 2, "regla": "", "alcanzado": False}
        html = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
        assert "Quórum: 1 de 3 organizaciones presentes — no alcanzado (mínimo 2)." in html
        services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[director.pk, pedro.pk])
        html = cliente_de(director).get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
        assert "Quórum: 2 de 3 organizaciones presentes — alcanzado (mínimo 2)." in html

        # What was recorded stays: a later change of the rule does not rewrite the session nor its acta.
        participantes.mesa_quorum_fijar(mesa=mesa, por=coordinador, regla=ReglaQuorum.NUMERO, minimo=3)
        services_actas.acta_redactar(sesion=sesion, por=coordinador)
        cliente = cliente_de(coordinador)
        acta = cliente.get(f"/mesas/sesiones/{sesion.pk}/acta/").content.decode()
        pdf = texto_de_pdf(cliente.get(f"/mesas/sesiones/{sesion.pk}/acta.pdf").content)
    assert "Quórum: 2 de 3 organizaciones presentes — alcanzado (mínimo 2)." in acta
    assert "Quórum: 2 de 3 organizaciones presentes — alcanzado (mínimo 2)." in pdf


def test_un_subrogante_externo_cuenta_para_su_organizacion(tres, coordinador, director):
    mesa, pedro, ana = tres
    participantes.mesa_quorum_fijar(mesa=mesa, por=coordinador, regla=ReglaQuorum.MAYORIA_ABSOLUTA)
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=3)
    externa = participantes.subrogante_designar(
        sesion=sesion, titular=ana, por=ana, nombre="Marta Lagos Peña", email="marta@consultora.example"
    ).invitado
    assert participantes.quorum_previsto(sesion)["presentes"] == 1  # Algarrobo: someone comes for Ana
    with time_machine.travel(sesion.inicio + timedelta(minutes=5), tick=False):
        services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[director.pk], invitados=[externa.pk])
    sesion.refresh_from_db()
    assert sesion.quorum["presentes"] == 2 and sesion.quorum["alcanzado"] is True
    assert participantes.quorum_texto(sesion.quorum) == (
        "Quórum: 2 de 3 organizaciones presentes — alcanzado (mínimo 2, mayoría absoluta)."
    )


def test_el_acta_guarda_el_quorum_si_la_asistencia_no_lo_tenia(tres, coordinador, director):
    mesa = tres[0]
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[director.pk])
    Sesion.objects.filter(pk=sesion.pk).update(quorum=None)  # recorded before quorums were kept
    services_actas.acta_redactar(sesion=sesion, por=coordinador)
    sesion.refresh_from_db()
    assert sesion.quorum == {"presentes": 1, "miembros": 3, "minimo": None, "regla": "", "alcanzado": None}
    html = cliente_de(coordinador).get(f"/mesas/sesiones/{sesion.pk}/acta/").content.decode()
    assert "Organizaciones presentes: 1 de 3 (la mesa no fija quórum)." in html
