"""Forms of the consejo comunal (mesa/consejo.py) and of the next session proposed a month on."""

from django import forms

from comunas.models import Organizacion
from mesa.forms import SesionForm
from mesa.models import IntegranteInstitucional, Mesa


class DireccionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.comuna} — {obj.nombre}"


class ConsejoForm(forms.ModelForm):
    """A new consejo: the commune's directorate hosts it (the name follows from the commune)."""

    anfitriona = DireccionChoiceField(
        label="Comuna",
        queryset=Organizacion.objects.none(),
        help_text="La dirección de seguridad pública de la comuna acoge el consejo; usted quedará en su coordinación.",
    )

    class Meta:
        model = Mesa
        fields = ["anfitriona", "presidencia_nombre", "presidencia_cargo", "descripcion"]
        labels = {"presidencia_nombre": "Preside", "presidencia_cargo": "Cargo de quien preside"}
        widgets = {"descripcion": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "presidencia_nombre": "El alcalde o la alcaldesa, o quien presida por su delegación.",
            "presidencia_cargo": "Por ejemplo: «Alcaldesa de Zapallar» o «Administrador municipal, por delegación».",
            "descripcion": "Opcional: si la deja en blanco, se usa la descripción del consejo según la Ley 20.965.",
        }

    def __init__(self, *args, anfitrionas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anfitriona"].queryset = anfitrionas
        self.fields["presidencia_nombre"].required = True
        self.fields["presidencia_cargo"].required = True
        opciones = list(anfitrionas)
        if len(opciones) == 1:
            self.initial.setdefault("anfitriona", opciones[0].pk)
            self.fields["anfitriona"].widget = forms.HiddenInput()


class ConsejoEditarForm(forms.ModelForm):
    class Meta:
        model = Mesa
        fields = ["presidencia_nombre", "presidencia_cargo", "descripcion"]
        labels = {"presidencia_nombre": "Preside", "presidencia_cargo": "Cargo de quien preside"}
        widgets = {"descripcion": forms.Textarea(attrs={"rows": 3})}
        help_texts = ConsejoForm.Meta.help_texts

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presidencia_nombre"].required = True
        self.fields["presidencia_cargo"].required = True


class IntegranteForm(forms.ModelForm):
    class Meta:
        model = IntegranteInstitucional
        fields = ["institucion", "unidad", "nombre", "cargo", "email"]
        help_texts = {
            "email": "Opcional: para contactarle. Registrarle no le crea una cuenta en la plataforma.",
            "cargo": "Por ejemplo: «Capitán, subcomisario» o «Fiscal adjunta».",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opciones = IntegranteInstitucional.Institucion.choices
        self.fields["institucion"].choices = [("", "Elija la institución"), *opciones]


class SesionProximaForm(SesionForm):
    copiar_tabla = forms.BooleanField(
        label="Copiar la tabla de la última sesión",
        required=False,
        help_text="Títulos, descripciones, expositores, duraciones y horas; después puede cambiarla.",
    )
