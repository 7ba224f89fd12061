"""Writes on diagnoses and indicators (issue 6). A module of its own because comunas/services.py is already large.

Diagnoses: create, update, publish — a JSON snapshot (VersionDiagnostico) on publication and on every later
change. Indicators: an upload is checked and kept server-side (importacion_preparar), then written all at once
(importacion_confirmar: one transaction, bulk_create for the new rows and one UPDATE for the existing ones); a big
upload by a worker, with its progress on the upload's row (importacion_encolar, importacion_procesar).
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from comunas.models import Organizacion
from diagnosticos import importacion as imp
from diagnosticos import tasks  # tasks import this module too: each only uses the other's names when called
from diagnosticos.access import territorios_importables
from diagnosticos.models import Diagnostico, ImportacionIndicadores, Indicador, ProblemaPriorizado
from nucleo.adjuntos import adjunto_eliminar, adjuntos_guardar
from nucleo.cache import version_nueva
from nucleo.formularios import mensaje_de
from nucleo.versiones import foto, versionar

# nucleo.cache: whatever writes indicators takes a new version (the selectors cache years, measures and charts).
VERSION_INDICADORES = "indicadores"
CAMPOS_EDITABLES = [
    "titulo",
    "anio_inicio",
    "anio_fin",
    "contexto",
    "fuentes",
    "construccion",
    "construccion_detalle",
    "conclusiones",
]


def _asignar(diagnostico, datos):
    desconocidos = set(datos) - set(CAMPOS_EDITABLES)
    if desconocidos:
        raise ValueError(f"campos no editables: {sorted(desconocidos)}")
    for campo, valor in datos.items():
        setattr(diagnostico, campo, valor)
    if not (diagnostico.titulo or "").strip():
        raise ValidationError({"titulo": "Escriba un título."})
    if diagnostico.anio_inicio and diagnostico.anio_fin and diagnostico.anio_fin < diagnostico.anio_inicio:
        raise ValidationError({"anio_fin": "El año de término no puede ser anterior al de inicio."})


CAMPOS_PROBLEMA = ["categoria", "problema_local", "justificacion", *ProblemaPriorizado.CRITERIOS, "grupos_afectados"]
CAMPOS_PROBLEMA.append("lugares")


def _guardar_problemas(diagnostico, problemas):
    """Replaces the prioritized problems; `problemas` is an ordered list of dicts (CAMPOS_PROBLEMA; only
    `categoria` is required). A category is prioritized once, unless the problem is a local one tied to it."""
    vistas = set()
    grupos = set(ProblemaPriorizado.Grupo.values)
    filas = []
    for prioridad, datos in enumerate(problemas, start=1):
        desconocidos = set(datos) - set(CAMPOS_PROBLEMA)
        if desconocidos:
            raise ValueError(f"campos desconocidos: {sorted(desconocidos)}")
        categoria, local = datos["categoria"], (datos.get("problema_local") or "").strip()
        if not local and categoria.pk in vistas:
            raise ValidationError(f"La categoría «{categoria}» está priorizada dos veces.")
        if not local:
            vistas.add(categoria.pk)
        for criterio in ProblemaPriorizado.CRITERIOS:
            if datos.get(criterio) is not None and not 1 <= datos[criterio] <= 5:
                raise ValidationError(f"El criterio «{criterio}» va de 1 a 5.")
        if set(datos.get("grupos_afectados") or []) - grupos:
            raise ValidationError("Elija los grupos afectados de la lista.")
        filas.append(
            ProblemaPriorizado(
                diagnostico=diagnostico,
                prioridad=prioridad,
                categoria=categoria,
                problema_local=local[:200],
                justificacion=(datos.get("justificacion") or "").strip()[:4000],
                grupos_afectados=list(datos.get("grupos_afectados") or []),
                lugares=(datos.get("lugares") or "").strip()[:300],
                **{c: datos.get(c) for c in ProblemaPriorizado.CRITERIOS},
            )
        )
    diagnostico.problemas.all().delete()
    ProblemaPriorizado.objects.bulk_create(filas)


def _foto(diagnostico):
    datos = foto(diagnostico, CAMPOS_EDITABLES)
    datos["visibilidad"] = diagnostico.visibilidad
    datos["territorio"] = diagnostico.comuna_id or diagnostico.provincia_id
    datos["problemas"] = [
        {
            "prioridad": p.prioridad,
            "categoria": p.categoria.slug,
            "problema_local": p.problema_local,
            "justificacion": p.justificacion,
            "criterios": dict(p.criterios),
            "grupos_afectados": p.grupos_afectados,
            "lugares": p.lugares,
        }
        for p in diagnostico.problemas.select_related("categoria")
    ]
    return datos


def _versionar(diagnostico, por):
    return versionar(diagnostico.versiones, datos=_foto(diagnostico), por=por)


@transaction.atomic
def diagnostico_crear(*, organizacion, por, datos, problemas):
    """A draft diagnosis of the organization's territory (its commune or its province)."""
    organizacion = Organizacion.objects.get(pk=organizacion.pk)
    if not organizacion.activa:
        raise ValidationError("La organización no está activa.")
    diagnostico = Diagnostico(
        organizacion=organizacion, comuna_id=organizacion.comuna_id, provincia_id=organizacion.provincia_id, autor=por
    )
    _asignar(diagnostico, datos)
    diagnostico.save()
    _guardar_problemas(diagnostico, problemas)
    return diagnostico


@transaction.atomic
def diagnostico_actualizar(*, diagnostico, por, datos, problemas):
    """Saves changes; a published diagnosis keeps a new version of what it now says."""
    diagnostico = Diagnostico.objects.select_for_update().get(pk=diagnostico.pk)
    _asignar(diagnostico, datos)
    diagnostico.save()
    _guardar_problemas(diagnostico, problemas)
    if not diagnostico.es_borrador:
        _versionar(diagnostico, por)
    return diagnostico


@transaction.atomic
def diagnostico_publicar(*, diagnostico, visibilidad, por):
    diagnostico = Diagnostico.objects.select_for_update().get(pk=diagnostico.pk)
    if visibilidad not in Diagnostico.Visibilidad.values:
        raise ValidationError({"visibilidad": "Elija quién podrá ver el diagnóstico."})
    if not diagnostico.problemas.exists():
        raise ValidationError("Priorice al menos un problema antes de publicar.")
    diagnostico.estado = Diagnostico.Estado.PUBLICADO
    diagnostico.visibilidad = visibilidad
    diagnostico.publicado_en = diagnostico.publicado_en or timezone.now()
    diagnostico.save(update_fields=["estado", "visibilidad", "publicado_en", "actualizado"])
    _versionar(diagnostico, por)
    return diagnostico


# --- Indicators ----------------------------------------------------------------------------------------------


def importacion_preparar(*, usuario, archivo, nombre):
    """Reads and checks an upload and keeps the result server-side; nothing is written to the indicators yet.

    Raises ValidationError for a file that cannot be read at all; row problems go to `importacion.errores`.
    """
    permitidos = territorios_importables(usuario)
    try:
        _, huella, filas = imp.leer(archivo, nombre)
        resultado = imp.revisar(filas, permitidos=permitidos)
    except imp.ErrorDeArchivo as error:
        raise ValidationError(str(error)) from None
    if resultado.total_filas == 0:
        raise ValidationError("El archivo no trae filas con datos bajo los nombres de las columnas.")
    errores = resultado.errores
    if resultado.total_errores > len(errores):
        errores.append({"fila": None, "columna": "", "mensaje": f"… y {resultado.total_errores - len(errores)} más."})
    return ImportacionIndicadores.objects.create(
        usuario=usuario,
        nombre_archivo=nombre[:200],
        huella=huella,
        filas=[] if errores else resultado.filas,
        errores=errores,
        advertencias=resultado.advertencias,
        formato=resultado.formato,
        total_filas=resultado.total_filas,
    )


def _clave(territorio, categoria_id, anio, trimestre, mes, medida, medida_nombre, origen):
    """The natural key of an indicator: loading another measure or source never touches this one."""
    return (territorio, categoria_id, anio, trimestre or 0, mes or 0, medida, medida_nombre, origen)


def clave_de_fila(f):
    """The natural key of a checked row (diagnosticos.importacion)."""
    periodo = (f[imp.TERRITORIO], f[imp.CATEGORIA], f[imp.ANIO], f[imp.TRIMESTRE], f[imp.MES])
    return _clave(*periodo, f[imp.MEDIDA], f[imp.MEDIDA_NOMBRE], f[imp.ORIGEN])


def existentes(filas):
    """{natural key: (pk, frecuencia, tasa)} of the indicators a list of checked rows would update."""
    if not filas:
        return {}
    consulta = Indicador.objects.filter(
        territorio__in={f[imp.TERRITORIO] for f in filas},
        categoria_id__in={f[imp.CATEGORIA] for f in filas},
        anio__in={f[imp.ANIO] for f in filas},
    ).values_list(
        "pk",
        "territorio",
        "categoria_id",
        "anio",
        "trimestre",
        "mes",
        "medida",
        "medida_nombre",
        "origen",
        "frecuencia",
        "tasa",
    )
    return {_clave(*fila[1:9]): (fila[0], fila[9], fila[10]) for fila in consulta}


def _periodicidad(trimestre, mes):
    if mes:
        return Indicador.Periodicidad.MENSUAL
    if trimestre:
        return Indicador.Periodicidad.TRIMESTRAL
    return Indicador.Periodicidad.ANUAL


def _nivel(codigo):
    return {5: "comuna_id", 3: "provincia_id", 2: "region_id"}[len(codigo)]


_ACTUALIZAR_PG = """
    UPDATE comunas_indicador AS i
       SET frecuencia = v.frecuencia, tasa = v.tasa, fuente = v.fuente, importacion_id = %s, actualizado = %s
      FROM unnest(%s::bigint[], %s::integer[], %s::numeric[], %s::text[]) AS v(id, frecuencia, tasa, fuente)
     WHERE i.id = v.id
"""


def _actualizar(cambiados, importacion, ahora):
    """bulk_update writes one CASE per column and row (40 s for 50,000 rows); on PostgreSQL one UPDATE joined
    to the new values as arrays does it in a fraction of that."""
    if not cambiados:
        return
    if connection.vendor != "postgresql":
        campos = ["frecuencia", "tasa", "fuente", "importacion", "actualizado"]
        Indicador.objects.bulk_update(cambiados, campos, batch_size=2000)
        return
    columnas = [[i.pk for i in cambiados], [i.frecuencia for i in cambiados]]
    columnas += [[i.tasa for i in cambiados], [i.fuente for i in cambiados]]
    with connection.cursor() as cursor:
        cursor.execute(_ACTUALIZAR_PG, [importacion.pk, ahora, *columnas])


LOTE_ESCRITURA = 5000  # rows written per batch; a big confirmation records its progress after each one
_CONFIRMANDO = ImportacionIndicadores.Estado.CONFIRMANDO


def _exigir_confirmable(importacion, por):
    if importacion is None:  # purged while the preview was open (importaciones_purgar)
        raise ValidationError("Esta importación venció sin confirmarse: vuelva a subir el archivo.")
    if importacion.estado == _CONFIRMANDO:
        raise ValidationError("Esta importación ya se está confirmando: la página muestra su avance.")
    if importacion.estado != ImportacionIndicadores.Estado.PENDIENTE:
        raise ValidationError("Esta importación ya se confirmó.")
    if importacion.errores or not importacion.filas:
        raise ValidationError("El archivo tiene errores: corríjalos y súbalo de nuevo.")
    permitidos = territorios_importables(por)
    if permitidos is not None and any(f[imp.TERRITORIO] not in permitidos for f in importacion.filas):
        raise PermissionDenied("Su organización ya no puede cargar cifras de alguno de esos territorios.")


def _escribir(importacion, anotar=None):
    """Writes the checked rows a batch at a time (a re-imported period updates its indicator instead of duplicating
    it) and marks the upload confirmed; `anotar(escritas)` after each batch. The caller holds the transaction."""
    ya = existentes(importacion.filas)
    ahora = timezone.now()
    creados = actualizados = 0
    filas = importacion.filas
    for desde in range(0, len(filas), LOTE_ESCRITURA):
        nuevos, cambiados = [], []
        for f in filas[desde : desde + LOTE_ESCRITURA]:
            territorio, trimestre, mes = f[imp.TERRITORIO], f[imp.TRIMESTRE], f[imp.MES]
            datos = {
                "frecuencia": f[imp.FRECUENCIA],
                "tasa": f[imp.TASA],
                "fuente": f[imp.FUENTE],
                "importacion": importacion,
                "actualizado": ahora,
            }
            anterior = ya.get(clave_de_fila(f))
            if anterior:
                cambiados.append(Indicador(pk=anterior[0], **datos))
                continue
            nuevos.append(
                Indicador(
                    territorio=territorio,
                    **{_nivel(territorio): territorio},
                    categoria_id=f[imp.CATEGORIA],
                    periodicidad=_periodicidad(trimestre, mes),
                    anio=f[imp.ANIO],
                    trimestre=trimestre,
                    mes=mes,
                    medida=f[imp.MEDIDA],
                    medida_nombre=f[imp.MEDIDA_NOMBRE],
                    unidad=f[imp.UNIDAD],
                    origen=f[imp.ORIGEN],
                    **datos,
                )
            )
        Indicador.objects.bulk_create(nuevos)
        _actualizar(cambiados, importacion, ahora)
        creados, actualizados = creados + len(nuevos), actualizados + len(cambiados)
        if anotar is not None:
            anotar(desde + LOTE_ESCRITURA if desde + LOTE_ESCRITURA < len(filas) else len(filas))
    version_nueva(VERSION_INDICADORES)
    importacion.estado = ImportacionIndicadores.Estado.CONFIRMADA
    importacion.creados, importacion.actualizados = creados, actualizados
    importacion.confirmada_en = ahora
    importacion.escritas, importacion.error = len(filas), ""
    importacion.filas = []  # written now; no need to keep a second copy
    campos = ["estado", "creados", "actualizados", "confirmada_en", "escritas", "error", "filas"]
    importacion.save(update_fields=campos)
    return importacion


@transaction.atomic
def importacion_confirmar(*, importacion, por):
    """Writes every checked row at once, in the request (an upload of up to IMPORTACION_FILAS_EN_LINEA rows):
    all or nothing."""
    importacion = ImportacionIndicadores.objects.select_for_update().filter(pk=importacion.pk).first()
    _exigir_confirmable(importacion, por)
    return _escribir(importacion)


def importacion_confirmar_o_encolar(*, importacion, por):
    """Confirming an upload: a small one at once; a big one (more than IMPORTACION_FILAS_EN_LINEA rows) by a worker,
    while the page shows its progress (the person may leave and come back). Returns the upload: CONFIRMADA or
    CONFIRMANDO."""
    if len(importacion.filas) <= settings.IMPORTACION_FILAS_EN_LINEA:
        return importacion_confirmar(importacion=importacion, por=por)
    return importacion_encolar(importacion=importacion, por=por)


@transaction.atomic
def importacion_encolar(*, importacion, por):
    """Checks what confirming checks, marks the upload CONFIRMANDO and hands it to a worker on commit."""
    importacion = ImportacionIndicadores.objects.select_for_update().filter(pk=importacion.pk).first()
    _exigir_confirmable(importacion, por)
    importacion.estado = _CONFIRMANDO
    importacion.por_escribir, importacion.escritas = len(importacion.filas), 0
    importacion.encolada_en, importacion.error = timezone.now(), ""
    importacion.save(update_fields=["estado", "por_escribir", "escritas", "encolada_en", "error"])
    tasks.importacion_confirmar_task.delay_on_commit(importacion.pk)
    return importacion


@contextmanager
def _progreso(importacion_id):
    """`anotar(escritas)`: the progress, on the upload's row, through a second connection in autocommit: the rows
    themselves are written in one transaction that nobody sees until it commits (all or nothing), while the page
    polling the progress reads it at once. On SQLite (one writer at a time) the bar waits for the end."""
    if connection.vendor != "postgresql":
        yield lambda escritas: None
        return
    aparte = connections.create_connection(DEFAULT_DB_ALIAS)
    tabla = aparte.ops.quote_name(ImportacionIndicadores._meta.db_table)

    def anotar(escritas):
        with aparte.cursor() as cursor:
            cursor.execute(f"UPDATE {tabla} SET escritas = %s WHERE id = %s", [escritas, importacion_id])  # noqa: S608

    try:
        yield anotar
    finally:
        aparte.close()


def importacion_procesar(*, importacion_id):
    """The worker's part of a big confirmation (diagnosticos.tasks): every row in one transaction, its progress
    written as it goes. Run twice (a redelivered task), the second finds it confirmed and does nothing. A refusal
    (the person lost the right to load those territories meanwhile) leaves it to confirm again, with the reason."""
    with _progreso(importacion_id) as anotar:
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":  # one worker at a time per upload, until commit
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BLOQUEO_IMPORTACION, importacion_id])
                importacion = ImportacionIndicadores.objects.filter(pk=importacion_id, estado=_CONFIRMANDO).first()
                if importacion is None:
                    return None
                importacion.estado = ImportacionIndicadores.Estado.PENDIENTE  # what the checks expect
                _exigir_confirmable(importacion, importacion.usuario)
                return _escribir(importacion, anotar)
        except (ValidationError, PermissionDenied) as error:
            importacion_detenida(importacion_id=importacion_id, motivo=mensaje_de(error))
            return None


BLOQUEO_IMPORTACION = 17  # pg_advisory_xact_lock's first key: confirmations of indicator uploads


def importacion_detenida(*, importacion_id, motivo):
    """A confirmation that could not finish: nothing was written; the upload can be confirmed again."""
    return ImportacionIndicadores.objects.filter(pk=importacion_id, estado=_CONFIRMANDO).update(
        estado=ImportacionIndicadores.Estado.PENDIENTE, escritas=0, error=motivo[:2000]
    )


# --- Attachments (checked like every attachment: nucleo/adjuntos.py) ---------------------------

MAX_ADJUNTOS_POR_DIAGNOSTICO = 20


@transaction.atomic
def diagnostico_adjuntos_agregar(*, diagnostico, archivos, por):
    """Checks every file from its content first; saves all of them or none (the messages list each refusal)."""
    return adjuntos_guardar(
        relacion=diagnostico.adjuntos,
        archivos=archivos,
        por=por,
        maximo=MAX_ADJUNTOS_POR_DIAGNOSTICO,
        demasiados=f"Un diagnóstico admite hasta {MAX_ADJUNTOS_POR_DIAGNOSTICO} archivos adjuntos.",
    )


@transaction.atomic
def diagnostico_adjunto_borrar(*, adjunto, por):
    adjunto_eliminar(adjunto)
    return adjunto


@transaction.atomic
def importaciones_reanudar(*, antes_de):
    """Confirmations asked before `antes_de` that never finished (a worker lost for good, retries exhausted): back to
    be confirmed again, with the reason. A running one holds no row lock, but never runs this long (task time
    limit). Returns how many."""
    atascadas = ImportacionIndicadores.objects.filter(estado=_CONFIRMANDO, encolada_en__lt=antes_de)
    return atascadas.update(
        estado=ImportacionIndicadores.Estado.PENDIENTE,
        escritas=0,
        error="La confirmación no terminó y no se guardó nada: confírmela de nuevo.",
    )


def importaciones_purgar(*, antes_de):
    """Deletes the uploads uploaded before `antes_de` and never confirmed; returns how many were deleted.

    Confirmed uploads are the import history and stay. Rows are locked first and those already locked are
    skipped: an upload being confirmed right now (importacion_confirmar holds its lock) is left alone, and one
    locked here cannot be confirmed half-way through its deletion.
    """
    pendientes = ImportacionIndicadores.objects.filter(
        estado=ImportacionIndicadores.Estado.PENDIENTE, creada__lt=antes_de
    )
    bloqueadas = list(pendientes.select_for_update(skip_locked=True).values_list("pk", flat=True))
    if not bloqueadas:
        return 0
    # only("pk"): the checked rows (`filas`) of an unconfirmed upload can be tens of thousands; no need to load them.
    _, por_modelo = pendientes.filter(pk__in=bloqueadas).only("pk").delete()
    return por_modelo.get(ImportacionIndicadores._meta.label, 0)
