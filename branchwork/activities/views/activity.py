"""Lists of activities, their export, scheduling and editing one, and the record page."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branchwork.activities import amendments, checks, feeds, record_page, selectors, services
from branchwork.activities import checkin as checkin_state
from branchwork.activities.forms import (
    ATTENDANCE_CHOICES,
    ActivityForm,
    AttachmentForm,
    ReturnForm,
    year_choices,
)
from branchwork.activities.models import (
    ActivityStatus,
    AttendanceRole,
    AttendanceStatus,
)
from branchwork.core import permissions
from branchwork.core.exports import xlsx_response
from branchwork.core.conflicts import VersionConflict
from branchwork.core.forms import service_errors
from branchwork.core.models import OrganizationKind
from branchwork.rulebook.loader import get_rulebook

from branchwork.activities.views.common import (
    _activity_crumbs,
    _co_organizer_choices,
    _conflict,
    _crumbs,
    _everyone,
    _get,
    _people_for,
    _state_change,
    _year,
)


# --- Lists ---


def _filtered(request, org):
    qs = selectors.activities_of(org)
    year = _year(request)
    qs = qs.filter(starts_at__gte=_year_start(year), starts_at__lt=_year_start(year + 1))
    code = request.GET.get("type", "")
    if code in get_rulebook().types:
        qs = qs.filter(type_tags__code=code)
    status = request.GET.get("status", "")
    if status in ActivityStatus.values:
        qs = qs.filter(status=status)
    return qs, year, code, status


def _year_start(year: int) -> datetime.datetime:
    return datetime.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())


@login_required
def activity_list(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code)
    qs, year, code, status = _filtered(request, org)
    qs = qs.annotate(
        n_expected=Count("attendance", filter=Q(attendance__role=AttendanceRole.EXPECTED), distinct=True),
        n_present=Count("attendance", filter=Q(attendance__role=AttendanceRole.EXPECTED,
                                               attendance__status__in=["present", "late"]), distinct=True),
    ).order_by("-starts_at", "-pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "activities/list.html", {
        "org": org, "page": page, "year": year, "years": year_choices(), "type": code,
        "status": status, "types": get_rulebook().choices(), "statuses": ActivityStatus.choices,
        "can_manage": permissions.can_manage_org(request.user, org),
        "query": request.GET.urlencode(),
        "feed_url": request.build_absolute_uri(feeds.feed_for_org(org).get_absolute_url()),
        "breadcrumbs": _crumbs(org, (_("Activities"), None)),
    })


@login_required
def activity_export(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code)
    qs, year, _code, _status = _filtered(request, org)
    qs = qs.annotate(
        n_expected=Count("attendance", filter=Q(attendance__role=AttendanceRole.EXPECTED), distinct=True),
        n_present=Count("attendance", filter=Q(attendance__role=AttendanceRole.EXPECTED,
                                               attendance__status__in=["present", "late"]), distinct=True),
    )
    rows = [[
        timezone.localtime(a.starts_at), "、".join(a.type_labels), a.title,
        a.organization.display_name, "、".join(o.display_name for o in a.co_organizers.all()),
        a.place, a.host.display_name if a.host else "", a.recorder.display_name if a.recorder else "",
        a.n_expected, a.n_present, a.get_status_display(),
    ] for a in qs.order_by("starts_at")]
    headers = [_("Date"), _("Types"), _("Title"), _("Host organization"), _("Co-organizers"),
               _("Place"), _("Host"), _("Recorder"), _("Expected"), _("Present"), _("Status")]
    return xlsx_response(filename=f"{org.code}-activities-{year}.xlsx", title=_("Activities"),
                         headers=headers, rows=rows)


# --- Scheduling and changing ---


def _activity_form_kwargs(request, org, activity=None):
    keep = (activity.host, activity.recorder, activity.lecturer) if activity else ()
    everyone = _everyone(request)
    return {"organization": org, "people": _people_for(org, everyone=everyone, keep=keep),
            "everyone": everyone, "co_organizer_choices": _co_organizer_choices(request.user, org)}


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    form = ActivityForm(request.POST or None, **_activity_form_kwargs(request, org))
    if not request.POST:
        default_type = request.GET.get("type")
        form.initial = {"types": [default_type] if default_type else []}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_schedule(
                by=request.user, organization=org, types=data["types"], title=data["title"],
                starts_at=data["starts_at"], ends_at=data["ends_at"], place=data["place"],
                host=data["host"], recorder=data["recorder"], lecturer=data["lecturer"],
                lecturer_name=data["lecturer_name"], agenda=data["agenda"],
                co_organizers=list(data["co_organizers"]), session_number=data["session_number"],
                covers_year=data["covers_year"], contents=data["contents"],
            )
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Scheduled. Expected attendees are notified by email."))
            return redirect(activity.get_absolute_url())
    return render(request, "core/form_page.html", {
        "form": form, "org": org, "title": _("Schedule an activity"),
        "cancel_url": reverse("activities:list", args=[org.code]),
        "breadcrumbs": _crumbs(org, (_("Activities"), reverse("activities:list", args=[org.code])),
                               (_("Schedule an activity"), None)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, org_code, activity_id):
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "manage", activity):
        raise Http404("No such activity")
    if activity.status in (ActivityStatus.LOCKED, ActivityStatus.CANCELLED):
        messages.error(request, _("This record is locked; change it through an amendment."))
        return redirect(activity.get_absolute_url())
    initial = {
        "types": activity.type_codes, "title": activity.title,
        "starts_at": timezone.localtime(activity.starts_at),
        "ends_at": timezone.localtime(activity.ends_at) if activity.ends_at else None,
        "place": activity.place, "host": activity.host, "recorder": activity.recorder,
        "lecturer": activity.lecturer, "lecturer_name": activity.lecturer_name,
        "session_number": activity.session_number, "agenda": activity.agenda,
        "co_organizers": list(activity.co_organizers.all()), "version": activity.minutes_version,
        "covers_year": activity.covers_year, "contents": activity.contents,
    }
    form = ActivityForm(request.POST or None, initial=initial,
                        **_activity_form_kwargs(request, org, activity))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        types, co = data.pop("types"), list(data.pop("co_organizers"))
        try:
            services.activity_update(by=request.user, activity=activity, types=types,
                                     co_organizers=co, date_confirmed=True, **data)
        except VersionConflict as exc:
            conflict = _conflict(form, exc)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(activity.get_absolute_url())
    return render(request, "core/form_page.html", {
        "form": form, "org": org, "title": _("Change the activity"), "conflict": conflict,
        "cancel_url": activity.get_absolute_url(),
        "breadcrumbs": _activity_crumbs(activity, (_("Change"), None)),
    })


@login_required
@require_POST
def activity_cancel(request, org_code, activity_id):
    return _state_change(request, org_code, activity_id, may="manage",
                         change=services.activity_cancel, done=_("Cancelled."))


# --- The record ---


def _signer(user, activity) -> dict | None:
    """Who did a sign-off step and in what capacity for this record (host, recorder, or the
    role they hold), by name in the reader's language."""
    if user is None:
        return None
    person = getattr(user, "person", None)
    name = person.display_name if person else (user.get_full_name() or user.get_username())
    roles = []
    if person is not None and person.pk == activity.host_id:
        roles.append(_("host"))
    if person is not None and person.pk == activity.recorder_id:
        roles.append(_("recorder"))
    if not roles:
        roles.append(_("on behalf of the organization"))
    return {"name": name, "role": "、".join(str(r) for r in roles)}


def _attendance_recorded(activity, expected) -> bool:
    """Quorum is judged only once attendance is recorded: the minutes went to the host, or
    everyone expected has a mark."""
    if activity.status in (ActivityStatus.SUBMITTED, ActivityStatus.LOCKED):
        return True
    return activity.is_held and bool(expected) and all(
        a.status != AttendanceStatus.UNMARKED for a in expected)


@login_required
def activity_detail(request, org_code, activity_id):
    # One query for the activity with everything its page names (the permission check included),
    # then one for each list it shows: SQL compiled once per shape (activities/record_page.py).
    activity = record_page.visible_activity(request.user, activity_id)
    if activity is None or activity.organization.code != org_code:
        raise Http404("No such activity")
    org = activity.organization
    parts = record_page.parts(activity)
    attendance, attachments = parts.attendance, parts.attachments
    expected = [a for a in attendance if a.role == AttendanceRole.EXPECTED]
    observers = [a for a in attendance if a.role == AttendanceRole.OBSERVER]
    counts = {s: sum(1 for a in expected if a.status == s) for s in AttendanceStatus.values}
    user = request.user
    can_record = permissions.can(user, "record", activity)
    can_manage = permissions.can(user, "manage", activity)
    can_approve = permissions.can(user, "approve", activity)
    me = getattr(getattr(user, "person", None), "pk", None)
    resolutions = []
    for row in checks.resolution_outcomes(activity, attendance=attendance,
                                          resolutions=parts.resolutions):  # passed or not, from the counts
        row["resolution"].passed = row["passed"]
        resolutions.append(row["resolution"])
    return render(request, "activities/detail.html", {
        "org": org, "activity": activity, "expected": expected, "observers": observers,
        "counts": counts, "resolutions": resolutions,
        # What blocks approval, for those who can act on it (the recorder, the host, managers).
        "approval_checks": checks.run(activity, attendance=attendance, resolutions=parts.resolutions)
        if activity.status in (ActivityStatus.HELD, ActivityStatus.SUBMITTED)
        and (can_record or can_approve or can_manage) else [],
        "photos": [a for a in attachments if a.kind == "photo"],
        "materials": [a for a in attachments if a.kind == "material"],
        "amendments": amendments.with_lines(parts.amendments),
        "quorum": services.quorum_report(activity, credits=parts.credits),
        "quorum_judged": _attendance_recorded(activity, expected),
        "submitted": _signer(activity.submitted_by, activity) if activity.submitted_at else None,
        "approved": _signer(activity.locked_by, activity) if activity.is_locked else None,
        "excused": [a for a in expected if a.status == AttendanceStatus.EXCUSED],
        "absent": [a for a in expected if a.status == AttendanceStatus.ABSENT],
        "checkin": checkin_state.state(activity),
        "co_organizers": parts.co_organizers,
        "missing": services.missing_record_fields(activity) if activity.status == ActivityStatus.HELD else [],
        "can_record": can_record, "can_manage": can_manage, "can_approve": can_approve,
        # A committee is elected at a general meeting of a branch or general branch, once held.
        "elections": parts.elections,
        "can_record_election": can_record and activity.is_held
        and "general_meeting" in activity.type_codes
        and org.kind in (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH),
        "my_row": next((a for a in attendance if a.person_id == me), None),
        # The forms only where the page shows them (as the template decides).
        "return_form": ReturnForm() if activity.status == ActivityStatus.SUBMITTED and can_approve else None,
        "attachment_form": AttachmentForm() if can_record and activity.status not in (
            ActivityStatus.LOCKED, ActivityStatus.CANCELLED) else None,
        "statuses": ATTENDANCE_CHOICES,
        "revisions": parts.revisions,
        "breadcrumbs": _crumbs(org, (_("Activities"), reverse("activities:list", args=[org.code])),
                               (activity.title, None)),
    })
