from django.apps import AppConfig


class PracticasConfig(AppConfig):
    name = "practicas"
    verbose_name = "Buenas prácticas"

    def ready(self):
        from comunas import perfil
        from practicas.selectors import practicas_de_organizacion

        perfil.registrar_seccion("practicas", orden=10, obtener=practicas_de_organizacion)
