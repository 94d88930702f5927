"""Site search: portal pages, and the organizations and people the user may see.

The Chinese-aware index comes with the search issue; until then pages go through Wagtail's
search backend and names are matched by substring, which works for names in any script.
"""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from wagtail.models import Page

from branchwork.core import permissions

MAX_QUERY = 200


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    people, orgs, page = [], [], None
    if query:
        pages = Page.objects.live().public().specific().search(query)
        page = Paginator(pages, 20).get_page(request.GET.get("page"))
        if request.user.is_authenticated:
            orgs = list(
                permissions.visible_organizations(request.user)
                .filter(Q(name_zh__icontains=query) | Q(name_en__icontains=query))
                .order_by("path")[:20]
            )
            people = list(
                permissions.visible_people(request.user)
                .filter(Q(name__icontains=query) | Q(name_en__icontains=query) | Q(name_native__icontains=query))
                .select_related("unit")[:20]
            )
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "page": page,
            "orgs": orgs,
            "people": people,
            "breadcrumbs": [(_("Search"), None)],
        },
    )
