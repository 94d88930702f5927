"""Pages of organizational life. Thin: parse, ask the policy, call a service, render.

A package by topic, one name for callers (`views.activity_detail`, `from
branchwork.activities.views import checkin_url`): `common` (crumbs, the record looked up for the
user, form errors), `activity` (lists, the export, scheduling, the record page), `record`
(attendance, minutes and their sign-off, amendments, attachments), `check_in` (QR check-in and the
projector's count), `overview` (year plan, compliance, the committee table, my attendance).
"""

from branchwork.activities.views.common import (  # noqa: F401
    _activity_crumbs,
    _co_organizer_choices,
    _conflict,
    _crumbs,
    _everyone,
    _get,
    _marks,
    _message,
    _people_for,
    _state_change,
    _year,
)
from branchwork.activities.views.activity import (  # noqa: F401
    _activity_form_kwargs,
    _attendance_recorded,
    _filtered,
    _signer,
    _year_start,
    activity_cancel,
    activity_detail,
    activity_edit,
    activity_export,
    activity_list,
    activity_new,
)
from branchwork.activities.views.record import (  # noqa: F401
    activity_amend,
    attachment_add,
    attachment_file,
    attachment_remove,
    attendance_edit,
    makeup,
    minutes_approve,
    minutes_edit,
    minutes_return,
    minutes_submit,
)
from branchwork.activities.views.check_in import (  # noqa: F401
    _checkin_counts,
    checkin,
    checkin_screen,
    checkin_status,
    checkin_url,
)
from branchwork.activities.views.overview import (  # noqa: F401
    COMMITTEE_PAGE_SIZE,
    _committee_rows,
    committee_export,
    committee_table,
    compliance,
    my_attendance,
    rotate_my_feed,
    year_plan,
)
