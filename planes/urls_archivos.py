"""URLs of a plan's files: the tree imported from CSV/XLSX, the activities as CSV, the plan as PDF."""

urlpatterns = []
