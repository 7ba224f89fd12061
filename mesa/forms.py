from django import forms
from django.db.models import Q

from comunas.models import Organizacion, Usuario
from diagnosticos.access import diagnosticos_visibles
from mesa.access import diagnosticos_enlazables, planes_para_la_tabla, practicas_enlazables
from mesa.models import (
    MAX_ACUERDO,
    MAX_COMENTARIO_ACTA,
    MAX_MOTIVO,
    MAX_RESUMEN_ACTA,
    MAX_SECCION_ACTA,
    Acuerdo,
    Mesa,
    Participacion,
    PuntoTabla,
    Respuesta,
    Sesion,
    dia_largo,
)
from mesa.models_participantes import OPCIONES_PERSONALES
from nucleo.models import Aviso, PreferenciaAvisos
from practicas.access import practicas_visibles


class PreferenciaAvisosForm(forms.Form):
    frecuencia = forms.ChoiceField(
        label="Avisos no esenciales",
        choices=PreferenciaAvisos.Frecuencia.choices,
        widget=forms.RadioSelect,
        help_text="Las convocatorias, cambios y cancelaciones de sesiones llegan siempre al momento.",
    )


class _FechaHora(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SesionForm(forms.ModelForm):
    recordatorios = forms.CharField(
        label="Recordatorios (horas antes del inicio)",
        initial="48, 2",
        required=False,
        help_text="Separadas por comas; déjelo vacío para no enviar recordatorios.",
    )

    class Meta:
        model = Sesion
        fields = ["tipo", "inicio", "fin", "modalidad", "lugar", "enlace", "recordatorios"]
        widgets = {"inicio": _FechaHora(), "fin": _FechaHora()}
        help_texts = {"inicio": "Hora de Chile continental.", "enlace": "Para sesiones en línea o híbridas."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["recordatorios"] = ", ".join(f"{m / 60:g}" for m in self.instance.recordatorios)

    def clean_recordatorios(self):
        try:
            horas = [float(h) for h in self.cleaned_data["recordatorios"].split(",") if h.strip()]
        except ValueError:
            raise forms.ValidationError("Escriba números de horas separados por comas, por ejemplo: 48, 2.") from None
        if any(h <= 0 or h > 24 * 30 for h in horas):
            raise forms.ValidationError("Cada recordatorio debe estar entre 0 y 720 horas antes.")
        return sorted({round(h * 60) for h in horas}, reverse=True)


class MesaForm(forms.ModelForm):
    """A new mesa: the host is one of the organizations the person may create it for."""

    class Meta:
        model = Mesa
        fields = ["nombre", "anfitriona", "descripcion", "alcance"]
        widgets = {"descripcion": forms.Textarea(attrs={"rows": 3}), "alcance": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"anfitriona": "La organización que acoge la mesa; usted quedará como coordinador(a)."}

    def __init__(self, *args, anfitrionas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anfitriona"].queryset = anfitrionas.order_by("nombre")
        if len(self.fields["anfitriona"].queryset) == 1:
            self.initial.setdefault("anfitriona", self.fields["anfitriona"].queryset[0].pk)


class MesaEditarForm(forms.ModelForm):
    coordinadores = forms.ModelMultipleChoiceField(
        label="Coordinación",
        queryset=None,
        required=False,  # the service says why at least one must remain
        widget=forms.CheckboxSelectMultiple,
        help_text="Miembros de las organizaciones participantes; deberán usar la verificación en dos pasos.",
    )

    class Meta:
        model = Mesa
        fields = [
            "nombre",
            "descripcion",
            "alcance",
            "acepta_solicitudes",
            "recordar_acuerdos",
            "dias_recordar_acuerdos",
        ]
        widgets = {"descripcion": forms.Textarea(attrs={"rows": 3}), "alcance": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "recordar_acuerdos": "Un correo a cada responsable de un acuerdo pendiente o vencido de la mesa, con "
            "la lista de sus acuerdos, una vez por sesión.",
            "dias_recordar_acuerdos": "Entre 1 y 30.",
        }

    def __init__(self, *args, posibles, **kwargs):
        """`posibles`: the members of the participating organizations; current coordinators stay listed."""
        super().__init__(*args, **kwargs)
        actuales = list(self.instance.coordinadores.values_list("pk", flat=True))
        self.fields["coordinadores"].queryset = Usuario.objects.filter(
            Q(pk__in=posibles.values("pk")) | Q(pk__in=actuales)
        ).order_by("nombre", "pk")
        self.fields["coordinadores"].label_from_instance = lambda u: f"{u.nombre} ({u.email})"
        self.initial.setdefault("coordinadores", actuales)
        self.fields["dias_recordar_acuerdos"].required = False  # empty: as it was
        if self.instance.es_consejo:  # a commune's own consejo: nobody else asks to join it
            del self.fields["acepta_solicitudes"]

    def clean_dias_recordar_acuerdos(self):
        dias = self.cleaned_data["dias_recordar_acuerdos"]
        return self.instance.dias_recordar_acuerdos if dias is None else dias


class PuntoTablaForm(forms.ModelForm):
    class Meta:
        model = PuntoTabla
        fields = [
            "titulo",
            "descripcion",
            "organizacion",
            "expositor",
            "duracion_minutos",
            "hora_inicio",
            "practica",
            "diagnostico",
            "plan",
        ]
        widgets = {
            "descripcion": forms.Textarea(attrs={"rows": 3}),
            "hora_inicio": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "duracion_minutos": forms.NumberInput(attrs={"min": 1, "max": 480}),
        }
        help_texts = {
            "descripcion": "Opcional: de qué trata el punto o qué se espera decidir.",
            "expositor": "Opcional: quien expone, si no es una organización de la mesa "
            "(por ejemplo, «Carabineros, 1.ª Comisaría»).",
            "hora_inicio": "Opcional: sin hora, el punto empieza cuando termina el anterior.",
            "practica": "Opcional: una práctica publicada que todos los miembros de la mesa puedan ver.",
            "diagnostico": "Opcional: un diagnóstico publicado que todos los miembros de la mesa puedan ver.",
            "plan": "Opcional: un plan cuyo avance se presentará (de los que todos los miembros de la mesa pueden "
            "ver). El acta guardará su avance de ese momento.",
        }

    def __init__(self, *args, mesa, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizacion"].queryset = Organizacion.objects.filter(
            participaciones__mesa=mesa, participaciones__estado=Participacion.Estado.ACEPTADA
        )
        self.fields["organizacion"].required = False
        # Every member reads the agenda: only what all of them may see (a draft's title would leak).
        self.fields["practica"].queryset = (
            practicas_visibles(user).filter(pk__in=practicas_enlazables(mesa).values("pk")).order_by("titulo")
        )
        self.fields["diagnostico"].queryset = (
            diagnosticos_visibles(user)
            .filter(pk__in=diagnosticos_enlazables(mesa).values("pk"))
            .select_related("organizacion")
        )
        self.fields["plan"].queryset = planes_para_la_tabla(mesa)


class CancelarSesionForm(forms.Form):
    motivo = forms.CharField(
        label="Motivo (se incluye en el aviso)", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_MOTIVO
    )


class RespuestaForm(forms.Form):
    # "Asistirá por subrogante" is set by naming a subrogante, not picked here.
    opcion = forms.ChoiceField(
        label="¿Asistirá?",
        choices=[(v, label) for v, label in Respuesta.Opcion.choices if v in OPCIONES_PERSONALES],
        widget=forms.RadioSelect,
    )


class AsistenciaForm(forms.Form):
    presentes = forms.MultipleChoiceField(
        label="Asistieron", widget=forms.CheckboxSelectMultiple, required=False, choices=()
    )
    invitados = forms.MultipleChoiceField(
        label="Invitados y subrogantes externos", widget=forms.CheckboxSelectMultiple, required=False, choices=()
    )

    def __init__(self, *args, personas, invitados=(), representaciones=None, **kwargs):
        """`invitados`: [(id, etiqueta)] of the session's guests; `representaciones`: {persona_id: " — en
        representación de …"} (mesa.services_participantes.asistencia_opciones)."""
        super().__init__(*args, **kwargs)
        representaciones = representaciones or {}
        self.fields["presentes"].choices = [
            (p.pk, f"{p.nombre} ({p.email}){representaciones.get(p.pk, '')}") for p in personas
        ]
        if invitados:
            self.fields["invitados"].choices = list(invitados)
        else:
            del self.fields["invitados"]


class ActaForm(forms.Form):
    """The introduction plus one text field per section (named seccion_<id>)."""

    resumen = forms.CharField(
        label="Introducción",
        required=False,
        max_length=MAX_RESUMEN_ACTA,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Contexto general de la sesión (opcional).",
    )

    def __init__(self, *args, secciones, **kwargs):
        super().__init__(*args, **kwargs)
        self.secciones = list(secciones)
        for seccion in self.secciones:
            self.fields[f"seccion_{seccion.pk}"] = forms.CharField(
                label=f"{seccion.orden}. {seccion.titulo}",
                required=False,
                initial=seccion.texto,
                max_length=MAX_SECCION_ACTA,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def textos(self):
        return {s.pk: self.cleaned_data.get(f"seccion_{s.pk}", "") for s in self.secciones}


class ComentarioActaForm(forms.Form):
    texto = forms.CharField(
        label="Su comentario", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_COMENTARIO_ACTA
    )


class CircularActaForm(forms.Form):
    plazo_comentarios = forms.DateField(
        label="Comentarios hasta el",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Día inclusive. Después de esa fecha la plataforma ya no recibe comentarios.",
    )


class AprobarActaForm(forms.Form):
    """Who approves (the coordination now, or a later session already begun) and, when comments are open, the
    explicit confirmation. The page also sends the ids of the open comments it showed ("vistos", read by the view),
    so one that arrives meanwhile stops the approval."""

    en_sesion = forms.ModelChoiceField(
        label="Aprobación",
        queryset=Sesion.objects.none(),
        required=False,
        blank=True,
        widget=forms.RadioSelect,
        empty_label="Por la coordinación, hoy",
    )
    con_comentarios_abiertos = forms.BooleanField(label="Apruebo con comentarios abiertos", required=False)

    def __init__(self, *args, sesiones, abiertos, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["en_sesion"].queryset = sesiones
        self.fields["en_sesion"].label_from_instance = lambda s: (
            f"En la sesión del {dia_largo(s.inicio)} (n.º {s.numero})"
        )
        self.abiertos = list(abiertos)
        if self.abiertos:
            self.fields["con_comentarios_abiertos"].required = True
            self.fields["con_comentarios_abiertos"].error_messages["required"] = (
                "Marque esta casilla para aprobar el acta con comentarios abiertos."
            )
        else:
            del self.fields["con_comentarios_abiertos"]


class AcuerdoForm(forms.Form):
    descripcion = forms.CharField(label="Acuerdo", widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_ACUERDO)
    organizacion = forms.ModelChoiceField(label="Organización responsable", queryset=Organizacion.objects.none())
    persona = forms.ModelChoiceField(
        label="Persona responsable",
        queryset=Usuario.objects.none(),
        required=False,
        empty_label="(sin definir)",
        help_text="Opcional: una persona de la organización responsable.",
    )
    plazo = forms.DateField(label="Plazo", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, mesa, **kwargs):
        super().__init__(*args, **kwargs)
        participantes = Organizacion.objects.filter(
            participaciones__mesa=mesa, participaciones__estado=Participacion.Estado.ACEPTADA
        )
        self.fields["organizacion"].queryset = participantes.order_by("nombre")
        self.fields["persona"].queryset = (
            Usuario.objects.filter(is_active=True, membresias__organizacion__in=participantes)
            .distinct()
            .order_by("nombre", "pk")
        )
        self.fields["persona"].label_from_instance = lambda u: f"{u.nombre} ({u.email})"


class ActividadDeAcuerdoForm(forms.Form):
    """ "Convertir en actividad": the eje or línea de acción it goes under, grouped by plan (the plan follows)."""

    linea = forms.TypedChoiceField(
        label="Plan y línea de acción",
        coerce=int,
        choices=(),
        help_text="Planes que usted puede editar. La actividad toma el texto, la organización y la persona "
        "responsables y el plazo del acuerdo.",
    )

    def __init__(self, *args, lineas, **kwargs):
        super().__init__(*args, **kwargs)
        self.lineas = {nodo.pk: nodo for nodo in lineas}
        grupos = {}
        for nodo in lineas:
            sangria = "— " if nodo.tipo == nodo.Tipo.LINEA else ""
            etiqueta = f"{sangria}{nodo.get_tipo_display()}: {nodo}"
            grupos.setdefault(nodo.plan, []).append((nodo.pk, etiqueta))
        opciones = [(f"{plan.titulo} ({plan.get_estado_display().lower()})", o) for plan, o in grupos.items()]
        self.fields["linea"].choices = [("", "Elija dónde va la actividad"), *opciones]

    def clean_linea(self):
        return self.lineas[self.cleaned_data["linea"]]


class EstadoAcuerdoForm(forms.Form):
    estado = forms.ChoiceField(label="Estado", choices=Acuerdo.Estado.choices)


class InvitarOrganizacionForm(forms.Form):
    organizacion = forms.ModelChoiceField(
        label="Organización",
        queryset=Organizacion.objects.none(),
        help_text="Direcciones de seguridad activas que aún no están en la mesa.",
    )

    def __init__(self, *args, mesa, **kwargs):
        super().__init__(*args, **kwargs)
        # One that declined an earlier invitation (or whose request was rejected) may be invited again.
        en_la_mesa = mesa.participaciones.exclude(estado=Participacion.Estado.RECHAZADA).values("organizacion_id")
        self.fields["organizacion"].queryset = (
            Organizacion.objects.filter(estado=Organizacion.Estado.ACTIVA).exclude(pk__in=en_la_mesa).order_by("nombre")
        )


class SolicitudMesaForm(forms.Form):
    """ "Pedir unirse": for which organization (when the person directs several) and a message."""

    organizacion = forms.ModelChoiceField(label="Organización que pide unirse", queryset=Organizacion.objects.none())
    mensaje = forms.CharField(
        label="Mensaje para la coordinación (opcional)",
        required=False,
        max_length=MAX_MOTIVO,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Por ejemplo, qué experiencia o problema de su territorio quiere llevar a la mesa.",
    )

    def __init__(self, *args, organizaciones, **kwargs):
        super().__init__(*args, **kwargs)
        self.unica = organizaciones[0] if len(organizaciones) == 1 else None
        if self.unica is not None:  # nothing to choose
            del self.fields["organizacion"]
        else:
            ids = [o.pk for o in organizaciones]
            self.fields["organizacion"].queryset = Organizacion.objects.filter(pk__in=ids).order_by("nombre")

    def clean(self):
        datos = super().clean()
        if self.unica is not None:
            datos["organizacion"] = self.unica
        return datos


class MotivoRechazoForm(forms.Form):
    motivo = forms.CharField(
        label="Motivo (opcional)",
        required=False,
        max_length=MAX_MOTIVO,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Se envía por correo junto con la respuesta.",
    )


class FiltroAvisosForm(forms.Form):
    estado = forms.ChoiceField(label="Estado", choices=[("", "Todos"), *Aviso.Estado.choices], required=False)
