"""What the mesa's mass notices add for each person, written by the worker when it sends them (registered with
nucleo.avisos.redactor; nucleo finds this module by its name). A convocatoria to 5,000 people is 5,000 short
rows in the request; here, per batch, the session and its agenda are read once, the session's .ics is built
once, and each person gets their signed RSVP links and their own ATTENDEE line. Nothing here is stored."""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from mesa.access import marcar_enlaces, organizador_de
from mesa.calendario import CANCEL, adjunto_ics, evento
from mesa.models import PuntoTabla, Sesion
from mesa.services import rsvp_enlaces
from mesa.services_actas import acta_pdf_contenido
from mesa.tabla import horario
from nucleo.avisos import redactor


def _comun(sesion, metodo):
    """What every recipient of a batch shares: the agenda with absolute links, and the .ics without attendee."""
    # One text for all: a linked practice or diagnosis only if every member may see it (the templates ask).
    puntos = marcar_enlaces(list(sesion.puntos.all()), mesa=sesion.mesa)
    horario(sesion, puntos)  # each item's "10:00 – 10:20"
    for punto in puntos:
        punto.url_practica = (
            punto.practica and f"{settings.SITE_URL}{reverse('practicas:detalle', args=[punto.practica_id])}"
        )
        punto.url_diagnostico = (
            punto.diagnostico
            and f"{settings.SITE_URL}{reverse('diagnosticos:diagnostico', args=[punto.diagnostico_id])}"
        )
    return {
        "contexto": {
            "mesa": sesion.mesa,
            "puntos": puntos,
            "url_sesion": f"{settings.SITE_URL}{reverse('mesa:sesion', args=[sesion.pk])}",
        },
        "ics": adjunto_ics(sesion, metodo=metodo, organizador=organizador_de(sesion)) if metodo else None,
    }


def _ics_de(comun, sesion, metodo, usuario):
    """The session's .ics with this person's ATTENDEE line (built by mesa.calendario.evento, as for everyone)
    spliced in: building and folding the whole calendar per person costs milliseconds each."""
    propio = evento(sesion, cancelada=metodo == CANCEL, asistente=usuario)
    linea = propio.content_line("ATTENDEE", propio["ATTENDEE"]).to_ical().decode()
    ics = comun["ics"]
    return {**ics, "contenido": ics["contenido"].replace("END:VEVENT\r\n", f"{linea}\r\nEND:VEVENT\r\n", 1)}


@redactor("mesa.sesion")
def redactar_avisos_de_sesion(avisos):
    """Convocatoria, update, cancellation and reminder notices (mesa.services._avisar_sesion)."""
    puntos = PuntoTabla.objects.select_related("organizacion", "practica", "diagnostico")
    sesiones = (
        Sesion.objects.select_related("mesa__anfitriona")
        .prefetch_related(Prefetch("puntos", puntos))
        .in_bulk({a.contexto_leido["sesion"].pk for a in avisos})
    )
    comunes = {}
    partes = {}
    for aviso in avisos:
        sesion = sesiones.get(aviso.contexto_leido["sesion"].pk)
        metodo = aviso.contexto_leido.get("metodo")
        if sesion is None or aviso.usuario is None:
            continue  # the session or the person is gone: the notice fails as no longer relevant
        comun = comunes.get((sesion.pk, metodo))
        if comun is None:
            comun = comunes[(sesion.pk, metodo)] = _comun(sesion, metodo)
        contexto = {"sesion": sesion, **comun["contexto"]}
        if metodo != CANCEL:
            contexto["rsvp"] = rsvp_enlaces(usuario=aviso.usuario, sesion=sesion)
        adjuntos = [_ics_de(comun, sesion, metodo, aviso.usuario)] if metodo else []
        partes[aviso.pk] = {"contexto": contexto, "adjuntos": adjuntos}
    return partes


@redactor("mesa.acta")
def redactar_avisos_de_acta(avisos):
    """The published acta's notices (mesa.services_actas.acta_publicar): the PDF kept at approval, attached, read
    once per acta in the batch."""
    pdfs = {}
    partes = {}
    for aviso in avisos:
        acta = aviso.contexto_leido["acta"]
        if acta.pk not in pdfs:
            pdfs[acta.pk] = {
                "nombre": f"acta-sesion-{aviso.contexto_leido['sesion'].numero}.pdf",
                "tipo": "application/pdf",
                "contenido": acta_pdf_contenido(acta),
            }
        partes[aviso.pk] = {"adjuntos": [pdfs[acta.pk]]}
    return partes
