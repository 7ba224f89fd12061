"""The demo's diagnoses and indicators: example data, labelled as such, loaded once."""

from comunas import demo as demo_comunas
from comunas.models import Poblacion
from diagnosticos import demo as demo_diagnosticos
from diagnosticos.models import Diagnostico, Indicador


def test_demo_de_diagnosticos_idempotente_y_rotulada_como_ejemplo(dpa):
    demo_comunas.cargar()
    creados = demo_diagnosticos.cargar()
    hojas = 50  # the subgroups, and the groups without subgroups, of CEAD 2024
    assert creados == Indicador.objects.count() > 38 * hojas * 5
    foto = (Indicador.objects.count(), Diagnostico.objects.count(), Poblacion.objects.count())
    assert demo_diagnosticos.cargar() == 0
    assert foto == (Indicador.objects.count(), Diagnostico.objects.count(), Poblacion.objects.count())

    assert Diagnostico.objects.count() == 9 and not Diagnostico.objects.filter(estado="borrador").exists()
    assert all("ficticios" in d.contexto for d in Diagnostico.objects.all())
    assert set(Indicador.objects.values_list("fuente", flat=True)) == {demo_diagnosticos.FUENTE}
    assert Indicador.objects.filter(territorio="054").count() == hojas * 5  # the demo provinces too
    assert all("oficial" in f for f in Poblacion.objects.values_list("fuente", flat=True).distinct())
