"""The acta as a PDF (reportlab, generated on request from the rows, so it always matches the page).

Helvetica with reportlab's WinAnsi encoding covers Spanish (á é í ó ú ü ñ ¿ ¡ º), no font files needed.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mesa.services_actas import asistencia_del_acta
from mesa.services_participantes import invitados_por_institucion, quorum_texto


def _p(texto, estilo):
    return Paragraph(escape(texto or "").replace("\n", "<br/>"), estilo)


def _fecha(valor, formato="j \\d\\e F \\d\\e Y, H:i"):
    return formats.date_format(timezone.localtime(valor), formato)


def acta_pdf(acta):
    sesion = acta.sesion
    estilos = getSampleStyleSheet()
    normal = ParagraphStyle("normal", parent=estilos["BodyText"], fontName="Helvetica", fontSize=10, leading=14)
    titulo = ParagraphStyle("titulo", parent=estilos["Title"], fontName="Helvetica-Bold", fontSize=16)
    h2 = ParagraphStyle("h2", parent=estilos["Heading2"], fontName="Helvetica-Bold", fontSize=12, spaceBefore=10)
    pequeno = ParagraphStyle("pequeno", parent=normal, fontSize=8, textColor=colors.HexColor("#4a5560"))

    flujo = [
        _p(f"Acta: {sesion}", titulo),
        _p(f"{_fecha(sesion.inicio)} a {_fecha(sesion.fin, 'H:i')} · {sesion.get_modalidad_display()}", normal),
    ]
    if sesion.lugar:
        flujo.append(_p(f"Lugar: {sesion.lugar}", normal))
    estado = acta.get_estado_display()
    if acta.aprobada_en_sesion:
        estado += f" · aprobada en la sesión n.º {acta.aprobada_en_sesion.numero}"
    elif acta.aprobada_en:
        estado += f" · aprobada el {_fecha(acta.aprobada_en, 'j \\d\\e F \\d\\e Y')}"
    flujo.append(_p(f"Estado: {estado}", normal))
    if acta.resumen:
        flujo += [Spacer(1, 6), _p(acta.resumen, normal)]

    flujo.append(_p("Asistencia", h2))
    for organizacion, presentes, ausentes in asistencia_del_acta(acta):
        nombre = organizacion.nombre if organizacion else "Sin organización"
        linea = f"<b>{escape(nombre)}</b>: " + (escape(", ".join(p.nombre for p in presentes)) or "sin asistentes")
        if ausentes:
            linea += f" <i>(ausentes: {escape(', '.join(p.nombre for p in ausentes))})</i>"
        flujo.append(Paragraph(linea, normal))
    for institucion, presentes, ausentes in invitados_por_institucion(sesion):  # guests, by institution
        linea = f"<b>Invitados — {escape(institucion)}</b>: "
        linea += escape(", ".join(i.nombre_con_cargo for i in presentes)) or "sin asistentes"
        if ausentes:
            linea += f" <i>(no asistieron: {escape(', '.join(i.nombre for i in ausentes))})</i>"
        flujo.append(Paragraph(linea, normal))
    if sesion.quorum:
        flujo += [Spacer(1, 4), _p(quorum_texto(sesion.quorum), normal)]

    flujo.append(_p("Desarrollo de la tabla", h2))
    for seccion in acta.secciones.all():
        flujo += [
            _p(f"{seccion.orden}. {seccion.titulo}", ParagraphStyle("h3", parent=normal, fontName="Helvetica-Bold"))
        ]
        flujo.append(_p(seccion.texto or "Sin observaciones.", normal))

    acuerdos = list(acta.acuerdos.select_related("organizacion", "persona", "actividad"))
    flujo.append(_p("Acuerdos", h2))
    if acuerdos:
        filas = [[_p(t, pequeno) for t in ("N.º", "Acuerdo", "Responsable", "Plazo", "Estado")]]
        for i, acuerdo in enumerate(acuerdos, start=1):
            filas.append(
                [
                    _p(str(i), normal),
                    _p(acuerdo.descripcion, normal),
                    _p(
                        acuerdo.organizacion.nombre + (f" — {acuerdo.persona.nombre}" if acuerdo.persona else ""),
                        normal,
                    ),
                    _p(formats.date_format(acuerdo.plazo, "j/m/Y"), normal),
                    _p(acuerdo.estado_visible, normal),
                ]
            )
        tabla = Table(filas, colWidths=[1.1 * cm, 7.4 * cm, 4.6 * cm, 2.2 * cm, 2.2 * cm], repeatRows=1)
        tabla.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        flujo.append(tabla)
    else:
        flujo.append(_p("Sin acuerdos.", normal))

    def pie(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, 1.2 * cm, f"{sesion.mesa} · Acta de la sesión n.º {sesion.numero}")
        canvas.drawRightString(LETTER[0] - 2 * cm, 1.2 * cm, f"Página {doc.page}")
        canvas.restoreState()

    salida = BytesIO()
    doc = SimpleDocTemplate(
        salida,
        pagesize=LETTER,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=f"Acta de la sesión n.º {sesion.numero} — {sesion.mesa}",
        author=str(sesion.mesa.anfitriona),
        lang="es-CL",
    )
    doc.build(flujo, onFirstPage=pie, onLaterPages=pie)
    return salida.getvalue()
