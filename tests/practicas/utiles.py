"""Helpers to build practices in tests (also used by the access matrix in tests/test_acceso.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comunas import taxonomia as tx
from comunas.models import Categoria
from mesa.models import Participacion
from practicas.models import Practica
from practicas.services import (
    adjuntos_agregar,
    practica_archivar,
    practica_crear,
    practica_publicar,
    replicacion_crear,
)


def taxonomia():
    return tx.asegurar()


def crear_practica(organizacion, por, *, titulo="Práctica de prueba", estado="borrador", visibilidad="plataforma",
                   categorias=("hurtos",), resultados=None, **datos):  # fmt: skip
    taxonomia()
    datos = {"resumen": "Un resumen de prueba.", "calificacion": Practica.Calificacion.PROMETEDORA, **datos}
    if resultados is None:
        resultados = [{"indicador": "Denuncias por hurto", "linea_base": "120", "resultado": "90", "nivel_maryland": 2}]
    practica = practica_crear(
        organizacion=organizacion,
        por=por,
        datos={"titulo": titulo, **datos},
        categorias=Categoria.objects.filter(slug__in=categorias, taxonomia__vigente=True),
        resultados=resultados,
    )
    if estado in ("publicada", "archivada"):
        practica = practica_publicar(practica=practica, visibilidad=visibilidad, por=por)
    if estado == "archivada":
        practica = practica_archivar(practica=practica, por=por)
    return practica


PDF_MINIMO = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def adjuntar_pdf(practica, por, nombre="informe.pdf"):
    [adjunto] = adjuntos_agregar(practica=practica, archivos=[SimpleUploadedFile(nombre, PDF_MINIMO)], por=por)
    return adjunto


def practicas_del_elenco(org, director, replica_de=None):
    """The objects the access matrix needs: a draft, a platform practice and a public one of Zapallar, an
    attachment, and (given `replica_de=(organizacion, director)`) that organization's replication."""
    practica = crear_practica(org, director, titulo="Publicada en la plataforma", estado="publicada")
    objetos = {}
    if replica_de:
        otra, su_director = replica_de
        objetos["replicacion"] = replicacion_crear(
            practica=practica, organizacion=otra, por=su_director, datos={"estado": "en_curso"}
        )
    return objetos | {
        "borrador": crear_practica(org, director, titulo="Borrador de Zapallar"),
        "practica": practica,
        "publica": crear_practica(
            org, director, titulo="Publicada para todos", estado="publicada", visibilidad="publica"
        ),
        "adjunto": adjuntar_pdf(practica, director),
    }


def participar(mesa, organizacion, estado=Participacion.Estado.ACEPTADA):
    """The organization takes part in the mesa (accepted by default, as after its director(a) accepts)."""
    aceptada = timezone.now() if estado == Participacion.Estado.ACEPTADA else None
    return Participacion.objects.create(mesa=mesa, organizacion=organizacion, estado=estado, aceptada_en=aceptada)
