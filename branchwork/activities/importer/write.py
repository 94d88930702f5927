"""Writing a checked plan through the services, all or nothing; imports run as a task."""


from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from branchwork.activities import services
from branchwork.activities.models import (
    Activity,
    ActivitySource,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    MarkedVia,
)
from branchwork.core import audit
from branchwork.core.models import AuditAction, Organization, Person
from branchwork.activities.importer.columns import ImportRefused, _error
from branchwork.activities.importer.files import parse_file
from branchwork.activities.importer.plan import ImportResult, PlannedActivity, validate


# --- Writing ---


def _write(item: PlannedActivity, *, by, organization: Organization) -> Activity:
    activity = services.activity_schedule(
        by=by, organization=organization, types=item.types, title=item.title,
        starts_at=item.starts_at, place=item.place, host=item.host, recorder=item.recorder,
        lecturer=item.lecturer, lecturer_name=item.lecturer_name, agenda=item.agenda,
        co_organizers=item.co_organizers, source=ActivitySource.IMPORT, notify=False,
        paper_signed_on=item.paper_signed_on,
    )
    rows = {a.person_id: a for a in activity.attendance.all() if a.person_id is not None}

    def row_of(person: Person | None = None, name: str = "",
               role: str = AttendanceRole.EXPECTED) -> Attendance:
        if person is not None and person.pk in rows:
            return rows[person.pk]
        row = services.attendance_add(by=by, activity=activity, person=person, name=name,
                                      role=role, status=AttendanceStatus.UNMARKED)
        if person is not None:
            rows[person.pk] = row
        return row

    marks: dict[int, tuple[str, str]] = {}
    if item.has_attendance:
        expected_rows = list(rows.values())
        for person in item.present:
            marks[row_of(person).pk] = (AttendanceStatus.PRESENT, "")
        for person, status, reason in item.absent:
            marks[row_of(person).pk] = (status, reason)
        for row in expected_rows:  # expected but in neither list: not there
            marks.setdefault(row.pk, (AttendanceStatus.ABSENT, ""))
    for observer in item.observers:
        if isinstance(observer, Person):
            row = row_of(observer, role=AttendanceRole.OBSERVER)
        else:
            row = row_of(name=observer, role=AttendanceRole.OBSERVER)
        marks[row.pk] = (AttendanceStatus.PRESENT, "")
    if marks:
        services.attendance_mark(by=by, activity=activity, marks=marks, via=MarkedVia.IMPORT)
    return services.minutes_save(by=by, activity=activity, minutes=item.minutes,
                                 resolutions=item.resolutions)


def run_import(*, by, organization: Organization, name: str, data: bytes,
               dry_run: bool = False, on_stage=None) -> ImportResult:
    """Read, check and (unless `dry_run`) write a file, all or nothing.

    Raises ImportRefused with every error found; then nothing has been written. A failure while
    writing rolls the whole file back too.
    """
    rows = parse_file(name, data)
    if on_stage:
        on_stage("checking", rows)
    plan = validate(organization, rows, by=by)
    if plan.errors:
        raise ImportRefused(plan.errors)
    if on_stage and not dry_run:
        on_stage("writing", rows)
    if dry_run:
        return ImportResult(activities=[], planned=len(plan.activities), dry_run=True,
                            encoding=getattr(rows, "encoding", ""))
    created: list[Activity] = []
    with transaction.atomic(), audit.acting_as(by, source=audit.current_actor().source):
        for item in plan.activities:
            try:
                created.append(_write(item, by=by, organization=organization))
            except ValidationError as exc:
                raise ImportRefused([_error(item.row, "", " ".join(exc.messages))]) from exc
        # Each record's rows are in the trail already; this says which file brought them.
        audit.log_event(organization, AuditAction.IMPORT, {"file": {
            "name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
            "activities": [{"id": a.pk, "repr": str(a)[:200]} for a in created]}})
    return ImportResult(activities=created, planned=len(plan.activities),
                        encoding=getattr(rows, "encoding", ""))



# --- Imports run as a task, from the web page ---


def start_job(*, by, organization: Organization, name: str, data: bytes):
    """Keep the file as an ImportJob and queue its import; returns the job (the page follows
    it). The caller has checked the permission and the file's size, and is not inside a
    transaction: the job's row must be committed before a worker looks for it."""
    from branchwork.activities.models import ImportJob
    from branchwork.activities.tasks import run_activity_import

    job = ImportJob.objects.create(organization=organization, requested_by=by, name=name[:255],
                                   data=data, language=translation.get_language() or "")
    run_activity_import.enqueue(job_id=job.pk)
    job.refresh_from_db()  # run at once by the immediate backend (tests, TASKS_BACKEND)
    return job


def _job_save(job, **fields) -> None:
    for key, value in fields.items():
        setattr(job, key, value)
    job.save(update_fields=list(fields))


def run_job(job_id: int) -> str:
    """Run a queued ImportJob: read the file, check every row, write them in one transaction
    (all or nothing). Each stage is saved as it starts (5, 20, 50, 100 %), outside the writing
    transaction, so the page shows it while the task runs.
    A refused file keeps every error; a failure keeps its message; the file itself is dropped
    once the job ends."""
    from branchwork.activities.models import ImportJob, ImportStatus

    job = ImportJob.objects.select_related("organization", "requested_by").get(pk=job_id)
    if job.finished:
        return job.status
    _job_save(job, status=ImportStatus.CHECKING, progress=5)

    def on_stage(stage: str, rows) -> None:
        if stage == "checking":
            _job_save(job, rows=len(rows), encoding=getattr(rows, "encoding", ""), progress=20)
        else:
            _job_save(job, status=ImportStatus.WRITING, progress=50)

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE), \
                audit.acting_as(job.requested_by, source="web"):
            result = run_import(by=job.requested_by, organization=job.organization,
                                name=job.name, data=bytes(job.data), on_stage=on_stage)
    except ImportRefused as refused:
        _job_save(job, status=ImportStatus.REFUSED, data=b"", finished_at=timezone.now(),
                  errors=[{"row": e.row, "column": e.column, "problem": e.problem,
                           "message": e.message} for e in refused.errors])
    except Exception as exc:
        _job_save(job, status=ImportStatus.FAILED, data=b"", finished_at=timezone.now(),
                  errors=[{"row": None, "column": "", "problem": str(exc)[:500],
                           "message": str(exc)[:500]}])
        raise
    else:
        _job_save(job, status=ImportStatus.DONE, progress=100, data=b"",
                  imported=len(result.activities), finished_at=timezone.now())
    return job.status
