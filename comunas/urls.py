from django.urls import path

from comunas import views

urlpatterns = [
    path("", views.portada, name="portada"),
    path("organizacion/", views.mi_organizacion, name="mi_organizacion"),
    # Joining the platform
    path("solicitar-acceso/", views.solicitar_acceso, name="solicitar_acceso"),
    path("solicitar-acceso/enviada/", views.solicitud_enviada, name="solicitud_enviada"),
    path("solicitudes/", views.solicitudes, name="solicitudes"),
    path("solicitudes/<int:pk>/", views.solicitud_detalle, name="solicitud"),
    path("solicitudes/<int:pk>/aprobar/", views.solicitud_aprobar, name="solicitud_aprobar"),
    path("solicitudes/<int:pk>/rechazar/", views.solicitud_rechazar, name="solicitud_rechazar"),
    path("bienvenida/<uidb64>/<token>/", views.crear_clave, name="crear_clave"),
    # Organizations and their teams
    path("organizaciones/", views.organizaciones, name="organizaciones"),
    path("organizaciones/<int:pk>/", views.organizacion, name="organizacion"),
    path("organizaciones/<int:pk>/editar/", views.organizacion_editar, name="organizacion_editar"),
    path("organizaciones/<int:pk>/suspension/", views.organizacion_suspension, name="organizacion_suspension"),
    path("organizaciones/<int:pk>/invitar/", views.invitacion_crear, name="invitacion_crear"),
    path("invitaciones/<int:pk>/reenviar/", views.invitacion_reenviar, name="invitacion_reenviar"),
    path("invitaciones/<int:pk>/revocar/", views.invitacion_revocar, name="invitacion_revocar"),
    path("equipo/<int:pk>/rol/", views.membresia_rol, name="membresia_rol"),
    path("equipo/<int:pk>/quitar/", views.membresia_quitar, name="membresia_quitar"),
    path("invitacion/<str:token>/", views.invitacion_aceptar, name="invitacion_aceptar"),
]
