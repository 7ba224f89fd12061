"""Forms of the account security pages (two-step verification, ending other sessions)."""

from django import forms


class CodigoForm(forms.Form):
    codigo = forms.CharField(
        label="Código de verificación",
        max_length=20,
        help_text="Los 6 dígitos que muestra su aplicación de autenticación, o uno de sus códigos de recuperación.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class ConfirmarAplicacionForm(forms.Form):
    codigo = forms.CharField(
        label="Código de 6 dígitos",
        max_length=10,
        help_text="Escriba el código que muestra la aplicación después de agregar la cuenta.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ClaveActualForm(forms.Form):
    clave = forms.CharField(
        label="Contraseña actual",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
