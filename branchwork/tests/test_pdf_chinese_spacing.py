"""Chinese typography in every PDF we make: no space between Chinese and digits in dates and
counts ("2026年12月10日", "第3期", "共12人"), as Chinese official documents are set. Typst puts a
quarter-em between Chinese and Latin by default, which pdftotext reads back as a space.

Each PDF is read back with pdftotext: the ledger, an issue of the journal, and a lecture's
slides (made by the lecture hall's demo)."""

import datetime
import re
import subprocess

import pytest
from django.utils import translation

from branchwork.journal import content, pdf
from branchwork.journal.testing import make_issue, make_journal
from branchwork.lectures import demo as lecture_demo
from branchwork.reports import ledger
from branchwork.reports.tests.conftest import make_ledger_world

HAN = "\u4e00-\u9fff"
SPACED = re.compile(rf"[0-9][ \t\u00a0\u2009]+[{HAN}]|[{HAN}][ \t\u00a0\u2009]+[0-9]")


def spaced_digits(pdf_bytes: bytes, tmp_path) -> list[str]:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    # A time follows its date after a space ("2026年11月16日 10:00"), as it should.
    return [line for line in text.splitlines() if SPACED.search(re.sub(r"\s\d{1,2}:\d{2}\b", "", line))]


def test_the_checker_sees_a_spaced_date(tmp_path):
    """The check itself: a PDF that spaces its digits is caught."""
    import typst

    spaced = typst.compile(b'#set text(font: "Noto Serif CJK SC", lang: "zh")\n2026 \xe5\xb9\xb4 12 \xe6\x9c\x88',
                           format="pdf")
    assert spaced_digits(spaced, tmp_path)


@pytest.mark.django_db
def test_the_ledger_sets_dates_and_counts_without_spaces(personas, tmp_path):
    make_ledger_world(personas)
    with translation.override("zh-hans"):
        pdf_bytes, _name = ledger.build(organization=personas.branch_a, year=2025, fmt="pdf")
    assert not spaced_digits(pdf_bytes, tmp_path)


@pytest.mark.django_db
def test_the_journal_sets_dates_and_counts_without_spaces(personas, tmp_path):
    journal = make_journal(personas.branch_a, slug="tongxun")
    issue, _titles, _captions = make_issue(journal, n_articles=3, image_every=0, paragraphs=2, number=3,
                                           published_on=datetime.date(2026, 12, 10))
    with translation.override("zh-hans"):
        pdf_bytes = pdf.build_pdf(content.issue_content(issue))
    assert not spaced_digits(pdf_bytes, tmp_path)


def test_lecture_slides_set_dates_without_spaces(tmp_path):
    spec = lecture_demo.TalkSpec("年终回望", datetime.date(2026, 12, 10),
                                 slides=("2026年12月10日的讲座", "共3个部分"))
    pdf_bytes = lecture_demo._slides_pdf(spec, "李婧")
    if pdf_bytes is None:
        pytest.skip("Typst or its fonts are missing")
    assert not spaced_digits(pdf_bytes, tmp_path)
