"""Forms of diagnoses and indicators (they validate; diagnosticos/services.py saves)."""

from django import forms
from django.utils import timezone

from comunas.models import Categoria, Organizacion
from diagnosticos.importacion import MAX_BYTES
from diagnosticos.models import Diagnostico, ProblemaPriorizado
from diagnosticos.services import CAMPOS_EDITABLES, CAMPOS_PROBLEMA

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


class CategoriaJerarquicaField(forms.ModelChoiceField):
    """A category of the taxonomy in force, shown as its tree (families, groups indented, subgroups more)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Categoria.objects.vigentes().order_by("orden"))
        super().__init__(*args, **kwargs)
        sangria = {"familia": "", "grupo": "\u2003", "subgrupo": "\u2003\u2003"}
        self.sangria = sangria

    def label_from_instance(self, categoria):
        return f"{self.sangria.get(categoria.nivel, '')}{categoria.nombre}"


CRITERIO = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]


class ProblemasForm(forms.Form):
    """Up to five prioritized problems, in order: the first is the most important. Each is a category of the
    taxonomy or a local problem tied to the nearest one, with its prioritization criteria (1 to 5), the groups
    it affects and the places it concerns."""

    def __init__(self, *args, iniciales=(), **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, PROBLEMAS + 1):
            self.fields[f"categoria_{i}"] = CategoriaJerarquicaField(
                required=False, label="Categoría (o la más cercana)", empty_label="(ninguno)"
            )
            self.fields[f"problema_local_{i}"] = forms.CharField(
                required=False,
                max_length=200,
                label="Problema local, en sus palabras (opcional)",
                help_text="P. ej. «microtráfico en plazas»; la categoría de arriba es la más cercana.",
            )
            self.fields[f"justificacion_{i}"] = forms.CharField(
                required=False,
                max_length=4000,
                label="Por qué se prioriza",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            for criterio in ProblemaPriorizado.CRITERIOS:
                etiqueta = ProblemaPriorizado._meta.get_field(criterio).verbose_name.capitalize()
                self.fields[f"{criterio}_{i}"] = forms.TypedChoiceField(
                    required=False, choices=CRITERIO, coerce=int, empty_value=None, label=f"{etiqueta} (1 a 5)"
                )
            self.fields[f"grupos_afectados_{i}"] = forms.MultipleChoiceField(
                required=False,
                choices=ProblemaPriorizado.Grupo.choices,
                widget=forms.CheckboxSelectMultiple,
                label="Grupos afectados",
            )
            self.fields[f"lugares_{i}"] = forms.CharField(
                required=False, max_length=300, label="Lugares (barrios, unidades vecinales, cuadrantes)"
            )
        for i, problema in enumerate(iniciales, start=1):
            for campo in CAMPOS_PROBLEMA:
                valor = getattr(problema, campo)
                self.initial[f"{campo}_{i}"] = valor.pk if campo == "categoria" else valor

    def clean(self):
        datos = super().clean()
        vistas = set()
        for i in range(1, PROBLEMAS + 1):
            categoria = datos.get(f"categoria_{i}")
            local = (datos.get(f"problema_local_{i}") or "").strip()
            otros = [c for c in CAMPOS_PROBLEMA if c != "categoria" and datos.get(f"{c}_{i}")]
            if categoria and not local and categoria.pk in vistas:
                self.add_error(f"categoria_{i}", "Esa categoría ya está priorizada más arriba.")
            elif categoria and not local:
                vistas.add(categoria.pk)
            elif not categoria and otros:
                self.add_error(f"categoria_{i}", "Elija la categoría del problema (o la más cercana).")
        return datos

    def problemas(self):
        filas = [{c: self.cleaned_data.get(f"{c}_{i}") for c in CAMPOS_PROBLEMA} for i in range(1, PROBLEMAS + 1)]
        return [f for f in filas if f["categoria"]]

    def filas(self):
        return [
            {
                "numero": i,
                "categoria": self[f"categoria_{i}"],
                "problema_local": self[f"problema_local_{i}"],
                "justificacion": self[f"justificacion_{i}"],
                "criterios": [self[f"{c}_{i}"] for c in ProblemaPriorizado.CRITERIOS],
                "grupos_afectados": self[f"grupos_afectados_{i}"],
                "lugares": self[f"lugares_{i}"],
            }
            for i in range(1, PROBLEMAS + 1)
        ]


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

    categoria = CategoriaJerarquicaField(to_field_name="slug", label="Categoría (familia, grupo o subgrupo)")
    medida = forms.ChoiceField(label="Qué se cuenta y de qué fuente", required=False)
    anio = forms.TypedChoiceField(label="Año", coerce=int)
    ambito = forms.ChoiceField(label="Territorios", required=False)
    region = forms.ChoiceField(label="Región (si compara las comunas de una región)", required=False)
    mesa = forms.TypedChoiceField(label="Mesa (si compara los territorios de una mesa)", required=False, coerce=int)

    def __init__(self, *args, anios=(), regiones=(), ambitos=(), mesas=(), medidas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mesas = {m.pk: m for m in mesas}  # only the mesas the user may see (mesa.access.mesas_visibles)
        self.medidas = {m["valor"]: m["clave"] for m in medidas}
        self.fields["medida"].choices = [(m["valor"], m["etiqueta"]) for m in medidas]
        self.fields["anio"].choices = [(a, a) for a in anios]
        self.fields["region"].choices = [(r.codigo, getattr(r, "nombre_oficial", "") or r.nombre) for r in regiones]
        self.fields["mesa"].choices = [("", "(ninguna)")] + [(m.pk, m.nombre) for m in mesas]
        self.fields["ambito"].choices = ambitos if mesas else [a for a in ambitos if a[0] != "mesa"]
        for campo in self.fields.values():
            campo.widget.attrs["class"] = "form-select"

    def clean(self):
        datos = super().clean()
        datos["mesa"] = self.mesas.get(datos.get("mesa"))
        datos["medida"] = self.medidas.get(datos.get("medida"))
        if datos.get("ambito") == "mesa" and datos["mesa"] is None:
            self.add_error("mesa", "Elija una de sus mesas.")
        return datos
