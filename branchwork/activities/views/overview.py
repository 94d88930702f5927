"""Overviews: the year plan, compliance, the committee table and its export, a member's own
attendance and calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from branchwork.activities import elections, feeds, selectors, services
from branchwork.activities.forms import year_choices
from branchwork.activities.models import (
    Activity,
    ActivityStatus,
)
from branchwork.core import permissions
from branchwork.core.exports import xlsx_response
from branchwork.core.models import OrganizationKind
from branchwork.rulebook.compliance import OVERDUE, STATUS_LABELS

from branchwork.activities.views.activity import _year_start
from branchwork.activities.views.common import _crumbs, _year


# --- The year plan ---


@login_required
@require_http_methods(["GET", "POST"])
def year_plan(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code)
    can_manage = permissions.can_manage_org(request.user, org)
    year = _year(request)
    if request.method == "POST":
        if not can_manage:
            raise Http404("No such organization")
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = timezone.localdate().year
        created = services.year_plan_generate(by=request.user, organization=org, year=year)
        if created:
            messages.success(request, _("%(n)s activities planned on proposed dates; confirm or "
                                        "change each date.") % {"n": len(created)})
        else:
            messages.info(request, _("Nothing to add: the plan already covers the rulebook."))
        return redirect(reverse("activities:plan", args=[org.code]) + f"?year={year}")
    orgs = selectors.org_and_groups(org)
    qs = (Activity.objects.filter(Q(organization__in=orgs) | Q(co_organizers__in=orgs))
          .filter(starts_at__gte=_year_start(year), starts_at__lt=_year_start(year + 1))
          .exclude(status=ActivityStatus.CANCELLED).distinct()
          .select_related("organization").prefetch_related("type_tags").order_by("starts_at"))
    months: dict[int, list] = {m: [] for m in range(1, 13)}
    for a in qs:
        months[a.local_date.month].append(a)
    return render(request, "activities/plan.html", {
        "org": org, "year": year, "years": year_choices(), "months": months.items(),
        "can_manage": can_manage,
        "breadcrumbs": _crumbs(org, (_("Year plan"), None)),
    })


# --- Compliance ---


@login_required
def compliance(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code)
    year = _year(request)
    today = timezone.localdate()
    rows = selectors.compliance(selectors.org_and_groups(org), year, today=today)
    return render(request, "activities/compliance.html", {
        "org": org, "year": year, "years": year_choices(), "rows": rows, "today": today,
        "elects_committee": org.kind in (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH),
        "election_term": elections.current_term(org, today=today),
        "is_committee": org.kind in (OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH),
        "status_labels": STATUS_LABELS,
        "breadcrumbs": _crumbs(org, (_("Compliance"), None)),
    })


COMMITTEE_PAGE_SIZE = 50


def _cell_status(tc, *, year: int, today) -> tuple[str, object]:
    """What a cell of the committee table shows: its class (overdue when any period of the year
    is, else the current period's status, or for past years the worst) and the current cell."""
    current = tc.current(today) if year == today.year else None
    # An overdue period earlier in the year stays visible after the current one is met.
    if tc.overdue:
        return OVERDUE, current
    return (current.status if current else tc.worst()), current


def _committee_rows(table, columns, *, year: int, today) -> list[dict]:
    """The page's rows, each with its cells as ready HTML (numbers, status and overdue line),
    so that the template places one string a row rather than resolving a dozen variables a cell:
    each label is translated and escaped once per page, each distinct cell written once."""
    labels = {key: escape(label) for key, label in STATUS_LABELS.items()}
    overdue_text: dict[int, str] = {}
    written: dict[tuple, str] = {}
    rows = []
    for row in table:
        by_code = row.by_code()
        cells = []
        for t in columns:
            tc = by_code.get(t.code)
            if tc is None:
                cells.append('<td class="cell">—</td>')
                continue
            status, current = _cell_status(tc, year=year, today=today)
            overdue = tc.overdue
            key = (status, tc.held, tc.required, current.status if current else tc.worst(),
                   overdue)
            cell = written.get(key)
            if cell is None:
                if overdue and overdue not in overdue_text:
                    overdue_text[overdue] = escape(ngettext(
                        "%(n)s period overdue", "%(n)s periods overdue", overdue) % {"n": overdue})
                late = f'<br><span class="x">{overdue_text[overdue]}</span>' if overdue else ""
                cell = written[key] = (
                    f'<td class="cell st-{status}"><span class="n">{key[1]:d}/{key[2]:d}</span> '
                    f'<span class="s">{labels[key[3]]}</span>{late}</td>')
            cells.append(cell)
        rows.append({"org": row.organization, "cells": mark_safe("".join(cells)),  # noqa: S308 (labels escaped above)
                     "overdue": sum(tc.overdue for tc in row.types)})
    return rows


@login_required
def committee_table(request, org_code):
    """The branches under a committee, a page of them at a time in the order of the tree: the
    current period and the year so far. Counts come grouped from the database (one query for
    the page's branches); the Excel export has every branch.

    `?status=` keeps the branches with a column in that status (overdue, at risk…): which
    those are takes every branch's counts, still in the same few grouped queries, then a page of
    them is shown."""
    org = permissions.get_org_or_404(request.user, org_code)
    year = _year(request)
    today = timezone.localdate()
    wanted = request.GET.get("status", "")
    if wanted not in STATUS_LABELS:
        wanted = ""
    columns = selectors.committee_types()
    only = [t.code for t in columns]
    branches = selectors.branches_under(org)
    if wanted:
        table = [row for row in selectors.compliance(list(branches), year, today=today, only=only)
                 if any(_cell_status(tc, year=year, today=today)[0] == wanted
                        for tc in row.types)]
        page = Paginator(table, COMMITTEE_PAGE_SIZE).get_page(request.GET.get("page"))
        table = page.object_list
    else:
        page = Paginator(branches, COMMITTEE_PAGE_SIZE).get_page(request.GET.get("page"))
        table = selectors.compliance(list(page.object_list), year, today=today, only=only)
    query = urlencode({"year": year, **({"status": wanted} if wanted else {})})
    return render(request, "activities/committee.html", {
        "org": org, "year": year, "years": year_choices(), "columns": columns,
        "rows": _committee_rows(table, columns, year=year, today=today), "page": page,
        "today": today, "status_labels": STATUS_LABELS, "status": wanted,
        "status_label": STATUS_LABELS.get(wanted, ""), "pager_query": query,
        "breadcrumbs": _crumbs(org, (_("Branches' compliance"), None)),
    })


@login_required
def committee_export(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code)
    year = _year(request)
    today = timezone.localdate()
    columns = selectors.committee_types()
    table = selectors.compliance(list(selectors.branches_under(org)), year, today=today,
                                 only=[t.code for t in columns])
    rows = []
    for row in table:
        by_code = row.by_code()
        line = [row.organization.display_name]
        for t in columns:
            tc = by_code.get(t.code)
            line.append(f"{tc.held}/{tc.required} {tc.worst_label}" if tc else "")
        rows.append(line)
    return xlsx_response(filename=f"{org.code}-compliance-{year}.xlsx", title=_("Compliance"),
                         headers=[_("Organization")] + [t.name for t in columns], rows=rows)


@login_required
def my_attendance(request):
    """A member's own attendance history: every activity they were on the list of."""
    from branchwork.activities.models import Attendance

    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("No member record")
    rows = (Attendance.objects.filter(person=person)
            .exclude(activity__status=ActivityStatus.CANCELLED)
            .filter(activity__starts_at__lte=timezone.now())
            .select_related("activity__organization").prefetch_related("activity__type_tags")
            .order_by("-activity__starts_at", "-pk"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "activities/my_attendance.html", {
        "page": page, "person": person,
        "breadcrumbs": [(_("My page"), reverse("core:my")), (_("My attendance"), None)],
    })


@login_required
@require_POST
def rotate_my_feed(request):
    """Issue a new private calendar address; the old one stops working at once."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("No member record")
    feeds.rotate(feeds.feed_for_person(person))
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect(reverse("core:my"))
