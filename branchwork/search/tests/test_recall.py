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

from branchwork.search import selectors
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

# The expectations come from the data and from this hand-written list, never from the analyzer:
# a Simplified document is expected for a word when its text contains the word; a Traditional
# one when its text contains the word's Traditional form, written here by hand (the standard
# character-for-character form; regional vocabulary such as 計畫 for 计划 is not script
# conversion, and a document using it is not expected).
TRADITIONAL = {
    "总统": "總統", "政府": "政府", "调查": "調查", "选举": "選舉", "投票": "投票", "法院": "法院",
    "媒体": "媒體", "安全": "安全", "组织": "組織", "新闻": "新聞", "议员": "議員", "比赛": "比賽",
    "影响": "影響", "帮助": "幫助", "政治": "政治", "女性": "女性", "反对": "反對", "公司": "公司",
    "地区": "地區", "世界": "世界", "活动": "活動", "计划": "計劃", "问题": "問題", "国家": "國家",
    "委员": "委員",
    "最高法院": "最高法院", "中期选举": "中期選舉", "美国总统": "美國總統", "死亡人数": "死亡人數",
    "社交媒体": "社交媒體", "工作人员": "工作人員", "外交部长": "外交部長", "英国脱欧": "英國脫歐",
    "领先优势": "領先優勢", "民主党人": "民主黨人", "接受治疗": "接受治療", "达成协议": "達成協議",
    "共和党人": "共和黨人", "国会议员": "國會議員", "红十字会": "紅十字會", "国家安全": "國家安全",
    "竞选活动": "競選活動", "公共服务": "公共服務", "职业生涯": "職業生涯", "人工智能": "人工智能",
    "民意调查": "民意調查", "非法移民": "非法移民", "恐怖主义": "恐怖主義", "全民公投": "全民公投",
    "新闻媒体": "新聞媒體",
    # The project's own fixture.
    "训练": "訓練", "数据": "數據", "党建": "黨建", "理论": "理論", "经验交流": "經驗交流",
    "极端天气": "極端天氣", "经济发展": "經濟發展", "开放时间": "開放時間", "模型规模": "模型規模",
    "水利设施": "水利設施", "中小企业": "中小企業", "自习座位": "自習座位",
}


def found_ids(user, query: str) -> set[int]:
    """Every object id the search returns for `query`, all pages."""
    ids, page = set(), 1
    while True:
        results = selectors.search(user, query, page=page, per_page=selectors.MAX_PER_PAGE)
        ids |= {hit.object_id for hit in results.hits}
        if not results.has_next:
            return ids
        page += 1


def text_of(doc: dict) -> str:
    return doc["title"] + "\n" + doc["body"]


def recall_report(words, docs, pages, *, langs, contains, query=lambda word: word,
                  ) -> tuple[float, list[str]]:
    """(recall over all (word, document) pairs, the misses)."""
    user = AnonymousUser()
    expected = found = 0
    misses = []
    for word in words:
        wanted = {pages[(d["doc_id"], d["lang"])] for d in docs if d["lang"] in langs and contains(word, d)}
        got = found_ids(user, query(word)) & wanted
        expected += len(wanted)
        found += len(got)
        if len(got) < len(wanted):
            misses.append(f"{word}: {len(got)}/{len(wanted)}")
    return (found / expected if expected else 1.0), misses


def contains_chinese(word: str, doc: dict) -> bool:
    """The document has the word, in its own script (the form in TRADITIONAL for zh-Hant)."""
    form = TRADITIONAL[word] if doc["lang"] == "zh-Hant" else word
    return form in text_of(doc)


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
    text = "\n".join(text_of(d) for d in read_jsonl(NTREX) if d["lang"] == "zh-Hans")
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

    # And the other way round: each word's Traditional form finds the Simplified documents.
    recall, misses = recall_report(
        TWO + FOUR, docs, pages, langs={"zh-Hans"}, contains=contains_chinese,
        query=lambda word: TRADITIONAL[word])
    assert recall >= RECALL, f"recall {recall:.3f}; missed: {misses}"


@pytest.mark.django_db
def test_ntrex_english_queries_find_the_english_documents(ntrex):
    docs, pages = ntrex

    recall, misses = recall_report(ENGLISH, docs, pages, langs={"en"}, contains=contains_english)

    assert recall >= RECALL, f"recall {recall:.3f}; missed: {misses}"
