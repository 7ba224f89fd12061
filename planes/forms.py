"""Forms of action plans: they validate and lay out; planes/services.py writes."""

from django import forms
from django.utils import timezone

from comunas.models import Organizacion
from diagnosticos.forms import CategoriaJerarquicaField
from diagnosticos.models import Indicador
from nucleo.formularios import VariosArchivosField
from planes.models import Aprobacion, EstadoActividad, Hito, IndicadorPlan, Nodo, Plan
from planes.services import CAMPOS_NODO


class PlanForm(forms.ModelForm):
    duenas = forms.ModelMultipleChoiceField(
        queryset=Organizacion.objects.none(),
        required=False,
        label="Otras organizaciones responsables",
        help_text="Para un plan intercomunal: las organizaciones que lo llevan adelante junto a la suya.",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Plan
        fields = ["tipo", "titulo", "objetivo", "anio_inicio", "anio_fin", "diagnostico", "visibilidad"]
        widgets = {"objetivo": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "tipo": "El plan comunal dura cuatro años y se actualiza cada año (Ley 20.965, art. 104 F).",
            "diagnostico": "El diagnóstico en que se basa (se guarda su versión vigente).",
        }

    def __init__(self, *args, organizacion=None, diagnosticos=None, otras=None, **kwargs):
        super().__init__(*args, **kwargs)
        anio = timezone.localdate().year
        self.fields["anio_inicio"].widget = forms.NumberInput(attrs={"min": 2015, "max": anio + 5})
        self.fields["anio_fin"].widget = forms.NumberInput(attrs={"min": 2015, "max": anio + 9})
        self.fields["diagnostico"].queryset = (
            diagnosticos if diagnosticos is not None else self.fields["diagnostico"].queryset.none()
        )
        self.fields["diagnostico"].empty_label = "(sin diagnóstico)"
        self.fields["duenas"].queryset = otras if otras is not None else Organizacion.objects.none()
        if self.instance.pk:
            self.initial["duenas"] = [o.pk for o in self.instance.duenas.all() if o.pk != self.instance.organizacion_id]

    def datos(self):
        return {c: self.cleaned_data[c] for c in self.Meta.fields}


class NodoForm(forms.ModelForm):
    class Meta:
        model = Nodo
        fields = CAMPOS_NODO
        widgets = {
            "descripcion": forms.Textarea(attrs={"rows": 3}),
            "inicio": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "termino": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, organizaciones=None, personas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsable"].queryset = organizaciones if organizaciones is not None else Organizacion.objects
        self.fields["responsable"].empty_label = "(sin definir)"
        if personas is not None:
            self.fields["persona"].queryset = personas
        self.fields["persona"].empty_label = "(sin definir)"
        self.fields["peso"].widget.attrs.update(min=0, step="0.5")
        self.fields["presupuesto"].widget.attrs.update(min=0, step=1)

    def datos(self):
        return {c: self.cleaned_data[c] for c in CAMPOS_NODO}


class AvanceForm(forms.Form):
    fecha = forms.DateField(label="Fecha", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    texto = forms.CharField(label="Qué se hizo", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    porcentaje = forms.DecimalField(
        label="Avance de la actividad (%)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    estado = forms.ModelChoiceField(
        queryset=EstadoActividad.objects.all(),
        required=False,
        label="Estado",
        empty_label="(sin cambio)",
        help_text="Si no indica un porcentaje, se usa el del estado.",
    )
    archivos = VariosArchivosField(label="Evidencia (fotos, actas, informes)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fecha"].initial = timezone.localdate()

    def clean(self):
        datos = super().clean()
        if datos.get("porcentaje") is None and datos.get("estado") is None:
            raise forms.ValidationError("Indique el porcentaje de avance o el estado de la actividad.")
        return datos


class HitoForm(forms.ModelForm):
    class Meta:
        model = Hito
        fields = ["titulo", "fecha", "nodo"]
        widgets = {"fecha": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nodo"].queryset = plan.nodos.order_by("orden", "pk")
        self.fields["nodo"].required = False
        self.fields["nodo"].empty_label = "(del plan completo)"


class HitoCumplidoForm(forms.Form):
    fecha = forms.DateField(label="Cumplido el", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    evidencia = forms.CharField(label="Evidencia", required=False, max_length=2000)


class IndicadorForm(forms.ModelForm):
    serie_categoria = CategoriaJerarquicaField(
        required=False,
        label="Sigue la serie de la categoría",
        empty_label="(se mide a mano)",
        help_text="Solo indicadores de impacto: sus valores se toman de los indicadores cargados del territorio.",
    )

    class Meta:
        model = IndicadorPlan
        fields = [
            "nombre",
            "tipo",
            "formula",
            "unidad",
            "sentido",
            "linea_base",
            "linea_base_anio",
            "linea_base_fuente",
            "serie_categoria",
            "serie_medida",
            "nodo",
        ]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["nodo"].queryset = plan.nodos.order_by("orden", "pk")
        self.fields["nodo"].empty_label = "(del plan completo)"
        self.fields["serie_medida"].choices = [("", "(casos policiales)"), *Indicador.Medida.choices[:4]]
        for anio in range(plan.anio_inicio, plan.anio_fin + 1):
            self.fields[f"meta_{anio}"] = forms.DecimalField(label=f"Meta {anio}", required=False, decimal_places=2)

    def clean(self):
        datos = super().clean()
        if datos.get("serie_categoria") and datos.get("tipo") != IndicadorPlan.Tipo.IMPACTO:
            self.add_error("serie_categoria", "Solo un indicador de impacto sigue una serie de indicadores.")
        return datos

    def metas(self):
        anios = range(self.plan.anio_inicio, self.plan.anio_fin + 1)
        return [(a, self.cleaned_data[f"meta_{a}"]) for a in anios if self.cleaned_data.get(f"meta_{a}") is not None]

    def campos_meta(self):
        return [self[f"meta_{a}"] for a in range(self.plan.anio_inicio, self.plan.anio_fin + 1)]

    def datos(self):
        datos = {c: self.cleaned_data[c] for c in self.Meta.fields}
        datos["serie_medida"] = datos["serie_medida"] or ("casos_policiales" if datos["serie_categoria"] else "")
        return datos


class MedicionForm(forms.Form):
    anio = forms.IntegerField(label="Año", min_value=2000)
    valor = forms.DecimalField(label="Valor", decimal_places=2)
    evidencia = forms.CharField(label="Cómo se midió (evidencia)", required=False, max_length=2000)


class AprobacionForm(forms.Form):
    tipo = forms.ChoiceField(label="Qué se registra", choices=Aprobacion.Tipo.choices)
    fecha = forms.DateField(label="Fecha", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    numero_acuerdo = forms.CharField(label="N.º de acuerdo o de sesión", required=False, max_length=60)
    observaciones = forms.CharField(
        label="Observaciones", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        if plan.tipo == Plan.Tipo.COMUNAL:
            self.fields["tipo"].choices = Aprobacion.Tipo.choices[:2]
        else:
            self.fields["tipo"].choices = Aprobacion.Tipo.choices[2:]


class AdaptarForm(forms.Form):
    organizacion = forms.ModelChoiceField(
        queryset=Organizacion.objects.none(), label="Organización que lo adapta", empty_label=None
    )
    titulo = forms.CharField(label="Título de su plan", max_length=200)

    def __init__(self, *args, organizaciones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizacion"].queryset = organizaciones


class AdaptacionNodoForm(forms.Form):
    adaptacion = forms.ChoiceField(
        label="En su plan",
        choices=[c for c in Nodo.Adaptacion.choices if c[0]],
        widget=forms.RadioSelect,
    )
    adaptacion_motivo = forms.CharField(
        label="Qué cambia y por qué (o por qué se descarta)", required=False, max_length=2000
    )
