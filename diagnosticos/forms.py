"""Forms of diagnoses and indicators (they validate; diagnosticos/services.py saves)."""

from django import forms
from django.utils import timezone

from comunas.models import Categoria, Organizacion
from diagnosticos.importacion import MAX_BYTES
from diagnosticos.models import Diagnostico
from diagnosticos.services import CAMPOS_EDITABLES

PROBLEMAS = 5


class DiagnosticoForm(forms.ModelForm):
    organizacion = forms.ModelChoiceField(
        queryset=Organizacion.objects.none(), label="Organización autora", empty_label=None
    )

    class Meta:
        model = Diagnostico
        fields = CAMPOS_EDITABLES
        widgets = {
            campo: forms.Textarea(attrs={"rows": 4})
            for campo in ("contexto", "fuentes", "construccion_detalle", "conclusiones")
        }

    def __init__(self, *args, organizaciones=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizaciones is None:  # editing: the author does not change
            del self.fields["organizacion"]
        else:
            self.fields["organizacion"].queryset = organizaciones
        anio = timezone.localdate().year
        for campo in ("anio_inicio", "anio_fin"):
            self.fields[campo].widget = forms.NumberInput(attrs={"min": 2000, "max": anio + 4})
        self.fields["titulo"].widget.attrs["placeholder"] = "Diagnóstico comunal de seguridad pública 2024"

    def datos(self):
        return {c: self.cleaned_data[c] for c in CAMPOS_EDITABLES}


class ProblemasForm(forms.Form):
    """Up to five prioritized problems, in order: the first is the most important."""

    def __init__(self, *args, iniciales=(), **kwargs):
        super().__init__(*args, **kwargs)
        categorias = Categoria.objects.vigentes().order_by("orden")
        for i in range(1, PROBLEMAS + 1):
            self.fields[f"categoria_{i}"] = forms.ModelChoiceField(
                queryset=categorias, required=False, label=f"Problema {i}", empty_label="(ninguno)"
            )
            self.fields[f"justificacion_{i}"] = forms.CharField(
                required=False, label=f"Por qué se prioriza (problema {i})", widget=forms.Textarea(attrs={"rows": 2})
            )
        for i, problema in enumerate(iniciales, start=1):
            self.initial[f"categoria_{i}"] = problema.categoria_id
            self.initial[f"justificacion_{i}"] = problema.justificacion

    def clean(self):
        datos = super().clean()
        vistas = set()
        for i in range(1, PROBLEMAS + 1):
            categoria = datos.get(f"categoria_{i}")
            if categoria and categoria.pk in vistas:
                self.add_error(f"categoria_{i}", "Esa categoría ya está priorizada más arriba.")
            elif categoria:
                vistas.add(categoria.pk)
            elif (datos.get(f"justificacion_{i}") or "").strip():
                self.add_error(f"categoria_{i}", "Elija la categoría del problema que justifica.")
        return datos

    def problemas(self):
        filas = [(self.cleaned_data[f"categoria_{i}"], self.cleaned_data[f"justificacion_{i}"]) for i in range(1, 6)]
        return [(c, j) for c, j in filas if c]

    def filas(self):
        return [(self[f"categoria_{i}"], self[f"justificacion_{i}"]) for i in range(1, PROBLEMAS + 1)]


class PublicarForm(forms.Form):
    visibilidad = forms.ChoiceField(
        label="Quién podrá verlo",
        choices=Diagnostico.Visibilidad.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class SubirIndicadoresForm(forms.Form):
    archivo = forms.FileField(
        label="Archivo de indicadores (CSV o Excel)",
        help_text=f"Use la plantilla. Máximo {MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ComparacionForm(forms.Form):
    """The comparison's choices; all in the URL (GET) so a comparison can be shared as a link."""

    categoria = forms.ModelChoiceField(
        queryset=Categoria.objects.vigentes().order_by("orden"), to_field_name="slug", label="Categoría"
    )
    anio = forms.TypedChoiceField(label="Año", coerce=int)
    ambito = forms.ChoiceField(label="Territorios", required=False)
    region = forms.ChoiceField(label="Región (si compara las comunas de una región)", required=False)
    mesa = forms.TypedChoiceField(label="Mesa (si compara los territorios de una mesa)", required=False, coerce=int)

    def __init__(self, *args, anios=(), regiones=(), ambitos=(), mesas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mesas = {m.pk: m for m in mesas}  # only the mesas the user may see (mesa.access.mesas_visibles)
        self.fields["anio"].choices = [(a, a) for a in anios]
        self.fields["region"].choices = [(r.codigo, r.nombre) for r in regiones]
        self.fields["mesa"].choices = [("", "(ninguna)")] + [(m.pk, m.nombre) for m in mesas]
        self.fields["ambito"].choices = ambitos if mesas else [a for a in ambitos if a[0] != "mesa"]
        for campo in self.fields.values():
            campo.widget.attrs["class"] = "form-select"

    def clean(self):
        datos = super().clean()
        datos["mesa"] = self.mesas.get(datos.get("mesa"))
        if datos.get("ambito") == "mesa" and datos["mesa"] is None:
            self.add_error("mesa", "Elija una de sus mesas.")
        return datos
