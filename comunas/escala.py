"""National-scale data (manage.py sembrar_escala): a directorate in every commune and a delegation in every
province of Chile, three people each, and the platform's administration. EXAMPLE DATA: names and e-mail
addresses are fictitious (reserved domain .example).

Bulk paths only (one insert per table): every derived field the app keeps is set here as the models and
services set it (the organization's kind from its territory, e-mails in lower case, one password hash).
"""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from comunas.dpa import es_provincia_capital
from comunas.models import Comuna, Membresia, Organizacion, Provincia, Usuario

DOMINIO = "escala.example"
CLAVE = "mesa-escala-2026"  # every account of the scale data; one Argon2 hash, computed once
ADMIN_EMAIL = f"admin@{DOMINIO}"
NOMBRES = (
    "Camila", "Javiera", "Catalina", "Constanza", "Francisca", "Valentina", "Daniela", "Fernanda", "Carolina",
    "Paula", "Ignacio", "Matías", "Sebastián", "Felipe", "Nicolás", "Cristóbal", "Tomás", "Rodrigo", "Gonzalo",
    "Patricio", "Claudia", "Marcela", "Verónica", "Andrés", "Joaquín", "Benjamín", "Josefa", "Isidora",
)  # fmt: skip
APELLIDOS = (
    "González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva", "Martínez", "Sepúlveda",
    "Morales", "Rodríguez", "López", "Fuentes", "Hernández", "Torres", "Araya", "Flores", "Espinoza", "Valenzuela",
    "Castillo", "Tapia", "Reyes", "Gutiérrez", "Castro", "Pizarro", "Álvarez", "Vásquez", "Sánchez", "Fernández",
)  # fmt: skip
CARGOS = {
    Membresia.Rol.DIRECTOR: "Director(a) de Seguridad Pública",
    Membresia.Rol.INTEGRANTE: "Analista territorial",
    Membresia.Rol.LECTOR: "Profesional de apoyo",
}


@dataclass
class Plataforma:
    """What the layers above need from this one, in memory (no query to find a director again)."""

    admin: Usuario
    organizaciones: list = field(default_factory=list)  # every organization, communes first, by code
    personas: dict = field(default_factory=dict)  # organization pk → {rol: Usuario}
    territorio: dict = field(default_factory=dict)  # organization pk → (comuna or None, provincia)

    def director(self, organizacion):
        return self.personas[organizacion.pk][Membresia.Rol.DIRECTOR]

    def miembros(self, organizacion):
        return list(self.personas[organizacion.pk].values())


def nombre_de_persona(rng):
    return f"{rng.choice(NOMBRES)} {rng.choice(APELLIDOS)} {rng.choice(APELLIDOS)}"


def _organizaciones():
    filas = []
    for comuna in Comuna.objects.select_related("provincia").order_by("codigo"):
        filas.append(
            Organizacion(
                nombre=f"Dirección de Seguridad Pública de {comuna.nombre}",
                tipo=Organizacion.Tipo.DIRECCION_MUNICIPAL,
                comuna=comuna,
                email_contacto=f"seguridad.{comuna.codigo}@{DOMINIO}",
                estado=Organizacion.Estado.ACTIVA,
            )
        )
    for provincia in Provincia.objects.select_related("region").order_by("codigo"):
        tipo = Organizacion.tipo_del_territorio(provincia_id=provincia.codigo)
        if es_provincia_capital(provincia.codigo):
            nombre = f"Seguridad Pública — Delegación Presidencial Regional de {provincia.region.nombre}"
        else:
            nombre = f"Seguridad Pública — Delegación Presidencial Provincial de {provincia.nombre}"
        filas.append(
            Organizacion(
                nombre=nombre,
                tipo=tipo,
                provincia=provincia,
                email_contacto=f"seguridad.{provincia.codigo}@{DOMINIO}",
                estado=Organizacion.Estado.ACTIVA,
            )
        )
    return Organizacion.objects.bulk_create(filas)


def sembrar(*, rng):
    """Organizations, people and memberships of the whole country; returns them as a Plataforma."""
    clave = make_password(CLAVE)
    admin = Usuario.objects.create(
        email=ADMIN_EMAIL,
        nombre="Administración Mesa (escala)",
        cargo="Administración de la plataforma",
        is_staff=True,
        is_superuser=True,
        password=clave,
    )
    # Platform administration must use two-step verification: a confirmed authenticator, its key derived from
    # the seed (the command prints it, so a person can sign in to look around).
    clave_totp = rng.randbytes(20).hex()
    TOTPDevice.objects.create(user=admin, name="Aplicación de autenticación", confirmed=True, key=clave_totp)
    organizaciones = _organizaciones()
    plataforma = Plataforma(admin=admin, organizaciones=organizaciones)
    usuarios, membresias = [], []
    for org in organizaciones:
        codigo = org.comuna_id or org.provincia_id
        for rol in (Membresia.Rol.DIRECTOR, Membresia.Rol.INTEGRANTE, Membresia.Rol.LECTOR):
            usuarios.append(
                Usuario(
                    email=f"{rol}.{codigo}@{DOMINIO}",
                    nombre=nombre_de_persona(rng),
                    cargo=CARGOS[rol],
                    password=clave,
                )
            )
    usuarios = Usuario.objects.bulk_create(usuarios)
    por_email = {u.email: u for u in usuarios}
    for org in organizaciones:
        codigo = org.comuna_id or org.provincia_id
        plataforma.personas[org.pk] = {}
        for rol in (Membresia.Rol.DIRECTOR, Membresia.Rol.INTEGRANTE, Membresia.Rol.LECTOR):
            usuario = por_email[f"{rol}.{codigo}@{DOMINIO}"]
            plataforma.personas[org.pk][rol] = usuario
            membresias.append(Membresia(usuario=usuario, organizacion=org, rol=rol))
    Membresia.objects.bulk_create(membresias)
    provincias = {p.codigo: p for p in Provincia.objects.select_related("region")}
    comunas = {c.codigo: c for c in Comuna.objects.all()}
    for org in organizaciones:
        comuna = comunas.get(org.comuna_id)
        provincia = provincias[comuna.provincia_id if comuna else org.provincia_id]
        plataforma.territorio[org.pk] = (comuna, provincia)
    return plataforma
