"""Views of diagnoses and indicators (issue 6): a module of their own, URLs in comunas/urls_diagnosticos.py.

Every object comes through diagnosticos/access.py; writes go through diagnosticos/services.py.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from comunas.access import miembro_requerido, roles_activos
from comunas.models import Categoria, Organizacion, Region
from comunas.taxonomia import Arbol
from diagnosticos import grupos
from diagnosticos import importacion as imp
from diagnosticos import selectors as sel
from diagnosticos import services as servicios
from diagnosticos.access import (
    get_diagnostico_for,
    get_importacion_for,
    organizaciones_donde_edita,
    puede_editar_diagnostico,
    territorios_importables,
)
from diagnosticos.forms import ComparacionForm, DiagnosticoForm, ProblemasForm, PublicarForm, SubirIndicadoresForm
from diagnosticos.models import ImportacionIndicadores, Indicador
from nucleo.adjuntos import respuesta_descarga
from nucleo.formularios import AdjuntosForm, adjuntos_subir, mensaje_de
from nucleo.vistas import pide_ingresar

AVISO_EJEMPLO = "Revise la fuente de cada cifra: las de la demostración son datos de ejemplo ficticios, no del CEAD."


# --- Diagnoses ----------------------------------------------------------------------------------------------


POR_PAGINA = 30


@miembro_requerido
def diagnosticos(request):
    """The diagnoses this person may see, a page at a time (the country has hundreds)."""
    roles = roles_activos(request.user)
    lista = sel.diagnosticos_para_listar(request.user, roles)
    contexto = {
        "pagina": Paginator(lista, POR_PAGINA).get_page(request.GET.get("pagina")),
        "puede_crear": request.user.is_staff or organizaciones_donde_edita(request.user, roles).exists(),
    }
    return render(request, "diagnosticos/diagnosticos.html", contexto)


def _organizaciones_autoras(user):
    if user.is_staff:
        return Organizacion.objects.activas().con_territorio()
    return organizaciones_donde_edita(user)


@miembro_requerido
def diagnostico_nuevo(request):
    organizaciones = _organizaciones_autoras(request.user)
    if not organizaciones.exists():
        raise PermissionDenied("Solo el director(a) o integrantes de una dirección pueden escribir diagnósticos.")
    form = DiagnosticoForm(request.POST or None, organizaciones=organizaciones)
    problemas = ProblemasForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and problemas.is_valid():
        try:
            diagnostico = servicios.diagnostico_crear(
                organizacion=form.cleaned_data["organizacion"],
                por=request.user,
                datos=form.datos(),
                problemas=problemas.problemas(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Diagnóstico guardado como borrador.")
            return redirect("diagnosticos:diagnostico", pk=diagnostico.pk)
    contexto = {"form": form, "problemas": problemas, "titulo": "Nuevo diagnóstico"}
    return render(request, "diagnosticos/diagnostico_formulario.html", contexto)


@pide_ingresar
def diagnostico_detalle(request, pk):
    diagnostico, roles = get_diagnostico_for(request.user, pk)
    contexto = {
        "diagnostico": diagnostico,
        "problemas": sel.recomendaciones(diagnostico, request.user, roles),
        "puede_editar": puede_editar_diagnostico(request.user, diagnostico, roles),
        "publicar": PublicarForm(initial={"visibilidad": diagnostico.visibilidad}),
        "versiones": diagnostico.versiones.select_related("por")[:10],
        "adjuntos": diagnostico.adjuntos.all(),
    }
    return render(request, "diagnosticos/diagnostico_detalle.html", contexto)


@pide_ingresar
def diagnostico_imprimir(request, pk):
    diagnostico, roles = get_diagnostico_for(request.user, pk)
    contexto = {"diagnostico": diagnostico, "problemas": sel.recomendaciones(diagnostico, request.user, roles)}
    contexto["anios"], contexto["series"] = sel.tendencias(diagnostico.comuna_id or diagnostico.provincia_id)
    return render(request, "diagnosticos/diagnostico_imprimir.html", contexto)


@miembro_requerido
def diagnostico_editar(request, pk):
    diagnostico, _ = get_diagnostico_for(request.user, pk, need="editar")
    form = DiagnosticoForm(request.POST or None, instance=diagnostico)
    problemas = ProblemasForm(request.POST or None, iniciales=diagnostico.problemas.all())
    if request.method == "POST" and form.is_valid() and problemas.is_valid():
        try:
            servicios.diagnostico_actualizar(
                diagnostico=diagnostico, por=request.user, datos=form.datos(), problemas=problemas.problemas()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Cambios guardados.")
            return redirect("diagnosticos:diagnostico", pk=diagnostico.pk)
    contexto = {
        "form": form,
        "problemas": problemas,
        "diagnostico": diagnostico,
        "titulo": "Editar diagnóstico",
        "adjuntos": diagnostico.adjuntos.all(),
        "adjuntos_form": AdjuntosForm(max_mb=settings.PRACTICAS_ADJUNTO_MAX_MB),
    }
    return render(request, "diagnosticos/diagnostico_formulario.html", contexto)


@require_POST
@miembro_requerido
def diagnostico_adjuntos_subir(request, pk):
    diagnostico, _ = get_diagnostico_for(request.user, pk, need="editar")
    return adjuntos_subir(
        request,
        agregar=lambda archivos: servicios.diagnostico_adjuntos_agregar(
            diagnostico=diagnostico, archivos=archivos, por=request.user
        ),
        volver=reverse("diagnosticos:diagnostico_editar", args=[diagnostico.pk]),
        max_mb=settings.PRACTICAS_ADJUNTO_MAX_MB,
    )


@require_POST
@miembro_requerido
def diagnostico_adjunto_borrar(request, pk, adjunto_pk):
    diagnostico, _ = get_diagnostico_for(request.user, pk, need="editar")
    adjunto = get_object_or_404(diagnostico.adjuntos, pk=adjunto_pk)
    servicios.diagnostico_adjunto_borrar(adjunto=adjunto, por=request.user)
    messages.success(request, f"Se eliminó «{adjunto.nombre}».")
    return redirect(f"{reverse('diagnosticos:diagnostico_editar', args=[diagnostico.pk])}#adjuntos")


@pide_ingresar
def diagnostico_adjunto(request, pk, adjunto_pk):
    """Downloads through the gate only: same visibility as the diagnosis, always as an attachment."""
    diagnostico, _ = get_diagnostico_for(request.user, pk)
    return respuesta_descarga(get_object_or_404(diagnostico.adjuntos, pk=adjunto_pk))


@require_POST
@miembro_requerido
def diagnostico_publicar(request, pk):
    diagnostico, _ = get_diagnostico_for(request.user, pk, need="editar")
    form = PublicarForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Elija quién podrá ver el diagnóstico.")
        servicios.diagnostico_publicar(
            diagnostico=diagnostico, visibilidad=form.cleaned_data["visibilidad"], por=request.user
        )
    except ValidationError as error:
        messages.error(request, mensaje_de(error))
    else:
        messages.success(request, "Diagnóstico publicado.")
    return redirect("diagnosticos:diagnostico", pk=diagnostico.pk)


# --- Indicators: trends, comparison, export ---------------------------------------------------------------


def _territorio_propio(user):
    org = organizaciones_donde_edita(user).first() or Organizacion.objects.filter(membresias__usuario=user).first()
    return (org.comuna_id or org.provincia_id) if org else None


@miembro_requerido
def indicadores(request):
    """Pick a territory (yours by default) to see its trends."""
    codigo = request.GET.get("territorio")
    if codigo and sel.territorio_o_none(codigo):
        return redirect("diagnosticos:indicadores_territorio", codigo=codigo)
    contexto = {"opciones": sel.opciones_de_territorio(), "propio": _territorio_propio(request.user)}
    if codigo:
        contexto["error"] = "Ese territorio no existe: elija una región, provincia o comuna de la lista."
    return render(request, "diagnosticos/indicadores.html", contexto, status=400 if codigo else 200)


@miembro_requerido
def indicadores_territorio(request, codigo):
    """The territory's yearly series by family of the taxonomy; `?categoria=` opens one family or group into its
    children, `?medida=` chooses what is counted and its source."""
    territorio = sel.territorio_de(codigo)
    arbol = Arbol.vigente()
    medidas = sel.medidas_disponibles()
    elegida = next((m for m in medidas if m["valor"] == request.GET.get("medida")), medidas[0] if medidas else None)
    padre = next((c for c in arbol.categorias if c.slug == request.GET.get("categoria")), None)
    medida = elegida["clave"] if elegida else None
    anios, series = sel.tendencias(codigo, medida=medida, padre=padre, arbol=arbol)
    contexto = {
        "territorio": territorio,
        "nombre": sel.nombre_de(territorio),
        "codigo": codigo,
        "anios": anios,
        "series": series,
        "medidas": medidas,
        "medida": elegida,
        "padre": padre,
        "ruta": arbol.ruta(padre) if padre else [],
        "aviso": AVISO_EJEMPLO,
    }
    return render(request, "diagnosticos/indicadores_territorio.html", contexto)


@miembro_requerido
def indicadores_comparar(request):
    medidas = sel.medidas_disponibles()
    datos = request.GET.copy()
    elegida = next((m for m in medidas if m["valor"] == datos.get("medida")), medidas[0] if medidas else None)
    anios, con_tasa = sel.anios_con_tasas(elegida["clave"] if elegida else None)
    mesas = grupos.visibles(request.user)
    arbol = Arbol.vigente()
    datos.setdefault("categoria", sel.familia_con_mas_datos(arbol, elegida["clave"] if elegida else None) or "")
    datos.setdefault("medida", elegida["valor"] if elegida else "")
    datos.setdefault("anio", str(con_tasa or (anios[0] if anios else "")))  # the latest year that has rates
    datos.setdefault("ambito", "mesa" if mesas else "plataforma")  # by default, the user's first mesa
    datos.setdefault("mesa", str(mesas[0].pk) if mesas else "")
    datos.setdefault("region", "05")
    regiones = Region.objects.all()
    form = ComparacionForm(datos, anios=anios, regiones=regiones, ambitos=sel.AMBITOS, mesas=mesas, medidas=medidas)
    resultado = None
    if form.is_valid():
        propio = _territorio_propio(request.user)
        resultado = sel.comparacion(
            categoria=form.cleaned_data["categoria"],
            anio=form.cleaned_data["anio"],
            medida=form.cleaned_data["medida"],
            arbol=arbol,
            ambito=form.cleaned_data["ambito"] or "plataforma",
            region=form.cleaned_data["region"],
            mesa=form.cleaned_data["mesa"],
            codigos=[c for c in request.GET.getlist("territorio") if sel.es_codigo_cut(c)],
            destacados={propio} if propio else set(),
        )
    contexto = {"form": form, "resultado": resultado, "aviso": AVISO_EJEMPLO}
    return render(request, "diagnosticos/indicadores_comparar.html", contexto)


@miembro_requerido
def indicadores_exportar(request):
    """Indicators as CSV (UTF-8 with BOM, `;`, decimal comma), of one territory or of all, streamed as it is written
    (the whole country is about 200,000 rows: the download starts at once and memory stays flat)."""
    consulta = Indicador.objects.all()
    if codigo := request.GET.get("territorio"):
        sel.territorio_de(codigo)  # 404 for a malformed or unknown code (it also goes into the file name)
        consulta = consulta.filter(territorio=codigo)
    consulta = consulta.order_by("territorio", "categoria__orden", "anio", "trimestre", "mes")
    respuesta = StreamingHttpResponse(imp.exportar_csv(consulta), content_type="text/csv; charset=utf-8")
    nombre = f"indicadores-{codigo or 'todos'}-{timezone.localdate():%Y%m%d}.csv"
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    return respuesta


# --- Indicators: import -------------------------------------------------------------------------------------


@miembro_requerido
def indicadores_importar(request):
    territorios_importables(request.user)  # 403 for a lector or a user without an active directorate
    form = SubirIndicadoresForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        archivo = form.cleaned_data["archivo"]
        try:
            importacion = servicios.importacion_preparar(usuario=request.user, archivo=archivo, nombre=archivo.name)
        except ValidationError as error:
            form.add_error("archivo", error)
        else:
            return redirect("diagnosticos:indicadores_importacion", pk=importacion.pk)
    columnas = [(imp.encabezado(nombre), descripcion, obligatoria) for nombre, descripcion, obligatoria in imp.COLUMNAS]
    contexto = {"form": form, "columnas": columnas, "categorias": Categoria.objects.vigentes().order_by("orden")}
    return render(request, "diagnosticos/indicadores_importar.html", contexto, status=400 if form.errors else 200)


@miembro_requerido
def indicadores_importacion(request, pk):
    """The preview of an upload (GET) and its confirmation (POST): the rows come from the server, never the form. A big
    upload is confirmed by a worker: the page then shows its progress (and may be left and opened again)."""
    importacion = get_importacion_for(request.user, pk)
    if request.method == "POST":
        try:
            importacion = servicios.importacion_confirmar_o_encolar(importacion=importacion, por=request.user)
        except ValidationError as error:
            messages.error(request, mensaje_de(error))
        else:
            if importacion.estado == ImportacionIndicadores.Estado.CONFIRMANDO:
                messages.info(request, "Confirmando la importación: puede seguir trabajando y volver a esta página.")
            else:
                cifras = f"{importacion.creados} indicadores nuevos y {importacion.actualizados} actualizados"
                messages.success(request, f"Importación lista: {cifras}.")
            return redirect("diagnosticos:indicadores_importacion", pk=importacion.pk)
    pendiente = importacion.estado == ImportacionIndicadores.Estado.PENDIENTE
    previa = sel.vista_previa(importacion) if pendiente and not importacion.errores else None
    return render(request, "diagnosticos/indicadores_importacion.html", {"importacion": importacion, "previa": previa})


@never_cache
@miembro_requerido
def indicadores_importacion_estado(request, pk):
    """What the confirmation page polls while a worker confirms the upload: its state and progress (small JSON)."""
    importacion = get_importacion_for(request.user, pk, ligera=True)
    return JsonResponse(
        {
            "estado": importacion.estado,
            "escritas": importacion.escritas,
            "por_escribir": importacion.por_escribir,
            "porcentaje": importacion.porcentaje,
        }
    )


@miembro_requerido
def indicadores_plantilla(request, formato):
    if formato not in ("csv", "xlsx"):
        raise Http404("La plantilla existe en CSV y en Excel (XLSX).")
    codigo = _territorio_propio(request.user)
    territorio = (codigo, sel.nombre_de(sel.territorio_de(codigo))) if codigo else None  # pre-filled example row
    if formato == "xlsx":
        contenido = imp.plantilla_xlsx(territorio)
        tipo = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        contenido, tipo = imp.plantilla_csv(territorio), "text/csv; charset=utf-8"
    respuesta = HttpResponse(contenido, content_type=tipo)
    respuesta["Content-Disposition"] = f'attachment; filename="plantilla-indicadores.{formato}"'
    return respuesta
