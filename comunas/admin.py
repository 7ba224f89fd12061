from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from comunas.models import Auditoria, Comuna, Membresia, Organizacion, Provincia, Region, Usuario


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["codigo", "nombre"]
    search_fields = ["codigo", "nombre"]


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
        return obj.provincia.region.nombre


class MembresiaInline(admin.TabularInline):
    model = Membresia
    extra = 0
    autocomplete_fields = ["usuario", "organizacion"]


@admin.register(Organizacion)
class OrganizacionAdmin(admin.ModelAdmin):
    list_display = ["nombre", "comuna", "provincia", "estado", "email_contacto"]
    list_filter = ["estado", "comuna__provincia__region", "provincia__region"]
    search_fields = ["nombre", "comuna__nombre", "comuna__codigo", "provincia__nombre", "provincia__codigo"]
    autocomplete_fields = ["comuna", "provincia"]
    list_select_related = ["comuna", "provincia"]
    inlines = [MembresiaInline]


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
