import json
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def paragraphs(text: str) -> str:
    from django.utils.html import escape

    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def home(db):
    from branchwork.publishing.testing import ensure_portal_root

    return ensure_portal_root()


@pytest.fixture
def fixture_articles(home):
    """The fixture's documents as public articles of a channel: {(doc_id, lang): article}."""
    from branchwork.publishing.testing import make_article, make_channel

    channel = make_channel(home, "资料", "ziliao")
    return {
        (doc["doc_id"], doc["lang"]): make_article(
            channel, doc["title"], body_html=paragraphs(doc["body"]),
            language="en" if doc["lang"] == "en" else "zh-hans",
        )
        for doc in read_jsonl(FIXTURES / "documents.jsonl")
    }
