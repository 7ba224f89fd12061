"""Pieces shared by the PDFs the apps write with reportlab (the plan, the acta)."""

from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

GRIS = colors.HexColor("#4a5560")
MARGEN = 2 * cm


class CanvasNumerado(Canvas):
    """Keeps every page until the end, then draws each footer knowing the total: `pie` on the left and
    "Página X de Y" on the right. Use it as `doc.build(…, canvasmaker=partial(CanvasNumerado, pie=…))`."""

    def __init__(self, *args, pie="", **kwargs):
        super().__init__(*args, **kwargs)
        self._pie, self._paginas = pie, []

    def showPage(self):
        self._paginas.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._paginas)
        ancho = self._pagesize[0]
        for numero, estado in enumerate(self._paginas, start=1):
            self.__dict__.update(estado)
            self.saveState()
            self.setFont("Helvetica", 8)
            self.setFillColor(GRIS)
            self.drawString(MARGEN, 1.2 * cm, self._pie)
            self.drawRightString(ancho - MARGEN, 1.2 * cm, f"Página {numero} de {total}")
            self.restoreState()
            super().showPage()
        super().save()
