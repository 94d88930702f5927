from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from branchwork.api import activity_views, award_views, exchange_views, research_views, search, views

app_name = "api"

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("people", views.PersonViewSet, basename="person")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("status-changes", views.StatusChangeViewSet, basename="status-change")
router.register("activities", activity_views.ActivityViewSet, basename="activity")
router.register("awards", award_views.AwardViewSet, basename="award")

api_urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("compliance/", activity_views.ComplianceView.as_view(), name="compliance"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("research/figures/", research_views.ResearchFiguresView.as_view(), name="research_figures"),
    path("exchanges/figures/", exchange_views.ExchangeFiguresView.as_view(), name="exchange_figures"),
    path("competitions/<str:id>/results/", award_views.CompetitionResultsView.as_view(),
         name="competition_results"),
    path("", include(router.urls)),
]

# The schema describes this API alone. Left to itself, drf-spectacular would walk the whole site
# and take in the Wagtail admin's internal API, which is built on DRF too but is not ours to
# document. The prefix repeats the one in branchwork/urls.py so that paths in the schema are the
# paths clients call.
_schema_urlconf = [path("api/v1/", include((api_urlpatterns, app_name)))]

urlpatterns = [
    # Like every page but the public portal, the description of the API is for signed-in users;
    # the docs are a page for browsers, so they send strangers to the login page.
    path(
        "schema/",
        SpectacularAPIView.as_view(urlconf=_schema_urlconf, permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    path(
        "docs/", login_required(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"
    ),
    *api_urlpatterns,
]
