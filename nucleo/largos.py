"""Length limits of long texts. The model field's `max_length` is the one number: a ModelForm shows it (the
textarea's maxlength) and refuses past it; services refuse past it too, since a request can skip the form.
(Django does not check a TextField's max_length on save.) A text without a limit can make every page that
shows it slow, for everyone who opens it."""

from django.core.exceptions import ValidationError
from django.utils.text import capfirst


def miles(numero):
    """12345 → "12.345" (Chilean thousands separator)."""
    return f"{numero:,}".replace(",", ".")


def mensaje_largo(etiqueta, maximo, largo):
    return f"«{capfirst(etiqueta)}» admite hasta {miles(maximo)} caracteres; tiene {miles(largo)}."


def exigir_largo(texto, *, maximo, etiqueta, campo=None):
    """ValidationError (on `campo`, if given) when `texto` is longer than `maximo` characters."""
    if texto and len(texto) > maximo:
        mensaje = mensaje_largo(etiqueta, maximo, len(texto))
        raise ValidationError({campo: mensaje} if campo else mensaje)


def exigir_largos(objeto, campos=None):
    """ValidationError, one message per field, for every text of a model instance longer than its field's
    max_length (only `campos`, if given)."""
    errores = {}
    for campo in objeto._meta.concrete_fields:
        if campos is not None and campo.name not in campos:
            continue
        valor = getattr(objeto, campo.attname)
        if campo.max_length and isinstance(valor, str) and len(valor) > campo.max_length:
            errores[campo.name] = mensaje_largo(campo.verbose_name, campo.max_length, len(valor))
    if errores:
        raise ValidationError(errores)
