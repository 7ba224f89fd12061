"""Plans for the access matrix and the plans tests."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from planes import importacion, services


def crear_plan(org, por, **extra):
    hoy = date.today()
    datos = {
        "tipo": "comunal",
        "titulo": "Plan comunal de seguridad pública de Zapallar",
        "objetivo": "Reducir los robos en viviendas y mejorar la convivencia.",
        "anio_inicio": hoy.year,
        "anio_fin": hoy.year + 3,
        "territorios": [org.comuna_id or org.provincia_id],
        "visibilidad": "plataforma",
        **extra,
    }
    return services.plan_crear(organizacion=org, por=por, datos=datos)


def planes_del_elenco(org, director, *, adapta=None):
    """A platform-visible plan of `org`, approved, with a tree, a progress report with evidence, a milestone, an
    indicator and a version; a draft plan; and, when `adapta=(org, persona)`, an adaptation by that organization."""
    hoy = date.today()
    plan = crear_plan(org, director)
    eje = services.nodo_agregar(plan=plan, por=director, datos={"tipo": "eje", "codigo": "1", "titulo": "Prevención"})
    actividad = services.nodo_agregar(
        plan=plan, por=director, padre=eje, datos={"codigo": "1.1", "titulo": "Cámaras", "termino": hoy}
    )
    hito = services.hito_agregar(plan=plan, por=director, titulo="Licitación", fecha=hoy + timedelta(days=10))
    indicador = services.indicador_agregar(plan=plan, por=director, datos={"nombre": "Cobertura"}, metas=[])
    services.aprobacion_registrar(plan=plan, por=director, tipo="opinion_consejo", fecha=hoy)
    services.aprobacion_registrar(plan=plan, por=director, tipo="concejo", fecha=hoy, numero_acuerdo="1/2026")
    avance = services.avance_registrar(
        nodo=actividad,
        por=director,
        fecha=hoy,
        texto="Avance con evidencia.",
        porcentaje=20,
        archivos=[SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    objetos = {
        "plan": plan,
        "plan_borrador": crear_plan(org, director, titulo="Borrador de plan"),
        "nodo": actividad,
        "hito": hito,
        "indicador_plan": indicador,
        "evidencia": avance.adjuntos.get(),
        "importacion_plan": subir_arbol(plan, director, "codigo;titulo\n2;Convivencia\n"),
    }
    if adapta:
        organizacion, persona = adapta
        objetos["adaptacion"] = services.plan_adaptar(origen=plan, organizacion=organizacion, por=persona)
    return objetos


def subir_arbol(plan, por, texto, nombre="plan.csv"):
    """An upload of part of the plan's tree, checked and kept server-side (not confirmed)."""
    archivo = SimpleUploadedFile(nombre, texto.encode() if isinstance(texto, str) else texto)
    return importacion.importacion_preparar(plan=plan, por=por, archivo=archivo, nombre=nombre)
