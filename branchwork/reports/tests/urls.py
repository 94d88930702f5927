"""The project's URLs with the reports app's in front (until the root URLconf includes them)."""

from django.urls import include, path

from branchwork.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("", include("branchwork.reports.urls")),
    *[p for p in project_urlpatterns if getattr(p, "namespace", None) != "reports"],
]
