from django import forms
from django.contrib.auth.forms import AuthenticationForm


class IngresoForm(AuthenticationForm):
    """Sign-in by e-mail; case does not matter."""

    username = forms.EmailField(
        label="Correo electrónico",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Contraseña",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "El correo o la contraseña no son correctos. Revise ambos e intente de nuevo.",
        "inactive": "Esta cuenta está desactivada. Escriba a la administración de la plataforma.",
    }
