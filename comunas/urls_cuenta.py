"""Sign-in, sign-out, password change and reset (Django's views, Spanish templates), and account security."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from comunas import views_seguridad
from comunas.forms import IngresoForm, RestablecerForm

urlpatterns = [
    path(
        "ingresar/",
        auth_views.LoginView.as_view(authentication_form=IngresoForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("verificar/", views_seguridad.dos_factores_verificar, name="dos_factores_verificar"),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("seguridad/", views_seguridad.cuenta_seguridad, name="cuenta_seguridad"),
    path("seguridad/activar/", views_seguridad.dos_factores_activar, name="dos_factores_activar"),
    path("seguridad/codigos/", views_seguridad.dos_factores_codigos, name="dos_factores_codigos"),
    path("seguridad/desactivar/", views_seguridad.dos_factores_desactivar, name="dos_factores_desactivar"),
    path("seguridad/sesiones/", views_seguridad.cerrar_otras_sesiones, name="cerrar_otras_sesiones"),
    path(
        "clave/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path("clave/lista/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "recuperar/",
        auth_views.PasswordResetView.as_view(
            form_class=RestablecerForm,
            subject_template_name="emails/restablecer_clave_asunto.txt",
            email_template_name="emails/restablecer_clave.txt",
            html_email_template_name="emails/restablecer_clave.html",
        ),
        name="password_reset",
    ),
    path("recuperar/enviado/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "recuperar/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(post_reset_login=False),
        name="password_reset_confirm",
    ),
    path("recuperar/listo/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
