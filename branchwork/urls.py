from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from branchwork.activities import feeds
from branchwork.activities import views as activity_views
from branchwork.publishing import serving as publishing_serving
from branchwork.publishing import views as publishing_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The back office shows the image library by its media address; checked, and nothing else.
    path("media/<path:path>", publishing_views.library_media, name="library_media"),
    path("accounts/", include("branchwork.core.account_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("search/", include("branchwork.search.urls")),
    path("api/v1/", include("branchwork.api.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}, name="sitemap"),
    path("checkin/<str:token>/", activity_views.checkin, name="checkin"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("", include("branchwork.activities.urls")),
    path("", include("branchwork.reports.urls")),
    path("", include("branchwork.journal.urls")),
    path("", include("branchwork.lectures.urls")),
    path("", include("branchwork.learning.urls")),
    path("", include("branchwork.research.urls")),
    path("", include("branchwork.awards.urls")),
    path("", include("branchwork.exchanges.urls")),
    path("", include("branchwork.publishing.urls")),
    path("", include("branchwork.core.urls")),
    # Last: Wagtail serves the portal's page tree for every other path (through publishing's
    # `serve`, which takes the request's site from the cache; Wagtail's own patterns follow).
    re_path(wagtail_urls.serve_pattern, publishing_serving.serve, name="portal_serve"),
    path("", include(wagtail_urls)),
]
