"""What every write to an activity shares: the states, the lock, the version check, the revision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchwork.activities.models import (
    Activity,
    ActivityStatus,
)
from branchwork.core import audit
from branchwork.core import selectors as core_selectors
from branchwork.core.conflicts import Conflict, VersionConflict, lock_for_update
from branchwork.core.models import (
    OrganizationKind,
    Person,
)
from branchwork.rulebook.loader import get_rulebook

# Roles that make someone a member of the organization for attendance (not functional roles).
MEMBER_ROLES = core_selectors.MEMBER_ROLES
# Organizations whose members are expected when they co-organize (not other units' branches).
INTERNAL_KINDS = frozenset(
    {OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH, OrganizationKind.BRANCH,
     OrganizationKind.GROUP, OrganizationKind.YOUTH_LEAGUE}
)
# Fields of the record an amendment may change.
AMENDABLE_FIELDS = (
    "title", "session_number", "starts_at", "ends_at", "place", "host", "recorder", "lecturer",
    "lecturer_name", "agenda", "minutes", "covers_year", "contents", "paper_signed_on",
)
EDITABLE_FIELDS = AMENDABLE_FIELDS + ("date_confirmed",)
# Fields whose changes move `minutes_version` on (the recorder's text; see `_check_version`).
VERSIONED_FIELDS = ("agenda", "minutes")

# Which states allow which writes. Every service that writes an activity's record locks its row
# and checks its state inside the transaction (`_lock`), against one of these.
OPEN_STATES = (ActivityStatus.PLANNED, ActivityStatus.HELD)  # the record is a draft
_LOCKED_MESSAGE = gettext_lazy("This record is %(status)s: it is no longer a draft (a locked record "
                        "changes only through an amendment).")


def _as(by, source: str | None = None):
    return audit.acting_as(by, source=source or audit.current_actor().source)


def _user_name(user) -> str:
    if user is None:
        return ""
    try:
        return user.person.display_name
    except (Person.DoesNotExist, AttributeError):
        return user.get_full_name() or user.get_username()


def _check_yearly_fields(activity: Activity, codes: Sequence[str]) -> None:
    """A year covered belongs to a yearly record, theme-day contents to a theme day."""
    rulebook = get_rulebook()
    if activity.covers_year is not None and not any(rulebook.type(c).yearly for c in codes):
        raise ValidationError({"covers_year": _(
            "Only a yearly record (such as the organizational life meeting) has a year covered.")})
    if activity.contents and "theme_day" not in codes:
        raise ValidationError({"contents": _("Contents are recorded for a theme Party day.")})


def _check_types(codes: Iterable[str]) -> list[str]:
    rulebook = get_rulebook()
    codes = list(dict.fromkeys(c for c in codes if c))
    if not codes:
        raise ValidationError({"types": _("Choose at least one type.")})
    unknown = [c for c in codes if c not in rulebook.types]
    if unknown:
        raise ValidationError({"types": _("Unknown activity type: %(codes)s") % {
            "codes": ", ".join(unknown)}})
    return codes


def _revision(activity: Activity, by, action: str) -> None:
    activity.save_revision(user=by if getattr(by, "is_authenticated", False) else None,
                           log_action=action, clean=False)


def _lock(activity: Activity, states: Sequence[str], message: str) -> Activity:
    """Lock the activity's row, read it afresh (in place) and refuse unless its state is one of
    `states`. `message` may name the state as %(status)s. Every write to a record starts here,
    so what a view loaded before the transaction decides nothing."""
    lock_for_update(activity)
    if activity.status not in states:
        raise Conflict(message % {"status": activity.get_status_display()})
    return activity


def _check_version(activity: Activity, version: int | None) -> None:
    """Refuse a save of the recorder's text based on an older version than the stored one."""
    if version is None or version == activity.minutes_version:
        return
    raise VersionConflict(
        _("Someone else saved this record while you were editing it. Their version is shown "
          "below; copy your changes into it and save again."),
        current={"minutes": activity.minutes, "agenda": activity.agenda,
                 "resolutions": [r.text for r in activity.resolutions.all()]},
        version=activity.minutes_version,
    )


