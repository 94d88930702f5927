"""Two secretaries decide the same external training at the same moment: one decision is
written, the other refused, whatever the order; the row lock makes the second read the first."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connections

from branchwork.core.conflicts import Conflict
from branchwork.core.models import Role
from branchwork.core.testing import PersonFactory, UserFactory, give_role
from branchwork.learning import services
from branchwork.learning.models import ExternalTraining, TrainingStatus


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Conflict as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_approve_and_return_one_wins_and_the_other_is_refused(personas):
    p = personas
    deputy = PersonFactory(name="副书记", user=UserFactory(username="deputy"))
    give_role(deputy, p.branch_a, Role.DEPUTY_SECRETARY)
    for round_ in range(6):
        training = services.training_submit(
            by=p.bob, person=p.people.bob, organization=p.branch_a, title=f"培训{round_}", provider="党校",
            starts_on=datetime.date(2026, 5, 6), ends_on=datetime.date(2026, 5, 8), hours=Decimal("8"),
            evidence=ContentFile(b"%PDF-1.4", name="c.pdf"))
        a, b = (ExternalTraining.objects.get(pk=training.pk) for _ in range(2))
        results = _race([
            lambda: services.training_approve(by=p.alice, training=a),
            lambda: services.training_return(by=deputy.user, training=b, comment="证明不清晰"),
        ])
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(refused) == 1, results
        fresh = ExternalTraining.objects.get(pk=training.pk)
        winner = TrainingStatus.APPROVED if not isinstance(results[0], Conflict) else TrainingStatus.RETURNED
        assert fresh.status == winner
        assert fresh.comment == ("" if winner == TrainingStatus.APPROVED else "证明不清晰")


@pytest.mark.django_db(transaction=True)
def test_two_windows_submitting_returned_training_again_one_is_refused(personas):
    """The member sends the corrected form from two windows at once (or the approval comes
    between): the row lock makes the second read the first's state and refuse."""
    p = personas
    for round_ in range(4):
        training = services.training_submit(
            by=p.bob, person=p.people.bob, organization=p.branch_a, title=f"培训{round_}", provider="党校",
            starts_on=datetime.date(2026, 5, 6), ends_on=datetime.date(2026, 5, 8), hours=Decimal("8"),
            evidence=ContentFile(b"%PDF-1.4", name="c.pdf"))
        services.training_return(by=p.alice, training=training, comment="请补充")
        a, b = (ExternalTraining.objects.get(pk=training.pk) for _ in range(2))
        results = _race([
            lambda: services.training_resubmit(by=p.bob, training=a, hours=Decimal("10")),
            lambda: services.training_resubmit(by=p.bob, training=b, hours=Decimal("20")),
        ])
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(refused) == 1, results
        fresh = ExternalTraining.objects.get(pk=training.pk)
        assert fresh.status == TrainingStatus.SUBMITTED
        assert fresh.hours == (Decimal("10") if not isinstance(results[0], Conflict) else Decimal("20"))
