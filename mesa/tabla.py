"""The agenda's timetable: when each item starts and ends ("10:00 – 10:20") and how long the whole agenda lasts."""

from datetime import datetime, timedelta

from django.utils import timezone


def duracion_legible(minutos):
    """90 → "1 h 30 min", 45 → "45 min", 120 → "2 h"."""
    horas, resto = divmod(minutos, 60)
    if horas and resto:
        return f"{horas} h {resto} min"
    return f"{horas} h" if horas else f"{resto} min"


def horario(sesion, puntos):
    """Sets `desde` and `hasta` (local datetimes) and `superpuesto` on each item, in agenda order: an item starts
    at its own hora_inicio or, without one, when the previous item ends (the first, when the session starts); an
    item that starts before the previous one ends overlaps it. Returns the agenda's summary: total minutes, when it
    ends, and whether it goes past the session's end. No query: `puntos` is the list already loaded."""
    inicio = timezone.localtime(sesion.inicio)
    fin = timezone.localtime(sesion.fin)
    cursor = inicio
    for punto in puntos:
        desde = cursor
        if punto.hora_inicio is not None:
            desde = timezone.make_aware(datetime.combine(inicio.date(), punto.hora_inicio))
        punto.superpuesto = desde < cursor
        punto.desde = desde
        punto.hasta = desde + timedelta(minutes=punto.duracion_minutos)
        cursor = punto.hasta
    minutos = sum(p.duracion_minutos for p in puntos)
    termina = max((p.hasta for p in puntos), default=inicio)
    return {
        "minutos": minutos,
        "duracion": duracion_legible(minutos),
        "empieza": inicio,
        "termina": termina,
        "excede": termina > fin,
        "fin_sesion": fin,
    }
