import pytest
from django.utils import translation

from branchwork.awards.testing import AWARDS_NOW


@pytest.fixture(autouse=True)
def _test_clock(time_machine):
    """The awards tests run on a day inside their competition's window (testing.AWARDS_NOW),
    whatever the suite's moment: their rules, ages and messages name those dates. Replaces the
    suite's clock fixture of the same name (branchwork/conftest.py); a test may still move it."""
    time_machine.move_to(AWARDS_NOW, tick=True)


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages of services read in English here (pages pick their language per request)."""
    with translation.override("en"):
        yield
