"""How fast the search finds Chinese and English words in 100,000 documents (issue 5: a
two-character word's p95 ≤ 30 ms through the project's search function, and within 3× of a bare
FTS5 MATCH on the same index), and how Wagtail's stock database backend does on the same
documents (recall and latency), side by side in one run.

Documents: N pages (plain Wagtail pages under ten channels, bulk-inserted) whose text is made of
sentences sampled from NTREX-128 (../shared/data, real news in Simplified and Traditional
Chinese and English) when it is there, else from a generator of our own; about half Simplified,
a sixth Traditional, a quarter English, the rest Chinese with English sentences mixed in. They
are indexed through `branchwork.search.indexing.write_docs`, the path every save takes.

Queries: 40 two-character words, 40 four-character words and 40 English words taken from random
documents (so common words come up as often as people type them). Timed per query:
- ours: `branchwork.search.selectors.search(AnonymousUser(), word)`, everything the search page
  needs: permission filter, facets, total, one page of 20 with highlighted snippets;
- floor: `SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 20` with the same match
  expression on the same index (a bare ranked full-text search; the budget's "3× the floor");
  also reported: the same without `ORDER BY rank` (the first 20 matches, unranked);
- stock: Wagtail's SQLite backend after rebuilding the index its way on the same pages
  (`search(word, Page.objects.live().public())`: its count and first 20).
Recall: the share of (word, document containing it) pairs found; "containing" is substring
after folding for Chinese and whole word for English.

    python bench/search_bench.py --repeat 3 --docs 20000 --out search.json   # normally run.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

from generate import setup_django

BUDGET_TWO_P95_S = 0.030
FLOOR_FACTOR = 3.0
QUERIES_PER_CLASS = 40
NTREX = Path(__file__).resolve().parents[2] / "shared" / "data" / "ntrex-docs-en-zh.jsonl"
CHANNELS = ("要闻", "理论学习", "支部动态", "调查研究", "国际交流", "科技", "经济", "社会", "文化", "专题")

# --- Our own sentence generator (used when ../shared is absent) ---

SUBJECTS = ("研究团队", "第一党支部", "市图书馆", "专家组", "调研组", "青年党员", "机关党委", "研究室", "课题组",
            "科技企业", "地方政府", "社区居委会", "学校", "医院", "合作社", "数据中心", "编辑部", "代表团")
VERBS = ("开展", "组织", "完成", "发布", "讨论", "推进", "总结", "部署", "研究", "介绍", "提出", "加强", "支持",
         "评估", "参加", "举办", "落实", "分析")
OBJECTS = ("党建工作", "理论学习", "调查研究", "经验交流", "主题党日活动", "年度报告", "深度学习模型", "训练数据",
           "乡村振兴课题", "数字经济", "公共服务", "水利设施建设", "营商环境", "国际合作", "人工智能应用",
           "职业教育", "医疗保障", "生态保护", "文化遗产", "疫苗接种", "气候变化", "粮食安全", "城市更新",
           "科技创新", "社会治理", "民意调查")
TAILS = ("取得积极成效", "进行了深入讨论", "提出了改进建议", "形成了问题清单", "明确了下一步计划",
         "得到了广泛关注", "保持稳定增长", "面临新的挑战", "需要进一步加强", "受到群众欢迎")
PLACES = ("在北京", "在上海", "在成都", "在武汉", "在西安", "在广州", "在会上", "在报告中", "在座谈中", "近日")
EN_SUBJECTS = ("The research team", "The branch", "The city library", "Experts", "The survey group",
               "Young members", "The committee", "Health workers", "The delegation", "Engineers")
EN_VERBS = ("discussed", "published", "reviewed", "organized", "completed", "supported", "analyzed",
            "presented", "strengthened", "evaluated")
EN_OBJECTS = ("the annual report", "training data for deep learning models", "party building work",
              "rural revitalization", "the digital economy", "public services", "irrigation works",
              "international cooperation", "vaccination campaigns", "climate adaptation", "food security",
              "urban renewal", "scientific innovation", "cultural heritage", "vocational education")
EN_TAILS = ("with good results.", "in detail.", "and proposed improvements.", "for the coming year.",
            "despite new challenges.", "after months of preparation.", "at a meeting on Monday.")


def generated_pools(rng: random.Random, size: int = 6000) -> dict[str, list[str]]:
    import opencc

    s2t = opencc.OpenCC("s2t")
    zh = [f"{rng.choice(SUBJECTS)}{rng.choice(PLACES)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
          f"{rng.choice(OBJECTS)}{rng.choice(TAILS)}。" for _ in range(size)]
    en = [f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_VERBS)} {rng.choice(EN_OBJECTS)} {rng.choice(EN_TAILS)}"
          for _ in range(size)]
    return {"zh-Hans": zh, "zh-Hant": [s2t.convert(s) for s in zh[: size // 2]], "en": en}


def ntrex_pools() -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {"zh-Hans": [], "zh-Hant": [], "en": []}
    for line in NTREX.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if doc["lang"] == "en":
            parts = [s.strip() for s in doc["body"].splitlines()]
        else:
            parts = [s.strip() for s in re.split(r"(?<=[。！？])|\n", doc["body"])]
        pools[doc["lang"]].extend(p for p in parts if len(p) >= 8)
    return pools


def make_documents(n: int, rng: random.Random, pools: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(language, title, body) × n."""
    docs = []
    langs, weights = ("zh-Hans", "zh-Hant", "en", "mixed"), (50, 15, 25, 10)
    for _ in range(n):
        lang = rng.choices(langs, weights)[0]
        count = rng.randint(4, 12)
        if lang == "mixed":
            sentences = rng.sample(pools["zh-Hans"], count) + rng.sample(pools["en"], 2)
            rng.shuffle(sentences)
        else:
            sentences = rng.sample(pools[lang], count)
        limit = 80 if lang == "en" else 30
        title = sentences[0][:limit].rstrip("，。,. ")
        docs.append((lang, title, "\n".join(sentences[1:])))
    return docs


# --- Measuring ---


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--skip-stock", action="store_true",
                        help="leave our index in place (to look at it) and skip the stock backend")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--truth", action="store_true",
                        help="issue 17: every visible match, truth by construction, anonymous and member")
    parser.add_argument("--database", help="--truth on PostgreSQL: a URL whose database the pass makes and drops")
    parser.add_argument("--keep", action="store_true", help="keep the --database afterwards")
    args = parser.parse_args(argv)
    if args.truth:
        from search_truth import truth_main  # the --truth pass, in its own module

        return truth_main(args)

    setup_django()
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend
    from modelsearch.conf import get_app_config
    from modelsearch.index import SearchField
    from wagtail.models import Page

    from branchwork.search import analyzer, indexing, selectors
    from branchwork.search.kinds import Filing
    from branchwork.search.models import SearchDocument

    rng = random.Random(args.seed)
    notes: list[str] = []
    started = time.perf_counter()
    if NTREX.exists():
        pools, source = ntrex_pools(), "NTREX-128 sentences (../shared/data)"
    else:
        pools, source = generated_pools(rng), "sentences from the bench's own generator"
        notes.append("../shared/data is absent: documents are made of generated sentences.")
    docs = make_documents(args.docs, rng, pools)

    # Pages: ten channels under the home page, the documents spread over them.
    home = Page.objects.filter(depth=2).order_by("path").first()
    locale_id = home.locale_id
    channels = [home.add_child(instance=Page(title=title, slug=f"bench-{i}", locale_id=locale_id))
                for i, title in enumerate(CHANNELS)]
    page_type = ContentType.objects.get_for_model(Page)
    now = timezone.now()
    rows, dates = [], []
    per_channel: dict[int, int] = {}
    for i, (_lang, title, _body) in enumerate(docs):
        channel = channels[i % len(channels)]
        step = per_channel[channel.pk] = per_channel.get(channel.pk, 0) + 1
        slug = f"d{i}"
        date = now - datetime.timedelta(days=rng.randint(0, 6 * 365), minutes=rng.randint(0, 1440))
        dates.append(date)
        rows.append(Page(
            title=title or "—", draft_title=title or "—", slug=slug, content_type=page_type,
            path=Page._get_path(channel.path, channel.depth + 1, step), depth=channel.depth + 1,
            numchild=0, url_path=f"{channel.url_path}{slug}/", live=True, locale_id=locale_id,
            first_published_at=date, last_published_at=date,
        ))
    with transaction.atomic():
        created = Page.objects.bulk_create(rows, batch_size=2000)
        for channel in channels:
            Page.objects.filter(pk=channel.pk).update(numchild=per_channel.get(channel.pk, 0))
    page_ids = [p.pk for p in created]
    generate_s = time.perf_counter() - started
    print(f"{len(docs)} documents ({source}) as pages in {generate_s:.1f} s")

    # --- Our index, built the way every save writes it ---
    channel_of = {p.pk: channels[i % len(channels)].pk for i, p in enumerate(created)}
    chars = sum(len(t) + len(b) for _l, t, b in docs)
    sample = docs[:5000]
    analyze_s, _ = timed(lambda: [analyzer.index_terms(t + "\n" + b) for _l, t, b in sample])
    analyzer_rate = sum(len(t) + len(b) + 1 for _l, t, b in sample) / analyze_s

    def build_ours():
        with transaction.atomic():
            batch = []
            for pk, (_lang, title, body), date in zip(page_ids, docs, dates, strict=True):
                batch.append(indexing.Doc(page_type.pk, pk, title, body, title,
                                          Filing(kind="page", channel_id=channel_of[pk], date=date)))
                if len(batch) == 1000:
                    indexing.write_docs(batch)
                    batch = []
            indexing.write_docs(batch)
            indexing.refresh_title_norms(full=True)
        fts = get_app_config().get_model("SQLiteFTSIndexEntry")._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")

    build_s, _ = timed(build_ours)
    print(f"our index: {build_s:.1f} s, {len(docs) / build_s:,.0f} documents/s")

    # --- Queries and what they should find ---
    folded = [analyzer.fold(t + "\n" + b) for _l, t, b in docs]
    lowered = [(t + "\n" + b).lower() for _l, t, b in docs]
    han = re.compile(r"^[\u4e00-\u9fff]+$")
    chinese_docs = [i for i, (lang, _t, _b) in enumerate(docs) if lang != "en"]
    english_docs = [i for i, (lang, _t, _b) in enumerate(docs) if lang in ("en", "mixed")]

    def pick(candidates_of, doc_ids) -> list[str]:
        chosen: list[str] = []
        tries = 0
        while len(chosen) < QUERIES_PER_CLASS and tries < 20_000:
            tries += 1
            words = candidates_of(rng.choice(doc_ids))
            if words:
                word = rng.choice(words)
                if word not in chosen:
                    chosen.append(word)
        return chosen

    def two_char(i):
        return [t for t in analyzer.terms_of_folded(folded[i])[0] if len(t) == 2 and han.match(t)]

    def four_char(i):
        main = analyzer.terms_of_folded(folded[i])[0]
        words = [t for t in main if len(t) == 4 and han.match(t)]
        words += [a + b for a, b in zip(main, main[1:], strict=False)
                  if len(a) == len(b) == 2 and han.match(a + b) and a + b in folded[i]]
        return words

    stop = {"that", "this", "with", "from", "have", "were", "said", "they", "their", "been", "will",
            "would", "about", "which", "there", "after", "also", "more", "than", "into", "when"}

    def english(i):
        return [w for w in re.findall(r"[a-z]{4,}", lowered[i]) if w not in stop]

    classes = {
        "two": ("two-character Chinese words", pick(two_char, chinese_docs)),
        "four": ("four-character Chinese words", pick(four_char, chinese_docs)),
        "english": ("English words", pick(english, english_docs)),
    }
    truth: dict[str, set[int]] = {}
    for key, (_label, words) in classes.items():
        for word in words:
            if key == "english":
                pattern = re.compile(rf"\b{word}\b")
                truth[word] = {page_ids[i] for i in english_docs if pattern.search(lowered[i])}
            else:
                truth[word] = {page_ids[i] for i in chinese_docs if word in folded[i]}

    fts = get_app_config().get_model("SQLiteFTSIndexEntry")._meta.db_table
    documents_table = SearchDocument._meta.db_table

    def match_of(word):
        return "{title body} : (" + analyzer.fts5_match(analyzer.parse_query(word)) + ")"

    def ours_found(word) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT d.object_pk FROM {fts} JOIN {documents_table} d ON d.entry_id = {fts}.rowid "
                           f"WHERE {fts} MATCH %s", [match_of(word)])
            return {row[0] for row in cursor.fetchall()}

    def floor(word):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s ORDER BY rank LIMIT 20",
                           [match_of(word)])
            return cursor.fetchall()

    def first20(word):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s LIMIT 20", [match_of(word)])
            return cursor.fetchall()

    anonymous = AnonymousUser()

    def ours(word):
        return selectors.search(anonymous, word)

    def recall(found_of, words) -> float:
        wanted = sum(len(truth[w]) for w in words)
        got = sum(len(truth[w] & found_of(w)) for w in words)
        return got / wanted if wanted else 1.0

    passes = max(1, args.repeat - 1)
    latencies: dict[tuple[str, str], list[float]] = {}
    recalls: dict[str, dict[str, float]] = {}
    frequency: dict[str, dict[str, float]] = {}
    for key, (_label, words) in classes.items():
        recalls[key] = {"ours": round(recall(ours_found, words), 4)}
        sizes = [len(truth[w]) for w in words]
        frequency[key] = {"words": len(words), "median_docs": statistics.median(sizes), "max_docs": max(sizes),
                          "examples": words[:8]}
        for word in words[:3]:
            assert ours(word).total == min(len(ours_found(word)), selectors.max_matches()), word
        for name, fn in (("ours", ours), ("floor", floor), ("first20", first20)):
            warmup, _ = timed(lambda fn=fn: [fn(w) for w in words])
            samples = [timed(lambda fn=fn, w=w: fn(w))[0] for _ in range(passes) for w in words]
            latencies[(key, name)] = [warmup / len(words), *samples]

    if args.skip_stock:
        partial = {"benchmark": "search", "recall": recalls, "latencies_ms": {
            f"{k}_{n}": [round(1000 * statistics.median(v[1:]), 2), round(1000 * p95(v[1:]), 2)]
            for (k, n), v in latencies.items()}}
        if args.out:
            args.out.write_text(json.dumps(partial, ensure_ascii=False, indent=2))
        return partial

    # --- Wagtail's stock database backend on the same pages ---
    SearchDocument.objects.all()._raw_delete(using="default")
    indexing.index_entry_model().objects.all()._raw_delete(using="default")
    stock = SQLiteSearchBackend({})
    stock_index = stock.get_index_for_model(Page)
    fields = [SearchField("title"), SearchField("body")]
    body_of = dict(zip(page_ids, (b for _l, _t, b in docs), strict=True))

    def build_stock():
        with transaction.atomic():
            for start in range(0, len(page_ids), 1000):
                pages = list(Page.objects.filter(pk__in=page_ids[start:start + 1000]))
                for page in pages:
                    page.body = body_of[page.pk]
                    page.get_search_fields = lambda fields=fields: fields
                stock_index.add_items(Page, pages)

    stock_build_s, _ = timed(build_stock)
    print(f"stock index: {stock_build_s:.1f} s")
    public = Page.objects.live().public()

    def stock_page(word):
        results = stock.search(word, public)
        return results.count(), list(results[:20])

    def stock_found(word) -> set[int]:
        return set(stock.search(word, Page.objects.all(), order_by_relevance=False)
                   .get_queryset().values_list("pk", flat=True))

    for key, (_label, words) in classes.items():
        recalls[key]["stock"] = round(recall(stock_found, words), 4)
        samples = [timed(lambda w=w: stock_page(w))[0] for w in words]
        latencies[(key, "stock")] = [samples[0], *samples]

    # --- The report ---
    metrics = [{"name": "index_ours", "label": f"Index build, ours ({len(docs):,} documents)",
                "budget_s": None, "runs_s": [build_s]},
               {"name": "index_stock", "label": f"Index build, Wagtail stock ({len(docs):,} documents)",
                "budget_s": None, "runs_s": [stock_build_s]}]
    names = {"ours": "selectors.search", "floor": "bare FTS5 MATCH, top 20 by bm25 (floor)",
             "first20": "bare FTS5 MATCH, first 20 unranked", "stock": "Wagtail stock backend"}
    for key, (label, _words) in classes.items():
        for name in ("ours", "floor", "first20", "stock"):
            budget = BUDGET_TWO_P95_S if (key, name) == ("two", "ours") else None
            metrics.append({"name": f"{key}_{name}", "label": f"Query, {label}: {names[name]}",
                            "budget_s": budget, "budget_stat": "p95", "runs_s": latencies[(key, name)]})
    checks = []
    for key in classes:
        ours_p95 = p95(latencies[(key, "ours")][1:])
        floor_p95 = p95(latencies[(key, "floor")][1:])
        ratio = ours_p95 / floor_p95 if floor_p95 else 0.0
        checks.append({"label": f"{classes[key][0]}: p95 ours ÷ p95 floor", "value": round(ratio, 2),
                       "limit": FLOOR_FACTOR if key == "two" else None,
                       "verdict": ("PASS" if ratio <= FLOOR_FACTOR else "FAIL") if key == "two" else None})
        checks.append({"label": f"{classes[key][0]}: recall ours / stock",
                       "value": f"{recalls[key]['ours']:.3f} / {recalls[key]['stock']:.3f}",
                       "limit": None, "verdict": None})
    result = {
        "benchmark": "search",
        "data": {
            "documents": len(docs), "source": source, "characters": chars,
            "generate_s": round(generate_s, 2),
            "index_ours": {"seconds": round(build_s, 2), "documents_per_s": round(len(docs) / build_s),
                           "characters_per_s": round(chars / build_s),
                           "analyzer_characters_per_s": round(analyzer_rate)},
            "index_stock": {"seconds": round(stock_build_s, 2),
                            "documents_per_s": round(len(docs) / stock_build_s)},
            "recall": recalls, "queries": frequency, "passes": passes,
        },
        "notes": notes,
        "metrics": metrics,
        "checks": checks,
    }
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    outcome = main()
    if "--out" not in sys.argv:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
