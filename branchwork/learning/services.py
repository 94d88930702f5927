"""Writes of the learning app. Views, commands and the demo call these; nothing else writes.
Each is keyword-only, validates (`full_clean`), runs in one transaction and is attributed to
`by` in the audit trail (study notes excepted: their text is not logged, see apps.py).

External training changes state (submitted → approved or returned; returned → submitted again):
each decision locks the row and reads it afresh first (`_lock`), so a decision taken on a page
loaded before another one is refused, never written over it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.activities.models import Activity
from branchwork.core import audit
from branchwork.core.conflicts import Conflict, VersionConflict, lock_for_update
from branchwork.core.models import Organization, Person
from branchwork.learning.models import (
    CourseParticipant,
    ExternalTraining,
    StudyNote,
    StudyPlan,
    StudyPlanItem,
    TrainingCourse,
    TrainingStatus,
)


def _as(by):
    return audit.acting_as(by, source="learning")


# --- Plans ---


@transaction.atomic
def plan_create(*, by, organization: Organization, year: int, title: str, intro: str = "") -> StudyPlan:
    with _as(by):
        plan = StudyPlan(organization=organization, year=year, title=title.strip(), intro=intro.strip())
        plan.full_clean()
        plan.save()
    return plan


@transaction.atomic
def plan_item_add(*, by, plan: StudyPlan, topic: str, month: int | None = None, note: str = "",
                  article=None, talk=None, file=None, url: str = "",
                  sessions: Iterable[Activity] = ()) -> StudyPlanItem:
    """Add an item; its sessions are collective studies of the plan's organization (linked)."""
    with _as(by):
        item = StudyPlanItem(plan=plan, topic=topic.strip(), month=month, note=note.strip(),
                             article=article, talk=talk, url=url.strip(),
                             order=plan.items.count())
        if file is not None:
            item.file = file
            item.file_name = getattr(file, "name", "")[:200]
        item.full_clean()
        item.save()
        sessions = list(sessions)
        _check_sessions(plan, sessions)
        item.sessions.set(sessions)
    return item


def _check_sessions(plan: StudyPlan, sessions: list[Activity]) -> None:
    for activity in sessions:
        if activity.local_date.year != plan.year:
            raise ValidationError({"sessions": _("A session of another year cannot be linked: %(title)s")
                                   % {"title": activity.title}})
        if activity.organization_id != plan.organization_id and not activity.co_organizers.filter(
                pk=plan.organization_id).exists():
            raise ValidationError({"sessions": _("Only the organization's own activities can be "
                                                 "linked: %(title)s") % {"title": activity.title}})


@transaction.atomic
def plan_item_link_sessions(*, by, item: StudyPlanItem, sessions: Iterable[Activity]) -> StudyPlanItem:
    sessions = list(sessions)
    _check_sessions(item.plan, sessions)
    with _as(by):
        item.sessions.set(sessions)
    return item


def _item_locked(item: StudyPlanItem, version: int | None) -> StudyPlanItem:
    """Lock the item's row, read it afresh, and refuse a change based on an older version (the
    item was edited, or removed, in another window since the page was opened)."""
    lock_for_update(item)
    if version is not None and version != item.version:
        raise VersionConflict(_("This item was changed by someone else since you opened it; "
                                "here it is as stored now."),
                              current={"topic": item.topic, "note": item.note}, version=item.version)
    return item


@transaction.atomic
def plan_item_update(*, by, item: StudyPlanItem, topic: str, month: int | None = None, note: str = "",
                     talk=None, file=None, remove_file: bool = False, url: str = "",
                     sessions: Iterable[Activity] = (), version: int | None = None) -> StudyPlanItem:
    """Change an item: its topic, month, note, material (a new document replaces the old one)
    and sessions. Refused when it changed since `version` was read."""
    item = _item_locked(item, version)
    with _as(by):
        item.topic, item.month, item.note = topic.strip(), month, note.strip()
        item.talk, item.url = talk, url.strip()
        if file is not None:
            item.file, item.file_name = file, getattr(file, "name", "")[:200]
        elif remove_file:
            item.file, item.file_name = "", ""
        item.version += 1
        item.full_clean()
        item.save()
        sessions = list(sessions)
        _check_sessions(item.plan, sessions)
        item.sessions.set(sessions)
    return item


@transaction.atomic
def plan_item_delete(*, by, item: StudyPlanItem, version: int | None = None) -> None:
    """Remove an item from its plan (the notes written on it keep their text, unlinked)."""
    item = _item_locked(item, version)
    with _as(by):
        item.delete()


# --- Notes ---


@transaction.atomic
def note_write(*, by, person: Person, organization: Organization, title: str, body: str,
               item: StudyPlanItem | None = None, shared: bool = False) -> StudyNote:
    note = StudyNote(person=person, organization=organization, item=item, title=title.strip(),
                     body=body.strip(), shared=shared)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def note_update(*, by, note: StudyNote, title: str, body: str, shared: bool,
                version: int | None = None) -> StudyNote:
    """Change a note; a save based on an older version than the stored one is refused with the
    stored text (the author edited it in another window)."""
    lock_for_update(note)
    if version is not None and version != note.version:
        raise VersionConflict(_("This note was changed in another window since you opened it."),
                              current={"title": note.title, "body": note.body}, version=note.version)
    note.title, note.body, note.shared = title.strip(), body.strip(), shared
    note.version += 1
    note.full_clean()
    note.save(update_fields=["title", "body", "shared", "version", "updated_at"])
    return note


@transaction.atomic
def note_delete(*, by, note: StudyNote) -> None:
    note.delete()


# --- Training courses ---


@transaction.atomic
def course_record(*, by, organization: Organization, title: str, starts_on: datetime.date,
                  ends_on: datetime.date, hours: Decimal, provider: str = "",
                  participants: Iterable[Person] = ()) -> TrainingCourse:
    with _as(by):
        course = TrainingCourse(organization=organization, title=title.strip(), provider=provider.strip(),
                                starts_on=starts_on, ends_on=ends_on, hours=hours)
        course.full_clean()
        course.save()
        CourseParticipant.objects.bulk_create(
            [CourseParticipant(course=course, person=p) for p in dict.fromkeys(participants)])
    return course


# --- External training ---


@transaction.atomic
def training_submit(*, by, person: Person, organization: Organization, title: str, provider: str,
                    starts_on: datetime.date, ends_on: datetime.date, hours: Decimal, evidence,
                    today: datetime.date | None = None) -> ExternalTraining:
    today = today or timezone.localdate()
    if ends_on and ends_on > today:
        raise ValidationError({"ends_on": _("Training is submitted once it has ended.")})
    with _as(by):
        training = ExternalTraining(person=person, organization=organization, title=title.strip(),
                                    provider=provider.strip(), starts_on=starts_on, ends_on=ends_on,
                                    hours=hours, evidence=evidence,
                                    evidence_name=getattr(evidence, "name", "")[:200])
        training.full_clean()
        training.save()
    return training


def _lock(training: ExternalTraining, states: Iterable[str], message: str) -> ExternalTraining:
    """Lock the row, read it afresh (in place) and refuse unless its state is one of `states`."""
    lock_for_update(training)
    if training.status not in states:
        raise Conflict(message % {"status": training.get_status_display()})
    return training


@transaction.atomic
def training_approve(*, by, training: ExternalTraining) -> ExternalTraining:
    _lock(training, (TrainingStatus.SUBMITTED,),
          _("Only training awaiting approval is approved; this one is %(status)s."))
    if training.person.user_id is not None and training.person.user_id == by.pk:
        raise Conflict(_("Your own training is approved by another secretary."))
    with _as(by):
        training.status = TrainingStatus.APPROVED
        training.decided_by, training.decided_at, training.comment = by, timezone.now(), ""
        training.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return training


@transaction.atomic
def training_return(*, by, training: ExternalTraining, comment: str) -> ExternalTraining:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what is missing, so that the member can add it.")})
    _lock(training, (TrainingStatus.SUBMITTED,),
          _("Only training awaiting approval is returned; this one is %(status)s."))
    with _as(by):
        training.status = TrainingStatus.RETURNED
        training.decided_by, training.decided_at, training.comment = by, timezone.now(), comment.strip()
        training.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return training


@transaction.atomic
def training_resubmit(*, by, training: ExternalTraining, hours: Decimal | None = None,
                      evidence=None, title: str | None = None, provider: str | None = None,
                      starts_on: datetime.date | None = None, ends_on: datetime.date | None = None,
                      today: datetime.date | None = None) -> ExternalTraining:
    """The member corrects returned training (what is given replaces what was stored) and
    submits it again. The row is locked and read afresh first: training approved, or submitted
    again from another window, since the page was opened is refused, never written over."""
    _lock(training, (TrainingStatus.RETURNED,),
          _("Only returned training is submitted again; this one is %(status)s."))
    if training.person.user_id != by.pk:
        raise PermissionDenied(_("Only the member who submitted this training submits it again."))
    today = today or timezone.localdate()
    if ends_on and ends_on > today:
        raise ValidationError({"ends_on": _("Training is submitted once it has ended.")})
    with _as(by):
        for field, value in (("title", title), ("provider", provider)):
            if value is not None:
                setattr(training, field, value.strip())
        for field, value in (("starts_on", starts_on), ("ends_on", ends_on), ("hours", hours)):
            if value is not None:
                setattr(training, field, value)
        if evidence is not None:
            training.evidence, training.evidence_name = evidence, getattr(evidence, "name", "")[:200]
        training.status, training.submitted_at = TrainingStatus.SUBMITTED, timezone.now()
        training.full_clean()
        training.save()
    return training
