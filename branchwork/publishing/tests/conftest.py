import pytest

from branchwork.publishing.testing import build_portal


@pytest.fixture
def portal(personas):
    """The personas, an editor (editor1) and a signer (signer1), the workflow, a contributions channel."""
    return build_portal(personas)
