from django.apps import AppConfig


class DiagnosticosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "diagnosticos"
    verbose_name = "Diagnósticos e indicadores"

    def ready(self):
        from comunas import perfil
        from diagnosticos.selectors import diagnosticos_de_organizacion

        perfil.registrar_seccion("diagnosticos", orden=20, obtener=diagnosticos_de_organizacion)
