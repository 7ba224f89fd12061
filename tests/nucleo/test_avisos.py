"""Notices as rows: idempotent creation, batches claimed once, what each SMTP failure means, the sweeper's lease,
re-sending, bodies that do not outlive their sending, and the digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from nucleo import avisos as avisos_mod
from nucleo import services
from nucleo.avisos import aviso_crear, avisos_masivos_crear, contexto_guardar, contexto_leer, encolar
from nucleo.models import Aviso, Latido, PreferenciaAvisos
from nucleo.tasks import avisos_barrer_task, avisos_enviar_task, avisos_resumen_diario_task
from tests.conftest import cliente_de

pytestmark = pytest.mark.django_db

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def _aviso(para, clave="prueba:1", **extra):
    contexto = {"asunto": "Aviso de prueba", "mensaje": "Hola desde Mesa.", **extra.pop("contexto", {})}
    return aviso_crear(para=para, plantilla="aviso_generico", contexto=contexto, clave=clave, **extra)


def _varios(n, prefijo="p"):
    return [_aviso(f"{prefijo}{i}@destino.test", clave=f"{prefijo}:{i}") for i in range(n)]


def test_crear_y_enviar_al_confirmar(director, celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        aviso = _aviso(
            director, adjuntos=[{"nombre": "sesion.ics", "tipo": "text/calendar; method=REQUEST", "contenido": ICS}]
        )
        assert mail.outbox == []  # nothing leaves before the cause commits
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == (Aviso.Estado.ENVIADO, 1)
    [mensaje] = mail.outbox
    assert mensaje.to == ["director@zapallar.test"]
    assert mensaje.subject == "Aviso de prueba"
    assert mensaje.extra_headers["Message-ID"] == aviso.message_id
    enviado = mensaje.message()
    assert enviado["Message-ID"] == aviso.message_id
    [ics] = [p for p in enviado.walk() if p.get_content_type() == "text/calendar"]
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_filename() == "sesion.ics"
    assert "BEGIN:VCALENDAR" in ics.get_content()


def test_el_cuerpo_no_sobrevive_al_envio(director, django_capture_on_commit_callbacks):
    """A body may carry a one-time link (an invitation, a password reset): once sent, only the subject stays."""
    enlace = "https://mesa.example.cl/invitacion/secreto-de-un-solo-uso/"
    with django_capture_on_commit_callbacks(execute=True):
        aviso = _aviso(director, contexto={"enlace": enlace})
    assert enlace in mail.outbox[0].body
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.asunto) == ("enviado", "Aviso de prueba")
    assert (aviso.texto, aviso.html, aviso.adjuntos) == ("", "", [])


def test_la_misma_clave_no_duplica(director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        primero = _aviso(director)
        segundo = _aviso(director)
    assert primero.pk == segundo.pk
    assert Aviso.objects.count() == 1
    assert len(callbacks) == 1  # one start scheduled


def test_message_id_deterministico(director, settings):
    settings.SITE_URL = "https://mesa.example.cl"
    aviso = _aviso(director, clave="convocatoria:7:3:1")
    assert aviso.message_id == Aviso.message_id_para("convocatoria:7:3:1")
    assert aviso.message_id.endswith("@mesa.example.cl>")
    assert Aviso.message_id_para("convocatoria:7:3:2") != aviso.message_id


def test_un_envio_masivo_es_un_insert_y_un_solo_arranque(
    director, integrante, lector, django_capture_on_commit_callbacks, django_assert_num_queries
):
    personas = [director, integrante, lector]
    # The savepoint, the keys that exist, one insert, the release: the same for 3 recipients as for 5,000.
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(4):
        creados = avisos_masivos_crear(
            para=personas,
            plantilla="aviso_generico",
            contexto={"asunto": "Convocatoria", "mensaje": "Nos vemos el martes."},
            clave=lambda usuario_id: f"masivo:1:{usuario_id}",
            esencial=True,
        )
    assert len(creados) == 3 and len(callbacks) == 1
    assert all(a.al_enviar and a.texto == "" and a.asunto == "" for a in Aviso.objects.all())
    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in personas)
    assert mail.outbox[0].subject == "Convocatoria" and "Nos vemos el martes." in mail.outbox[0].body
    assert set(Aviso.objects.values_list("estado", "asunto")) == {("enviado", "Convocatoria")}


def test_el_contexto_se_guarda_como_referencias(director, org_zapallar):
    guardado = contexto_guardar({"quien": director, "orgs": [org_zapallar], "cuando": timezone.now(), "n": 3})
    assert guardado["quien"] == {"$modelo": "comunas.usuario", "pk": director.pk}
    [leido] = contexto_leer([guardado])
    assert leido["quien"] == director and leido["orgs"] == [org_zapallar] and leido["n"] == 3
    director.delete()
    assert isinstance(contexto_leer([guardado])[0], avisos_mod.ObjetoAusente)
    with pytest.raises(TypeError):
        contexto_guardar({"algo": object()})


def test_dos_procesos_nunca_toman_el_mismo_aviso():
    _varios(5)
    lote_a, primeros = services.avisos_reclamar(cuantos=3)
    lote_b, resto = services.avisos_reclamar(cuantos=3)
    assert len(primeros) == 3 and len(resto) == 2
    assert {a.pk for a in primeros}.isdisjoint(a.pk for a in resto)
    assert services.avisos_reclamar(cuantos=3)[1] == []
    assert set(Aviso.objects.values_list("estado", "intentos")) == {("enviando", 1)}
    assert set(Aviso.objects.values_list("lote", flat=True)) == {lote_a, lote_b}


def test_un_lote_sale_completo_y_encadena_el_siguiente(settings, celery_eager):
    settings.AVISOS_LOTE = 4
    _varios(10)
    avisos_enviar_task()
    assert len(mail.outbox) == 10  # 4 + 4 + 2: each full batch hands over to the next
    assert Aviso.objects.filter(estado="enviado").count() == 10


def test_el_arranque_de_una_creacion_solo_toma_lo_suyo(director, celery_eager, django_capture_on_commit_callbacks):
    viejo = _aviso("viejo@destino.test", clave="viejo")  # its start never ran
    with django_capture_on_commit_callbacks(execute=True):
        nuevo = _aviso(director, clave="nuevo")
    assert [m.to for m in mail.outbox] == [["director@zapallar.test"]]
    assert Aviso.objects.get(pk=viejo.pk).estado == "pendiente" and Aviso.objects.get(pk=nuevo.pk).estado == "enviado"


def test_encolar_envia_ese_aviso(director, celery_eager):
    aviso = _aviso(director)
    encolar(aviso.pk)
    assert Aviso.objects.get(pk=aviso.pk).estado == "enviado" and len(mail.outbox) == 1


def test_el_arranque_no_espera_a_un_broker_caido(monkeypatch):
    from mesa.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    inicio = timezone.now()
    assert avisos_mod.envio_iniciar(cuantos=5000) == 0
    assert (timezone.now() - inicio).total_seconds() < 2


# --- Failures ---------------------------------------------------------------------------------------------


def _transporte_que_falla(monkeypatch, fallo):
    def enviar(self, mensaje, para):
        raise fallo

    monkeypatch.setattr(services._Generico, "enviar", enviar)


def test_tras_el_maximo_de_intentos_queda_fallido_con_un_motivo_legible(settings, monkeypatch):
    settings.AVISOS_MAX_INTENTOS = 2
    [aviso] = _varios(1)
    _transporte_que_falla(monkeypatch, services.FalloEnvio(services.DESTINATARIO_TEMPORAL, servidor=False))
    services.avisos_enviar()
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("pendiente", 1)
    assert aviso.error == "El servidor de correo no aceptó la dirección por ahora. Se reintentará."
    Aviso.objects.filter(pk=aviso.pk).update(programado_para=timezone.now())
    services.avisos_enviar()
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos) == ("fallido", 2)
    assert aviso.error.startswith("No se pudo entregar tras 2 intentos. Último problema: El servidor de correo no")
    assert aviso.fallido_en is not None


def test_un_servidor_caido_no_agota_los_intentos(settings, monkeypatch):
    """However long the server stays down, its notices wait (with growing pauses) instead of failing."""
    settings.AVISOS_MAX_INTENTOS = 2
    avisos = _varios(3)
    _transporte_que_falla(monkeypatch, services.FalloEnvio(services.CONEXION))
    esperas = []
    for _ in range(5):
        Aviso.objects.update(programado_para=timezone.now())
        assert services.avisos_enviar()["pausa"]
        esperas.append(Aviso.objects.get(pk=avisos[0].pk).programado_para)
    assert set(Aviso.objects.values_list("estado", "intentos")) == {("pendiente", 0)}
    assert set(Aviso.objects.values_list("error", flat=True)) == {
        "No se pudo conectar con el servidor de correo. Se reintentará."
    }
    assert all(e > timezone.now() for e in esperas)


def test_el_envio_aceptado_se_registra_aunque_la_base_se_caiga_un_momento(monkeypatch):
    [aviso] = _varios(1)
    original = services._registrar_enviado
    intentos = []

    def inestable(*args):
        intentos.append(1)
        if len(intentos) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return original(*args)

    monkeypatch.setattr(services, "_registrar_enviado", inestable)
    monkeypatch.setattr(services.connection, "close", lambda: None)  # the test's transaction stays open
    services.avisos_enviar()
    assert len(mail.outbox) == 1 and len(intentos) == 3
    assert Aviso.objects.get(pk=aviso.pk).estado == "enviado"


def test_si_la_base_no_vuelve_a_tiempo_se_registra_antes_del_proximo_lote(settings, monkeypatch):
    settings.AVISOS_ENVIANDO_MAX_SEGUNDOS = 0  # no waiting in this test
    [aviso] = _varios(1)
    original = services._registrar_enviado

    def caida(*args):
        raise OperationalError("la base no responde")

    monkeypatch.setattr(services, "_registrar_enviado", caida)
    monkeypatch.setattr(services.connection, "close", lambda: None)
    with pytest.raises(OperationalError):
        services.avisos_enviar()
    assert len(mail.outbox) == 1
    monkeypatch.setattr(services, "_registrar_enviado", original)
    Aviso.objects.filter(pk=aviso.pk).update(estado="pendiente", lote="")  # as if its lease had expired
    services.avisos_enviar()
    assert len(mail.outbox) == 1  # recorded first, so not sent again
    assert Aviso.objects.get(pk=aviso.pk).estado == "enviado"


def test_la_tarea_reintenta_si_la_base_no_esta():
    assert OperationalError in avisos_enviar_task.autoretry_for
    assert avisos_enviar_task.retry_backoff and avisos_enviar_task.max_retries is None


# --- The sweeper ------------------------------------------------------------------------------------------


def test_barredor_libera_lo_de_un_proceso_que_desaparecio(settings, celery_eager):
    ahora = timezone.now()
    vencido = timezone.now() - timedelta(seconds=settings.AVISOS_ENVIANDO_MAX_SEGUNDOS + 1)
    atascado, agotado, vigente = _varios(3)
    Aviso.objects.filter(pk=atascado.pk).update(estado="enviando", intentos=1, reclamado_en=vencido, lote="x")
    Aviso.objects.filter(pk=agotado.pk).update(
        estado="enviando", intentos=settings.AVISOS_MAX_INTENTOS, reclamado_en=vencido, lote="x"
    )
    Aviso.objects.filter(pk=vigente.pk).update(estado="enviando", intentos=1, reclamado_en=ahora, lote="y")
    avisos_barrer_task()
    estados = dict(Aviso.objects.values_list("pk", "estado"))
    assert estados == {atascado.pk: "enviado", agotado.pk: "revisar", vigente.pk: "enviando"}
    assert [m.to for m in mail.outbox] == [[atascado.para]]
    assert "puede que haya llegado" in Aviso.objects.get(pk=agotado.pk).error


def test_barredor_inicia_envios_una_vez_por_turno(settings, monkeypatch):
    iniciados = []
    monkeypatch.setattr(avisos_mod, "envio_iniciar", lambda **kw: iniciados.append(kw) or 1)
    _varios(2)
    services.avisos_barrer()
    services.avisos_barrer()  # a second beat, or the next sweep: the lease is taken
    assert len(iniciados) == 1
    Latido.objects.filter(nombre="avisos").update(
        ultimo=timezone.now() - timedelta(seconds=settings.AVISOS_REENCOLAR_SEGUNDOS + 1)
    )
    services.avisos_barrer()
    assert len(iniciados) == 2
    Aviso.objects.update(estado="enviado")
    Latido.objects.filter(nombre="avisos").update(ultimo=timezone.now() - timedelta(days=1))
    services.avisos_barrer()  # nothing due: nothing started
    assert len(iniciados) == 2


def test_un_reintento_no_se_toma_antes_de_su_espera(monkeypatch):
    [aviso] = _varios(1)
    Aviso.objects.filter(pk=aviso.pk).update(programado_para=timezone.now() + timedelta(minutes=1))
    assert services.avisos_reclamar(cuantos=10)[1] == []


# --- Re-sending ---------------------------------------------------------------------------------------------


def test_reenviar_vuelve_a_la_cola_desde_cero(director, celery_eager, django_capture_on_commit_callbacks):
    aviso = _aviso(director)
    Aviso.objects.filter(pk=aviso.pk).update(
        estado="fallido", intentos=10, error="El servidor de correo rechazó la dirección del destinatario."
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.avisos_reenviar(seleccion=Aviso.objects.all(), por=director) == 1
    aviso.refresh_from_db()
    assert (aviso.estado, aviso.intentos, aviso.error) == ("enviado", 1, "")
    assert services.avisos_reenviar(seleccion=Aviso.objects.all(), por=director) == 0  # sent: nothing to do


# --- Digest, preferences, admin, health ---------------------------------------------------------------------


def test_resumen_diario_para_quien_lo_eligio(director, integrante, celery_eager, django_capture_on_commit_callbacks):
    PreferenciaAvisos.objects.create(usuario=director, frecuencia=PreferenciaAvisos.Frecuencia.DIARIA)
    with django_capture_on_commit_callbacks(execute=True):
        uno = _aviso(director, clave="novedad:1", esencial=False)
        dos = _aviso(director, clave="novedad:2", esencial=False)
        esencial = _aviso(director, clave="convocatoria:1")
        inmediato = _aviso(integrante, clave="novedad:1:integrante", esencial=False)
    assert (uno.diferido, dos.diferido, esencial.diferido, inmediato.diferido) == (True, True, False, False)
    assert sorted(m.to[0] for m in mail.outbox) == ["director@zapallar.test", "integrante@zapallar.test"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        avisos_resumen_diario_task()
    [resumen] = mail.outbox
    assert resumen.to == ["director@zapallar.test"]
    assert resumen.subject.startswith("Resumen diario de Mesa: 2 avisos")
    assert set(Aviso.objects.filter(pk__in=[uno.pk, dos.pk]).values_list("estado", "texto")) == {("resumido", "")}
    with django_capture_on_commit_callbacks(execute=True):
        avisos_resumen_diario_task()  # nothing left to gather
    assert len(mail.outbox) == 1


def test_el_admin_no_muestra_cuerpos(admin, director):
    aviso = _aviso(director, contexto={"enlace": "https://mesa.example.cl/secreto/"})
    html = cliente_de(admin).get(f"/admin/nucleo/aviso/{aviso.pk}/change/").content.decode()
    assert "director@zapallar.test" in html and "/secreto/" not in html


def test_salud_informa_cola_vieja_y_fallidos(director, settings):
    from nucleo.tasks import latido_task

    latido_task()
    aviso = _aviso(director)
    cuerpo = cliente_de(None).get("/salud/").json()
    assert (cuerpo["avisos"], cuerpo["avisos_fallidos_ultima_hora"]) == ("ok", 0)
    # Waiting its backoff does not hide it: the age counts from when it was queued.
    Aviso.objects.filter(pk=aviso.pk).update(
        en_cola_desde=timezone.now() - timedelta(seconds=settings.AVISOS_ATRASO_SEGUNDOS + 1),
        programado_para=timezone.now() + timedelta(minutes=30),
    )
    respuesta = cliente_de(None).get("/salud/")
    assert (respuesta.status_code, respuesta.json()["avisos"]) == (503, "atrasados")
    assert respuesta.json()["avisos_cola_segundos"] > settings.AVISOS_ATRASO_SEGUNDOS
    settings.AVISOS_FALLIDOS_TOLERADOS = 0
    Aviso.objects.filter(pk=aviso.pk).update(estado="fallido", fallido_en=timezone.now())
    respuesta = cliente_de(None).get("/salud/")
    assert (respuesta.status_code, respuesta.json()["avisos"], respuesta.json()["avisos_fallidos_ultima_hora"]) == (
        503,
        "fallidos",
        1,
    )


def test_preferencias_de_avisos(director):
    cliente = cliente_de(director)
    respuesta = cliente.get("/mesas/avisos/preferencias/")
    assert "Resumen diario" in respuesta.content.decode()
    respuesta = cliente.post("/mesas/avisos/preferencias/", {"frecuencia": "diaria"}, follow=True)
    assert "Preferencia de avisos guardada." in respuesta.content.decode()
    assert PreferenciaAvisos.objects.get(usuario=director).frecuencia == "diaria"
