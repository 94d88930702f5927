"""The figures of international exchanges on the web: a year's (or an event's) counts, the world
map of the countries engaged, the XLSX; and each party's timeline chart. The SVG pictures are
responses of their own, shown as images (see `charts`)."""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core import exports, permissions
from branchwork.exchanges import charts, countries, figures, selectors
from branchwork.exchanges import permissions as rules
from branchwork.exchanges.models import Event, Party

# pygal styles its drawing with a <style> element: allowed in these SVG responses only.
_SVG_CSP = {"style-src": ["'self'", "'unsafe-inline'"]}
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404("Not a year") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("Year out of range")
    return year


def _figures_for(request) -> figures.Figures:
    if not rules.may_see_figures(request.user):
        raise Http404("No figures for this user")
    event_id = request.GET.get("event")
    if event_id:
        return figures.for_event(permissions.get_or_404(request.user, Event, event_id))
    return figures.yearly(_year(request))


@login_required
def figures_page(request):
    result = _figures_for(request)
    figures_query = f"event={result.event.pk}" if result.event else f"year={result.year}"
    visited = result.section("countries_visited")
    return render(request, "exchanges/figures.html", {
        "figures": result, "figures_query": figures_query,
        "engaged_names": [countries.name(c) for c in result.engaged],
        "visited": visited,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 10, -1)),
        "breadcrumbs": [(_("International exchanges"), reverse("exchanges:index")), (_("Figures"), None)],
    })


@login_required
def figures_xlsx(request):
    result = _figures_for(request)
    name = f"exchange-figures-{result.event.pk if result.event else result.year}.xlsx"
    response = HttpResponse(figures.xlsx(result), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@csp_update(_SVG_CSP)
def figures_map(request):
    result = _figures_for(request)
    counts = {r.code: r.count for r in result.section("countries_visited").rows}
    svg = charts.world_map(result.engaged, counts, title=result.heading)
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@csp_update(_SVG_CSP)
def party_timeline_svg(request, party_id):
    party = permissions.get_or_404(request.user, Party, party_id)
    svg = charts.party_timeline(selectors.party_timeline(request.user, party), title=party.display_name)
    return HttpResponse(svg, content_type="image/svg+xml")
