"""Pages of organizational life. Thin: parse, ask the policy, call a service, render."""

import datetime
import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branchwork.activities import amendments, checks, elections, feeds, selectors, services
from branchwork.activities import checkin as checkin_state
from branchwork.activities.forms import (
    ATTENDANCE_CHOICES,
    ActivityForm,
    AmendForm,
    AttachmentForm,
    MakeupForm,
    MinutesForm,
    ObserverForm,
    ReturnForm,
    year_choices,
)
from branchwork.activities.models import (
    Activity,
    ActivityStatus,
    Attachment,
    AttendanceRole,
    AttendanceStatus,
)
from branchwork.core import permissions
from branchwork.core import selectors as core_selectors
from branchwork.core.exports import xlsx_response
from branchwork.core.conflicts import VersionConflict
from branchwork.core.models import Membership, Organization, OrganizationKind, Person
from branchwork.core.richtext import clean_rich_text, html_to_text
from branchwork.rulebook.compliance import STATUS_LABELS
from branchwork.rulebook.loader import get_rulebook


def _crumbs(org, *tail):
    crumbs = [(_("Organizations"), reverse("core:org_list"))]
    crumbs += [(a.display_name, a.get_absolute_url()) for a in core_selectors.ancestors(org)]
    crumbs.append((org.display_name, org.get_absolute_url()))
    return crumbs + list(tail)


def _activity_crumbs(activity, *tail):
    org = activity.organization
    return _crumbs(org, (_("Activities"), reverse("activities:list", args=[org.code])),
                   (activity.title, activity.get_absolute_url()), *tail)


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _conflict(form, exc: VersionConflict) -> dict:
    """What the other person saved, for the page to show beside the form, which now builds on
    their version (so a second save, after copying changes across, goes through)."""
    form.add_error(None, exc.messages[0])
    form.data = form.data.copy()
    form.data["version"] = exc.version
    current = exc.current
    return [(_("agenda"), current.get("agenda", "")),
            (_("minutes"), html_to_text(current.get("minutes", ""))),
            (_("resolutions"), "\n".join(current.get("resolutions", [])))]


def _message(request, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _get(request, org_code, activity_id) -> tuple[Organization, Activity]:
    activity = permissions.get_or_404(request.user, Activity, activity_id)
    if activity.organization.code != org_code:
        raise Http404("No such activity")
    return activity.organization, activity


def _people_for(org: Organization, *, everyone: bool = False, keep=()):
    """People who may host, record, lecture or observe. First the organization's own current
    members (its groups included); on request (`everyone`) also the members of the
    organizations above it. People already chosen (`keep`) stay choosable. The form lists them
    in pinyin order (forms.PersonChoiceField)."""
    own = Q(memberships__in=Membership.objects.current().filter(
        organization__path__startswith=org.path))
    if everyone:
        paths = [org.path[:i] for i in range(Organization.steplen, len(org.path) + 1,
                                             Organization.steplen)]
        own |= Q(memberships__organization__path__in=paths)
    keep_ids = [p.pk for p in keep if p is not None]
    if keep_ids:
        own |= Q(pk__in=keep_ids)
    return Person.objects.filter(own).distinct()


def _everyone(request) -> bool:
    return (request.POST or request.GET).get("people") == "all"


def _co_organizer_choices(user, org: Organization):
    """Organizations the user may name as co-organizers: those they read, and other units'."""
    return (Organization.objects.filter(is_active=True).exclude(pk=org.pk)
            .filter(Q(pk__in=permissions.visible_organizations(user).values("pk"))
                    | Q(kind=OrganizationKind.EXTERNAL_BRANCH)
                    | Q(kind=OrganizationKind.YOUTH_LEAGUE)
                    | Q(kind__in=[OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH]))
            .order_by("path"))


def _marks(request, rows) -> dict[int, tuple[str, str]]:
    """Attendance marks posted as status-<id> and reason-<id> for each row shown."""
    marks = {}
    for row in rows:
        status = request.POST.get(f"status-{row.pk}")
        if status is not None:
            marks[row.pk] = (status, request.POST.get(f"reason-{row.pk}", ""))
    return marks


def _state_change(request, org_code, activity_id, *, may: str, change, done: str):
    """A POST that moves the record along (cancel, submit, approve): check that the user `may`
    (an action of the activity's rules), call, say, go back."""
    _org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, may, activity):
        raise Http404("No such activity")
    try:
        change(by=request.user, activity=activity)
    except ValidationError as exc:
        _message(request, exc)
    else:
        messages.success(request, done)
    return redirect(activity.get_absolute_url())


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
            _errors(form, exc)
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
            _errors(form, exc)
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
    org, activity = _get(request, org_code, activity_id)
    activity = (Activity.objects.select_related("organization", "host", "recorder", "lecturer",
                                                "submitted_by__person", "locked_by__person")
                .get(pk=activity.pk))
    attendance = list(activity.attendance.select_related("person", "organization"))
    expected = [a for a in attendance if a.role == AttendanceRole.EXPECTED]
    observers = [a for a in attendance if a.role == AttendanceRole.OBSERVER]
    counts = {s: sum(1 for a in expected if a.status == s) for s in AttendanceStatus.values}
    user = request.user
    can_record = permissions.can(user, "record", activity)
    can_manage = permissions.can(user, "manage", activity)
    can_approve = permissions.can(user, "approve", activity)
    me = getattr(getattr(user, "person", None), "pk", None)
    resolutions = []
    for row in checks.resolution_outcomes(activity):  # passed or not, from the counts
        row["resolution"].passed = row["passed"]
        resolutions.append(row["resolution"])
    return render(request, "activities/detail.html", {
        "org": org, "activity": activity, "expected": expected, "observers": observers,
        "counts": counts, "resolutions": resolutions,
        # What blocks approval, for those who can act on it (the recorder, the host, managers).
        "approval_checks": checks.run(activity) if activity.status in (
            ActivityStatus.HELD, ActivityStatus.SUBMITTED) and (can_record or can_approve or can_manage)
        else [],
        "photos": [a for a in activity.attachments.all() if a.kind == "photo"],
        "materials": [a for a in activity.attachments.all() if a.kind == "material"],
        "amendments": amendments.with_lines(activity.amendments.select_related("by__person")),
        "quorum": services.quorum_report(activity),
        "quorum_judged": _attendance_recorded(activity, expected),
        "submitted": _signer(activity.submitted_by, activity) if activity.submitted_at else None,
        "approved": _signer(activity.locked_by, activity) if activity.is_locked else None,
        "excused": [a for a in expected if a.status == AttendanceStatus.EXCUSED],
        "absent": [a for a in expected if a.status == AttendanceStatus.ABSENT],
        "checkin": checkin_state.state(activity),
        "co_organizers": list(activity.co_organizers.all()),
        "missing": services.missing_record_fields(activity) if activity.status == ActivityStatus.HELD else [],
        "can_record": can_record, "can_manage": can_manage, "can_approve": can_approve,
        # A committee is elected at a general meeting of a branch or general branch, once held.
        "elections": list(activity.elections.all()),
        "can_record_election": can_record and activity.is_held
        and "general_meeting" in activity.type_codes
        and org.kind in (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH),
        "my_row": next((a for a in attendance if a.person_id == me), None),
        "return_form": ReturnForm(), "attachment_form": AttachmentForm(),
        "statuses": ATTENDANCE_CHOICES,
        "revisions": activity.revisions.count(),
        "breadcrumbs": _crumbs(org, (_("Activities"), reverse("activities:list", args=[org.code])),
                               (activity.title, None)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request, org_code, activity_id):
    """The recorder marks everyone's attendance by hand (the QR page is the other way)."""
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    rows = list(activity.attendance.select_related("person", "organization"))
    people = _people_for(org, everyone=_everyone(request))
    observer_form = ObserverForm(people=people, everyone=_everyone(request))
    if request.method == "POST":
        if "add_observer" in request.POST:
            observer_form = ObserverForm(request.POST, people=people, everyone=_everyone(request))
            if observer_form.is_valid():
                try:
                    services.attendance_add(by=request.user, activity=activity,
                                            person=observer_form.cleaned_data["person"],
                                            name=observer_form.cleaned_data["name"])
                except ValidationError as exc:
                    _errors(observer_form, exc)
                else:
                    messages.success(request, _("Observer added."))
                    return redirect(reverse("activities:attendance", args=[org.code, activity.pk]))
        elif "all_present" in request.POST:
            # Everyone not yet marked is present; the recorder then changes the few who were not.
            marks = {a.pk: (AttendanceStatus.PRESENT, "") for a in rows
                     if a.role == AttendanceRole.EXPECTED and a.status == AttendanceStatus.UNMARKED}
            try:
                n = services.attendance_mark(by=request.user, activity=activity, marks=marks)
            except ValidationError as exc:
                _message(request, exc)
            else:
                messages.success(request, _("%(n)s marked present. Now change those who were "
                                            "late, excused or absent.") % {"n": n})
            return redirect(reverse("activities:attendance", args=[org.code, activity.pk]))
        else:
            try:
                n = services.attendance_mark(by=request.user, activity=activity,
                                             marks=_marks(request, rows))
            except ValidationError as exc:
                _message(request, exc)
            else:
                messages.success(request, _("Attendance saved (%(n)s changed).") % {"n": n})
                return redirect(activity.get_absolute_url())
    return render(request, "activities/attendance.html", {
        "org": org, "activity": activity, "rows": rows, "statuses": ATTENDANCE_CHOICES,
        "observer_form": observer_form,
        "unmarked": sum(1 for a in rows if a.role == AttendanceRole.EXPECTED
                        and a.status == AttendanceStatus.UNMARKED),
        "editable": activity.status in (ActivityStatus.PLANNED, ActivityStatus.HELD),
        "breadcrumbs": _activity_crumbs(activity, (_("Attendance"), None)),
    })


@login_required
@require_POST
def makeup(request, org_code, activity_id, attendance_id):
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    row = activity.attendance.filter(pk=attendance_id).first()
    if row is None:
        raise Http404("No such attendee")
    form = MakeupForm(request.POST)
    if form.is_valid():
        try:
            services.makeup_record(by=request.user, attendance=row, on=form.cleaned_data["makeup_on"],
                                   note=form.cleaned_data["makeup_note"])
        except ValidationError as exc:
            _message(request, exc)
        else:
            messages.success(request, _("Make-up study recorded."))
    else:
        messages.error(request, _("Give the date of the make-up study."))
    return redirect(activity.get_absolute_url() + "#attendance")


@login_required
@require_http_methods(["GET", "POST"])
def minutes_edit(request, org_code, activity_id):
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    if activity.status not in (ActivityStatus.PLANNED, ActivityStatus.HELD):
        messages.error(request, _("The minutes are %(status)s and cannot be edited.")
                       % {"status": activity.get_status_display()})
        return redirect(activity.get_absolute_url())
    everyone = _everyone(request)
    # Whom a resolution is about: the organization's members, and anyone on the attendance list
    # (a candidate attending her admission) or already named.
    subjects = [r.subject_person for r in activity.resolutions.select_related("subject_person")]
    subjects += [a.person for a in activity.attendance.select_related("person")]
    form = MinutesForm(request.POST or None, initial=MinutesForm.initial_for(activity),
                       activity=activity, everyone=everyone,
                       people=_people_for(org, everyone=everyone, keep=subjects))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(by=request.user, activity=activity,
                                  minutes=form.cleaned_data["minutes"],
                                  agenda=form.cleaned_data["agenda"],
                                  resolutions=form.cleaned_data["resolutions"],
                                  version=form.cleaned_data["version"],
                                  speaking=form.speaking())
        except VersionConflict as exc:
            conflict = _conflict(form, exc)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Minutes saved as a draft."))
            return redirect(activity.get_absolute_url())
    return render(request, "activities/minutes_form.html", {
        "org": org, "activity": activity, "form": form, "conflict": conflict,
        "breadcrumbs": _activity_crumbs(activity, (_("Minutes"), None)),
    })


@login_required
@require_POST
def minutes_submit(request, org_code, activity_id):
    return _state_change(request, org_code, activity_id, may="record",
                         change=services.minutes_submit, done=_("Submitted to the host for approval."))


@login_required
@require_POST
def minutes_approve(request, org_code, activity_id):
    if request.POST.get("confirm") != "1":
        _org, activity = _get(request, org_code, activity_id)
        if not permissions.can(request.user, "approve", activity):
            raise Http404("No such activity")
        messages.error(request, _("Tick the box to confirm that you have read the record; "
                                  "approving locks it."))
        return redirect(activity.get_absolute_url())
    return _state_change(request, org_code, activity_id, may="approve",
                         change=services.minutes_approve, done=_("Approved. The record is locked."))


@login_required
@require_POST
def minutes_return(request, org_code, activity_id):
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "approve", activity):
        raise Http404("No such activity")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what should change."))
        return redirect(activity.get_absolute_url())
    try:
        services.minutes_return(by=request.user, activity=activity, comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        _message(request, exc)
    else:
        messages.success(request, _("Sent back to the recorder."))
    return redirect(activity.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def activity_amend(request, org_code, activity_id):
    org, activity = _get(request, org_code, activity_id)
    if not (permissions.can(request.user, "manage", activity)
            or permissions.can(request.user, "approve", activity)):
        raise Http404("No such activity")
    if activity.status != ActivityStatus.LOCKED:
        return redirect(activity.get_absolute_url())
    rows = list(activity.attendance.select_related("person"))
    initial = MinutesForm.initial_for(activity) | {"title": activity.title, "place": activity.place}
    form = AmendForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {"title": data["title"], "place": data["place"], "agenda": data["agenda"]}
        # Compared with what the form showed, read back the same way: unchanged text is no
        # change, however the stored minutes were once written.
        if clean_rich_text(data["minutes"]) != clean_rich_text(html_to_text(activity.minutes)):
            changes["minutes"] = data["minutes"]
        try:
            services.activity_amend(by=request.user, activity=activity, reason=data["reason"],
                                    changes=changes, marks=_marks(request, rows),
                                    resolutions=data["resolutions"], version=data["version"])
        except VersionConflict as exc:
            conflict = _conflict(form, exc)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Amendment recorded."))
            return redirect(activity.get_absolute_url() + "#amendments")
    return render(request, "activities/amend.html", {
        "org": org, "activity": activity, "form": form, "conflict": conflict, "rows": rows, "statuses": ATTENDANCE_CHOICES,
        "breadcrumbs": _activity_crumbs(activity, (_("Amend"), None)),
    })


# --- Attachments ---


@login_required
@require_POST
def attachment_add(request, org_code, activity_id):
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(by=request.user, activity=activity, kind=form.cleaned_data["kind"],
                                    file=form.cleaned_data["file"], caption=form.cleaned_data["caption"])
        except ValidationError as exc:
            _message(request, exc)
        else:
            messages.success(request, _("Attachment added."))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect(activity.get_absolute_url() + "#attachments")


@login_required
@require_POST
def attachment_remove(request, org_code, activity_id, attachment_id):
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    attachment = activity.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment")
    try:
        services.attachment_remove(by=request.user, attachment=attachment)
    except ValidationError as exc:
        _message(request, exc)
    return redirect(activity.get_absolute_url() + "#attachments")


@login_required
def attachment_file(request, org_code, activity_id, attachment_id):
    """Attachments are internal: served only to those who may see the activity."""
    org, activity = _get(request, org_code, activity_id)
    try:
        attachment = activity.attachments.get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404("No such attachment") from None
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing") from None
    inline = attachment.kind == "photo"
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- QR check-in ---


def checkin_url(activity: Activity) -> str:
    return settings.BASE_URL + reverse("checkin", args=[activity.checkin_token])


def _checkin_counts(activity) -> dict:
    rows = list(activity.attendance.filter(role=AttendanceRole.EXPECTED).select_related("person"))
    present = [a for a in rows if a.is_present]
    return {"present": len(present), "expected": len(rows),
            "names": [a.display_name for a in present]}


@login_required
def checkin_screen(request, org_code, activity_id):
    """For the projector: a big QR code and who has checked in so far (refreshed by
    activities.js from `checkin_status`; the page also works without JavaScript)."""
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    url = checkin_url(activity)
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    # No width or height, only a viewBox: the code scales to its box and stays square; a quiet
    # zone of four modules, as the QR standard asks, so that phones find it.
    qr.save(buffer, kind="svg", scale=10, border=4, xmldecl=False, svgns=True, omitsize=True,
            title=_("Check-in code"), dark="#000", light="#fff")
    state = checkin_state.state(activity)
    return render(request, "activities/checkin_screen.html", {
        "org": org, "activity": activity, "qr_svg": buffer.getvalue().decode(), "url": url,
        "counts": _checkin_counts(activity), "checkin": state,
        "status_url": reverse("activities:checkin_status", args=[org.code, activity.pk]),
        "breadcrumbs": _activity_crumbs(activity, (_("Check-in"), None)),
    })


@login_required
def checkin_status(request, org_code, activity_id):
    """The projector page's live count: who has checked in so far (for those who record)."""
    _org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    counts = _checkin_counts(activity)
    counts["label"] = _("%(n)s of %(total)s checked in") % {"n": counts["present"],
                                                             "total": counts["expected"]}
    response = JsonResponse(counts)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request, token):
    """The member's side: confirm presence on the phone. Records attendance, nothing else.
    Before the window opens the page says when it opens, and offers no button."""
    try:
        activity = Activity.objects.select_related("organization").get(checkin_token=token)
    except Activity.DoesNotExist:
        raise Http404("No such check-in") from None
    person = getattr(request.user, "person", None)
    row = activity.attendance.filter(person=person).first() if person else None
    # Only those on the list (or who may see the activity) learn what it is.
    if row is None and not permissions.visible(request.user, Activity).filter(pk=activity.pk).exists():
        raise Http404("No such check-in")
    error = None
    if request.method == "POST":
        try:
            row = services.attendance_check_in(user=request.user, activity=activity)
        except services.CheckInRefused as exc:
            error = str(exc)
        else:
            return redirect(reverse("checkin", args=[token]))
    return render(request, "activities/checkin.html", {
        "activity": activity, "row": row, "error": error, "checkin": checkin_state.state(activity),
    })


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


def _committee_rows(table, columns, *, year: int, today) -> list[dict]:
    rows = []
    for row in table:
        by_code = row.by_code()
        cells = []
        for t in columns:
            tc = by_code.get(t.code)
            current = tc.current(today) if tc and year == today.year else None
            status = None
            if tc:
                # An overdue period earlier in the year stays visible after the current one is met.
                status = "overdue" if tc.overdue else (current.status if current else tc.worst())
            cells.append({"tc": tc, "current": current, "status": status})
        rows.append({"org": row.organization, "cells": cells,
                     "overdue": sum(tc.overdue for tc in row.types)})
    return rows


@login_required
def committee_table(request, org_code):
    """The branches under a committee, a page of them at a time in the order of the tree: the
    current period and the year so far. Counts come grouped from the database (one query for
    the page's branches); the Excel export has every branch."""
    org = permissions.get_org_or_404(request.user, org_code)
    year = _year(request)
    today = timezone.localdate()
    page = Paginator(selectors.branches_under(org), COMMITTEE_PAGE_SIZE).get_page(
        request.GET.get("page"))
    columns = selectors.committee_types()
    table = selectors.compliance(list(page.object_list), year, today=today,
                                 only=[t.code for t in columns])
    return render(request, "activities/committee.html", {
        "org": org, "year": year, "years": year_choices(), "columns": columns,
        "rows": _committee_rows(table, columns, year=year, today=today), "page": page,
        "today": today, "status_labels": STATUS_LABELS,
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
