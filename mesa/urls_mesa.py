"""The mesa pages, under /mesas/ (namespace "mesa"); the list itself keeps the project-wide name "mesas"."""

from django.urls import path

from mesa import views, views_actas, views_consejo, views_participacion, views_participantes, views_tabla

app_name = "mesa"

urlpatterns = [
    path("nueva/", views.mesa_nueva, name="mesa_nueva"),
    path("<int:pk>/", views.mesa, name="mesa"),
    path("<int:pk>/editar/", views.mesa_editar, name="mesa_editar"),
    path("<int:pk>/planes/", views.mesa_planes, name="mesa_planes"),
    path("<int:pk>/sesiones/nueva/", views.sesion_nueva, name="sesion_nueva"),
    # Invitations and requests to join (mesa/views_participacion.py).
    path("<int:pk>/unirse/", views_participacion.mesa_solicitar, name="mesa_solicitar"),
    path("participaciones/<int:pk>/", views_participacion.participacion, name="participacion"),
    path("participaciones/<int:pk>/aceptar/", views_participacion.participacion_aceptar, name="participacion_aceptar"),
    path(
        "participaciones/<int:pk>/rechazar/", views_participacion.participacion_rechazar, name="participacion_rechazar"
    ),
    path("solicitudes/<int:pk>/aceptar/", views_participacion.solicitud_aceptar, name="solicitud_aceptar"),
    path("solicitudes/<int:pk>/rechazar/", views_participacion.solicitud_rechazar, name="solicitud_rechazar"),
    path("sesiones/<int:pk>/", views.sesion, name="sesion"),
    path("sesiones/<int:pk>/editar/", views.sesion_editar, name="sesion_editar"),
    path("sesiones/<int:pk>/tabla/", views.punto_agregar, name="punto_agregar"),
    path("puntos/<int:pk>/quitar/", views.punto_quitar, name="punto_quitar"),
    path("puntos/<int:pk>/mover/", views.punto_mover, name="punto_mover"),
    # Editing an item, and the documents of a session and its items (mesa/views_tabla.py).
    path("puntos/<int:pk>/editar/", views_tabla.punto_editar, name="punto_editar"),
    path("puntos/<int:pk>/documentos/", views_tabla.punto_documentos_subir, name="punto_documentos_subir"),
    path("sesiones/<int:pk>/documentos/", views_tabla.sesion_documentos_subir, name="sesion_documentos_subir"),
    path("documentos/<int:pk>/", views_tabla.documento, name="documento"),
    path("documentos/<int:pk>/borrar/", views_tabla.documento_borrar, name="documento_borrar"),
    # The consejo comunal de seguridad pública, the monthly cadence and the yearly view (mesa/views_consejo.py).
    path("consejo/nuevo/", views_consejo.consejo_nuevo, name="consejo_nuevo"),
    path("<int:pk>/consejo/", views_consejo.consejo_editar, name="consejo_editar"),
    path("<int:pk>/integrantes/", views_consejo.integrantes, name="integrantes"),
    path("integrantes/<int:pk>/editar/", views_consejo.integrante_editar, name="integrante_editar"),
    path("integrantes/<int:pk>/quitar/", views_consejo.integrante_quitar, name="integrante_quitar"),
    path("<int:pk>/sesiones/proxima/", views_consejo.sesion_proxima, name="sesion_proxima"),
    path("<int:pk>/anual/", views_consejo.mesa_anual, name="mesa_anual"),
    path("sesiones/<int:pk>/convocar/", views.sesion_convocar, name="sesion_convocar"),
    path("sesiones/<int:pk>/cancelar/", views.sesion_cancelar, name="sesion_cancelar"),
    path("sesiones/<int:pk>/recordar/", views.sesion_recordar, name="sesion_recordar"),
    path("sesiones/<int:pk>/asistencia/", views.sesion_asistencia, name="sesion_asistencia"),
    path("sesiones/<int:pk>/responder/", views.sesion_responder, name="sesion_responder"),
    path("sesiones/<int:pk>/calendario.ics", views.sesion_ics, name="sesion_ics"),
    path("rsvp/<str:token>/", views.rsvp, name="rsvp"),
    path("avisos/preferencias/", views.preferencias_avisos, name="preferencias_avisos"),
    # After the session, notices, invitations and the personal calendar (mesa/views_actas.py).
    path("<int:pk>/avisos/", views_actas.mesa_avisos, name="mesa_avisos"),
    path("<int:pk>/avisos/reenviar/", views_actas.mesa_avisos_reenviar, name="mesa_avisos_reenviar"),
    path("<int:pk>/invitar/", views_actas.mesa_invitar, name="mesa_invitar"),
    path("sesiones/<int:pk>/acta/", views_actas.acta, name="acta"),
    path("sesiones/<int:pk>/acta/redactar/", views_actas.acta_redactar, name="acta_redactar"),
    path("sesiones/<int:pk>/acta/editar/", views_actas.acta_editar, name="acta_editar"),
    path("sesiones/<int:pk>/acta/circular/", views_actas.acta_circular, name="acta_circular"),
    path("sesiones/<int:pk>/acta/comentar/", views_actas.acta_comentar, name="acta_comentar"),
    path(
        "sesiones/<int:pk>/acta/comentarios/<int:comentario>/atender/",
        views_actas.comentario_atender,
        name="comentario_atender",
    ),
    path("sesiones/<int:pk>/acta/aprobar/", views_actas.acta_aprobar, name="acta_aprobar"),
    path("sesiones/<int:pk>/acta/publicar/", views_actas.acta_publicar, name="acta_publicar"),
    path("sesiones/<int:pk>/acta/a-la-tabla/", views_actas.acta_a_la_tabla, name="acta_a_la_tabla"),
    path("sesiones/<int:pk>/acta.pdf", views_actas.acta_pdf, name="acta_pdf"),
    path("sesiones/<int:pk>/acta/acuerdos/nuevo/", views_actas.acuerdo_nuevo, name="acuerdo_nuevo"),
    path("<int:pk>/acuerdos/", views_actas.mesa_acuerdos, name="mesa_acuerdos"),
    path("acuerdos/", views_actas.mis_acuerdos, name="mis_acuerdos"),
    path("acuerdos/<int:pk>/estado/", views_actas.acuerdo_estado, name="acuerdo_estado"),
    path("acuerdos/<int:pk>/actividad/", views_actas.acuerdo_actividad, name="acuerdo_actividad"),
    path("calendario/", views_actas.calendario_personal, name="calendario_personal"),
    path("calendario/<str:token>.ics", views_actas.calendario_feed, name="calendario_feed"),
    # Guests without an account, subrogantes and the quorum (mesa/views_participantes.py).
    path("sesiones/<int:pk>/invitados/", views_participantes.sesion_invitados, name="sesion_invitados"),
    path("invitados/<int:pk>/quitar/", views_participantes.invitado_quitar, name="invitado_quitar"),
    path("invitados/rsvp/<str:token>/", views_participantes.rsvp_invitado, name="rsvp_invitado"),
    path("sesiones/<int:pk>/subrogante/", views_participantes.sesion_subrogante, name="sesion_subrogante"),
    path("subrogaciones/<int:pk>/quitar/", views_participantes.subrogacion_quitar, name="subrogacion_quitar"),
    path("<int:pk>/quorum/", views_participantes.mesa_quorum, name="mesa_quorum"),
]
