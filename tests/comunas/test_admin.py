"""Django's admin: organization states and memberships change only through the app (its services)."""

from comunas.models import Membresia, Organizacion
from tests.conftest import cliente_de


def test_estado_y_equipo_de_solo_lectura(admin, director, org_zapallar):
    cliente = cliente_de(admin)
    html = cliente.get(f"/admin/comunas/organizacion/{org_zapallar.pk}/change/").content.decode()
    assert 'name="estado"' not in html
    assert "se cambian en la aplicación" in html and "al menos un director(a)" in html
    assert 'name="membresias-0-rol"' not in html and "Rodrigo Director" in html
    datos = {"nombre": "Otro nombre", "estado": Organizacion.Estado.SUSPENDIDA, "email_contacto": "x@muni.example"}
    cliente.post(f"/admin/comunas/organizacion/{org_zapallar.pk}/change/", datos)
    org_zapallar.refresh_from_db()
    assert org_zapallar.estado == Organizacion.Estado.ACTIVA


def test_membresias_del_usuario_de_solo_lectura(admin, director):
    html = cliente_de(admin).get(f"/admin/comunas/usuario/{director.pk}/change/").content.decode()
    assert 'name="membresias-0-rol"' not in html and 'name="membresias-0-DELETE"' not in html
    assert "se cambian en la aplicación" in html
    assert Membresia.objects.get(usuario=director).rol == Membresia.Rol.DIRECTOR
