"""The server's warm-up (branchwork.warmup) renders the first pages through the application itself."""

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from branchwork import warmup


def test_the_warm_up_renders_the_login_page_in_both_languages_and_compiles_the_templates(personas):
    # As Django's test client does: the requests must not close the test's own connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        done = warmup.warm_up(WSGIHandler(), close_connections=False)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert done["pages"]["/accounts/login/ zh-hans"] == 200
    assert done["pages"]["/accounts/login/ en"] == 200
    assert done["templates"] >= 40  # the project's own templates, compiled once


def test_the_warm_up_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("BRANCHWORK_WARMUP", "0")
    assert not warmup.enabled()
