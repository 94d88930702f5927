"""Helpers for tests of learning: held activities that last a given time."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile

from branchwork.activities.testing import at, held_activity
from branchwork.learning import services


def study_session(*, by, organization, day: tuple[int, int, int], minutes: int = 120,
                  types=("collective_study",), **extra):
    """A held activity of `types` on `day` at 14:30 lasting `minutes` (everyone present unless
    `absent` says otherwise)."""
    starts = at(*day)
    return held_activity(by=by, organization=organization, types=list(types), starts_at=starts,
                         ends_at=starts + datetime.timedelta(minutes=minutes), **extra)


NOTE_SENTINEL = "王博的私人心得 A-NOTE-5521"  # only in Bob's private study note
RETURN_SENTINEL = "请补充王博的结业证书 A-RETURNED-7342"  # why Bob's training was returned


def walk_world(personas) -> SimpleNamespace:
    """For the URL walk: branch A's 2026 plan with a document, Bob's private study note (the
    sentinel) and his external training, returned to him (the reason is a sentinel: for Bob and
    the secretary alone) so that its page to submit it again is walked."""
    p = personas
    plan = services.plan_create(by=p.alice, organization=p.branch_a, year=2026, title="2026年度学习计划")
    item = services.plan_item_add(by=p.alice, plan=plan, topic="学习党章", month=3,
                                  file=ContentFile(b"outline", name="outline.txt"))
    note = services.note_write(by=p.bob, person=p.people.bob, organization=p.branch_a, item=item,
                               title="学习党章的体会", body=NOTE_SENTINEL)
    training = services.training_submit(
        by=p.bob, person=p.people.bob, organization=p.branch_a, title="党校专题班", provider="区委党校",
        starts_on=datetime.date(2026, 5, 6), ends_on=datetime.date(2026, 5, 8), hours=Decimal("12"),
        evidence=ContentFile(b"%PDF-1.4", name="certificate.pdf"))
    services.training_return(by=p.alice, training=training, comment=RETURN_SENTINEL)
    return SimpleNamespace(plan=plan, item=item, note=note, training=training)
