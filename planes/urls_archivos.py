"""URLs of a plan's files: the tree imported from CSV/XLSX, the activities as CSV, the plan as PDF."""

from django.urls import path

from planes import views_archivos

urlpatterns = [
    path("<int:pk>/importar/", views_archivos.plan_importar, name="plan_importar"),
    path("<int:pk>/importar/<int:importacion_pk>/", views_archivos.plan_importacion, name="plan_importacion"),
    path("<int:pk>/importar/plantilla.<str:formato>", views_archivos.plan_plantilla, name="plan_plantilla"),
    path("<int:pk>/actividades.csv", views_archivos.plan_csv, name="plan_csv"),
    path("<int:pk>/plan.pdf", views_archivos.plan_pdf, name="plan_pdf"),
]
