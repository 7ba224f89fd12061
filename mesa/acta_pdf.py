"""The acta as a PDF (reportlab). A draft is rendered on each request from the rows; an approved acta is rendered
once, at approval, and that file is served from then on (mesa.services_actas.acta_pdf_aprobado).

Helvetica with reportlab's WinAnsi encoding covers Spanish (á é í ó ú ü ñ ¿ ¡ º), no font files needed.

Accessibility: the text is real text in reading order, the document carries its title (shown by the viewer
instead of the file name), author, subject, keywords and language (es-CL), and an outline (bookmarks) of its
sections opens with it; the table of acuerdos repeats its header row on each page. It is not a *tagged* PDF
(no structure tree of headings, lists and tables for screen readers): the open-source reportlab does not write
one, and the tools that do (a headless browser, or a commercial toolkit) weigh far more than this page needs.
"""

from functools import partial
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mesa.services_participantes import invitados_por_institucion, quorum_texto
from nucleo.formato import dia_largo, fecha_larga
from nucleo.pdf import GRIS, MARGEN, CanvasNumerado


def _p(texto, estilo, nivel=None):
    parrafo = Paragraph(escape(texto or "").replace("\n", "<br/>"), estilo)
    parrafo.nivel_esquema = nivel  # read by _Documento.afterFlowable: an entry of the outline
    return parrafo


class _Documento(SimpleDocTemplate):
    """Adds an outline entry (bookmark) for each heading, at its level, as it lands on its page."""

    def afterFlowable(self, flowable):
        nivel = getattr(flowable, "nivel_esquema", None)
        if nivel is None:
            return
        clave = f"seccion-{self.seq.nextf('esquema')}"
        self.canv.bookmarkPage(clave)
        self.canv.addOutlineEntry(flowable.getPlainText(), clave, level=nivel)


def _estilos():
    base = getSampleStyleSheet()
    normal = ParagraphStyle("normal", parent=base["BodyText"], fontName="Helvetica", fontSize=10, leading=14)
    return {
        "normal": normal,
        "titulo": ParagraphStyle("titulo", parent=base["Title"], fontName="Helvetica-Bold", fontSize=16),
        "h2": ParagraphStyle(
            "h2", parent=base["Heading2"], fontName="Helvetica-Bold", fontSize=12, spaceBefore=10, keepWithNext=1
        ),
        "h3": ParagraphStyle("h3", parent=normal, fontName="Helvetica-Bold", spaceBefore=4, keepWithNext=1),
        "pequeno": ParagraphStyle("pequeno", parent=normal, fontSize=8, leading=11, textColor=GRIS),
        "destacado": ParagraphStyle(
            "destacado", parent=normal, fontName="Helvetica-Bold", textColor=colors.HexColor("#0b4f6c")
        ),
    }


def _situacion(acta):
    """The line under the title saying what this document is: approved (when and where), or a draft."""
    if acta.aprobada:
        return acta.aprobacion + "."
    if acta.estado == acta.Estado.EN_REVISION and acta.plazo_comentarios:
        return (
            "Borrador en revisión, sin aprobar: circulado para comentarios hasta el "
            f"{dia_largo(acta.plazo_comentarios)}."
        )
    return "Borrador sin aprobar."


def acta_pdf(acta, *, asistencia, generado=None):
    """The PDF bytes. `asistencia`: mesa.services_actas.asistencia_del_acta(acta); `generado`: the moment it is
    rendered (now by default), which the acuerdos' states refer to."""
    generado = generado or timezone.now()
    sesion = acta.sesion
    mesa = sesion.mesa
    anfitriona = mesa.anfitriona.nombre
    e = _estilos()

    titulo = f"Acta de la {str(sesion)[0].lower()}{str(sesion)[1:]}"
    flujo = [
        _p(f"Acta de la sesión {sesion.get_tipo_display().lower()} n.º {sesion.numero}", e["titulo"], nivel=0),
        _p(mesa.nombre, e["normal"]),
        _p(f"Fecha: {fecha_larga(sesion.inicio)} a {formats.time_format(timezone.localtime(sesion.fin))}", e["normal"]),
        _p(
            f"Modalidad: {sesion.get_modalidad_display()}" + (f" · Lugar: {sesion.lugar}" if sesion.lugar else ""),
            e["normal"],
        ),
        _p(f"Convoca: {anfitriona}", e["normal"]),
        Spacer(1, 4),
        _p(_situacion(acta), e["destacado"]),
    ]
    if acta.aprobada and acta.aprobada_en and timezone.localdate(generado) != timezone.localdate(acta.aprobada_en):
        # An acta approved before PDFs were kept: rendered later, and it says so.
        flujo.append(
            _p(f"Este PDF se generó el {dia_largo(generado)} a partir del acta aprobada.", e["pequeno"]),
        )
    if acta.resumen:
        flujo += [Spacer(1, 6), _p(acta.resumen, e["normal"])]

    flujo.append(_p("Asistencia", e["h2"], nivel=0))
    if not asistencia:
        flujo.append(_p("No se registró asistencia.", e["normal"]))
    for organizacion, presentes, ausentes in asistencia:
        nombre = organizacion.nombre if organizacion else "Sin organización"
        linea = f"<b>{escape(nombre)}</b>: " + (escape(", ".join(p.nombre for p in presentes)) or "sin asistentes")
        if ausentes:
            linea += f" <i>(ausentes: {escape(', '.join(p.nombre for p in ausentes))})</i>"
        flujo.append(Paragraph(linea, e["normal"]))
    for institucion, presentes, ausentes in invitados_por_institucion(sesion):  # guests, by institution
        linea = f"<b>Invitados — {escape(institucion)}</b>: "
        linea += escape(", ".join(i.nombre_con_cargo for i in presentes)) or "sin asistentes"
        if ausentes:
            linea += f" <i>(no asistieron: {escape(', '.join(i.nombre for i in ausentes))})</i>"
        flujo.append(Paragraph(linea, e["normal"]))
    if sesion.quorum:
        flujo += [Spacer(1, 4), _p(quorum_texto(sesion.quorum), e["normal"])]

    flujo.append(_p("Desarrollo de la tabla", e["h2"], nivel=0))
    secciones = list(acta.secciones.all())
    for seccion in secciones:
        flujo.append(_p(f"{seccion.orden}. {seccion.titulo}", e["h3"], nivel=1))
        flujo.append(_p(seccion.texto or "Sin observaciones.", e["normal"]))
    if not secciones:
        flujo.append(_p("La sesión no tuvo tabla.", e["normal"]))

    acuerdos = list(acta.acuerdos.select_related("organizacion", "persona", "actividad"))
    flujo.append(_p("Acuerdos", e["h2"], nivel=0))
    if acuerdos:
        filas = [[_p(t, e["pequeno"]) for t in ("N.º", "Acuerdo", "Responsable", "Plazo", "Estado")]]
        for i, acuerdo in enumerate(acuerdos, start=1):
            responsable = acuerdo.organizacion.nombre + (f" — {acuerdo.persona.nombre}" if acuerdo.persona else "")
            vencido = acuerdo.actual != acuerdo.Estado.CUMPLIDO and acuerdo.plazo < timezone.localdate(generado)
            filas.append(
                [
                    _p(str(i), e["normal"]),
                    _p(acuerdo.descripcion, e["normal"]),
                    _p(responsable, e["normal"]),
                    _p(formats.date_format(acuerdo.plazo, "d-m-Y"), e["normal"]),
                    _p("Vencido" if vencido else acuerdo.get_actual_display(), e["normal"]),
                ]
            )
        tabla = Table(filas, colWidths=[1.1 * cm, 7.2 * cm, 4.6 * cm, 2.2 * cm, 2.4 * cm], repeatRows=1)
        tabla.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        flujo += [tabla, Spacer(1, 4)]
        flujo.append(
            _p(
                f"Estado de los acuerdos al {dia_largo(generado)}; su avance posterior se sigue en la plataforma.",
                e["pequeno"],
            )
        )
    else:
        flujo.append(_p("Sin acuerdos.", e["normal"]))

    borrador = not acta.aprobada

    def pagina(canvas, doc):
        """The header of every page: the host organization, and the mesa (or, on a draft, that it is one)."""
        ancho, alto = LETTER
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(MARGEN, alto - 1.2 * cm, anfitriona)
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(GRIS)
        canvas.drawRightString(ancho - MARGEN, alto - 1.2 * cm, "BORRADOR SIN APROBAR" if borrador else mesa.nombre)
        canvas.setStrokeColor(colors.HexColor("#b8c2cc"))
        canvas.line(MARGEN, alto - 1.4 * cm, ancho - MARGEN, alto - 1.4 * cm)
        canvas.restoreState()

    def primera(canvas, doc):
        canvas.showOutline()  # the viewer opens with the bookmarks shown
        pagina(canvas, doc)

    salida = BytesIO()
    doc = _Documento(
        salida,
        pagesize=LETTER,
        leftMargin=MARGEN,
        rightMargin=MARGEN,
        topMargin=MARGEN,
        bottomMargin=MARGEN,
        title=f"{titulo} ({dia_largo(sesion.inicio)})",
        author=anfitriona,
        subject=f"{_situacion(acta)} {mesa.nombre}.",
        keywords=["acta", "mesa", "seguridad pública", mesa.nombre],
        creator="Mesa · plataforma de buenas prácticas en seguridad pública",
        lang="es-CL",
        displayDocTitle=True,
    )
    pie = f"Acta de la sesión n.º {sesion.numero} · {mesa.nombre}"[:110]
    doc.build(flujo, onFirstPage=primera, onLaterPages=pagina, canvasmaker=partial(CanvasNumerado, pie=pie))
    return salida.getvalue()
