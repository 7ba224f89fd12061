"""Creating a mesa and running its coordination; the agenda items (links, removal, order); the gates that
answer 403/404 instead of a message; the lists filtered in mesa.access; the query counts of the session and
acta pages; a failed acta comment keeps its text."""

from datetime import date

import pytest
from django.core import mail

from comunas.access import requiere_dos_factores
from comunas.models import Comuna, Membresia, Organizacion
from mesa import services, services_actas
from mesa.models import Acta, Acuerdo, ComentarioActa, Mesa, Participacion, Sesion
from tests.conftest import cliente_de, crear_organizacion, miembro
from tests.diagnosticos.utiles import crear_diagnostico
from tests.mesa.utiles import crear_mesa, crear_sesion
from tests.practicas.utiles import crear_practica

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesa(org_zapallar, coordinador):
    return crear_mesa(org_zapallar, coordinador)


def _sumar(mesa, organizacion, coordinador):
    services.mesa_invitar(mesa=mesa, organizacion=organizacion, por=coordinador)
    participacion = mesa.participaciones.get(organizacion=organizacion)
    return services.participacion_aceptar(participacion=participacion, por=coordinador)


# --- 1. Nueva mesa and its coordination -----------------------------------------------------------------


def test_la_direccion_crea_una_mesa_que_acoge_y_coordina(director, org_zapallar, org_ajena):
    cliente = cliente_de(director)
    assert "Nueva mesa" in cliente.get("/mesas/").content.decode()
    pagina = cliente.get("/mesas/nueva/").content.decode()
    assert org_zapallar.nombre in pagina and org_ajena.nombre not in pagina  # only where she directs
    datos = {"nombre": "Mesa del borde costero", "descripcion": "Verano seguro.", "alcance": "Litoral norte"}
    assert cliente.post("/mesas/nueva/", {**datos, "anfitriona": org_ajena.pk}).status_code == 200
    assert not Mesa.objects.exists()
    respuesta = cliente.post("/mesas/nueva/", {**datos, "anfitriona": org_zapallar.pk})
    mesa = Mesa.objects.get()
    assert respuesta.url == f"/mesas/{mesa.pk}/"
    assert (mesa.anfitriona, mesa.alcance) == (org_zapallar, "Litoral norte")
    assert list(mesa.coordinadores.all()) == [director]
    assert mesa.participaciones.get().estado == Participacion.Estado.ACEPTADA
    assert requiere_dos_factores(director)  # coordinating asks for the second step from now on


def test_quien_no_dirige_no_crea_mesas(integrante, lector, admin, org_ajena):
    for persona in (integrante, lector):
        assert cliente_de(persona).get("/mesas/nueva/").status_code == 403
        assert "Nueva mesa" not in cliente_de(persona).get("/mesas/").content.decode()
    # Staff may host it in any active organization.
    respuesta = cliente_de(admin).post("/mesas/nueva/", {"nombre": "Mesa metropolitana", "anfitriona": org_ajena.pk})
    assert respuesta.status_code == 302
    assert Mesa.objects.get().anfitriona == org_ajena


def test_una_direccion_suspendida_no_crea_mesas(org_zapallar, dpa):
    suspendida = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"), estado=Organizacion.Estado.SUSPENDIDA)
    directora = miembro(suspendida, "directora@papudo.test", Membresia.Rol.DIRECTOR)
    Membresia.objects.create(usuario=directora, organizacion=org_zapallar, rol=Membresia.Rol.LECTOR)
    assert cliente_de(directora).get("/mesas/nueva/").status_code == 403


def test_la_coordinacion_edita_la_mesa_y_sus_coordinadores(mesa, coordinador, director, ajeno, org_ajena):
    cliente = cliente_de(coordinador)
    url = f"/mesas/{mesa.pk}/editar/"
    pagina = cliente.get(url).content.decode()
    assert "Rodrigo Director" in pagina and "Alberto Ajeno" not in pagina  # only members of participants
    datos = {"nombre": "Mesa renombrada", "descripcion": "Nueva", "alcance": "Provincia"}
    assert cliente.post(url, {**datos, "coordinadores": [ajeno.pk]}).status_code == 200  # not a member
    respuesta = cliente.post(url, {**datos, "coordinadores": []})
    assert "al menos un" in respuesta.content.decode()
    assert cliente.post(url, {**datos, "coordinadores": [coordinador.pk, director.pk]}).status_code == 302
    mesa.refresh_from_db()
    assert mesa.nombre == "Mesa renombrada"
    assert set(mesa.coordinadores.all()) == {coordinador, director}
    assert requiere_dos_factores(director)
    # Removing oneself is allowed while someone remains.
    assert cliente.post(url, {**datos, "coordinadores": [director.pk]}).status_code == 302
    assert list(mesa.coordinadores.all()) == [director]
    # Once its organization takes part, the ajeno may be named.
    _sumar(mesa, org_ajena, director)
    services.mesa_editar(mesa=mesa, por=director, nombre="M", coordinadores=[director, ajeno])
    assert set(mesa.coordinadores.all()) == {director, ajeno}


def test_editar_la_mesa_es_de_la_coordinacion(mesa, director, ajeno):
    assert cliente_de(director).get(f"/mesas/{mesa.pk}/editar/").status_code == 403
    assert cliente_de(ajeno).get(f"/mesas/{mesa.pk}/editar/").status_code == 404


def test_la_administracion_ve_mesas_sesiones_actas_y_acuerdos(mesa, admin, coordinador, org_zapallar):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[])
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinador)
    acuerdo = services_actas.acuerdo_agregar(
        acta=acta, por=coordinador, descripcion="Mapa", organizacion=org_zapallar, plazo=date(2031, 1, 1)
    )
    cliente = cliente_de(admin)
    for url in (
        f"/admin/mesa/mesa/{mesa.pk}/change/",
        f"/admin/mesa/sesion/{sesion.pk}/change/",
        f"/admin/mesa/acta/{acta.pk}/change/",
        f"/admin/mesa/acuerdo/{acuerdo.pk}/change/",
        "/admin/mesa/mesa/",
        "/admin/mesa/sesion/",
        "/admin/mesa/acta/",
        "/admin/mesa/acuerdo/",
    ):
        assert cliente.get(url).status_code == 200, url
    assert cliente.get("/admin/mesa/acta/add/").status_code == 403  # states change through the app


# --- 2. Agenda items ------------------------------------------------------------------------------------


def test_el_punto_enlaza_una_practica_y_un_diagnostico_visibles(
    mesa, coordinador, director, ajeno, org_ajena, django_capture_on_commit_callbacks
):
    practica = crear_practica(mesa.anfitriona, director, titulo="Rondas mixtas", estado="publicada")
    diagnostico = crear_diagnostico(mesa.anfitriona, director, titulo="Diagnóstico costero", publicar="plataforma")
    ajena = crear_practica(org_ajena, ajeno, titulo="Borrador ajeno")
    diagnostico_ajeno = crear_diagnostico(org_ajena, ajeno, titulo="Diagnóstico ajeno")
    sesion = crear_sesion(mesa, puntos=0)
    cliente = cliente_de(coordinador)
    url = f"/mesas/sesiones/{sesion.pk}/tabla/"
    formulario = cliente.get(url).content.decode()
    assert "Rondas mixtas" in formulario and "Diagnóstico costero" in formulario
    assert "Borrador ajeno" not in formulario and "Diagnóstico ajeno" not in formulario
    datos = {"titulo": "Verano", "duracion_minutos": 20}
    assert cliente.post(url, {**datos, "practica": ajena.pk}).status_code == 200
    assert cliente.post(url, {**datos, "diagnostico": diagnostico_ajeno.pk}).status_code == 200
    cliente.post(url, {**datos, "practica": practica.pk, "diagnostico": diagnostico.pk})
    punto = sesion.puntos.get()
    assert (punto.practica, punto.diagnostico) == (practica, diagnostico)
    pagina = cliente.get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    assert f'href="/practicas/{practica.pk}/"' in pagina and f'href="/diagnosticos/{diagnostico.pk}/"' in pagina
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    correo = next(m for m in mail.outbox if m.to == [director.email])
    assert f"/practicas/{practica.pk}/" in correo.body and "Práctica: Rondas mixtas" in correo.body
    assert f"/diagnosticos/{diagnostico.pk}/" in correo.body
    html = correo.alternatives[0][0]
    assert f"/practicas/{practica.pk}/" in html and f"/diagnosticos/{diagnostico.pk}/" in html


def _tabla(sesion):
    return list(sesion.puntos.values_list("orden", "titulo"))


def test_quitar_y_ordenar_puntos_sin_nueva_invitacion(mesa, coordinador, django_capture_on_commit_callbacks):
    sesion = crear_sesion(mesa, puntos=3)
    cliente = cliente_de(coordinador)
    primero, segundo, tercero = sesion.puntos.all()
    assert "Subir el punto 2" in cliente.get(f"/mesas/sesiones/{sesion.pk}/").content.decode()
    cliente.post(f"/mesas/puntos/{tercero.pk}/mover/", {"direccion": "subir"})
    assert _tabla(sesion) == [(1, "Punto 1"), (2, "Punto 3"), (3, "Punto 2")]
    cliente.post(f"/mesas/puntos/{primero.pk}/mover/", {"direccion": "subir"})  # already first: no change
    assert _tabla(sesion) == [(1, "Punto 1"), (2, "Punto 3"), (3, "Punto 2")]
    with django_capture_on_commit_callbacks(execute=True):
        services.sesion_convocar(sesion=sesion, por=coordinador)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cliente.post(f"/mesas/puntos/{primero.pk}/mover/", {"direccion": "bajar"})
        respuesta = cliente.post(f"/mesas/puntos/{segundo.pk}/quitar/", follow=True)
    assert "quitado de la tabla" in respuesta.content.decode()
    assert _tabla(sesion) == [(1, "Punto 3"), (2, "Punto 1")]
    sesion.refresh_from_db()
    assert (mail.outbox, sesion.secuencia) == ([], 0)  # time and place did not change: no new .ics


def test_la_tabla_convocada_conserva_un_punto_y_la_realizada_no_cambia(mesa, coordinador, director):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, puntos=1)
    respuesta = cliente_de(coordinador).post(f"/mesas/puntos/{sesion.puntos.get().pk}/quitar/", follow=True)
    assert "al menos un punto" in respuesta.content.decode() and sesion.puntos.count() == 1
    assert cliente_de(director).post(f"/mesas/puntos/{sesion.puntos.get().pk}/quitar/").status_code == 403
    Sesion.objects.filter(pk=sesion.pk).update(estado=Sesion.Estado.REALIZADA)
    respuesta = cliente_de(coordinador).post(
        f"/mesas/puntos/{sesion.puntos.get().pk}/mover/", {"direccion": "bajar"}, follow=True
    )
    assert "ya no cambia" in respuesta.content.decode()


def test_los_puntos_de_un_borrador_son_invisibles_para_los_miembros(mesa, director, ajeno):
    punto = crear_sesion(mesa).puntos.get()
    assert cliente_de(director).post(f"/mesas/puntos/{punto.pk}/quitar/").status_code == 404
    assert cliente_de(ajeno).post(f"/mesas/puntos/{punto.pk}/mover/", {"direccion": "bajar"}).status_code == 404


# --- 3. The wrong role gets 403 from the gate, outsiders 404 ----------------------------------------------


@pytest.fixture
def acuerdo(mesa, coordinador, org_zapallar):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, dias=-1)
    services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=[])
    acta = services_actas.acta_redactar(sesion=sesion, por=coordinador)
    acuerdo = services_actas.acuerdo_agregar(
        acta=acta, por=coordinador, descripcion="Mapa de calor", organizacion=org_zapallar, plazo=date(2031, 5, 10)
    )
    services_actas.acta_aprobar(acta=acta, por=coordinador)
    return acuerdo


def test_actualizar_un_acuerdo_403_al_lector_404_al_ajeno(acuerdo, lector, ajeno, integrante):
    url = f"/mesas/acuerdos/{acuerdo.pk}/estado/"
    assert cliente_de(lector).post(url, {"estado": "cumplido"}).status_code == 403
    assert cliente_de(ajeno).post(url, {"estado": "cumplido"}).status_code == 404
    acuerdo.refresh_from_db()
    assert acuerdo.estado == Acuerdo.Estado.PENDIENTE
    assert cliente_de(integrante).post(url, {"estado": "en_curso"}).status_code == 302
    acuerdo.refresh_from_db()
    assert acuerdo.estado == Acuerdo.Estado.EN_CURSO


def test_responder_sin_estar_convocado_es_403(mesa, admin, ajeno):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA)
    url = f"/mesas/sesiones/{sesion.pk}/responder/"
    assert cliente_de(admin).post(url, {"opcion": "asistire"}).status_code == 403  # sees it, not convened
    assert cliente_de(ajeno).post(url, {"opcion": "asistire"}).status_code == 404
    assert not sesion.respuestas.exists()


def test_comentar_el_acta_es_403_para_quien_la_ve_sin_estar_convocado(acuerdo, director, ajeno, org_zapallar):
    acta = acuerdo.acta
    Acta.objects.filter(pk=acta.pk).update(estado=Acta.Estado.EN_REVISION)
    url = f"/mesas/sesiones/{acta.sesion_id}/acta/comentar/"
    assert cliente_de(ajeno).post(url, {"texto": "Hola"}).status_code == 404
    # The host's members see the mesa; if the host's own participation is not accepted, they are not convened.
    Participacion.objects.filter(organizacion=org_zapallar).update(estado=Participacion.Estado.INVITADA)
    assert cliente_de(director).get(f"/mesas/sesiones/{acta.sesion_id}/acta/").status_code == 200
    assert cliente_de(director).post(url, {"texto": "Hola"}).status_code == 403
    assert not ComentarioActa.objects.exists()


# --- 4. Lists filtered in mesa.access ---------------------------------------------------------------------


def test_las_invitaciones_de_una_organizacion_suspendida_no_se_ofrecen(mesa, coordinador, director, dpa):
    suspendida = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    Membresia.objects.create(usuario=director, organizacion=suspendida, rol=Membresia.Rol.DIRECTOR)
    services.mesa_invitar(mesa=mesa, organizacion=suspendida, por=coordinador)
    assert "Aceptar la invitación" in cliente_de(director).get("/mesas/").content.decode()
    Organizacion.objects.filter(pk=suspendida.pk).update(estado=Organizacion.Estado.SUSPENDIDA)
    assert "Aceptar la invitación" not in cliente_de(director).get("/mesas/").content.decode()


def test_mis_acuerdos_sin_formulario_para_lectores_ni_organizaciones_suspendidas(
    acuerdo, lector, director, dpa, coordinador
):
    pagina = cliente_de(lector).get("/mesas/acuerdos/").content.decode()
    assert "Mapa de calor" in pagina and f"/mesas/acuerdos/{acuerdo.pk}/estado/" not in pagina
    assert f"/mesas/acuerdos/{acuerdo.pk}/estado/" in cliente_de(director).get("/mesas/acuerdos/").content.decode()
    # A suspended organization's acuerdos are not listed for its members.
    Organizacion.objects.filter(pk=acuerdo.organizacion_id).update(estado=Organizacion.Estado.SUSPENDIDA)
    otra = crear_organizacion(comuna=Comuna.objects.get(codigo="05403"))
    Membresia.objects.create(usuario=director, organizacion=otra, rol=Membresia.Rol.DIRECTOR)
    assert "Mapa de calor" not in cliente_de(director).get("/mesas/acuerdos/").content.decode()


# --- 5. Someone else's invitation -----------------------------------------------------------------------


def test_la_invitacion_ajena_es_404(mesa, coordinador, org_ajena, director, admin):
    services.mesa_invitar(mesa=mesa, organizacion=org_ajena, por=coordinador)
    participacion = mesa.participaciones.get(organizacion=org_ajena)
    url = f"/mesas/participaciones/{participacion.pk}/aceptar/"
    assert cliente_de(director).post(url).status_code == 404  # not a member of Santiago
    lector_ajeno = miembro(org_ajena, "lector@santiago.test", Membresia.Rol.LECTOR)
    assert cliente_de(lector_ajeno).post(url).status_code == 403
    assert cliente_de(admin).post(url).status_code == 302
    participacion.refresh_from_db()
    assert participacion.estado == Participacion.Estado.ACEPTADA


# --- 7. Query counts --------------------------------------------------------------------------------------

CODIGOS = ["05403", "05404", "05401", "05402", "05101", "05102", "05103", "05105"]


def _con_organizaciones(mesa, coordinador, cuantas):
    """Adds participating organizations (each with a director who answered) up to `cuantas` in all."""
    ya = mesa.participaciones.count()
    for i, codigo in enumerate(CODIGOS[ya - 1 : cuantas - 1]):
        org = crear_organizacion(comuna=Comuna.objects.get(codigo=codigo))
        _sumar(mesa, org, coordinador)
        miembro(org, f"director{ya + i}@org.test", Membresia.Rol.DIRECTOR)


def _consultas(cliente, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cliente.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as capturadas:
        assert cliente.get(url).status_code == 200
    return len(capturadas)


def test_la_pagina_de_la_sesion_no_crece_en_consultas(mesa, coordinador, django_assert_num_queries):
    sesion = crear_sesion(mesa, estado=Sesion.Estado.CONVOCADA, puntos=2)
    cliente = cliente_de(coordinador)
    url = f"/mesas/sesiones/{sesion.pk}/"
    _con_organizaciones(mesa, coordinador, 2)
    pocas = _consultas(cliente, url)
    _con_organizaciones(mesa, coordinador, 6)
    assert mesa.participaciones.filter(estado="aceptada").count() == 6
    with django_assert_num_queries(pocas):
        pagina = cliente.get(url).content.decode()
    assert pagina.count("Sin respuesta") >= 6


def test_la_pagina_del_acta_no_crece_en_consultas(mesa, coordinador, django_assert_num_queries):
    cliente = cliente_de(coordinador)

    def acta_con_todos():
        numero = mesa.sesiones.count() + 1
        sesion = crear_sesion(mesa, numero=numero, estado=Sesion.Estado.CONVOCADA, dias=-numero, puntos=2)
        presentes = list(services.convocados(sesion).values_list("pk", flat=True))
        services.asistencia_registrar(sesion=sesion, por=coordinador, presentes=presentes)
        acta = services_actas.acta_redactar(sesion=sesion, por=coordinador)
        for participacion in mesa.participaciones.filter(estado="aceptada"):
            services_actas.acuerdo_agregar(
                acta=acta, por=coordinador, descripcion="A", organizacion=participacion.organizacion,
                plazo=date(2031, 1, 1),
            )  # fmt: skip
        acta = services_actas.acta_circular(acta=acta, por=coordinador)
        for persona in services.convocados(sesion):
            services_actas.acta_comentar(acta=acta, por=persona, texto="Visto.")
        return f"/mesas/sesiones/{sesion.pk}/acta/"

    _con_organizaciones(mesa, coordinador, 2)
    pocas = _consultas(cliente, acta_con_todos())
    _con_organizaciones(mesa, coordinador, 6)
    url = acta_con_todos()
    with django_assert_num_queries(pocas):
        cliente.get(url)
    assert ComentarioActa.objects.filter(acta__sesion__pk=int(url.split("/")[3])).count() == 6  # one per member


# --- 8. A failed comment keeps its text -----------------------------------------------------------------


def test_el_comentario_fallido_conserva_su_texto(acuerdo, director):
    acta = acuerdo.acta  # approved: no longer takes comments
    url = f"/mesas/sesiones/{acta.sesion_id}/acta/comentar/"
    respuesta = cliente_de(director).post(url, {"texto": "Falta la cifra de Papudo."})
    assert respuesta.status_code == 400
    pagina = respuesta.content.decode()
    assert "Falta la cifra de Papudo.</textarea>" in pagina and "Solo se comenta un acta en revisión." in pagina
    Acta.objects.filter(pk=acta.pk).update(estado=Acta.Estado.EN_REVISION)
    respuesta = cliente_de(director).post(url, {"texto": "   "})
    assert respuesta.status_code == 400 and "Su comentario" in respuesta.content.decode()
    assert not ComentarioActa.objects.exists()
