from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import RegexValidator

from comunas import limites
from comunas.dpa import es_provincia_capital
from comunas.models import Comuna, Membresia, Organizacion, Region, Usuario
from comunas.seguridad import ip_del_cliente
from comunas.selectors import territorio_por_clave
from nucleo.avisos import aviso_crear, encolar


class RestablecerForm(PasswordResetForm):
    """Also reaches approved accounts that never set a password (their 24-hour link expired):
    they are active, so the reset link is the way back in. Inactive (pending) accounts are not."""

    def get_users(self, email):
        return (
            u
            for u in Usuario._default_manager.filter(email__iexact=email, is_active=True)
            if u.email.lower() == email.strip().lower()
        )

    def save(self, *args, request=None, **kwargs):
        """Sends nothing past the limits per client address and per e-mail address; the page that follows
        is the same whether or not anything was sent, and whether or not the account exists."""
        ip = ip_del_cliente(request) if request is not None else None
        if limites.RESTABLECER_POR_IP.permitir(ip) and limites.RESTABLECER_POR_CORREO.permitir(
            self.cleaned_data["email"]
        ):
            super().save(*args, request=request, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        """As a notice row (nucleo.Aviso), essential. The person is waiting for it, so it is also enqueued
        at once; the on-commit enqueue and the sweeper stay as the safety net, and the conditional claim
        makes the extra enqueue harmless (whoever claims first sends, once)."""
        plantilla = email_template_name.removeprefix("emails/").removesuffix(".txt")
        usuario = context["user"]
        aviso = aviso_crear(
            para=usuario if usuario.email == to_email else to_email,
            plantilla=plantilla,
            contexto=context,
            clave=f"restablecer:{context['uid']}:{context['token']}",
        )
        encolar(aviso.pk)


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


TELEFONO = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{6,20}$", "Escriba un teléfono válido, por ejemplo +56 9 1234 5678 o 33 212 3456."
)
# North to south, as Chileans read the map (CUT order is not geographic).
ORDEN_REGIONES = ["15", "01", "02", "03", "04", "05", "13", "06", "07", "16", "08", "09", "14", "10", "11", "12"]


def opciones_de_territorio():
    """Choices with one <optgroup> per region: its provinces first, then its communes by name."""
    regiones = {r.codigo: r for r in Region.objects.prefetch_related("provincias__comunas")}
    opciones = [("", "Elija su comuna o provincia…")]
    for codigo in sorted(regiones, key=lambda c: ORDEN_REGIONES.index(c) if c in ORDEN_REGIONES else 99):
        region = regiones[codigo]
        provincias = sorted(region.provincias.all(), key=lambda p: p.nombre)
        comunas = sorted((c for p in provincias for c in p.comunas.all()), key=lambda c: c.nombre)
        grupo = [
            (f"p:{p.codigo}", f"{p} (capital regional)" if es_provincia_capital(p.codigo) else str(p))
            for p in provincias
        ]
        grupo += [(f"c:{c.codigo}", f"{c.nombre} (comuna)") for c in comunas]
        opciones.append((region.nombre_oficial, grupo))
    return opciones


# What the public form offers. A province has one Delegación Presidencial: the Provincial one, or, in the
# province of the regional capital, the Regional one (which acts for it); the form picks it from the province.
TIPOS_SOLICITUD = [
    ("municipal", "Dirección municipal de seguridad pública (de una comuna)"),
    (
        "delegacion",
        "Delegación Presidencial de una provincia (en la provincia de la capital regional, la Delegación "
        "Presidencial Regional)",
    ),
    (
        "institucion",
        "Institución asociada: Carabineros, PDI, Fiscalía, SENDA, SernamEG, Gendarmería, Gobierno Regional, SEREMI…",
    ),
]
INSTITUCIONES = [
    "Carabineros de Chile",
    "Policía de Investigaciones (PDI)",
    "Fiscalía",
    "SENDA",
    "SernamEG",
    "Gendarmería de Chile",
    "Gobierno Regional",
    "SEREMI de Seguridad Pública",
]


class SolicitudAccesoForm(forms.Form):
    instituciones = INSTITUCIONES  # suggestions for the institution's name (a <datalist>)

    tipo = forms.ChoiceField(
        label="Tipo de organización", choices=TIPOS_SOLICITUD, initial="municipal", widget=forms.RadioSelect
    )
    territorio = forms.ChoiceField(
        label="Comuna o provincia de su organización",
        help_text="Escriba parte del nombre en el buscador para encontrarla más rápido.",
        widget=forms.Select(attrs={"data-filtrable": "territorio"}),
    )
    institucion = forms.CharField(
        label="Institución (solo institución asociada)",
        max_length=120,
        required=False,
        help_text="Por ejemplo: Carabineros de Chile, Fiscalía, SENDA.",
        widget=forms.TextInput({"list": "instituciones", "autocomplete": "organization"}),
    )
    nombre_organizacion = forms.CharField(
        label="Nombre de la organización",
        max_length=200,
        help_text="Por ejemplo: Dirección de Seguridad Pública de Zapallar.",
    )
    nombre = forms.CharField(
        label="Su nombre completo", max_length=150, widget=forms.TextInput({"autocomplete": "name"})
    )
    cargo = forms.CharField(
        label="Su cargo", max_length=150, widget=forms.TextInput({"autocomplete": "organization-title"})
    )
    telefono = forms.CharField(
        label="Teléfono", max_length=30, validators=[TELEFONO], widget=forms.TextInput({"autocomplete": "tel"})
    )
    email = forms.EmailField(
        label="Correo electrónico institucional",
        help_text="Será su usuario en Mesa. Le enviaremos un enlace para confirmar la solicitud.",
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    mensaje = forms.CharField(
        label="Mensaje para quien revisa (opcional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territorio"].choices = opciones_de_territorio()

    def clean_territorio(self):
        return territorio_por_clave(self.cleaned_data["territorio"])

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        """The kind the organization gets: a commune's directorate, the delegation of the chosen province
        (Provincial or Regional), or a partner institution of a commune or province, which must be named."""
        datos = super().clean()
        territorio, tipo = datos.get("territorio"), datos.get("tipo")
        if territorio is None or not tipo:
            return datos
        es_comuna = isinstance(territorio, Comuna)
        if tipo == "municipal" and not es_comuna:
            self.add_error("territorio", "Una dirección municipal es de una comuna: elija su comuna en la lista.")
        elif tipo == "delegacion" and es_comuna:
            self.add_error("territorio", "Una Delegación Presidencial es de una provincia: elija la provincia.")
        elif tipo == "institucion" and not datos.get("institucion", "").strip():
            self.add_error("institucion", "Escriba el nombre de la institución, por ejemplo Carabineros de Chile.")
        if tipo != "institucion":
            datos["institucion"] = ""
        if tipo == "municipal" or tipo == "delegacion":
            comuna_o_provincia = {"comuna_id" if es_comuna else "provincia_id": territorio.codigo}
            datos["tipo"] = Organizacion.tipo_del_territorio(**comuna_o_provincia)
        else:
            datos["tipo"] = Organizacion.Tipo.INSTITUCION
        return datos


class MotivoForm(forms.Form):
    """A required reason: rejecting a request, suspending or reactivating an organization."""

    motivo = forms.CharField(
        label="Motivo",
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": "Indique el motivo: se guarda en la auditoría y se informa por correo."},
    )


class AprobacionForm(forms.Form):
    rol = forms.ChoiceField(label="Rol en el equipo", choices=Membresia.Rol.choices, initial=Membresia.Rol.INTEGRANTE)


class InvitacionForm(forms.Form):
    email = forms.EmailField(label="Correo de la persona invitada", widget=forms.EmailInput({"autocomplete": "off"}))
    rol = forms.ChoiceField(label="Rol", choices=Membresia.Rol.choices, initial=Membresia.Rol.INTEGRANTE)

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class RolForm(forms.Form):
    rol = forms.ChoiceField(label="Rol", choices=Membresia.Rol.choices)


class OrganizacionContactoForm(forms.ModelForm):
    class Meta:
        model = Organizacion
        fields = ["nombre", "email_contacto", "telefono", "direccion"]
        labels = {"nombre": "Nombre de la dirección", "email_contacto": "Correo de contacto"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["telefono"].validators.append(TELEFONO)


class CuentaInvitadaForm(forms.Form):
    """A new account from an invitation: the e-mail is the invited one; the password passes the validators."""

    nombre = forms.CharField(
        label="Su nombre completo", max_length=150, widget=forms.TextInput({"autocomplete": "name"})
    )
    cargo = forms.CharField(
        label="Su cargo", max_length=150, required=False, widget=forms.TextInput({"autocomplete": "organization-title"})
    )
    telefono = forms.CharField(
        label="Teléfono",
        max_length=30,
        required=False,
        validators=[TELEFONO],
        widget=forms.TextInput({"autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label="Contraseña",
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Repita la contraseña", strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        datos = super().clean()
        clave, repetida = datos.get("password1"), datos.get("password2")
        if clave and repetida and clave != repetida:
            self.add_error("password2", "Las dos contraseñas no coinciden.")
        elif clave:
            provisorio = Usuario(email=self.email, nombre=datos.get("nombre", ""), cargo=datos.get("cargo", ""))
            try:
                password_validation.validate_password(clave, provisorio)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return datos
