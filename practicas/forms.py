from django import forms

from comunas.models import Categoria, Organizacion
from comunas.taxonomia import Arbol
from practicas.models import (
    EMMIE,
    PREGUNTAS_EVIDENCIA,
    SOLIDEZ,
    TEXTOS_MARKDOWN,
    Comentario,
    Practica,
    Replicacion,
    Resultado,
    ResultadoReplicacion,
    RevisionPares,
)
from practicas.services import CAMPOS_EDITABLES, CAMPOS_REPLICACION, CAMPOS_RESULTADO, MAX_COMENTARIO

TEXTOS_LARGOS = TEXTOS_MARKDOWN


def _opcion_vacia_en_castellano(form, etiqueta="— Sin indicar —"):
    """Django 6's blank option ("- Select an option -") has no es-CL translation yet."""
    for campo in form.fields.values():
        opciones = getattr(campo, "choices", None)
        if isinstance(campo, forms.TypedChoiceField | forms.ChoiceField) and opciones and opciones[0][0] == "":
            campo.choices = [("", etiqueta), *opciones[1:]]


class MedicionForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _opcion_vacia_en_castellano(self, "— Sin evaluar —")
        campo = self.fields["nivel_maryland"]
        campo.label = "¿Cómo se comparó?"
        campo.help_text = "Del método más simple (1) al más sólido (5)."


# The practice form in numbered steps a director can finish in several sittings (each saves the draft):
# (number, title, fields). Step 3 also holds the outcomes (formset); step 4 continues below the form
# with the attachments and the publication.
PASOS = [
    (
        1,
        "Qué problema aborda",
        ["organizacion", "titulo", "resumen", "etiquetas", "categorias", "contexto", "poblacion_objetivo"],
    ),
    (
        2,
        "Qué se hizo",
        ["actividades", "socios", "periodo_inicio", "periodo_fin", "presupuesto", "fuente_financiamiento"],
    ),
    (3, "Resultados y evidencia", [*(c for par in EMMIE for c in par[:2]), "calificacion"]),
    (
        4,
        "Adjuntos y publicación",
        ["transferibilidad", "sostenibilidad", "contacto_nombre", "contacto_email", "contacto_telefono"],
    ),
]


class PracticaForm(forms.ModelForm):
    """Every field but the title is optional: a draft can be saved at any moment."""

    organizacion = forms.ModelChoiceField(
        label="Organización que la realizó", queryset=Organizacion.objects.none(), empty_label=None
    )

    class Meta:
        model = Practica
        fields = [*CAMPOS_EDITABLES, "categorias"]
        widgets = {
            **{campo: forms.Textarea(attrs={"rows": 4}) for campo in TEXTOS_LARGOS},
            "periodo_inicio": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "periodo_fin": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "categorias": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        }
        # Plain questions instead of the evidence framework's terms (the page explains the framework once).
        labels = {
            "contexto": "¿Qué problema había y dónde?",
            "poblacion_objetivo": "¿A quiénes estaba dirigida?",
            "actividades": "¿Qué se hizo, paso a paso?",
            "socios": "¿Con quiénes se trabajó?",
            **PREGUNTAS_EVIDENCIA,
            **{puntaje: "¿Qué tan sólida es la evidencia de esa respuesta?" for _, puntaje, _ in EMMIE},
            "calificacion": "Autoevaluación: ¿qué tan probada está la práctica en general?",
            "transferibilidad": "¿Qué debería saber otra comuna para replicarla?",
            "sostenibilidad": "¿Cómo se mantiene en el tiempo?",
        }
        help_texts = {
            "resumen": "Qué se hizo y qué se logró, en pocas líneas. Es lo primero que se lee en la biblioteca.",
            "efecto": "Cifras antes y después, comparaciones, lo que se observó.",
            "costo": "Presupuesto, personal y otros recursos; si hubo ahorros, también.",
        }

    def __init__(self, *args, organizaciones=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizaciones is None:  # editing: the organization does not change
            del self.fields["organizacion"]
        else:
            self.fields["organizacion"].queryset = organizaciones
        actuales = self.instance.categorias.all() if self.instance.pk else Categoria.objects.none()
        self.fields["categorias"].queryset = (Categoria.objects.vigentes() | actuales).distinct().order_by("orden")
        self.fields["presupuesto"].widget.attrs.update(min=0, step=1)
        _opcion_vacia_en_castellano(self)
        for _, puntaje, _ in EMMIE:
            self.fields[puntaje].choices = [("", "— Sin evaluar —"), *((n, t.capitalize()) for n, t in SOLIDEZ.items())]

    def secciones_evidencia(self):
        """(answer field, solidity field) of each of the five evidence questions, in order."""
        return [(self[texto], self[puntaje]) for texto, puntaje, _ in EMMIE]

    def pasos(self, formset=None):
        """The steps with what each still lacks: errors of this submission first, else what publishing needs
        (from the saved practice), else how many of its fields are answered."""
        practica = self.instance
        guardada = practica.pk is not None
        faltan_para_publicar = {1: [], 3: []}
        if guardada:
            if not practica.resumen.strip():
                faltan_para_publicar[1].append("el resumen")
            if not practica.categorias.exists():
                faltan_para_publicar[1].append("un problema que aborda")
            if not practica.resultados.exists():
                faltan_para_publicar[3].append("un resultado medido")
            if not practica.calificacion:
                faltan_para_publicar[3].append("la autoevaluación")
        salida = []
        for numero, titulo, campos in PASOS:
            campos = [c for c in campos if c in self.fields]
            errores = [self[c] for c in campos if self.errors.get(c)]
            if numero == 3 and formset is not None and formset.total_error_count():
                errores.append(None)  # an outcome row
            respondidos = sum(1 for c in campos if guardada and _respondido(practica, c))
            if errores:
                estado, tono = f"Revise {len(errores)} campo{'s' if len(errores) > 1 else ''}", "danger"
            elif faltan := faltan_para_publicar.get(numero):
                estado, tono = "Para publicar falta " + " y ".join(faltan), "warning"
            elif not respondidos:
                estado, tono = "Sin empezar", "secondary"
            else:
                estado, tono = f"{respondidos} de {len(campos)} respondidos", "success"
            salida.append({"numero": numero, "titulo": titulo, "estado": estado, "tono": tono, "errores": errores})
        return salida

    def grupos_categorias(self):
        """The category checkboxes grouped by CEAD family (the family itself first, then its groups and subgroups),
        each with its level so the template can indent it."""
        arbol = Arbol(self.fields["categorias"].queryset.select_related(None))
        salida = {}
        for opcion in self["categorias"]:
            categoria = arbol.por_pk.get(int(str(opcion.data["value"])))
            familia = arbol.ruta(categoria)[0].nombre if categoria else "Otras"
            opcion.nivel = categoria.nivel if categoria else ""
            salida.setdefault(familia, []).append(opcion)
        return list(salida.items())

    def datos(self):
        return {campo: self.cleaned_data[campo] for campo in CAMPOS_EDITABLES}


def _respondido(practica, campo):
    if campo == "categorias":
        return practica.categorias.exists()
    if campo == "organizacion":
        return True
    valor = getattr(practica, campo)
    return valor not in (None, "") and not (isinstance(valor, str) and not valor.strip())


ResultadoFormSet = forms.inlineformset_factory(
    Practica,
    Resultado,
    form=MedicionForm,
    fields=CAMPOS_RESULTADO,
    extra=2,
    can_delete=True,
    widgets={"como_se_midio": forms.Textarea(attrs={"rows": 2})},
)


def resultados_de(formset):
    """The outcome rows to keep, as the services expect them (deleted and empty rows left out)."""
    return [
        {"id": f.instance.pk, **{c: f.cleaned_data.get(c) for c in CAMPOS_RESULTADO}}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class PublicarForm(forms.Form):
    visibilidad = forms.ChoiceField(
        label="¿Quién podrá verla?",
        choices=[
            (Practica.Visibilidad.MESA, "Integrantes de las mesas en que participa su organización (con su cuenta)"),
            (Practica.Visibilidad.PLATAFORMA, "Todas las organizaciones de la plataforma (con su cuenta)"),
            (Practica.Visibilidad.PUBLICA, "Cualquier persona, sin ingresar (conocimiento abierto)"),
        ],
        widget=forms.RadioSelect,
        initial=Practica.Visibilidad.PLATAFORMA,
    )


class ReplicacionForm(forms.ModelForm):
    organizacion = forms.ModelChoiceField(
        label="Organización que la replica", queryset=Organizacion.objects.none(), empty_label=None
    )

    class Meta:
        model = Replicacion
        fields = CAMPOS_REPLICACION
        widgets = {
            "adaptaciones": forms.Textarea(attrs={"rows": 5}),
            "fecha_inicio": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "adaptaciones": "Qué cambió respecto de la práctica original y por qué. Admite formato simple: "
            "**negrita**, listas con guiones, enlaces.",
        }

    def __init__(self, *args, organizaciones=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizaciones is None:
            del self.fields["organizacion"]
        else:
            self.fields["organizacion"].queryset = organizaciones

    def datos(self):
        return {campo: self.cleaned_data[campo] for campo in CAMPOS_REPLICACION}


def resultados_replicacion_formset(data=None, *, instance, indicadores=()):
    """The outcomes measured in the replication; on creation, rows prefilled with the origin's indicators
    so both can be compared (a row left without figures is not kept)."""
    iniciales = [{"indicador": i} for i in indicadores] if not instance.pk else []
    clase = forms.inlineformset_factory(
        Replicacion,
        ResultadoReplicacion,
        form=MedicionForm,
        fields=CAMPOS_RESULTADO,
        extra=len(iniciales) + (1 if iniciales else 2),
        can_delete=True,
        widgets={"como_se_midio": forms.Textarea(attrs={"rows": 2})},
    )
    return clase(data, instance=instance, prefix="resultados", initial=iniciales)


class ComentarioForm(forms.Form):
    tipo = forms.ChoiceField(
        label="Es una…", choices=Comentario.Tipo.choices, initial=Comentario.Tipo.PREGUNTA, widget=forms.RadioSelect
    )
    texto = forms.CharField(
        label="Su pregunta o comentario",
        max_length=MAX_COMENTARIO,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Admite Markdown. Lo verá quien pueda ver la práctica; el equipo que la registró recibirá un aviso.",
    )
    responde_a = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RevisionParesForm(forms.ModelForm):
    class Meta:
        model = RevisionPares
        fields = ["calificacion", "comentario"]
        labels = {"calificacion": "Según su organización, la evidencia es…", "comentario": "Por qué (opcional)"}
        widgets = {"comentario": forms.Textarea(attrs={"rows": 3, "maxlength": MAX_COMENTARIO})}
        help_texts = {"comentario": "Se muestra junto a la autoevaluación; admite Markdown."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _opcion_vacia_en_castellano(self, "— Elija —")
