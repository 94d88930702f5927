import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from branchwork.learning import services
from branchwork.learning.testing import NOTE_SENTINEL as NOTE_SECRET

EVIDENCE = b"%PDF-1.4 certificate of Bob"


@pytest.fixture
def learning(personas):
    """Branch A's plan for 2026, Bob's private note (a sentinel), Bob's external training."""
    p = personas
    p.plan = services.plan_create(by=p.alice, organization=p.branch_a, year=2026, title="2026年度学习计划",
                                  intro="每月一个专题。")
    p.item = services.plan_item_add(by=p.alice, plan=p.plan, topic="学习党章", month=3,
                                    file=ContentFile(b"chapter one", name="党章学习提纲.txt"))
    p.note = services.note_write(by=p.bob, person=p.people.bob, organization=p.branch_a, item=p.item,
                                 title="学习党章的体会", body=NOTE_SECRET)
    p.training = services.training_submit(
        by=p.bob, person=p.people.bob, organization=p.branch_a, title="党校专题班", provider="区委党校",
        starts_on=datetime.date(2026, 5, 6), ends_on=datetime.date(2026, 5, 8), hours=Decimal("12"),
        evidence=ContentFile(EVIDENCE, name="certificate.pdf"))
    return p
