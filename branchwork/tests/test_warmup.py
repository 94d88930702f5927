"""The server's warm-up (branchwork.warmup) renders the first pages through the application itself."""

from django.core.handlers.wsgi import WSGIHandler

from branchwork import warmup


def test_the_warm_up_renders_the_login_page_in_both_languages_and_compiles_the_templates(personas):
    done = warmup.warm_up(WSGIHandler(), close_connections=False)
    assert done["pages"]["/accounts/login/ zh-hans"] == 200
    assert done["pages"]["/accounts/login/ en"] == 200
    assert done["templates"] >= 40  # the project's own templates, compiled once


def test_the_warm_up_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("BRANCHWORK_WARMUP", "0")
    assert not warmup.enabled()
