import pytest

from branchwork.core.testing import PASSWORD, build_personas


@pytest.fixture
def personas(db):
    """Alice (secretary of A), Bob (member of A), Carol (member of B), Dan (committee staff)."""
    return build_personas()


@pytest.fixture
def login(client):
    """login(user) → the test client, logged in as that user (None stays anonymous)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="branchwork.core.auth.UsernameOrEmailBackend")
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD
