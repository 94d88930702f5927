"""How long an issue of the journal takes to typeset (the issue's budget: ≤ 3 s for 20 articles).

`measure_issue_build()` writes a journal and one issue of `n_articles` articles of realistic
length (six paragraphs of Chinese text and two subheadings each, a 1200×800 JPEG picture with its
caption in every third article) and times the PDF build — reading the issue and typesetting it,
as the background task does — `repeat` times. Everything happens inside a transaction that is
rolled back, and the pictures' files are deleted afterwards, so it leaves nothing behind:

    branchwork shell -c "from branchwork.journal.bench import measure_issue_build as m; print(m())"
"""

from __future__ import annotations

import secrets
import statistics
import subprocess
import tempfile
import time

from django.conf import settings
from django.db import transaction
from django.utils import translation

BUDGET_S = 3.0


class _Rollback(Exception):
    pass


def _pages(data: bytes) -> int | None:
    try:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(data)
            f.flush()
            out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
    except OSError:
        return None
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def measure_issue_build(n_articles: int = 20, *, repeat: int = 5, image_every: int = 3) -> dict:
    """Median (and every run) of the PDF build of a generated issue, in seconds."""
    from wagtail.images import get_image_model

    from branchwork.core.models import Organization, OrganizationKind
    from branchwork.journal import content, pdf
    from branchwork.journal.testing import make_issue, make_journal

    runs: list[float] = []
    result: dict = {}
    image_files: list[str] = []
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            org = Organization.add_root(instance=Organization(
                code=f"bench-{secrets.token_hex(4)}", kind=OrganizationKind.BRANCH,
                name_zh="基准测试党支部", name_en="Bench branch"))
            journal = make_journal(org, slug=f"bench-{secrets.token_hex(4)}")
            issue, _titles, captions = make_issue(journal, n_articles=n_articles,
                                                  image_every=image_every)
            image_files = [img.file.name for img in get_image_model().objects.filter(
                title__in=captions)]
            data = b""
            for _ in range(repeat):
                started = time.perf_counter()
                snapshot = content.issue_content(issue)
                data = pdf.build_pdf(snapshot)
                runs.append(time.perf_counter() - started)
            result = {
                "name": "journal_issue_pdf",
                "label": f"Journal issue PDF build ({n_articles} articles, a picture in one "
                         f"of every {image_every})",
                "articles": n_articles, "pictures": len(captions), "pages": _pages(data),
                "bytes": len(data), "runs_s": [round(r, 4) for r in runs],
                "median_s": round(statistics.median(runs), 4), "budget_s": BUDGET_S,
            }
            result["pass"] = result["median_s"] <= BUDGET_S
            raise _Rollback
    except _Rollback:
        pass
    finally:
        from django.core.files.storage import default_storage

        for name in image_files:
            try:
                default_storage.delete(name)
            except OSError:
                pass
    return result
