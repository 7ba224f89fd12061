"""The personal iCal feed (issue 17): every upcoming session and those of the last year — a weekly mesa holds
hundreds over the years, and a calendar app fetches the whole feed every few hours."""

import pytest
from icalendar import Calendar

from mesa.models import Sesion
from mesa.services_actas import calendario_generar
from tests.conftest import cliente_de
from tests.mesa.utiles import crear_mesa, crear_sesion

pytestmark = pytest.mark.django_db


def test_el_feed_trae_las_proximas_y_las_del_ultimo_anio(org_zapallar, coordinador, director):
    mesa = crear_mesa(org_zapallar, coordinador)
    vieja = crear_sesion(mesa, numero=1, estado=Sesion.Estado.REALIZADA, dias=-400)
    reciente = crear_sesion(mesa, numero=2, estado=Sesion.Estado.REALIZADA, dias=-300)
    proxima = crear_sesion(mesa, numero=3, estado=Sesion.Estado.CONVOCADA, dias=10)
    token = calendario_generar(usuario=director)
    feed = cliente_de(None).get(f"/mesas/calendario/{token}.ics")
    eventos = " ".join(str(e["uid"]) for e in Calendar.from_ical(feed.content).walk("VEVENT"))
    assert str(reciente.uid) in eventos and str(proxima.uid) in eventos
    assert str(vieja.uid) not in eventos  # still in the mesa's page, not in the feed
