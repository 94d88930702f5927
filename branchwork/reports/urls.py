from django.urls import path

from branchwork.reports import views

app_name = "reports"

L = "orgs/<slug:org_code>/ledger/"

urlpatterns = [
    path(L, views.ledger, name="ledger"),
    path(L + "<int:export_id>/", views.ledger_export, name="ledger_export"),
    path(L + "<int:export_id>/status.json", views.ledger_status, name="ledger_status"),
    path(L + "<int:export_id>/download/", views.ledger_download, name="ledger_download"),
]
