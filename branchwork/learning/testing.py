"""Helpers for tests of learning: held activities that last a given time."""

import datetime

from branchwork.activities.testing import at, held_activity


def study_session(*, by, organization, day: tuple[int, int, int], minutes: int = 120,
                  types=("collective_study",), **extra):
    """A held activity of `types` on `day` at 14:30 lasting `minutes` (everyone present unless
    `absent` says otherwise)."""
    starts = at(*day)
    return held_activity(by=by, organization=organization, types=list(types), starts_at=starts,
                         ends_at=starts + datetime.timedelta(minutes=minutes), **extra)
