import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages of services read in English here (pages pick their language per request)."""
    with translation.override("en"):
        yield
