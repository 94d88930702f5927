import pytest
from rest_framework.test import APIClient

from branchwork.core import services


@pytest.fixture
def api():
    """api(user) → an API client that sends that user's token (None sends no credentials).

    A token, as real clients use, rather than force_authenticate(): each request then loads its
    user afresh, so nothing computed for one request leaks into the next.
    """

    def _api(user):
        client = APIClient()
        if user is not None:
            client.credentials(
                HTTP_AUTHORIZATION=f"Token {services.api_token_issue(user=user).key}"
            )
        return client

    return _api
