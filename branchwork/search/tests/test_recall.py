"""Recall: every document that contains a word is found, whatever script it is written in.

On real news (NTREX-128's test set in English, Simplified and Traditional Chinese, in
../shared/data when it is there) and on the project's own small fixture. The words are taken from
the middle of sentences: Chinese has no spaces, so finding them is the analyzer's work (the stock
backends find none of them).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from branchwork.search import analyzer, selectors
from branchwork.search.tests.conftest import FIXTURES, paragraphs, read_jsonl

NTREX = Path(settings.REPO_DIR).parent / "shared" / "data" / "ntrex-docs-en-zh.jsonl"

# Chosen after reading the data: content words that occur inside sentences (not at their start),
# in several documents each. 25 of two characters and 25 of four.
TWO = [
    "总统", "政府", "调查", "选举", "投票", "法院", "媒体", "安全", "组织", "新闻",
    "议员", "比赛", "影响", "帮助", "政治", "女性", "反对", "公司", "地区", "世界",
    "活动", "计划", "问题", "国家", "委员",
]
FOUR = [
    "最高法院", "中期选举", "美国总统", "死亡人数", "社交媒体", "工作人员", "外交部长", "英国脱欧",
    "领先优势", "民主党人", "接受治疗", "达成协议", "共和党人", "国会议员", "红十字会", "国家安全",
    "竞选活动", "公共服务", "职业生涯", "人工智能", "民意调查", "非法移民", "恐怖主义", "全民公投",
    "新闻媒体",
]
ENGLISH = [
    "parliament", "referendum", "earthquake", "tsunami", "election", "president", "police",
    "court", "senate", "nomination", "minister", "brexit", "investigation", "hospital", "school",
    "women", "economy", "market", "research", "military", "campaign", "prison", "water",
]
RECALL = 0.95


def found_ids(user, query: str) -> set[int]:
    """Every object id the search returns for `query`, all pages."""
    ids, page = set(), 1
    while True:
        results = selectors.search(user, query, page=page, per_page=selectors.MAX_PER_PAGE)
        ids |= {hit.object_id for hit in results.hits}
        if not results.has_next:
            return ids
        page += 1


def folded_text(doc: dict) -> str:
    return analyzer.fold(doc["title"] + "\n" + doc["body"])


def recall_report(words, docs, pages, *, langs, contains) -> tuple[float, list[str]]:
    """(recall over all (word, document) pairs, the misses)."""
    user = AnonymousUser()
    expected = found = 0
    misses = []
    for word in words:
        wanted = {pages[(d["doc_id"], d["lang"])] for d in docs if d["lang"] in langs and contains(word, d)}
        got = found_ids(user, word) & wanted
        expected += len(wanted)
        found += len(got)
        if len(got) < len(wanted):
            misses.append(f"{word}: {len(got)}/{len(wanted)}")
    return (found / expected if expected else 1.0), misses


def contains_chinese(word: str, doc: dict) -> bool:
    return word in folded_text(doc)


def contains_english(word: str, doc: dict) -> bool:
    return bool(re.search(rf"\b{re.escape(word)}\b", (doc["title"] + " " + doc["body"]).lower()))


# --- The project's own fixture (always runs) ---

FIXTURE_WORDS = ["训练", "数据", "党建", "理论", "经验交流", "极端天气", "经济发展", "开放时间", "模型规模",
                 "水利设施", "中小企业", "自习座位"]


def test_the_fixture_words_are_found_in_both_scripts(fixture_articles):
    docs = read_jsonl(FIXTURES / "documents.jsonl")
    pages = {key: article.pk for key, article in fixture_articles.items()}

    recall, misses = recall_report(FIXTURE_WORDS, docs, pages, langs={"zh-Hans", "zh-Hant"},
                                   contains=contains_chinese)

    assert recall == 1.0, misses


def test_training_is_found_inside_a_sentence_in_simplified_and_traditional(fixture_articles):
    ids = found_ids(AnonymousUser(), "训练")
    assert ids == {fixture_articles[("ml", "zh-Hans")].pk, fixture_articles[("ml", "zh-Hant")].pk}
    # And a Traditional query finds both too.
    assert found_ids(AnonymousUser(), "訓練") == ids


def test_english_queries_find_english_documents_by_their_stems(fixture_articles):
    clinic = fixture_articles[("clinic", "en")].pk
    assert found_ids(AnonymousUser(), "vaccines") == {clinic}  # "vaccinated", "Vaccination"
    assert found_ids(AnonymousUser(), "covid-19 boosters") == {clinic}
    assert found_ids(AnonymousUser(), "training data") == {fixture_articles[("ml", "en")].pk}
    assert found_ids(AnonymousUser(), '"data training"') == set()  # a phrase keeps its order


# --- NTREX (../shared/data) ---


@pytest.fixture(scope="module")
def ntrex(django_db_setup, django_db_blocker):
    """369 documents (123 stories in three versions) as pages of a channel, indexed as any page
    is (by the task worker, immediate in tests); removed again after the module."""
    if not NTREX.exists():
        pytest.skip(f"{NTREX} is absent (no ../shared/data beside the repository); the project's "
                    "own fixture (test_the_fixture_words_…) checks the same properties")
    from branchwork.publishing.models import ChannelPage
    from branchwork.publishing.testing import ensure_portal_root

    docs = read_jsonl(NTREX)
    with django_db_blocker.unblock():
        home = ensure_portal_root()
        channel = home.add_child(instance=ChannelPage(title="NTREX", slug="ntrex-news"))
        pages = {}
        for i, doc in enumerate(docs):
            page = channel.add_child(instance=ChannelPage(
                title=doc["title"][:255], slug=f"ntrex-{i}", intro=paragraphs(doc["body"])))
            pages[(doc["doc_id"], doc["lang"])] = page.pk
        yield docs, pages
        channel.delete()


def test_the_word_list_is_taken_from_the_middle_of_sentences():
    if not NTREX.exists():
        pytest.skip(f"{NTREX} is absent")
    text = "\n".join(folded_text(d) for d in read_jsonl(NTREX) if d["lang"] != "en")
    assert len(TWO) + len(FOUR) >= 30
    for word in TWO + FOUR:
        # Preceded by a Chinese character: inside a run of text that has no spaces.
        assert re.search(rf"[\u4e00-\u9fff]{re.escape(word)}", text), word


@pytest.mark.django_db
def test_ntrex_two_and_four_character_words_are_found_in_every_chinese_document(ntrex):
    docs, pages = ntrex

    recall, misses = recall_report(TWO + FOUR, docs, pages, langs={"zh-Hans", "zh-Hant"},
                                   contains=contains_chinese)

    assert recall >= RECALL, f"recall {recall:.3f}; missed: {misses}"


@pytest.mark.django_db
def test_ntrex_simplified_queries_find_the_traditional_versions(ntrex):
    docs, pages = ntrex

    recall, misses = recall_report(TWO + FOUR, docs, pages, langs={"zh-Hant"},
                                   contains=contains_chinese)
    assert recall >= RECALL, f"recall {recall:.3f}; missed: {misses}"

    # Story by story: a four-character word of the Simplified version (one the Traditional
    # version has too, once folded) finds the Traditional one.
    hant = {d["doc_id"]: d for d in docs if d["lang"] == "zh-Hant"}
    checked = 0
    for doc in docs:
        if doc["lang"] != "zh-Hans" or checked == 20:
            continue
        other = set(analyzer.index_terms(hant[doc["doc_id"]]["body"]))
        word = next((t for t in analyzer.index_terms(doc["body"]) if len(t) == 4 and t in other), None)
        if word is None:
            continue
        checked += 1
        assert pages[(doc["doc_id"], "zh-Hant")] in found_ids(AnonymousUser(), word), (doc["doc_id"], word)
    assert checked == 20


@pytest.mark.django_db
def test_ntrex_english_queries_find_the_english_documents(ntrex):
    docs, pages = ntrex

    recall, misses = recall_report(ENGLISH, docs, pages, langs={"en"}, contains=contains_english)

    assert recall >= RECALL, f"recall {recall:.3f}; missed: {misses}"
