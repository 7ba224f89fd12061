"""The plan as a PDF in the usual layout of a plan comunal de seguridad pública: a title page (plan, type, period,
territory, owners, state, approvals with their date and acuerdo), the objective, the tree (ejes → líneas de acción
→ actividades, indented, with owners and dates), milestones, and indicators with baseline and yearly targets.

Generated on request from the rows (reportlab), so it always matches the page; the house approach of
mesa/acta_pdf.py: Helvetica with WinAnsi covers Spanish without font files. "Página X de Y" needs the page count,
so the canvas keeps each page and writes the footers when the document is saved (nucleo.pdf.CanvasNumerado).
"""

from functools import partial
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from comunas.models import Comuna, Provincia
from diagnosticos.graficos import cifra
from diagnosticos.graficos import numero as _numero
from nucleo.formato import dia_largo, fecha_corta
from nucleo.pdf import CanvasNumerado
from planes import selectors as sel
from planes.models import Nodo

ANCHO = LETTER[0] - 4 * cm  # 2 cm margins
GRIS = colors.HexColor("#4a5560")
BORDE = colors.HexColor("#b8c2cc")
FONDO = colors.HexColor("#e8eef2")
FONDO_EJE = colors.HexColor("#f3f6f8")
MAX_COLUMNAS_DE_METAS = 6  # one column per year up to this; a longer period lists its targets in one cell


def _estilos():
    base = getSampleStyleSheet()
    normal = ParagraphStyle("normal", parent=base["BodyText"], fontName="Helvetica", fontSize=10, leading=14)
    return {
        "normal": normal,
        "celda": ParagraphStyle("celda", parent=normal, fontSize=9, leading=12),
        "pequeno": ParagraphStyle("pequeno", parent=normal, fontSize=8, leading=10, textColor=GRIS),
        "cabecera": ParagraphStyle("cabecera", parent=normal, fontName="Helvetica-Bold", fontSize=8, leading=10),
        "portada": ParagraphStyle("portada", parent=normal, fontSize=12, leading=16, textColor=GRIS),
        "titulo": ParagraphStyle(
            "titulo", parent=base["Title"], fontName="Helvetica-Bold", fontSize=22, leading=28, alignment=0
        ),
        "h1": ParagraphStyle(
            "h1", parent=base["Heading1"], fontName="Helvetica-Bold", fontSize=14, spaceBefore=12, spaceAfter=6
        ),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName="Helvetica-Bold", fontSize=12, spaceBefore=10),
    }


def _p(texto, estilo):
    return Paragraph(escape(str(texto or "")).replace("\n", "<br/>"), estilo)


def _tabla(filas, anchos, *, destacadas=(), repetir=1):
    tabla = Table(filas, colWidths=anchos, repeatRows=repetir)
    estilo = [
        ("GRID", (0, 0), (-1, -1), 0.4, BORDE),
        ("BACKGROUND", (0, 0), (-1, repetir - 1), FONDO),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    estilo += [("BACKGROUND", (0, i), (-1, i), FONDO_EJE) for i in destacadas]
    tabla.setStyle(TableStyle(estilo))
    return tabla


def _plazo(nodo):
    if nodo.inicio and nodo.termino:
        return f"{fecha_corta(nodo.inicio)} – {fecha_corta(nodo.termino)}"
    if nodo.termino:
        return f"hasta {fecha_corta(nodo.termino)}"
    return f"desde {fecha_corta(nodo.inicio)}" if nodo.inicio else "—"


def _territorios(plan):
    codigos = [c for c in plan.territorios or [] if c]
    nombres = dict(Comuna.objects.filter(codigo__in=codigos).values_list("codigo", "nombre"))
    nombres |= {
        c: f"Provincia de {n}" for c, n in Provincia.objects.filter(codigo__in=codigos).values_list("codigo", "nombre")
    }
    return ", ".join(nombres.get(c, c) for c in codigos)


def _portada(plan, e, hoy):
    duenas = list(plan.duenas.all())
    datos = [
        ("Tipo de plan", plan.get_tipo_display()),
        ("Período", f"{plan.anio_inicio}–{plan.anio_fin}"),
        ("Territorio", _territorios(plan) or "—"),
        ("Organizaciones responsables", "\n".join(o.nombre for o in duenas)),
        ("Estado", f"{plan.get_estado_display()} · avance {_numero(plan.avance)} %"),
    ]
    if plan.origen_id:
        datos.append(("Adaptado de", f"{plan.origen.titulo} ({plan.origen.organizacion.nombre})"))
    flujo = [
        Spacer(1, 2.5 * cm),
        _p(" · ".join(o.nombre for o in duenas), e["portada"]),
        Spacer(1, 0.4 * cm),
        _p(plan.get_tipo_display(), e["h2"]),
        _p(plan.titulo, e["titulo"]),
        _p(f"{plan.anio_inicio}–{plan.anio_fin}", e["portada"]),
        Spacer(1, 1 * cm),
        _tabla([[_p(k, e["cabecera"]), _p(v, e["celda"])] for k, v in datos], [5 * cm, ANCHO - 5 * cm], repetir=0),
        _p("Aprobaciones", e["h2"]),
    ]
    aprobaciones = list(plan.aprobaciones.select_related("version"))
    if aprobaciones:
        filas = [[_p(t, e["cabecera"]) for t in ("Aprobación", "Fecha", "N.º de acuerdo o sesión", "Versión")]]
        for a in aprobaciones:
            filas.append(
                [
                    _p(a.get_tipo_display(), e["celda"]),
                    _p(fecha_corta(a.fecha), e["celda"]),
                    _p(a.numero_acuerdo or "—", e["celda"]),
                    _p(a.version.numero if a.version else "—", e["celda"]),
                ]
            )
        flujo.append(_tabla(filas, [7.6 * cm, 4 * cm, 4 * cm, ANCHO - 15.6 * cm]))
    else:
        flujo.append(_p("Aún no tiene aprobaciones registradas.", e["normal"]))
    flujo += [
        Spacer(1, 1 * cm),
        _p(f"Documento generado el {dia_largo(hoy)}: refleja el plan y su avance a esa fecha.", e["pequeno"]),
        PageBreak(),
    ]
    return flujo


def _objetivo(plan, e):
    flujo = [_p("1. Objetivo general", e["h1"]), _p(plan.objetivo, e["normal"])]
    if plan.diagnostico_id:
        version = f" (versión {plan.diagnostico_version})" if plan.diagnostico_version else ""
        flujo.append(_p(f"Se basa en el diagnóstico «{plan.diagnostico.titulo}»{version}.", e["normal"]))
    problemas = list(plan.problemas.select_related("categoria").order_by("prioridad"))
    if problemas:
        flujo.append(_p("Problemas priorizados que responde:", e["normal"]))
        flujo += [_p(f"• {p}", ParagraphStyle("vineta", parent=e["normal"], leftIndent=12)) for p in problemas]
    return flujo


def _arbol(plan, e, filas):
    flujo = [_p("2. Ejes, líneas de acción y actividades", e["h1"])]
    if not filas:
        return [*flujo, _p("Aún no tiene ejes ni actividades.", e["normal"])]
    tabla = [
        [_p(t, e["cabecera"]) for t in ("Código", "Eje, línea de acción o actividad", "Responsable", "Plazo", "Avance")]
    ]
    destacadas = []
    for fila in filas:
        n = fila.nodo
        estilo = ParagraphStyle(
            f"nivel{fila.nivel}",
            parent=e["celda"],
            leftIndent=fila.nivel * 0.4 * cm,
            fontName="Helvetica" if n.tipo == Nodo.Tipo.ACTIVIDAD else "Helvetica-Bold",
        )
        texto = escape(n.titulo) + f' <font size="8" color="#4a5560">({escape(n.get_tipo_display().lower())})</font>'
        detalle = [f"Socios: {n.socios}"] if n.socios else []
        if n.presupuesto is not None:
            detalle.append(
                f"Presupuesto: $ {cifra(n.presupuesto, 0)}" + (f" ({n.financiamiento})" if n.financiamiento else "")
            )
        elif n.financiamiento:
            detalle.append(f"Financiamiento: {n.financiamiento}")
        if n.descartado:
            detalle.append("Se descarta en esta adaptación")
        if detalle:
            texto += f'<br/><font size="8" color="#4a5560">{escape(" · ".join(detalle))}</font>'
        responsable = n.responsable.nombre if n.responsable else "—"
        if n.persona:
            responsable += f"\n{n.persona.nombre}"
        avance = f"{_numero(n.avance)} %" + ("\natrasada" if fila.atrasada else "")
        tabla.append(
            [
                _p(n.codigo, e["celda"]),
                Paragraph(texto, estilo),
                _p(responsable, e["celda"]),
                _p(_plazo(n), e["celda"]),
                _p(avance, e["celda"]),
            ]
        )
        if fila.nivel == 0:
            destacadas.append(len(tabla) - 1)
    anchos = [1.5 * cm, 7.3 * cm, 3.6 * cm, 3.4 * cm]
    flujo.append(_tabla(tabla, [*anchos, ANCHO - sum(anchos)], destacadas=destacadas))
    return flujo


def _hitos(plan, e):
    hitos = list(plan.hitos.all())
    if not hitos:
        return []
    filas = [[_p(t, e["cabecera"]) for t in ("Fecha", "Hito", "Cumplido")]]
    for h in hitos:
        cumplido = fecha_corta(h.cumplido_en) if h.cumplido_en else "No"
        filas.append([_p(fecha_corta(h.fecha), e["celda"]), _p(h.titulo, e["celda"]), _p(cumplido, e["celda"])])
    return [_p("3. Hitos", e["h1"]), _tabla(filas, [3 * cm, ANCHO - 6 * cm, 3 * cm])]


def _indicadores(plan, e, numero):
    flujo = [_p(f"{numero}. Indicadores y metas", e["h1"])]
    indicadores = list(plan.indicadores.prefetch_related("metas"))
    if not indicadores:
        return [*flujo, _p("Aún no tiene indicadores.", e["normal"])]
    anios = list(range(plan.anio_inicio, plan.anio_fin + 1))
    por_anio = len(anios) <= MAX_COLUMNAS_DE_METAS
    cabecera = ["Indicador", "Línea base", *([f"Meta {a}" for a in anios] if por_anio else ["Metas"])]
    filas = [[_p(t, e["cabecera"]) for t in cabecera]]
    for i in indicadores:
        metas = {m.anio: m.valor for m in i.metas.all()}
        descripcion = f"{i.get_tipo_display()} · {i.unidad} · {i.get_sentido_display().lower()}"
        if i.formula:
            descripcion += f"\nFórmula: {i.formula}"
        nombre = Paragraph(
            f"<b>{escape(i.nombre)}</b><br/>"
            + f'<font size="8" color="#4a5560">{escape(descripcion).replace(chr(10), "<br/>")}</font>',
            e["celda"],
        )
        base = "—"
        if i.linea_base is not None:
            base = _numero(i.linea_base) + (f" ({i.linea_base_anio})" if i.linea_base_anio else "")
            base += f"\n{i.linea_base_fuente}" if i.linea_base_fuente else ""
        if por_anio:
            valores = [_numero(metas.get(a)) for a in anios]
        else:
            valores = ["\n".join(f"{a}: {_numero(v)}" for a, v in sorted(metas.items())) or "—"]
        filas.append([nombre, _p(base, e["celda"]), *(_p(v, e["celda"]) for v in valores)])
    resto = ANCHO - 6.5 * cm - 3 * cm
    anchos = [6.5 * cm, 3 * cm, *([resto / len(anios)] * len(anios) if por_anio else [resto])]
    flujo.append(_tabla(filas, anchos))
    return flujo


def plan_pdf(plan, hoy=None):
    """The PDF's bytes; `plan` came through planes.access.get_plan_for."""
    with translation.override("es-cl"):
        hoy = hoy or timezone.localdate()
        e = _estilos()
        filas = sel.arbol_del_plan(plan, hoy)
        hitos = _hitos(plan, e)
        flujo = [
            *_portada(plan, e, hoy),
            *_objetivo(plan, e),
            *_arbol(plan, e, filas),
            *hitos,
            *_indicadores(plan, e, 4 if hitos else 3),
        ]
        salida = BytesIO()
        doc = SimpleDocTemplate(
            salida,
            pagesize=LETTER,
            leftMargin=2 * cm,
            rightMargin=2 * cm,
            topMargin=2 * cm,
            bottomMargin=2 * cm,
            title=f"{plan.titulo} ({plan.periodo})",
            author=plan.organizacion.nombre,
            subject=plan.get_tipo_display(),
            lang="es-CL",
        )
        pie = f"{plan.titulo[:90]} · {plan.anio_inicio}–{plan.anio_fin}"
        doc.build(flujo, canvasmaker=partial(CanvasNumerado, pie=pie))
    return salida.getvalue()
