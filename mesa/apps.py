from django.apps import AppConfig


class MesaConfig(AppConfig):
    name = "mesa"
    verbose_name = "Mesa"

    def ready(self):
        # The mesa contributes to the lower apps' pages without them importing it (the layers rule).
        from comunas import perfil
        from comunas.senales import acceso_retirado
        from diagnosticos import grupos
        from mesa.access import mesas_de_organizacion, mesas_para_comparar
        from mesa.selectors import territorios_de_la_mesa
        from mesa.services import al_retirar_acceso

        perfil.registrar_seccion("mesas", orden=30, obtener=mesas_de_organizacion)
        grupos.registrar(visibles=mesas_para_comparar, territorios=territorios_de_la_mesa)
        # comunas tells when people lose an organization's access; the mesa ends their coordination.
        acceso_retirado.connect(al_retirar_acceso, dispatch_uid="mesa_al_retirar_acceso")
