"""`branchwork load_demo` as `make demo` runs it: every app's part, the logins printed, and the
site search ready when the command returns (no worker has run)."""

import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils.html import strip_tags
from django_tasks_db.models import DBTaskResult

from branchwork.core import demo
from branchwork.search import selectors as search


def test_load_demo_prints_each_login_and_the_site_search_finds_the_demo_at_once(db, settings):
    # Tasks are queued for the worker as in a deployment, not run at once as elsewhere in the
    # suite: whatever the search finds below, load_demo indexed itself.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    for spec in demo.LOGINS:
        assert spec.username in text
    assert "李婧 · 研究室党支部 · 书记" in text
    assert "Li Jing · Research Office Party Branch · Secretary" in text
    assert settings.DEMO_PASSWORD in text

    # No task per saved object (the journal's two issue PDFs are queued when the load's
    # transaction commits, which it never does in a test).
    assert not DBTaskResult.objects.exists()
    hits = search.search(AnonymousUser(), "四强党支部").hits
    assert "以“四强”党支部创建推动机关党建提质增效" in {strip_tags(h.title) for h in hits}
    secretary = get_user_model().objects.get(username="lijing")
    found = search.search(secretary, "唐佳欣 预备党员", filters={"kind": "activity"}).hits
    assert any("唐佳欣" in strip_tags(h.title) for h in found)
