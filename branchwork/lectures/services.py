"""Writes of the lecture hall: keyword-only, validated, in one transaction, audited.

Files (slides, recording) are stored under `lectures/` in the default storage, with a random
part in the name; they are internal and served only through the permission-checked views.
Replacing or removing an attachment deletes the old file once the transaction has committed.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from branchwork.activities.models import Activity
from branchwork.core import audit
from branchwork.core.models import Organization, Person
from branchwork.lectures.models import LectureSeries, Talk

TALK_FIELDS = ("organization", "series", "speaker", "speaker_name", "speaker_affiliation", "date",
               "place", "topic", "abstract", "activity")


def _as(by):
    return audit.acting_as(by, source=audit.current_actor().source)


@transaction.atomic
def series_create(*, by, organization: Organization, title: str, description: str = "") -> LectureSeries:
    with _as(by):
        series = LectureSeries(organization=organization, title=(title or "").strip(),
                               description=(description or "").strip())
        series.full_clean()
        series.save()
    return series


@transaction.atomic
def series_update(*, by, series: LectureSeries, **changes) -> LectureSeries:
    unknown = set(changes) - {"organization", "title", "description"}
    if unknown:
        raise ValueError(f"Not fields of a series: {', '.join(sorted(unknown))}")
    with _as(by):
        for name, value in changes.items():
            setattr(series, name, value.strip() if isinstance(value, str) else value)
        series.full_clean()
        series.save()
    return series


def _delete_later(storage_file) -> None:
    if storage_file:
        name, storage = storage_file.name, storage_file.storage
        transaction.on_commit(lambda: storage.delete(name))


def _attach(talk: Talk, field: str, upload) -> None:
    """Put an uploaded file on the talk (the old one goes once the change is committed)."""
    current = getattr(talk, field)
    if current:
        _delete_later(current)
    name = getattr(upload, "name", "") or field
    getattr(talk, field).save(name.rsplit("/", 1)[-1], upload, save=False)
    setattr(talk, f"{field}_name", name.rsplit("/", 1)[-1][:200])


@transaction.atomic
def talk_create(
    *, by, organization: Organization, topic: str, date: datetime.date,
    speaker: Person | None = None, speaker_name: str = "", speaker_affiliation: str = "",
    series: LectureSeries | None = None, place: str = "", abstract: str = "",
    activity: Activity | None = None, slides=None, recording=None,
) -> Talk:
    with _as(by):
        talk = Talk(
            organization=organization, topic=(topic or "").strip(), date=date, speaker=speaker,
            speaker_name=(speaker_name or "").strip(),
            speaker_affiliation=(speaker_affiliation or "").strip(), series=series,
            place=(place or "").strip(), abstract=(abstract or "").strip(), activity=activity,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        talk.full_clean(exclude=["slides", "recording"])
        if slides:
            _attach(talk, "slides", slides)
        if recording:
            _attach(talk, "recording", recording)
        talk.save()
    return talk


@transaction.atomic
def talk_update(*, by, talk: Talk, slides=None, recording=None, remove_slides: bool = False,
                remove_recording: bool = False, **changes) -> Talk:
    unknown = set(changes) - set(TALK_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a talk: {', '.join(sorted(unknown))}")
    with _as(by):
        for name, value in changes.items():
            setattr(talk, name, value.strip() if isinstance(value, str) else value)
        talk.full_clean(exclude=["slides", "recording"])
        for field, upload, remove in (("slides", slides, remove_slides),
                                      ("recording", recording, remove_recording)):
            if upload:
                _attach(talk, field, upload)
            elif remove and getattr(talk, field):
                _delete_later(getattr(talk, field))
                setattr(talk, field, "")
                setattr(talk, f"{field}_name", "")
        talk.save()
    return talk


@transaction.atomic
def talk_delete(*, by, talk: Talk) -> None:
    with _as(by):
        for field in ("slides", "recording"):
            _delete_later(getattr(talk, field))
        talk.delete()

