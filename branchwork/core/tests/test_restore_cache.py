"""`branchwork restore` leaves nothing cached from the database it replaced (issue 13): a shared
cache outlives the servers stopped for the restore, and the readers cached under the access
generation would otherwise answer with the old roles until they expire."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from branchwork.core import backup


@pytest.mark.django_db
def test_restore_forgets_what_the_cache_held_of_the_old_database(monkeypatch, tmp_path):
    summary = backup.Summary()
    summary.add("restored (stand-in)")
    monkeypatch.setattr(backup, "restore", lambda src: summary)
    cache.set("reader:stale", "roles of the database that is gone", None)
    cache.set("portal:page:stale", "<p>an article since deleted</p>", None)

    out = StringIO()
    call_command("restore", str(tmp_path), stdout=out)

    assert cache.get("reader:stale") is None
    assert cache.get("portal:page:stale") is None
    assert "cache: cleared" in out.getvalue()
