"""Server-rendered SVG charts (no JavaScript, nothing for the CSP to allow): geometry only, drawn by templates.

Every chart goes with a data table and a text summary in the page (built in diagnosticos/selectors.py); colours
are SVG presentation attributes, not inline styles, so `style-src 'self'` holds.
"""

import math
from decimal import Decimal

ANCHO = 640
COLOR = "#0b4f6c"
COLOR_DESTACADO = "#b4461b"


def cifra(valor, decimales=1):
    """Chilean notation: 1.234,5 (dot for thousands, comma for decimals); "—" when there is no value."""
    if valor is None:
        return "—"
    texto = f"{Decimal(valor):,.{decimales}f}"
    return texto.replace(",", "_").replace(".", ",").replace("_", ".")


def numero(valor):
    """A measured value with the decimals it has (up to two): 12 → "12", 12.5 → "12,5", 1234.25 → "1.234,25"."""
    if valor is None:
        return "—"
    valor = Decimal(valor)
    decimales = 0 if valor == valor.to_integral_value() else 1 if valor * 10 == (valor * 10).to_integral_value() else 2
    return cifra(valor, decimales)


def _n(valor):
    """A coordinate as text with a dot: templates would localize a float to "12,5" (a list of two numbers in SVG)."""
    return f"{valor:.1f}"


def _tope(maximo):
    """A round upper bound for the axis (1, 2, 2.5, 5 × 10^n) and its 4 or 5 ticks."""
    if maximo <= 0:
        return 1, [0, 1]
    potencia = 10 ** math.floor(math.log10(maximo))
    for factor in (1, 2, 2.5, 5, 10):
        tope = factor * potencia
        if tope >= maximo:
            break
    paso = tope / 4
    return tope, [paso * i for i in range(5)]


def lineas(anios, valores, *, alto=220, decimales=1):
    """A line chart of one series: `valores` aligned with `anios` (None where there is no figure: no point, and
    the line is broken there rather than drawn across the gap). `decimales=None`: each value with its own."""
    izq, der, arriba, abajo = 64, 16, 12, 28
    ancho_util, alto_util = ANCHO - izq - der, alto - arriba - abajo
    tope, marcas = _tope(max((float(v) for v in valores if v is not None), default=0))

    def x(i):
        return izq + (ancho_util * i / (len(anios) - 1) if len(anios) > 1 else ancho_util / 2)

    def y(v):
        return arriba + alto_util - alto_util * float(v) / tope

    puntos, tramos, tramo = [], [], []
    for i, (a, v) in enumerate(zip(anios, valores, strict=True)):
        if v is None:
            tramo = []
            continue
        texto = numero(v) if decimales is None else cifra(v, decimales)
        punto = {"x": _n(x(i)), "y": _n(y(v)), "valor": texto, "anio": a}
        puntos.append(punto)
        if not tramo:
            tramos.append(tramo)
        tramo.append(f"{punto['x']},{punto['y']}")
    return {
        "ancho": ANCHO,
        "alto": alto,
        "color": COLOR,
        "puntos": puntos,
        "tramos": [" ".join(t) for t in tramos if len(t) > 1],
        "eje_y": [{"y": _n(y(m)), "texto": cifra(m, 0)} for m in marcas],
        "eje_x": [{"x": _n(x(i)), "texto": a} for i, a in enumerate(anios)],
        "izq": izq,
        "der": ANCHO - der,
        "base": arriba + alto_util,
    }


def barras(filas, *, destacados=()):
    """Horizontal bars, one per territory: `filas` is [(codigo, nombre, valor)], already sorted."""
    izq, der, fila, arriba = 190, 70, 22, 8
    ancho_util = ANCHO - izq - der
    tope, marcas = _tope(max((float(v) for _, _, v in filas if v is not None), default=0))
    alto = arriba + fila * len(filas) + 24
    barras_ = []
    for i, (codigo, nombre, valor) in enumerate(filas):
        largo = ancho_util * float(valor or 0) / tope
        y = arriba + i * fila
        barras_.append(
            {
                "nombre": nombre,
                "y": y + 4,
                "y_texto": y + 16,
                "largo": _n(largo),
                "fin": _n(izq + largo + 4),
                "valor": cifra(valor),
                "color": COLOR_DESTACADO if codigo in destacados else COLOR,
                "destacado": codigo in destacados,
            }
        )
    return {
        "ancho": ANCHO,
        "alto": alto,
        "izq": izq,
        "barras": barras_,
        "base": alto - 20,
        "eje_x": [{"x": _n(izq + ancho_util * m / tope), "texto": cifra(m, 0)} for m in marcas],
    }
