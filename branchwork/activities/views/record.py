"""Writing the record: attendance and make-ups, minutes and their sign-off, amendments,
attachments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branchwork.activities import services
from branchwork.activities.forms import (
    ATTENDANCE_CHOICES,
    AmendForm,
    AttachmentForm,
    MakeupForm,
    MinutesForm,
    ObserverForm,
    ReturnForm,
)
from branchwork.activities.models import (
    ActivityStatus,
    Attachment,
    AttendanceRole,
    AttendanceStatus,
)
from branchwork.core import permissions
from branchwork.core.conflicts import VersionConflict
from branchwork.core.forms import service_errors
from branchwork.core.richtext import clean_rich_text, html_to_text

from branchwork.activities.views.common import (
    _activity_crumbs,
    _conflict,
    _everyone,
    _get,
    _marks,
    _message,
    _people_for,
    _state_change,
)


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
                    service_errors(observer_form, exc)
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
            service_errors(form, exc)
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
            service_errors(form, exc)
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
