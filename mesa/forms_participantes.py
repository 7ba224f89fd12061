"""Forms for a session's guests and subrogantes, and for the mesa's quorum (mesa/views_participantes.py)."""

from django import forms

from mesa.models import InvitadoSesion, Mesa, ReglaQuorum
from mesa.services_participantes import FRACCIONES


class InvitadoForm(forms.ModelForm):
    """A person without an account invited to one session."""

    class Meta:
        model = InvitadoSesion
        fields = ["nombre", "institucion", "cargo", "email"]
        labels = {"cargo": "Cargo (opcional)"}
        widgets = {
            "institucion": forms.TextInput(attrs={"list": "instituciones-sugeridas", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "institucion": "Con su unidad, por ejemplo: Carabineros de Chile — 2ª Comisaría de Zapallar.",
            "email": "Recibirá la convocatoria, la invitación para su calendario y enlaces para responder. "
            "No se le crea una cuenta.",
        }


class SubroganteForm(forms.Form):
    """Who stands in for a member at one session: a colleague of the organization, or an external person."""

    titular = forms.ModelChoiceField(
        label="Miembro que será subrogado(a)",
        queryset=None,
        empty_label="Elija a quién subroga",
        help_text="Quien no podrá asistir.",
    )
    colega = forms.ModelChoiceField(
        label="Un(a) colega de la organización",
        queryset=None,
        required=False,
        empty_label="(ninguno: será una persona externa)",
    )
    nombre = forms.CharField(label="Nombre de la persona externa", max_length=150, required=False)
    email = forms.EmailField(label="Correo electrónico de la persona externa", required=False)
    cargo = forms.CharField(label="Cargo de la persona externa (opcional)", max_length=150, required=False)

    def __init__(self, *args, titulares=None, colegas, **kwargs):
        """`titulares`: the members the coordination may choose (None: the person names their own subrogante)."""
        super().__init__(*args, **kwargs)
        if titulares is None:
            del self.fields["titular"]
        else:
            self.fields["titular"].queryset = titulares.order_by("nombre", "pk")
            self.fields["titular"].label_from_instance = lambda u: f"{u.nombre} ({u.email})"
        self.fields["colega"].queryset = colegas
        self.fields["colega"].label_from_instance = lambda u: f"{u.nombre} ({u.email})"

    def clean(self):
        datos = super().clean()
        externo = any(datos.get(c) for c in ("nombre", "email", "cargo"))
        if datos.get("colega") and externo:
            raise forms.ValidationError("Elija un(a) colega o escriba los datos de una persona externa, no ambos.")
        if not datos.get("colega") and not externo and not self.errors:
            raise forms.ValidationError("Elija un(a) colega o escriba el nombre y el correo de una persona externa.")
        if externo and not datos.get("colega"):
            if not datos.get("nombre"):
                self.add_error("nombre", "Escriba el nombre de la persona externa.")
            if not datos.get("email") and "email" not in self.errors:
                self.add_error("email", "Escriba el correo de la persona externa: allí recibirá la convocatoria.")
        return datos


class QuorumForm(forms.ModelForm):
    """The mesa's quorum rule; each fraction shows what it means with today's members."""

    class Meta:
        model = Mesa
        fields = ["quorum_regla", "quorum_minimo"]
        labels = {"quorum_regla": "¿Cuántas organizaciones deben estar presentes?"}
        widgets = {"quorum_regla": forms.RadioSelect}

    def __init__(self, *args, miembros, **kwargs):
        super().__init__(*args, **kwargs)
        opciones = []
        for valor, etiqueta in ReglaQuorum.choices:
            if valor in FRACCIONES and miembros:
                minimo = max(1, FRACCIONES[valor][1](miembros))
                etiqueta = f"{etiqueta}: hoy, {minimo} de {miembros}"
            opciones.append((valor, etiqueta))
        self.fields["quorum_regla"].choices = opciones
        self.fields["quorum_minimo"].widget.attrs.update({"min": 1, "max": max(miembros, 1)})
        self.fields["quorum_minimo"].help_text = (
            f"Solo si eligió un número mínimo. La mesa tiene hoy {miembros} organizaciones miembro (la anfitriona y "
            "las que aceptaron). Cuentan las organizaciones con alguien presente o con su subrogante; los invitados "
            "externos no cuentan."
        )
