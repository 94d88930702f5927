import pytest
from django.core.files.storage import default_storage

from branchwork.journal.bench import measure_issue_build
from branchwork.journal.models import Journal

pytestmark = pytest.mark.django_db


def _stored_images() -> set[str]:
    try:
        return set(default_storage.listdir("original_images")[1])
    except FileNotFoundError:
        return set()


def test_the_bench_measures_and_leaves_nothing_behind():
    # Other tests in the same process may have stored images: compare with what was there.
    before = _stored_images()
    result = measure_issue_build(n_articles=4, repeat=2)
    assert result["articles"] == 4 and result["pictures"] == 2
    assert len(result["runs_s"]) == 2 and result["median_s"] > 0
    assert result["pages"] == 5  # cover, contents, and four short articles run on over three pages
    assert result["pass"] is True
    assert not Journal.objects.exists()
    assert _stored_images() == before
