from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.urls import reverse
from django.utils.html import format_html

from comunas.models import (
    Auditoria,
    Categoria,
    Comuna,
    Invitacion,
    Membresia,
    Organizacion,
    Poblacion,
    Provincia,
    Region,
    SolicitudAcceso,
    Taxonomia,
    Usuario,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["codigo", "nombre", "nombre_oficial"]
    search_fields = ["codigo", "nombre", "nombre_oficial"]


@admin.register(Provincia)
class ProvinciaAdmin(admin.ModelAdmin):
    list_display = ["codigo", "nombre", "region"]
    list_filter = ["region"]
    search_fields = ["codigo", "nombre"]
    list_select_related = ["region"]


@admin.register(Comuna)
class ComunaAdmin(admin.ModelAdmin):
    list_display = ["codigo", "nombre", "provincia", "region_nombre"]
    list_filter = ["provincia__region"]
    search_fields = ["codigo", "nombre", "provincia__nombre"]
    list_select_related = ["provincia__region"]

    @admin.display(description="región", ordering="provincia__region__nombre")
    def region_nombre(self, obj):
        return obj.provincia.region.nombre_oficial


AVISO_EN_LA_APP = (
    "Los estados de las organizaciones y los roles del equipo se cambian en la aplicación (aprobar, suspender, "
    "reactivar, invitar, cambiar rol, quitar): sus servicios dejan registro en la auditoría, envían los avisos "
    "y cuidan que cada organización activa conserve al menos un director(a)."
)


def _con_aviso(fieldsets, obj):
    """The first fieldset of a change page carries the note that states and roles change in the app."""
    if obj is None or not fieldsets:
        return fieldsets
    (nombre, opciones), *resto = fieldsets
    return [(nombre, {**opciones, "description": AVISO_EN_LA_APP}), *resto]


class MembresiaInline(admin.TabularInline):
    """Read-only: memberships change through the app's services (audit trail, notices, at least one director)."""

    model = Membresia
    extra = 0
    fields = ["usuario", "organizacion", "rol"]
    readonly_fields = fields
    verbose_name_plural = "membresías (solo lectura: se cambian en la aplicación)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organizacion)
class OrganizacionAdmin(admin.ModelAdmin):
    list_display = ["nombre", "tipo", "comuna", "provincia", "estado", "email_contacto"]
    list_filter = ["estado", "tipo", "comuna__provincia__region", "provincia__region"]
    search_fields = [
        "nombre", "institucion", "comuna__nombre", "comuna__codigo", "provincia__nombre", "provincia__codigo",
    ]  # fmt: skip
    autocomplete_fields = ["comuna", "provincia"]
    list_select_related = ["comuna", "provincia"]
    readonly_fields = ["estado"]  # approve, suspend and reactivate in the app: see AVISO_EN_LA_APP
    inlines = [MembresiaInline]

    def get_fieldsets(self, request, obj=None):
        return _con_aviso(super().get_fieldsets(request, obj), obj)


class UsuarioCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Usuario
        fields = ("email", "nombre")


class UsuarioChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Usuario
        fields = "__all__"


@admin.register(Usuario)
class UsuarioAdmin(UserAdmin):
    form = UsuarioChangeForm
    add_form = UsuarioCreationForm
    ordering = ["nombre"]
    list_display = ["email", "nombre", "cargo", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["email", "nombre", "cargo"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Datos personales", {"fields": ("nombre", "cargo", "telefono")}),
        ("Permisos", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Fechas", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "nombre", "password1", "password2")}),)
    inlines = [MembresiaInline]

    def get_fieldsets(self, request, obj=None):
        return _con_aviso(super().get_fieldsets(request, obj), obj)


@admin.register(Auditoria)
class AuditoriaAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by the services, never by hand."""

    list_display = ["creada", "actor", "accion", "organizacion", "objeto"]
    list_filter = ["accion"]
    search_fields = ["objeto", "actor__email", "actor__nombre", "organizacion__nombre", "motivo"]
    list_select_related = ["actor", "organizacion"]
    date_hierarchy = "creada"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SolicitudAcceso)
class SolicitudAccesoAdmin(admin.ModelAdmin):
    """Visible here; approving and rejecting happen in the app (they activate accounts and send e-mail)."""

    list_display = ["creada", "usuario", "organizacion", "tipo", "estado", "resolver"]
    list_filter = ["estado", "tipo"]
    search_fields = ["usuario__email", "usuario__nombre", "organizacion__nombre"]
    list_select_related = ["usuario", "organizacion"]
    readonly_fields = [f.name for f in SolicitudAcceso._meta.fields]

    @admin.display(description="en la plataforma")
    def resolver(self, obj):
        return format_html('<a href="{}">Abrir</a>', reverse("solicitud", args=[obj.pk]))

    def has_add_permission(self, request):
        return False


@admin.register(Invitacion)
class InvitacionAdmin(admin.ModelAdmin):
    list_display = ["email", "organizacion", "rol", "creada", "expira", "aceptada_en", "revocada_en"]
    list_filter = ["rol"]
    search_fields = ["email", "organizacion__nombre"]
    list_select_related = ["organizacion"]
    readonly_fields = [f.name for f in Invitacion._meta.fields if f.name != "token_hash"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False


@admin.register(Poblacion)
class PoblacionAdmin(admin.ModelAdmin):
    list_display = ["comuna", "anio", "habitantes", "fuente"]
    list_filter = ["anio"]
    search_fields = ["comuna__nombre", "comuna__codigo"]
    list_select_related = ["comuna"]


class CategoriaInline(admin.TabularInline):
    model = Categoria
    extra = 0
    fields = ["orden", "nivel", "padre", "nombre", "slug"]
    raw_id_fields = ["padre"]


@admin.register(Taxonomia)
class TaxonomiaAdmin(admin.ModelAdmin):
    list_display = ["version", "nombre", "vigente"]
    inlines = [CategoriaInline]
