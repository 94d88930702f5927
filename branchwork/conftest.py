import os
from functools import partial

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from branchwork.browser import LAUNCH_ARGS, system_chromium
from branchwork.core.testing import PASSWORD, TEST_NOW, build_personas, needs_second_factor, verify_session

# Generated examples are the same on every run (a failure reproduces) and their speed is not
# judged: on a busy two-core machine generation itself can be slow, which says nothing of the code.
settings.register_profile("branchwork", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("branchwork")



@pytest.fixture(autouse=True)
def _test_clock(time_machine):
    """Every test starts at the suite's moment (core.testing.TEST_NOW), whatever the date."""
    time_machine.move_to(TEST_NOW, tick=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: ids of rolled-back rows come back in the next test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def personas(db):
    """Alice (secretary of A), Bob (member of A), Carol (member of B), Dan (committee staff)."""
    return build_personas()


_force_login_unverified = Client.force_login


@pytest.fixture(autouse=True)
def _staff_logins_show_their_second_factor(monkeypatch):
    """`force_login` of someone who must use a second factor (the back office, the committee's
    staff; core.auth) gives a session that has shown it, as after the code step, so that tests
    about other things need not type codes. `login(user, verified=False)` leaves it owing."""

    def force_login(self, user, backend=None):
        _force_login_unverified(self, user, backend)
        if needs_second_factor(user):
            verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def login(client):
    """login(user) → the test client, logged in as that user (None stays anonymous); with
    `verified=False` a session that still owes its second factor, where one is asked."""

    def _login(user, *, verified: bool = True):
        client.logout()
        if user is not None:
            log_in = client.force_login if verified else partial(_force_login_unverified, client)
            log_in(user, backend="branchwork.core.auth.UsernameOrEmailBackend")
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the whole session (skips when there is none)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright runs an event loop in this thread; the ORM calls tests make beside it are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = system_chromium()
    with sync_api.sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        except sync_api.Error as exc:
            pytest.skip(f"no Chromium to drive (install Debian's chromium package): {exc}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844},
        device_scale_factor=2, is_mobile=True, has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(autouse=True, scope="session")
def _verify_prepared_queries():
    """Every query compiled once per shape (core/prepared.py) is also compiled afresh in the tests
    and compared, so a shape whose SQL would differ fails the test that asks it."""
    from branchwork.core import prepared

    prepared.VERIFY = True
    yield
    prepared.VERIFY = False
