"""The search page: /search/?q=…&kind=…&organization=…&channel=…&year=…&sort=date&page=2.

Open to everyone; what it shows is what the visitor may open (`selectors.search`).
"""

from urllib.parse import urlencode

from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from branchwork.search import selectors

PARAMS = ("q", "sort", *selectors.FACETS)


def _url(params: QueryDict, **changes) -> str:
    """This page's address with some parameters changed (None drops one); back to page 1.
    (A plain dict, encoded as QueryDict.urlencode would: a page writes one per facet value.)"""
    query = {name: value for name in PARAMS if (value := params.get(name))}
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return "?" + urlencode(query)


def search(request):
    params = request.GET
    results = selectors.search(
        request.user, params.get("q", ""), filters=params, sort=params.get("sort", "relevance"),
        page=params.get("page", 1), request=request,
    )
    current = QueryDict(mutable=True)
    current.update({"q": results.query, "sort": results.sort, **results.filters})
    facets = []
    for name, values in results.facets.items():
        if not values:
            continue
        links = []
        for value in values:
            url = None
            if value.value != selectors.OTHER:
                url = _url(current, **{name: None if value.selected else value.value})
            links.append({"label": value.label, "count": value.count, "selected": value.selected,
                          "url": url})
        facets.append({"name": name, "label": selectors.FACET_LABELS[name], "links": links})
    sorts = [(key, label, _url(current, sort=key), key == results.sort)
             for key, label in (("relevance", _("Relevance")), ("date", _("Newest first")))]
    pages = {}
    if results.has_previous:
        pages["previous"] = _url(current, page=str(results.page - 1))
    if results.has_next:
        pages["next"] = _url(current, page=str(results.page + 1))
    return render(request, "search/search.html", {
        "query": results.query,
        "results": results,
        "facets": facets,
        "sorts": sorts,
        "pages": pages,
        "clear_url": _url(current, **{name: None for name in selectors.FACETS}) if results.filters else None,
        "breadcrumbs": [(_("Search"), None)],
    })
