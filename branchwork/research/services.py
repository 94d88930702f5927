"""Writes of research work: keyword-only, validated, in one transaction, audited.

A write that depends on an output's state (its classification, its text's version, the next
round's number, whether a follow-up is still open) locks the row and reads it afresh first
(`core.conflicts.lock_for_update`). A classified output refuses text, files, instruction texts
and scans with `ClassifiedRefused` (a Conflict: pages show the message, the API answers 409).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core import audit
from branchwork.core.conflicts import Conflict, VersionConflict, lock_for_update
from branchwork.core.models import Organization, Person
from branchwork.research.models import (
    CLASSIFIED_INSTRUCTION_REFUSAL,
    CLASSIFIED_REFUSAL,
    Classification,
    DraftReview,
    DraftRound,
    FollowUp,
    Instruction,
    Outlet,
    Output,
    OutputAuthor,
    OutputFile,
    OutputKind,
    OutputVersion,
    Publication,
    Submission,
    Topic,
    TopicMember,
)

Contributor = Person | str  # a person in Branchwork, or a guest's name as printed

TOPIC_FIELDS = ("organization", "title", "title_en", "lead", "source", "approved_on", "midterm_on",
                "completed_on", "cancelled_on", "summary")
OUTPUT_FIELDS = ("organization", "kind", "topic", "title", "title_en", "completed_on", "classification")


class ClassifiedRefused(Conflict):
    """Text or a file offered for a classified output (or an instruction on one)."""


def _as(by):
    return audit.acting_as(by, source=audit.current_actor().source)


def _user(by):
    return by if by is not None and by.is_authenticated else None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _contributors(items: Sequence[Contributor]) -> list[tuple[Person | None, str]]:
    out = []
    for item in items:
        if isinstance(item, Person):
            out.append((item, ""))
        elif (item or "").strip():
            out.append((None, item.strip()[:120]))
    return out


def _delete_later(storage_file) -> None:
    if storage_file:
        name, storage = storage_file.name, storage_file.storage
        transaction.on_commit(lambda: storage.delete(name))


def _filename(upload, default: str) -> str:
    return (getattr(upload, "name", "") or default).rsplit("/", 1)[-1][:200]


# The kinds an office starts with (migration 0002 adds them; this puts them back after a test
# database was flushed, and for a deployment that removed one by mistake).
DEFAULT_KINDS = [
    ("research_report", "调研报告", "Research report", False),
    ("internal_reference", "内参/专报", "Internal reference", False),
    ("article", "文章", "Article", False),
    ("document_draft", "文稿起草", "Speech or document draft", True),
    ("translation", "译稿", "Translation", False),
    ("book_chapter", "著作章节", "Book chapter", False),
    ("other", "其他", "Other", False),
]


def ensure_default_kinds() -> None:
    for position, (code, zh, en, rounds) in enumerate(DEFAULT_KINDS, start=1):
        OutputKind.objects.get_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "has_rounds": rounds, "position": position})


# --- Topics ---


def _set_members(topic: Topic, members: Sequence[Contributor]) -> None:
    topic.members.all().delete()
    TopicMember.objects.bulk_create(
        TopicMember(topic=topic, position=i, person=person, guest_name=name)
        for i, (person, name) in enumerate(_contributors(members), start=1))


@transaction.atomic
def topic_create(*, by, organization: Organization, title: str, members: Sequence[Contributor] = (),
                 activities=(), **fields) -> Topic:
    unknown = set(fields) - set(TOPIC_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a topic: {', '.join(sorted(unknown))}")
    with _as(by):
        topic = Topic(organization=organization, title=(title or "").strip(),
                      **{k: _strip(v) for k, v in fields.items()})
        topic.full_clean()
        topic.save()
        _set_members(topic, members)
        if activities:
            topic.activities.set(activities)
    return topic


@transaction.atomic
def topic_update(*, by, topic: Topic, members: Sequence[Contributor] | None = None,
                 activities=None, **changes) -> Topic:
    unknown = set(changes) - set(TOPIC_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a topic: {', '.join(sorted(unknown))}")
    with _as(by):
        lock_for_update(topic)
        for name, value in changes.items():
            setattr(topic, name, _strip(value))
        topic.full_clean()
        topic.save()
        if members is not None:
            _set_members(topic, members)
        if activities is not None:
            topic.activities.set(activities)
    return topic


# --- Outputs ---


def _set_authors(output: Output, authors: Sequence[Contributor]) -> None:
    rows = _contributors(authors)
    if not rows:
        raise ValidationError({"authors": _("Name at least one author.")})
    output.authors.all().delete()
    OutputAuthor.objects.bulk_create(
        OutputAuthor(output=output, position=i, person=person, guest_name=name)
        for i, (person, name) in enumerate(rows, start=1))


def _refuse_if_classified(output: Output, message=CLASSIFIED_REFUSAL) -> None:
    if output.classification == Classification.CLASSIFIED:
        raise ClassifiedRefused(message)


@transaction.atomic
def output_create(*, by, organization: Organization, kind: OutputKind, title: str,
                  completed_on: datetime.date, authors: Sequence[Contributor],
                  classification: str = Classification.INTERNAL, readers=(), text: str = "",
                  **fields) -> Output:
    unknown = set(fields) - set(OUTPUT_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of an output: {', '.join(sorted(unknown))}")
    with _as(by):
        output = Output(organization=organization, kind=kind, title=(title or "").strip(),
                        completed_on=completed_on, classification=classification,
                        created_by=_user(by), **{k: _strip(v) for k, v in fields.items()})
        if text.strip():
            _refuse_if_classified(output)
        output.full_clean()
        output.save()
        _set_authors(output, authors)
        if readers:
            output.readers.set(readers)
        if text.strip():
            _new_version(output, text=text.strip(), note="", by=by)
    return output


@transaction.atomic
def output_update(*, by, output: Output, authors: Sequence[Contributor] | None = None,
                  readers=None, **changes) -> Output:
    """Change an output's description. Marking it classified is refused while it holds text,
    files, or an instruction's text or scan: those must be taken offline first."""
    unknown = set(changes) - set(OUTPUT_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of an output: {', '.join(sorted(unknown))}")
    with _as(by):
        lock_for_update(output)
        becomes_classified = (changes.get("classification") == Classification.CLASSIFIED
                              and output.classification != Classification.CLASSIFIED)
        if becomes_classified and _holds_content(output):
            raise ClassifiedRefused(_(
                "It cannot be marked classified while it holds text, files or an instruction's "
                "text: Branchwork runs on an unclassified network. Remove them first."))
        for name, value in changes.items():
            setattr(output, name, _strip(value))
        output.full_clean()
        output.save()
        if authors is not None:
            _set_authors(output, authors)
        if readers is not None:
            output.readers.set(readers)
    return output


def _holds_content(output: Output) -> bool:
    return bool(
        output.text.strip()
        or output.files.exists()
        or OutputVersion.objects.filter(output=output).exclude(text="").exists()
        or Instruction.objects.filter(submission__output=output).exclude(text="", scan="").exists()
        or Publication.objects.filter(output=output).exclude(clipping="").exists()
    )


def _new_version(output: Output, *, text: str, note: str, by) -> OutputVersion:
    output.version += 1
    output.text = text
    output.save(update_fields=["text", "version", "updated_at"])
    return OutputVersion.objects.create(output=output, number=output.version, text=text,
                                        note=(note or "").strip()[:200], saved_by=_user(by),
                                        saved_at=timezone.now())


@transaction.atomic
def output_save_text(*, by, output: Output, text: str, base_version: int, note: str = "") -> OutputVersion:
    """Save a new version of the text. Based on an older version than the stored one: refused
    with the stored text (VersionConflict)."""
    with _as(by):
        lock_for_update(output)
        _refuse_if_classified(output)
        if base_version != output.version:
            raise VersionConflict(
                _("Someone saved a newer version of this text while you were editing. Their text "
                  "is shown beside yours."),
                current={"text": output.text}, version=output.version)
        return _new_version(output, text=(text or "").strip(), note=note, by=by)


@transaction.atomic
def output_file_add(*, by, output: Output, upload) -> OutputFile:
    with _as(by):
        lock_for_update(output)
        _refuse_if_classified(output)
        stored = OutputFile(output=output, name=_filename(upload, "file"), uploaded_by=_user(by))
        stored.file.save(stored.name, upload, save=False)
        stored.full_clean()
        stored.save()
    return stored


@transaction.atomic
def output_file_remove(*, by, stored: OutputFile) -> None:
    with _as(by):
        _delete_later(stored.file)
        stored.delete()


@transaction.atomic
def draft_round_add(*, by, output: Output, circulated_on: datetime.date, note: str = "",
                    reviews: Sequence[tuple[Contributor, str]] = ()) -> DraftRound:
    """The next round of a document draft, numbered after the last one (read under the lock)."""
    with _as(by):
        lock_for_update(output)
        if not output.kind.has_rounds:
            raise Conflict(_("Only a document draft goes through rounds."))
        last = output.rounds.aggregate(n=Max("number"))["n"] or 0
        round_ = DraftRound(output=output, number=last + 1, circulated_on=circulated_on,
                            note=(note or "").strip())
        round_.full_clean()
        round_.save()
        for reviewer, comments in reviews:
            [(person, name)] = _contributors([reviewer]) or [(None, "")]
            if person is None and not name:
                continue
            DraftReview.objects.create(round=round_, reviewer=person, reviewer_name=name,
                                       comments=(comments or "").strip())
    return round_


# --- Submissions, instructions, follow-ups ---


@transaction.atomic
def submission_create(*, by, output: Output, recipient: str, level: str, submitted_on: datetime.date,
                      recipient_kind: str = "leader") -> Submission:
    with _as(by):
        submission = Submission(output=output, recipient=(recipient or "").strip(), level=level,
                                recipient_kind=recipient_kind, submitted_on=submitted_on,
                                submitted_by=_user(by))
        submission.full_clean()
        submission.save()
    return submission


@transaction.atomic
def instruction_record(*, by, submission: Submission, given_by: str, level: str,
                       given_on: datetime.date, text: str = "", scan=None) -> Instruction:
    """Record the instruction that came back. On a classified output its text and scan are
    refused (checked with the output's row locked, so a change of classification cannot race)."""
    with _as(by):
        output = lock_for_update(submission.output)
        if (text or "").strip() or scan:
            _refuse_if_classified(output, CLASSIFIED_INSTRUCTION_REFUSAL)
        if given_on < submission.submitted_on:
            raise ValidationError({"given_on": _("An instruction comes after the submission.")})
        instruction = Instruction(submission=submission, given_by=(given_by or "").strip(), level=level,
                                  given_on=given_on, text=(text or "").strip(), recorded_by=_user(by))
        if scan:
            instruction.scan_name = _filename(scan, "scan")
            instruction.scan.save(instruction.scan_name, scan, save=False)
        instruction.full_clean()
        instruction.save()
    return instruction


@transaction.atomic
def follow_up_add(*, by, instruction: Instruction, action: str, owner: Person,
                  due_on: datetime.date) -> FollowUp:
    with _as(by):
        follow_up = FollowUp(instruction=instruction, action=(action or "").strip(), owner=owner,
                             due_on=due_on)
        follow_up.full_clean()
        follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_close(*, by, follow_up: FollowUp, today: datetime.date | None = None) -> FollowUp:
    with _as(by):
        lock_for_update(follow_up)
        if follow_up.closed_on is not None:
            raise Conflict(_("This follow-up was closed already."))
        follow_up.closed_on = today or timezone.localdate()
        follow_up.closed_by = _user(by)
        follow_up.save(update_fields=["closed_on", "closed_by"])
    return follow_up


# --- Outlets and publications ---


@transaction.atomic
def outlet_create(*, by, name: str, tier: str, name_en: str = "") -> Outlet:
    with _as(by):
        outlet = Outlet(name=(name or "").strip(), name_en=(name_en or "").strip(), tier=tier)
        outlet.full_clean()
        outlet.save()
    return outlet


@transaction.atomic
def outlet_update(*, by, outlet: Outlet, **changes) -> Outlet:
    unknown = set(changes) - {"name", "name_en", "tier", "is_active"}
    if unknown:
        raise ValueError(f"Not fields of an outlet: {', '.join(sorted(unknown))}")
    with _as(by):
        for name, value in changes.items():
            setattr(outlet, name, _strip(value))
        outlet.full_clean()
        outlet.save()
    return outlet


@transaction.atomic
def publication_add(*, by, output: Output, outlet: Outlet, published_on: datetime.date,
                    page_or_url: str = "", reprint_of: Publication | None = None,
                    clipping=None) -> Publication:
    with _as(by):
        lock_for_update(output)
        if clipping:
            _refuse_if_classified(output)
        publication = Publication(output=output, outlet=outlet, published_on=published_on,
                                  page_or_url=(page_or_url or "").strip(), reprint_of=reprint_of)
        if clipping:
            publication.clipping_name = _filename(clipping, "clipping")
            publication.clipping.save(publication.clipping_name, clipping, save=False)
        publication.full_clean()
        publication.save()
    return publication
