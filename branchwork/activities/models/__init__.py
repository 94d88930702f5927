"""Organizational life: activities, their attendance, minutes, sign-off and amendments.

An activity is recorded once. Its types (from the rulebook) say what it counts for; its host
organization and co-organizers say for whom. `Credit` rows are derived from the record (one per
organization and type) so that compliance and the committee table are plain aggregate queries;
services recompute them whenever the record changes.

Life cycle: planned → held (minutes in draft) → submitted by the recorder → approved by the host,
which locks the record. A locked record changes only through an `Amendment` (who, when, why,
what). Every state change and amendment also saves a Wagtail revision of the whole record
(children included: the model is clusterable), so any earlier version can be read back.

A package by topic that imports every model, so Django registers them all with this app and
callers keep one name (`from branchwork.activities.models import Activity`): `choices` (the
vocabularies and groups of states), `activity` (the activity and its types), `record`
(attendance, resolutions, attachments, amendments), `bookkeeping` (credits, calendar feeds,
reminders, import jobs). The election records live in `activities/elections.py`, imported last.
"""

from branchwork.activities.models.choices import (  # noqa: F401
    ActivitySource,
    ActivityStatus,
    AttachmentKind,
    AttendanceRole,
    AttendanceStatus,
    HELD_STATES,
    ImportStatus,
    MarkedVia,
    OPEN_STATES_FOR_CHECKIN,
    PRESENT_STATES,
    ReminderKind,
    Speaking,
    ThemeDayContent,
)
from branchwork.activities.models.activity import (  # noqa: F401
    Activity,
    ActivityQuerySet,
    ActivityTypeTag,
    agenda_items,
    new_token,
    rulebook_type_choices,
)
from branchwork.activities.models.record import (  # noqa: F401
    Amendment,
    Attachment,
    Attendance,
    Resolution,
    attachment_path,
    resolution_passes,
)
from branchwork.activities.models.bookkeeping import (  # noqa: F401
    CalendarFeed,
    Credit,
    ImportJob,
    Reminder,
)

# The election records (换届选举) live in their own module; imported here so that Django
# registers their models with this app.
from branchwork.activities.elections import Election, ElectionCandidate  # noqa: E402,F401
