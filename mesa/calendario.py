"""iCalendar (.ics) for sessions: one stable UID per session, SEQUENCE from `Sesion.secuencia`, times in
America/Santiago with its VTIMEZONE, METHOD:REQUEST to invite or update and METHOD:CANCEL to cancel.

The invitations' ORGANIZER is a person who receives what calendar programs send back (the coordination:
mesa.access.organizador_de), never the platform's no-reply sender; a published calendar (the download,
the personal feed) has none."""

from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

ZONA = ZoneInfo(settings.TIME_ZONE)
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def uid_de(sesion):
    return f"sesion-{sesion.uid}@{urlsplit(settings.SITE_URL).hostname or 'mesa.localhost'}"


def _descripcion(sesion, puntos, *, con_enlace=True):
    lineas = [str(sesion.mesa), ""]
    if puntos:
        lineas.append("Tabla:")
        lineas += [f"{i}. {p.titulo} ({p.duracion_minutos} min)" for i, p in enumerate(puntos, start=1)]
        lineas.append("")
    if sesion.enlace:
        lineas.append(f"Enlace de la reunión: {sesion.enlace}")
    if con_enlace:
        lineas.append(f"Detalle: {settings.SITE_URL}{reverse('mesa:sesion', args=[sesion.pk])}")
    return "\n".join(lineas)


def evento(sesion, *, cancelada=False, asistente=None, organizador=None, con_enlace=True):
    """The session's VEVENT; `organizador`: (nombre, correo) of the ORGANIZER, or None for none. `con_enlace=False`
    for a guest without an account: no link to the session's page, which only members may open."""
    puntos = list(sesion.puntos.all())
    ev = Event()
    ev.add("uid", uid_de(sesion))
    ev.add("sequence", sesion.secuencia)
    ev.add("dtstamp", timezone.now())
    ev.add("dtstart", sesion.inicio.astimezone(ZONA))
    ev.add("dtend", sesion.fin.astimezone(ZONA))
    ev.add("summary", str(sesion))
    ev.add("description", _descripcion(sesion, puntos, con_enlace=con_enlace))
    ev.add("location", sesion.lugar or sesion.enlace or sesion.get_modalidad_display())
    if con_enlace:
        ev.add("url", f"{settings.SITE_URL}{reverse('mesa:sesion', args=[sesion.pk])}")
    ev.add("status", "CANCELLED" if cancelada else "CONFIRMED")
    if organizador is not None:
        nombre, correo = organizador
        quien = vCalAddress(f"mailto:{correo}")
        quien.params["cn"] = vText(nombre)
        ev.add("organizer", quien)
    if asistente is not None:
        persona = vCalAddress(f"mailto:{asistente.email}")
        persona.params["cn"] = vText(asistente.nombre or asistente.email)
        persona.params["role"] = vText("REQ-PARTICIPANT")
        persona.params["partstat"] = vText("NEEDS-ACTION")
        persona.params["rsvp"] = vText("FALSE")  # answers go through the signed links, not iMIP replies
        ev.add("attendee", persona, encode=0)
    return ev


def calendario(eventos, *, metodo=None, nombre=None):
    cal = Calendar()
    cal.add("prodid", "-//Mesa//Sesiones de mesas de seguridad//ES")
    cal.add("version", "2.0")
    if metodo:
        cal.add("method", metodo)
    if nombre:
        cal.add("x-wr-calname", nombre)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for ev in eventos:
        cal.add_component(ev)
    if eventos:
        anio = min(ev.start for ev in eventos).year
        desde, hasta = date(anio - 1, 1, 1), date(anio + 2, 1, 1)
        cal.add_missing_timezones(first_date=desde, last_date=hasta)
        for zona in cal.walk("VTIMEZONE"):  # the library's note is in English: say it in Spanish
            zona.pop("COMMENT", None)
            zona.add("COMMENT", f"Zona horaria válida del {desde:%d-%m-%Y} al {hasta:%d-%m-%Y}.")
    return cal.to_ical().decode()


def ics_sesion(sesion, *, metodo=REQUEST, asistente=None, organizador=None, con_enlace=True):
    ev = evento(sesion, cancelada=metodo == CANCEL, asistente=asistente, organizador=organizador, con_enlace=con_enlace)
    return calendario([ev], metodo=metodo)


def adjunto_ics(sesion, *, metodo=REQUEST, asistente=None, organizador=None, con_enlace=True):
    """The attachment as `aviso_crear` stores it (so a retry sends the same bytes)."""
    return {
        "nombre": "cancelacion.ics" if metodo == CANCEL else "invitacion.ics",
        "tipo": f"text/calendar; method={metodo}",
        "contenido": ics_sesion(
            sesion, metodo=metodo, asistente=asistente, organizador=organizador, con_enlace=con_enlace
        ),
    }
