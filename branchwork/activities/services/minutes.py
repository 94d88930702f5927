"""Minutes and sign-off: save, submit, return, approve, amend."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.activities.models import (
    Activity,
    ActivityStatus,
    Amendment,
    AttendanceRole,
    AttendanceStatus,
    MarkedVia,
    Resolution,
)
from branchwork.activities.services.attendance import _set_speaking
from branchwork.activities.services.common import (
    AMENDABLE_FIELDS,
    OPEN_STATES,
    VERSIONED_FIELDS,
    _as,
    _check_version,
    _check_yearly_fields,
    _lock,
    _revision,
    _user_name,
)
from branchwork.activities.services.expected import recompute_credits
from branchwork.core import audit
from branchwork.core.richtext import clean_rich_text
from branchwork.rulebook.loader import get_rulebook

# --- Minutes and sign-off ---


@transaction.atomic
def minutes_save(
    *, by, activity: Activity, minutes: str, agenda: str | None = None,
    resolutions: Sequence[dict] | None = None, version: int | None = None,
    speaking: dict[int, str] | None = None,
) -> Activity:
    """The recorder's draft: minutes, agenda, resolutions (with vote counts and whom each is
    about) and who spoke (attendance row id → `Speaking` value), all or nothing.

    `version` is the `minutes_version` the editor started from; a save based on an older one is
    refused with the stored text (VersionConflict), never written over it.
    """
    _lock(activity, OPEN_STATES, _("The minutes are %(status)s and cannot be edited."))
    _check_version(activity, version)
    if activity.starts_at > timezone.now() + datetime.timedelta(hours=2):
        raise ValidationError(_("Minutes can be written once the activity has taken place."))
    activity.minutes = clean_rich_text(minutes)
    activity.minutes_version += 1
    fields = ["minutes", "minutes_version", "status", "updated_at"]
    if agenda is not None:
        activity.agenda = agenda.strip()
        fields.append("agenda")
    activity.status = ActivityStatus.HELD
    with _as(by):
        activity.save(update_fields=fields)
        if resolutions is not None:
            _replace_resolutions(activity, resolutions)
        if speaking:
            _set_speaking(activity, speaking)
        recompute_credits(activity)
        _revision(activity, by, "wagtail.edit")
    return activity


def _replace_resolutions(activity: Activity, resolutions: Sequence[dict]) -> None:
    """Replace the resolutions. One given without `subject_person` keeps the person of the
    resolution of the same text it replaces (a form or a client that only edits the text does
    not drop who the matter is about); `subject_person: None` clears it."""
    before = {r.text: r.subject_person_id for r in activity.resolutions.all()}
    rows = []
    for i, r in enumerate(resolutions):
        text = (r.get("text") or "").strip()
        if not text:
            continue
        subject = r["subject_person"] if "subject_person" in r else before.get(text)
        row = Resolution(activity=activity, order=i, text=text,
                         votes_for=r.get("votes_for"), votes_against=r.get("votes_against"),
                         votes_abstain=r.get("votes_abstain"),
                         subject_person_id=getattr(subject, "pk", subject))
        row.full_clean(exclude=["activity"])
        rows.append(row)

    def key(r):
        return (r.text, r.votes_for, r.votes_against, r.votes_abstain, r.subject_person_id)

    if [key(r) for r in activity.resolutions.all()] == [key(r) for r in rows]:
        return  # unchanged: the trail keeps only real changes
    Resolution.objects.filter(activity=activity).delete()
    audit.bulk_create(Resolution, rows, organization_id=activity.organization_id)


def missing_record_fields(activity: Activity) -> list[str]:
    """Record fields the types require that are still empty (translated labels)."""
    rulebook = get_rulebook()
    needed: list[str] = []
    for code in activity.type_codes:
        for name in rulebook.type(code).record:
            if name not in needed:
                needed.append(name)
    present = {
        "host": activity.host_id is not None,
        "recorder": activity.recorder_id is not None,
        "lecturer": activity.lecturer_id is not None or bool(activity.lecturer_name),
        "place": bool(activity.place),
        "agenda": bool(activity.agenda.strip()),
        "minutes": bool(activity.minutes.strip()),
        "resolutions": activity.resolutions.exists(),
    }
    labels = {
        "host": _("host"), "recorder": _("recorder"), "lecturer": _("lecturer"),
        "place": _("place"), "agenda": _("agenda"), "minutes": _("minutes"),
        "resolutions": _("resolutions"),
    }
    return [str(labels[n]) for n in needed if not present[n]]


@transaction.atomic
def minutes_submit(*, by, activity: Activity) -> Activity:
    _lock(activity, (ActivityStatus.HELD,), _("Only minutes in draft can be submitted; these are "
                                               "%(status)s."))
    missing = missing_record_fields(activity)
    if missing:
        raise ValidationError(_("The record is incomplete: %(fields)s.") % {"fields": "、".join(missing)})
    if activity.attendance.filter(role=AttendanceRole.EXPECTED, status=AttendanceStatus.UNMARKED).exists():
        raise ValidationError(_("Mark everyone's attendance before submitting."))
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at, activity.submitted_by = timezone.now(), by
    activity.return_comment = ""
    with _as(by):
        activity.save(update_fields=["status", "submitted_at", "submitted_by", "return_comment",
                                     "updated_at"])
        recompute_credits(activity)
        _revision(activity, by, "branchwork.submit")
    return activity


@transaction.atomic
def minutes_return(*, by, activity: Activity, comment: str) -> Activity:
    """The host sends the minutes back to the recorder, saying why."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    _lock(activity, (ActivityStatus.SUBMITTED,),
          _("Only submitted minutes can be sent back; these are %(status)s."))
    activity.status = ActivityStatus.HELD
    activity.return_comment = comment.strip()
    with _as(by):
        activity.save(update_fields=["status", "return_comment", "updated_at"])
        _revision(activity, by, "branchwork.return")
    return activity


@transaction.atomic
def minutes_approve(*, by, activity: Activity, skip_checks: bool = False) -> Activity:
    """The host approves the submitted minutes; the record locks.

    A record that fails a consistency check (`activities.checks`) is refused with every failure,
    each naming the person and the rule. The checks are skipped only when `skip_checks` is passed
    or the writer is a loader listed in `checks.SKIPPED_FOR_SOURCES` (the demo's loader, whose
    records predate the checks); views, the API, commands and the importer are never skipped.
    """
    from branchwork.activities import checks

    _lock(activity, (ActivityStatus.SUBMITTED,),
          _("Only submitted minutes can be approved; these are %(status)s."))
    if not skip_checks and audit.current_actor().source not in checks.SKIPPED_FOR_SOURCES:
        failures = checks.run(activity)
        if failures:
            raise ValidationError([f.message for f in failures])
    activity.status = ActivityStatus.LOCKED
    activity.locked_at, activity.locked_by = timezone.now(), by
    with _as(by):
        activity.save(update_fields=["status", "locked_at", "locked_by", "updated_at"])
        recompute_credits(activity)
        _revision(activity, by, "branchwork.approve")
    return activity


@transaction.atomic
def activity_amend(
    *, by, activity: Activity, reason: str, changes: dict | None = None,
    marks: dict[int, tuple[str, str]] | None = None, resolutions: Sequence[dict] | None = None,
    version: int | None = None,
) -> Amendment:
    """Change a locked record, logging who, when, why and what.

    What is logged is data (see branchwork.activities.amendments): each changed field with its
    old and new value, people as ids, attendance as status and reason, so that every reader
    sees it in their own language."""
    from branchwork.activities.amendments import to_json

    if not reason.strip():
        raise ValidationError({"reason": _("An amendment needs a reason.")})
    changes = dict(changes or {})
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise TypeError(f"activity_amend() cannot change {', '.join(sorted(unknown))}")
    _lock(activity, (ActivityStatus.LOCKED,),
          _("Only a locked record is amended; this one is %(status)s: edit the draft directly."))
    _check_version(activity, version)
    if "minutes" in changes:
        changes["minutes"] = clean_rich_text(changes["minutes"])
    diff: list[dict] = []
    for name, value in changes.items():
        old = getattr(activity, name)
        if isinstance(value, str) and name != "minutes":
            value = value.strip()
        if old != value:
            if name in VERSIONED_FIELDS:
                activity.minutes_version += 1
            diff.append({"field": name, "old": to_json(name, old), "new": to_json(name, value)})
            setattr(activity, name, value)
    if marks:
        rows = {a.pk: a for a in activity.attendance.select_related("person")}
        for pk, (status, why) in marks.items():
            row = rows.get(pk)
            if row is None or status not in AttendanceStatus.values:
                raise ValidationError(_("No such attendee in this activity."))
            why = (why or "").strip() if status in (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT) else ""
            if (row.status, row.reason) != (status, why):
                entry = {"field": "attendance", "person": row.person_id,
                         "old": {"status": row.status, "reason": row.reason},
                         "new": {"status": status, "reason": why}}
                if row.person_id is None:
                    entry["name"] = row.name
                row.status, row.reason = status, why
                row.marked_via, row.marked_at = MarkedVia.MANUAL, timezone.now()
                row.save(update_fields=["status", "reason", "marked_via", "marked_at"])
                diff.append(entry)
    if resolutions is not None:
        old = [r.text for r in activity.resolutions.all()]
        new = [(r.get("text") or "").strip() for r in resolutions if (r.get("text") or "").strip()]
        _replace_resolutions(activity, resolutions)
        if old != new:
            diff.append({"field": "resolutions", "old": old, "new": new})
            activity.minutes_version += 1
    if not diff:
        raise ValidationError(_("Nothing was changed."))
    activity.full_clean(exclude=["latest_revision"])
    _check_yearly_fields(activity, activity.type_codes)
    with _as(by):
        activity.save()
        amendment = Amendment.objects.create(
            activity=activity, by=by if getattr(by, "is_authenticated", False) else None,
            by_name=_user_name(by) or "system", reason=reason.strip(), entries=diff,
        )
        recompute_credits(activity)
        _revision(activity, by, "branchwork.amend")
    return amendment


