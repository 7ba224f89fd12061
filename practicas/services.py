"""Writes on practices: create, update, publish, archive. Each keeps the search columns up to date."""

import unicodedata

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from comunas.access import comparte_alguna_mesa
from comunas.models import Membresia, Organizacion, Usuario
from nucleo.adjuntos import adjunto_eliminar, adjuntos_guardar
from nucleo.avisos import aviso_crear
from nucleo.cache import version_nueva
from nucleo.largos import exigir_largos
from nucleo.versiones import foto, versionar
from practicas.markdown import html_al_dia
from practicas.models import (
    EMMIE,
    MAX_COMENTARIO,
    TEXTOS_MARKDOWN,
    Comentario,
    Practica,
    PracticaIndice,
    Replicacion,
    Resultado,
    ResultadoReplicacion,
    RevisionPares,
)

CONFIG_BUSQUEDA = "spanish_unaccent"
CAMPOS_EDITABLES = [
    "titulo",
    "resumen",
    "contexto",
    "poblacion_objetivo",
    "socios",
    "actividades",
    "periodo_inicio",
    "periodo_fin",
    "presupuesto",
    "fuente_financiamiento",
    *[campo for par in EMMIE for campo in par[:2]],
    "calificacion",
    "transferibilidad",
    "sostenibilidad",
    "contacto_nombre",
    "contacto_email",
    "contacto_telefono",
    "etiquetas",
]
CAMPOS_RESULTADO = ["indicador", "linea_base", "resultado", "como_se_midio", "nivel_maryland"]
# Long texts that the search covers besides title and summary.
TEXTOS_BUSCABLES = ["contexto", "poblacion_objetivo", "socios", "actividades", "transferibilidad", "sostenibilidad"]


def plegar(texto):
    """Lower case without accents ("Cámaras" → "camaras"); same length as the input, char by char."""
    return "".join((unicodedata.normalize("NFD", c)[0].lower() or c)[:1] for c in texto or "")


def _asignar(practica, datos):
    desconocidos = set(datos) - set(CAMPOS_EDITABLES)
    if desconocidos:
        raise ValueError(f"campos no editables: {sorted(desconocidos)}")
    for campo, valor in datos.items():
        setattr(practica, campo, valor)
    exigir_largos(practica, CAMPOS_EDITABLES)
    inicio, fin = practica.periodo_inicio, practica.periodo_fin
    if inicio and fin and fin < inicio:
        raise ValidationError({"periodo_fin": "El término no puede ser anterior al inicio."})
    if not (practica.titulo or "").strip():
        raise ValidationError({"titulo": "Escriba un título, aunque sea provisorio."})


def _territorio(practica, organizacion):
    organizacion = Organizacion.objects.con_territorio().get(pk=organizacion.pk)
    practica.organizacion = organizacion
    practica.comuna = organizacion.comuna
    practica.provincia = organizacion.comuna.provincia if organizacion.comuna_id else organizacion.provincia
    practica.region = practica.provincia.region


def _guardar_mediciones(relacion, nueva, filas):
    """Replaces an outcome list: rows with an id are updated, new ones created, the missing ones deleted."""
    existentes = {r.pk: r for r in relacion.all()}
    conservar = []
    for orden, datos in enumerate(filas, start=1):
        datos = dict(datos)
        pk = datos.pop("id", None)
        pk = getattr(pk, "pk", pk)
        if not (datos.get("indicador") or "").strip():
            raise ValidationError("Cada resultado necesita un indicador.")
        medicion = existentes.get(pk) or nueva()
        for campo in CAMPOS_RESULTADO:
            setattr(medicion, campo, datos.get(campo, getattr(medicion, campo)))
        medicion.orden = orden
        exigir_largos(medicion, CAMPOS_RESULTADO)
        medicion.full_clean(exclude=["practica", "replicacion"])
        medicion.save()
        conservar.append(medicion.pk)
    relacion.exclude(pk__in=conservar).delete()


def _guardar_resultados(practica, resultados):
    _guardar_mediciones(practica.resultados, lambda: Resultado(practica=practica), resultados)


def texto_de_busqueda(practica, *, categorias, resultados):
    """The folded text the search covers: title, summary, tags, every section, the problems it addresses, its
    organization and territory, and its outcomes. `categorias` and `resultados` as loaded by the caller."""
    partes = [practica.titulo, practica.resumen, practica.etiquetas]
    partes += [getattr(practica, c) for c in TEXTOS_BUSCABLES]
    partes += [getattr(practica, texto) for texto, _, _ in EMMIE]
    partes += [c.nombre for c in categorias]
    partes += [practica.organizacion.nombre, str(practica.territorio)]
    partes += [f"{r.indicador} {r.como_se_midio}" for r in resultados]
    return plegar("\n".join(p for p in partes if p))


def vector_de_busqueda(texto):
    """The weighted tsvector a search matches (PostgreSQL): title A, summary and tags B, the folded text C.
    `texto`: an expression giving the folded text (F("texto_busqueda"), over the practices table)."""
    return vector_de_titulo() + SearchVector(texto, weight="C", config=CONFIG_BUSQUEDA)


def vector_de_titulo():
    """The short tsvector relevance ranks by: title A, summary and tags B (from the practice's own columns)."""
    return SearchVector("titulo", weight="A", config=CONFIG_BUSQUEDA) + SearchVector(
        "resumen", "etiquetas", weight="B", config=CONFIG_BUSQUEDA
    )


CAMPOS_INDICE = [
    "estado",
    "visibilidad",
    "organizacion_id",
    "region_id",
    "provincia_id",
    "comuna_id",
    "calificacion",
    "publicada_en",
    "titulo",
]
VERSION_BIBLIOTECA = "practicas"  # nucleo.cache: a new version whenever a practice changes (selectors cache facets)


def practica_indexar(practica):
    """Refreshes the folded search text and the practice's row of the search table (vectors included)."""
    texto = texto_de_busqueda(practica, categorias=practica.categorias.all(), resultados=practica.resultados.all())
    Practica.objects.filter(pk=practica.pk).update(texto_busqueda=texto)
    practica.texto_busqueda = texto
    indice_sincronizar([practica.pk])


def indice_sincronizar(ids):
    """Brings the search table's rows of these practices up to date with them: an upsert of the narrow columns
    and, on PostgreSQL, one UPDATE of the vectors, computed in the database from the practices' columns (bulk
    loads call it with thousands of ids). The library's cached facets are no longer read."""
    ids = list(ids)
    filas = Practica.objects.filter(pk__in=ids).values("pk", "periodo_inicio", *CAMPOS_INDICE)
    PracticaIndice.objects.bulk_create(
        [
            PracticaIndice(
                practica_id=fila.pop("pk"), anio=inicio.year if (inicio := fila.pop("periodo_inicio")) else None, **fila
            )
            for fila in filas
        ],
        update_conflicts=True,
        unique_fields=["practica"],
        update_fields=[c.removesuffix("_id") for c in CAMPOS_INDICE] + ["anio"],
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        practica = Practica.objects.filter(pk=OuterRef("practica_id"))
        PracticaIndice.objects.filter(practica_id__in=ids).update(
            vector=Subquery(practica.annotate(v=vector_de_busqueda(F("texto_busqueda"))).values("v")),
            vector_titulo=Subquery(practica.annotate(v=vector_de_titulo()).values("v")),
        )
    version_nueva(VERSION_BIBLIOTECA)  # cached facets of the library are no longer read


def foto_de_practica(practica, *, categorias=None, resultados=None):
    """The JSON snapshot kept for every published version. A bulk load passes the category slugs and the outcome
    dicts (CAMPOS_RESULTADO) it holds in memory; otherwise they are read."""
    datos = foto(practica, CAMPOS_EDITABLES)
    datos["visibilidad"] = practica.visibilidad
    if categorias is None:
        categorias = practica.categorias.values_list("slug", flat=True)
    datos["categorias"] = sorted(categorias)
    if resultados is None:
        resultados = practica.resultados.values(*CAMPOS_RESULTADO)
    datos["resultados"] = [{campo: r[campo] for campo in CAMPOS_RESULTADO} for r in resultados]
    return datos


def _versionar(practica, por):
    return versionar(practica.versiones, datos=foto_de_practica(practica), por=por)


@transaction.atomic
def practica_crear(*, organizacion, por, datos, categorias=(), resultados=()):
    """A new draft of the organization; only the title is required at this stage."""
    if not organizacion.activa:
        raise PermissionDenied("La organización no está activa.")
    practica = Practica(autor=por)
    _territorio(practica, organizacion)
    _asignar(practica, datos)
    practica.html = html_al_dia({}, practica, TEXTOS_MARKDOWN)
    practica.save()
    practica.categorias.set(categorias)
    _guardar_resultados(practica, resultados)
    practica_indexar(practica)
    return practica


@transaction.atomic
def practica_actualizar(*, practica, por, datos, categorias=None, resultados=None):
    """Saves changes; on a published practice the change becomes a new version in its history."""
    practica = Practica.objects.select_for_update().get(pk=practica.pk)
    if practica.es_archivada:
        raise ValidationError("Una práctica archivada no se edita.")
    _asignar(practica, datos)
    if practica.es_publicada:
        _validar_publicable(practica, categorias=categorias, resultados=resultados)
    practica.html = html_al_dia(practica.html, practica, TEXTOS_MARKDOWN)
    practica.save()
    if categorias is not None:
        practica.categorias.set(categorias)
    if resultados is not None:
        _guardar_resultados(practica, resultados)
    practica_indexar(practica)
    if practica.es_publicada:
        _versionar(practica, por)
    return practica


def _validar_publicable(practica, *, categorias=None, resultados=None):
    errores = []
    if not practica.resumen.strip():
        errores.append("Falta el resumen.")
    hay_categorias = bool(categorias) if categorias is not None else practica.categorias.exists()
    if not hay_categorias:
        errores.append("Indique al menos un problema que aborda (categoría de delito o incivilidad).")
    hay_resultados = bool(resultados) if resultados is not None else practica.resultados.exists()
    if not hay_resultados:
        errores.append("Registre al menos un resultado medido.")
    if not practica.calificacion:
        errores.append("Autoevalúe la evidencia (Efectiva, Prometedora, Sin efecto, Efecto negativo o insuficiente).")
    if errores:
        raise ValidationError(errores)


@transaction.atomic
def practica_publicar(*, practica, visibilidad, por):
    """Publishes a draft (or re-publishes with another visibility) and records the version."""
    practica = Practica.objects.select_for_update().get(pk=practica.pk)
    if visibilidad not in Practica.Visibilidad.values:
        raise ValidationError("Elija quién podrá ver la práctica.")
    if visibilidad == Practica.Visibilidad.MESA and not comparte_alguna_mesa(practica.organizacion_id):
        raise ValidationError("Su organización aún no comparte una mesa con otras: elija otra visibilidad.")
    if practica.es_archivada:
        raise ValidationError("Una práctica archivada no se publica.")
    _validar_publicable(practica)
    practica.visibilidad = visibilidad
    if not practica.es_publicada:
        practica.estado = Practica.Estado.PUBLICADA
        practica.publicada_en = timezone.now()
    practica.save(update_fields=["estado", "visibilidad", "publicada_en", "actualizada"])
    indice_sincronizar([practica.pk])
    _versionar(practica, por)
    return practica


@transaction.atomic
def practica_archivar(*, practica, por):
    """Withdraws a practice from the library; its organization keeps it (and its history)."""
    practica = Practica.objects.select_for_update().get(pk=practica.pk)
    if practica.es_archivada:
        raise ValidationError("La práctica ya está archivada.")
    practica.estado = Practica.Estado.ARCHIVADA
    practica.archivada_en = timezone.now()
    practica.save(update_fields=["estado", "archivada_en", "actualizada"])
    indice_sincronizar([practica.pk])
    return practica


MAX_ADJUNTOS_POR_PRACTICA = 20


@transaction.atomic
def adjuntos_agregar(*, practica, archivos, por):
    """Checks every file from its content first; saves all of them or none (the messages list each refusal)."""
    if practica.es_archivada:
        raise ValidationError("Una práctica archivada no recibe archivos.")
    return adjuntos_guardar(
        relacion=practica.adjuntos,
        archivos=archivos,
        por=por,
        maximo=MAX_ADJUNTOS_POR_PRACTICA,
        demasiados=f"Una práctica admite hasta {MAX_ADJUNTOS_POR_PRACTICA} archivos adjuntos.",
    )


@transaction.atomic
def adjunto_borrar(*, adjunto, por):
    adjunto_eliminar(adjunto)


CAMPOS_REPLICACION = ["adaptaciones", "estado", "fecha_inicio"]


def _asignar_replicacion(replicacion, datos):
    desconocidos = set(datos) - set(CAMPOS_REPLICACION)
    if desconocidos:
        raise ValueError(f"campos no editables: {sorted(desconocidos)}")
    for campo, valor in datos.items():
        setattr(replicacion, campo, valor)
    exigir_largos(replicacion, CAMPOS_REPLICACION)
    if replicacion.estado not in Replicacion.Estado.values:
        raise ValidationError({"estado": "Elija un estado válido."})


@transaction.atomic
def replicacion_crear(*, practica, organizacion, por, datos, resultados=()):
    """Replicar en mi comuna: a replication of a published practice by another active organization."""
    practica = Practica.objects.select_for_update().get(pk=practica.pk)
    if not practica.es_publicada:
        raise ValidationError("Solo se replican prácticas publicadas.")
    if not organizacion.activa:
        raise PermissionDenied("La organización no está activa.")
    if organizacion.pk == practica.organizacion_id:
        raise ValidationError("Una organización no replica su propia práctica: edítela o publique una nueva versión.")
    if practica.replicaciones.filter(organizacion=organizacion).exists():
        raise ValidationError("Esta organización ya registró una réplica de esta práctica.")
    replicacion = Replicacion(practica=practica, organizacion=organizacion, creada_por=por)
    _asignar_replicacion(replicacion, datos)
    replicacion.save()
    _guardar_mediciones(replicacion.resultados, lambda: ResultadoReplicacion(replicacion=replicacion), resultados)
    return replicacion


@transaction.atomic
def replicacion_actualizar(*, replicacion, por, datos, resultados=None):
    replicacion = Replicacion.objects.select_for_update().get(pk=replicacion.pk)
    _asignar_replicacion(replicacion, datos)
    replicacion.save()
    if resultados is not None:
        _guardar_mediciones(replicacion.resultados, lambda: ResultadoReplicacion(replicacion=replicacion), resultados)
    return replicacion


@transaction.atomic
def replicacion_publicar_como_practica(*, replicacion, por):
    """A draft practice of the replicating organization, seeded from the origin, the adaptations and the
    outcomes measured there; once published, others can replicate it in turn (the chain A → B → C)."""
    replicacion = Replicacion.objects.select_for_update().select_related("practica").get(pk=replicacion.pk)
    if replicacion.practica_resultante_id:
        raise ValidationError("Esta réplica ya tiene su práctica en la biblioteca.")
    origen = replicacion.practica
    datos = {campo: getattr(origen, campo) for campo in CAMPOS_EDITABLES}
    datos.update(
        titulo=f"{origen.titulo} (réplica)"[:200],
        periodo_inicio=replicacion.fecha_inicio,
        periodo_fin=None,
        presupuesto=None,
        fuente_financiamiento="",
        calificacion="",
        contacto_nombre=por.nombre if por else "",
        contacto_email=por.email if por else "",
        contacto_telefono="",
    )
    if replicacion.adaptaciones:
        datos["contexto"] = f"**Adaptaciones respecto de la práctica original:**\n\n{replicacion.adaptaciones}"
    resultados = [{campo: getattr(r, campo) for campo in CAMPOS_RESULTADO} for r in replicacion.resultados.all()]
    practica = practica_crear(
        organizacion=replicacion.organizacion,
        por=por,
        datos=datos,
        categorias=list(origen.categorias.all()),
        resultados=resultados,
    )
    replicacion.practica_resultante = practica
    replicacion.save(update_fields=["practica_resultante", "actualizada"])
    return practica


@transaction.atomic
def comentario_crear(*, practica, autor, texto, tipo=Comentario.Tipo.COMENTARIO, responde_a=None, organizacion=None):
    """A question or comment; the authoring organization's team is notified by e-mail (through Celery, on commit).
    A reply to a reply hangs from the same top-level comment."""
    texto = (texto or "").strip()
    if not texto:
        raise ValidationError({"texto": "Escriba su pregunta o comentario."})
    if len(texto) > MAX_COMENTARIO:
        raise ValidationError({"texto": f"El texto no puede superar los {MAX_COMENTARIO} caracteres."})
    if practica.es_archivada:
        raise ValidationError("Una práctica archivada ya no recibe comentarios.")
    if tipo not in Comentario.Tipo.values:
        raise ValidationError({"tipo": "Elija si es una pregunta o un comentario."})
    if responde_a is not None:
        if responde_a.practica_id != practica.pk:
            raise ValidationError("Solo se responde a comentarios de la misma práctica.")
        responde_a = responde_a.responde_a or responde_a
    comentario = Comentario.objects.create(
        practica=practica, autor=autor, texto=texto, tipo=tipo, responde_a=responde_a, organizacion=organizacion
    )
    _comentario_avisar(comentario)
    return comentario


def _comentario_avisar(comentario):
    """One notice per person of the authoring organization's team (director/a, integrantes) and, for a reply,
    to whoever wrote the comment answered; never to the author. Not essential: those who chose the daily digest
    get it there."""
    practica = comentario.practica
    equipo = Usuario.objects.filter(
        is_active=True,
        membresias__organizacion_id=practica.organizacion_id,
        membresias__rol__in=[Membresia.Rol.DIRECTOR, Membresia.Rol.INTEGRANTE],
        membresias__organizacion__estado=Organizacion.Estado.ACTIVA,
    )
    destinatarios = {u.pk: u for u in equipo}
    respondido = comentario.responde_a.autor if comentario.responde_a_id else None
    if respondido is not None and respondido.is_active:
        destinatarios.setdefault(respondido.pk, respondido)
    destinatarios.pop(getattr(comentario.autor, "pk", None), None)
    ruta = reverse("practicas:detalle", args=[practica.pk])
    contexto = {
        "comentario": comentario,
        "practica": practica,
        "autor": comentario.autor,
        "organizacion_autor": comentario.organizacion,
        "enlace": f"{settings.SITE_URL}{ruta}#comentario-{comentario.pk}",
    }
    for usuario in destinatarios.values():
        aviso_crear(
            para=usuario,
            plantilla="practica_comentario",
            contexto={**contexto, "es_respuesta_a_usted": respondido is not None and usuario.pk == respondido.pk},
            clave=f"practica_comentario:{comentario.pk}:{usuario.pk}",
            esencial=False,
        )


@transaction.atomic
def revision_registrar(*, practica, organizacion, por, calificacion, comentario=""):
    """A peer organization's review of the evidence rating; its second review replaces the first. The authoring
    team gets a notice (not essential: the daily digest suffices)."""
    if not practica.es_publicada:
        raise ValidationError("Solo se revisan prácticas publicadas.")
    if organizacion.pk == practica.organizacion_id:
        raise PermissionDenied("Una organización no revisa su propia práctica.")
    if not organizacion.activa:
        raise PermissionDenied("La organización no está activa.")
    if calificacion not in Practica.Calificacion.values:
        raise ValidationError({"calificacion": "Elija una calificación de la evidencia."})
    comentario = (comentario or "").strip()
    if len(comentario) > MAX_COMENTARIO:
        raise ValidationError({"comentario": f"El comentario no puede superar los {MAX_COMENTARIO} caracteres."})
    revision, _ = RevisionPares.objects.update_or_create(
        practica=practica,
        organizacion=organizacion,
        defaults={"revisor": por, "calificacion": calificacion, "comentario": comentario},
    )
    _revision_avisar(revision)
    return revision


def _revision_avisar(revision):
    practica = revision.practica
    equipo = Usuario.objects.filter(
        is_active=True,
        membresias__organizacion_id=practica.organizacion_id,
        membresias__rol__in=[Membresia.Rol.DIRECTOR, Membresia.Rol.INTEGRANTE],
        membresias__organizacion__estado=Organizacion.Estado.ACTIVA,
    ).distinct()
    enlace = f"{settings.SITE_URL}{reverse('practicas:detalle', args=[practica.pk])}#revisiones"
    contexto = {"revision": revision, "practica": practica, "enlace": enlace}
    for usuario in equipo:
        aviso_crear(
            para=usuario,
            plantilla="practica_revision",
            contexto=contexto,
            # one notice per review version: updating the review notifies again
            clave=f"practica_revision:{revision.pk}:{revision.actualizada.isoformat()}:{usuario.pk}",
            esencial=False,
        )
