"""Writes to activities. Views, the API, commands and the importer call these; nothing else writes.

Each function is keyword-only, validates, runs in one transaction, attributes its changes to
`by` in the audit trail and leaves side effects (mail) to run on commit through the task worker.
Every state change saves a Wagtail revision of the whole record.
"""


# The functions live in modules by topic; the package gives them all under one name,
# `activities.services`, as callers have always used them (and tests replace them here).
from branchwork.activities.services.attendance import (  # noqa: F401
    CheckInRefused,
    _attendance_open,
    _mark_held,
    _set_speaking,
    attendance_add,
    attendance_check_in,
    attendance_mark,
    attendance_remove,
    attendance_set_speaking,
    check_in_window,
    check_in_window_from,
    makeup_record,
)
from branchwork.activities.services.common import (  # noqa: F401
    _LOCKED_MESSAGE,
    AMENDABLE_FIELDS,
    EDITABLE_FIELDS,
    INTERNAL_KINDS,
    MEMBER_ROLES,
    OPEN_STATES,
    VERSIONED_FIELDS,
    _as,
    _check_types,
    _check_version,
    _check_yearly_fields,
    _lock,
    _revision,
    _user_name,
)
from branchwork.activities.services.expected import (  # noqa: F401
    Expected,
    _refresh_voting,
    _sync_expected,
    credited_organizations,
    expected_attendees,
    quorum_report,
    recompute_credits,
)
from branchwork.activities.services.minutes import (  # noqa: F401
    _replace_resolutions,
    activity_amend,
    minutes_approve,
    minutes_return,
    minutes_save,
    minutes_submit,
    missing_record_fields,
)
from branchwork.activities.services.plan import (  # noqa: F401
    _plan_date,
    _yearly_span,
    attachment_add,
    attachment_remove,
    year_plan_generate,
)
from branchwork.activities.services.scheduling import (  # noqa: F401
    activity_cancel,
    activity_delete,
    activity_schedule,
    activity_update,
)
