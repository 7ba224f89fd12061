"""Helpers shared by every app's views and forms."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from nucleo.archivos import ACCEPT, FORMATOS_LEGIBLES


def mensaje_de(error):
    """A ValidationError or PermissionDenied as one sentence for a flash message."""
    mensajes = getattr(error, "messages", None) or ([str(error)] if str(error) else [])
    return " ".join(mensajes) or "No se pudo completar la acción."


def aplicar_errores(form, error):
    """Puts a service's ValidationError on the form: each message on its field, the rest on the whole form,
    so the page shows it next to what the person typed (nothing they wrote is lost)."""
    for campo, mensajes in getattr(error, "message_dict", {"__all__": error.messages}).items():
        form.add_error(campo if campo in form.fields else None, mensajes)


class VariosArchivosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class VariosArchivosField(forms.FileField):
    """Several files in one input; each is checked from its content by the service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", VariosArchivosInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            if not data and self.required:  # no file chosen arrives as an empty list, not as None
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [super(VariosArchivosField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class AdjuntosForm(forms.Form):
    archivos = VariosArchivosField(
        label="Archivos para adjuntar",
        help_text=f"{FORMATOS_LEGIBLES}. Hasta {{max_mb}} MB cada uno; puede elegir varios a la vez.",
    )

    def __init__(self, *args, max_mb, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["archivos"].help_text = self.fields["archivos"].help_text.format(max_mb=max_mb)


def adjuntos_subir(request, *, agregar, volver, max_mb):
    """The upload half of every attachments section: binds the form, calls `agregar(archivos)` (the owner's
    service, all or nothing) and goes back to `volver`'s attachments with what happened."""
    form = AdjuntosForm(request.POST, request.FILES, max_mb=max_mb)
    if not form.is_valid():
        messages.error(request, "Elija al menos un archivo para adjuntar.")
        return redirect(volver)
    try:
        creados = agregar(form.cleaned_data["archivos"])
    except ValidationError as error:
        for mensaje in error.messages:
            messages.error(request, mensaje)
    else:
        messages.success(request, f"Archivos adjuntados: {', '.join(a.nombre for a in creados)}.")
    return redirect(f"{volver}#adjuntos")
