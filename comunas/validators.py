"""Password rules of our own, on top of Django's (length, similarity, common, numeric), with Spanish messages."""

import unicodedata

from django.core.exceptions import ValidationError

# Words anyone would guess first for an account on a municipal security platform.
# Compared without accents or case; the value is how the message shows it.
PALABRAS_EVIDENTES = {
    "mesa": "mesa",
    "seguridad": "seguridad",
    "municipalidad": "municipalidad",
    "contrasena": "contraseña",
    "clave": "clave",
    "password": "password",
}


def _simplificar(texto):
    """Lowercase without accents: "Contraseña" and "contrasena" are the same guess."""
    sin_tildes = unicodedata.normalize("NFKD", texto or "").encode("ascii", "ignore").decode()
    return sin_tildes.lower()


class PalabrasEvidentesValidator:
    """Rejects passwords that contain the local part of the user's e-mail or an obvious word."""

    def __init__(self, largo_minimo_correo=3):
        self.largo_minimo_correo = largo_minimo_correo

    def validate(self, password, user=None):
        clave = _simplificar(password)
        correo = _simplificar(getattr(user, "email", "") or "")
        local = correo.split("@", 1)[0]
        if len(local) >= self.largo_minimo_correo and local in clave:
            raise ValidationError(
                "La contraseña no puede contener la primera parte de su correo electrónico.",
                code="password_contiene_correo",
            )
        for palabra, como_se_escribe in PALABRAS_EVIDENTES.items():
            if palabra in clave:
                raise ValidationError(
                    "La contraseña no puede contener palabras fáciles de adivinar como «%(palabra)s».",
                    code="password_palabra_evidente",
                    params={"palabra": como_se_escribe},
                )

    def get_help_text(self):
        return (
            "Su contraseña no puede contener la primera parte de su correo ni palabras evidentes "
            "como «mesa», «seguridad», «municipalidad», «contraseña» o «clave»."
        )
