"""Search at scale with truth by construction (issue 17), the `--truth` pass of search_bench.py:
every visible match, relevance against the uncapped ranking (bm25 on SQLite, ts_rank on
PostgreSQL), newest first exact, anonymous and member.

    python bench/search_bench.py --truth --docs 100000 --out truth.json
    python bench/search_bench.py --truth --docs 100000 --database postgres://…/bw_search_truth

`--database` names a PostgreSQL database that must not exist yet: the pass makes it, migrates it
and drops it afterwards (`--keep` keeps it). One code path for both databases; what differs (the
floor's ordering, the uncapped reference ranking, the index's upkeep after the build, Wagtail's
own table) is in the small functions under "What differs between the databases".
"""

from __future__ import annotations

import datetime
import json
import random
import statistics
import time

from generate import setup_django
from search_bench import NTREX, generated_pools, ntrex_pools, p95, timed

TRUTH_WORDS = ("中国", "政府", "经济", "国际", "学生", "医院", "警方", "选举", "疫苗", "海啸", "研究", "总统",
               "人民", "发展")
# How often each word is put into a document (by construction): common and rarer words.
TRUTH_RATES = (0.40, 0.30, 0.25, 0.20, 0.15, 0.12, 0.10, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01)
INTERNAL_SHARE = 0.2  # documents internal to one of ten branches


def truth_main(args) -> dict:
    from committee_bench import throwaway_postgres

    with throwaway_postgres(getattr(args, "database", None), keep=getattr(args, "keep", False)):
        return _truth(args)


# --- What differs between the databases ---


def tidy_index(connection) -> None:
    """After the bulk build, what the index's upkeep does: SQLite merges the FTS5 segments
    (`optimize`); PostgreSQL vacuums (the GIN index's pending list merged) and analyzes."""
    from modelsearch.conf import get_app_config

    from branchwork.search.indexing import FTS, index_entry_model
    from branchwork.search.models import Champion, SearchDocument

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (index_entry_model(), SearchDocument, Champion):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            return
        for table in (get_app_config().get_model("SQLiteFTSIndexEntry")._meta.db_table, FTS):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def floor_order(engine, parsed) -> tuple[str, str, list]:
    """The floor's key, relevance ordering and its parameters: bm25 with the site index's weights
    (SQLite), ts_rank of the same tsquery the search ranks by (PostgreSQL)."""
    from branchwork.search import analyzer
    from branchwork.search.indexing import FTS

    if engine.connection.vendor == "postgresql":
        return "d.entry_id", "ts_rank(d.vector, %s::tsquery) DESC", [analyzer.tsquery(parsed)]
    return f"{FTS}.rowid", f"bm25({FTS}, 4.0, 1.0, 0.0, 0.0)", []


def uncapped_site_ranking(engine, parsed) -> list[tuple[int, float]]:
    """Every match of the site index, no LIMIT, no access tokens, as (key, score) with the
    lower score the better, best first: bm25 (title 4, body 1) on SQLite, ts_rank negated on
    PostgreSQL (the search's relevance ordering)."""
    from branchwork.search import analyzer
    from branchwork.search.indexing import FTS

    if engine.connection.vendor == "postgresql":
        query = analyzer.tsquery(parsed)
        return engine.fetch(f"SELECT d.entry_id, -ts_rank(d.vector, %s::tsquery) FROM {engine.documents} d "  # noqa: S608
                            "WHERE d.vector @@ %s::tsquery ORDER BY 2", [query, query])
    return engine.fetch(f"SELECT rowid, bm25({FTS}, 4.0, 1.0, 0.0, 0.0) FROM {FTS} "  # noqa: S608
                        f"WHERE {FTS} MATCH %s ORDER BY 2",
                        ["{title body} : (" + analyzer.fts5_match(parsed) + ")"])


def uncapped_wagtail_ranking(engine, parsed) -> list[tuple[str, float]] | None:
    """Wagtail's own FTS5 table (the back office's index, its own columns and lengths), bm25
    over every match, as (object id, score), lower the better. None on PostgreSQL: there the
    site index's vector is the index entry's title and body vectors (plus access tokens, which
    no query names), so ts_rank over Wagtail's entry is the same ranking, nothing to compare."""
    from modelsearch.conf import get_app_config

    from branchwork.search import analyzer

    if engine.connection.vendor == "postgresql":
        return None
    table = get_app_config().get_model("SQLiteFTSIndexEntry")._meta.db_table
    return engine.fetch(f"SELECT e.object_id, bm25({table}, 0.0, 1.0, 4.0) FROM {table} "  # noqa: S608
                        f"JOIN wagtailsearch_indexentry e ON e.id = {table}.rowid WHERE {table} MATCH %s ORDER BY 2",
                        ["{title body} : (" + analyzer.fts5_match(parsed) + ")"])


def _truth(args) -> dict:
    """Documents of NTREX sentences (or generated ones) that contain none of TRUTH_WORDS, into
    which the words are put by construction (each word in its own clause, title or body): which
    document holds which word is known without the analyzer. A fifth of the documents are
    internal to one of ten branches; the member belongs to branch 1."""
    setup_django()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Page

    from branchwork.core.models import OrganizationKind, Role
    from branchwork.core.testing import give_role, make_org, person_with_login
    from branchwork.search import access, analyzer, champions, indexing, selectors
    from branchwork.search.kinds import Filing
    from branchwork.search.models import SearchDocument

    if getattr(args, "database", None):
        call_command("migrate", verbosity=0)
    postgres = connection.vendor == "postgresql"
    rng = random.Random(args.seed)
    started = time.perf_counter()
    pools = ntrex_pools() if NTREX.exists() else generated_pools(rng)
    clean = [s for s in pools["zh-Hans"] + pools["zh-Hant"] if not any(w in analyzer.fold(s) for w in TRUTH_WORDS)]
    committee = make_org("bench-cmte", OrganizationKind.COMMITTEE, "基准党委")
    branches = [make_org(f"bench-b{i}", OrganizationKind.BRANCH, f"基准第{i}支部", committee) for i in range(10)]
    member = person_with_login("bench-member", "基准党员")
    give_role(member, branches[1], Role.MEMBER)
    member_user = member.user

    home = Page.objects.filter(depth=2).order_by("path").first()
    channel = home.add_child(instance=Page(title="基准", slug="bench-truth", locale_id=home.locale_id))
    page_type = ContentType.objects.get_for_model(Page)
    now = timezone.now()
    docs, rows = [], []
    for i in range(args.docs):
        sentences = rng.sample(clean, rng.randint(4, 10))
        words = {w for w, rate in zip(TRUTH_WORDS, TRUTH_RATES, strict=True) if rng.random() < rate}
        title = sentences[0][:30].rstrip("，。,. ")
        body = sentences[1:]
        for word in words:
            if rng.random() < 0.15:
                title = f"{title}，{word}"
            else:
                body.insert(rng.randrange(len(body) + 1), f"关于{word}。" if rng.random() < 0.5 else f"{word}，{word}。")
        date = now - datetime.timedelta(days=rng.randint(0, 6 * 365), seconds=rng.randint(0, 86399))
        branch = rng.randrange(10) if rng.random() < INTERNAL_SHARE else None
        docs.append((title, "\n".join(body), words, date, branch))
        rows.append(Page(title=title or "—", draft_title=title or "—", slug=f"t{i}", content_type=page_type,
                         path=Page._get_path(channel.path, channel.depth + 1, i + 1), depth=channel.depth + 1,
                         numchild=0, url_path=f"{channel.url_path}t{i}/", live=True, locale_id=home.locale_id,
                         first_published_at=date, last_published_at=date))
    with transaction.atomic():
        created = Page.objects.bulk_create(rows, batch_size=2000)
        Page.objects.filter(pk=channel.pk).update(numchild=len(rows))
    page_ids = [p.pk for p in created]
    generate_s = time.perf_counter() - started

    def build():
        with transaction.atomic():
            batch = []
            for pk, (title, body, _w, date, branch) in zip(page_ids, docs, strict=True):
                readers = ((access.SUPERUSERS, access.EVERYONE) if branch is None else
                           (access.SUPERUSERS, *access.internal_readers(branches[branch].path)))
                batch.append(indexing.Doc(page_type.pk, pk, title, body, title,
                                          Filing(kind="page", channel_id=channel.pk, date=date, readers=readers)))
                if len(batch) == 1000:
                    indexing.write_docs(batch)
                    batch = []
            indexing.write_docs(batch)
        tidy_index(connection)

    build_s, _ = timed(build)
    print(f"{args.docs} documents indexed in {build_s:.1f} s ({connection.vendor})")
    # As `rebuild_search_index` ends: the table in date order (PostgreSQL), the champion lists
    # of the frequent terms.
    order_s, _ = timed(indexing.order_by_date)
    champions_s, built = timed(champions.rebuild)
    print(f"champion lists: {built['terms']} terms, {built['rows']} rows in {champions_s:.1f} s")
    if postgres:
        tidy_index(connection)  # the champion rows analyzed too
    engine = selectors._engine()
    date_of = {pk: d[3] for pk, d in zip(page_ids, docs, strict=True)}
    visible_to = {"anonymous": lambda d: d[4] is None, "member": lambda d: d[4] in (None, 1)}
    users = {"anonymous": AnonymousUserFactory(), "member": member_user}

    def floor_work(user, word):
        """The same work without the page around it: the count and the top 20 by the relevance
        score (bm25, ts_rank) over the visible matches, the same match on the same index."""
        parsed = analyzer.parse_query(word)
        source, params = engine.source(parsed, access.reader_tokens(user), with_documents=False)
        key, order, order_params = floor_order(engine, parsed)
        engine.fetch(f"SELECT count(*) {source}", params)
        return engine.fetch(f"SELECT {key} {source} ORDER BY {order} LIMIT 20", [*params, *order_params])

    def uncapped_wagtail(word, visible_ids) -> list[tuple[int, float]] | None:
        """Reference ranking (informational, SQLite only): Wagtail's own table, the visible
        matches kept, with scores."""
        rows = uncapped_wagtail_ranking(engine, analyzer.parse_query(word))
        return None if rows is None else [(int(pk), score) for pk, score in rows if int(pk) in visible_ids]

    object_of_key = dict(SearchDocument.objects.values_list(engine.document_key, "object_pk"))

    def uncapped_ours(word, visible_ids) -> list[tuple[int, float]]:
        """The site index's relevance score over every match, no LIMIT, the visible ones kept."""
        rows = uncapped_site_ranking(engine, analyzer.parse_query(word))
        return [(object_of_key[k], score) for k, score in rows if object_of_key.get(k) in visible_ids]

    def overlap(hits, reference) -> float:
        """Share of our top 20 that belong to the reference's top 20, ties included: a hit
        scoring as well as the reference's 20th counts (many documents tie at a common word)."""
        if not reference:
            return 1.0
        scores = dict(reference)
        threshold = reference[min(19, len(reference) - 1)][1] + 1e-9
        top = hits[:20]
        return sum(1 for pk in top if scores.get(pk, 0.0) <= threshold) / min(20, len(reference))

    def reachable(user, word, truth) -> float:
        """The share of the true visible matches that paging reaches, newest first: the pager
        offers the page holding the last match (an estimated total never hides the next page of
        a full one), that page holds the oldest matches, and the page after it is empty. All of
        them (1.0) when it does; otherwise the share the pager's pages cover."""
        if not truth:
            return 1.0
        per_page = selectors.PER_PAGE
        last = -(-len(truth) // per_page)
        before = selectors.search(user, word, sort="date", page=max(1, last - 1))
        tail = selectors.search(user, word, sort="date", page=last)
        after = selectors.search(user, word, sort="date", page=last + 1)
        oldest = sorted(truth, key=lambda pk: date_of[pk])[: len(truth) - (last - 1) * per_page]
        offered = before.pages >= last or last == 1
        if offered and {h.object_id for h in tail.hits} == set(oldest) and not after.hits:
            return 1.0
        return round(min(1.0, max(before.pages, tail.pages) * per_page / len(truth)), 4)

    report: dict = {"documents": args.docs, "database": connection.vendor, "words": {}, "latency_ms": {}}
    lat: dict[str, list[float]] = {"anonymous": [], "member": [], "floor_anonymous": [], "floor_member": []}
    for word in TRUTH_WORDS:
        entry = {}
        for who, user in users.items():
            truth = {pk for pk, d in zip(page_ids, docs, strict=True) if word in d[2] and visible_to[who](d)}
            results = selectors.search(user, word)
            by_date = selectors.search(user, word, sort="date")
            newest = sorted(truth, key=lambda pk: date_of[pk], reverse=True)[:20]
            hits = [h.object_id for h in results.hits]
            entry[who] = {
                "true_matches": len(truth),
                "reachable": reachable(user, word, truth),
                "total": results.total,
                "total_estimated": results.total_estimated,
                # Exact where it says so: a total not labelled as an estimate is the truth.
                "total_exact": results.total == len(truth),
                "total_true_or_labelled": results.total_estimated or results.total == len(truth),
                "total_error": round(results.total / len(truth) - 1, 4) if truth else 0.0,
                "top20_overlap": (None if (wagtail := uncapped_wagtail(word, truth)) is None
                                  else round(overlap(hits, wagtail), 3)),
                "top20_overlap_own_index_uncapped": round(overlap(hits, uncapped_ours(word, truth)), 3),
                "newest_first_exact": [h.object_id for h in by_date.hits] == newest,
            }
            for _ in range(args.repeat):
                lat[who].append(timed(lambda u=user, w=word: selectors.search(u, w))[0])
                lat["floor_" + who].append(timed(lambda u=user, w=word: floor_work(u, w))[0])
        report["words"][word] = entry
        print(word, json.dumps(entry, ensure_ascii=False))
    for key, values in lat.items():
        report["latency_ms"][key] = {"p50": round(1000 * statistics.median(values), 2),
                                     "p95": round(1000 * p95(values), 2)}
    ms = report["latency_ms"]
    report["ratios"] = {
        "member_p95_over_anonymous_p95": round(ms["member"]["p95"] / ms["anonymous"]["p95"], 2),
        "anonymous_p95_over_floor": round(ms["anonymous"]["p95"] / ms["floor_anonymous"]["p95"], 2),
        "member_p95_over_floor": round(ms["member"]["p95"] / ms["floor_member"]["p95"], 2),
    }
    words = report["words"].values()
    report["summary"] = {who: {
        "reachable_min": min(w[who]["reachable"] for w in words),
        "totals_true_or_labelled": sum(w[who]["total_true_or_labelled"] for w in words),
        "total_error_largest": max((abs(w[who]["total_error"]) for w in words
                                    if w[who]["total_estimated"]), default=0.0),
        "top20_overlap_median": None if postgres else statistics.median(w[who]["top20_overlap"] for w in words),
        "top20_overlap_min": None if postgres else min(w[who]["top20_overlap"] for w in words),
        "top20_overlap_own_index_min": min(w[who]["top20_overlap_own_index_uncapped"] for w in words),
        "newest_first_exact": sum(w[who]["newest_first_exact"] for w in words),
        "of": len(TRUTH_WORDS)} for who in users}
    report["build_s"] = round(build_s, 1)
    report["order_by_date_s"] = round(order_s, 1)
    report["champions_s"] = round(champions_s, 1)
    report["champions"] = built
    report.update(truth_for_run(report, lat, generate_s=round(generate_s, 2)))
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return report


TRUTH_MEMBER_P95_S = 0.030  # issue 17: at 300k documents; held at every size the run uses
TRUTH_MEMBER_OVER_ANONYMOUS = 1.3
TRUTH_OVERLAP = 0.95


def truth_for_run(report: dict, lat: dict[str, list[float]], *, generate_s: float) -> dict:
    """The truth run in bench/run.py's shape: latencies as metrics (each query a run, the first
    one a warm-up), and checks for reachability, newest first, the top-20 overlaps and the
    member ÷ visitor ratio, each with its issue 17 limit."""
    postgres = report.get("database") == "postgresql"
    docs = f"{report['documents']:,}"
    on = ", PostgreSQL" if postgres else ""
    score = "ts_rank" if postgres else "bm25"
    names = {"anonymous": "visitor", "member": "member of branch 1",
             "floor_anonymous": "floor doing the same work, visitor",
             "floor_member": "floor doing the same work, member"}
    metrics = [{"name": f"truth_{key}", "budget_stat": "p95",
                "label": f"Search --truth ({docs} documents{on}, 14 words): {label}",
                "budget_s": TRUTH_MEMBER_P95_S if key == "member" else None, "runs_s": lat[key]}
               for key, label in names.items()]

    def check(label, value, limit, passed, at_least=False) -> dict:
        return {"label": f"Search --truth ({docs} documents{on}): {label}", "value": value, "limit": limit,
                "at_least": at_least, "verdict": None if limit is None else ("PASS" if passed else "FAIL")}

    summary, words, ratios = report["summary"], report["words"].values(), report["ratios"]
    checks = []
    for who, label in (("anonymous", "visitor"), ("member", "member")):
        s = summary[who]
        overlaps = [w[who]["top20_overlap"] for w in words]
        checks += [
            check(f"{label}, share of true matches reachable by paging, newest first (lowest of 14 "
                  "words)", s["reachable_min"], 1.0, s["reachable_min"] >= 1.0, at_least=True),
            check(f"{label}, totals exact or labelled estimates (words; largest error of an "
                  f"estimate {s['total_error_largest']:.1%})", f"{s['totals_true_or_labelled']} / {s['of']}",
                  f"{s['of']} / {s['of']}", s["totals_true_or_labelled"] == s["of"], at_least=True),
            check(f"{label}, newest first exact (words)", f"{s['newest_first_exact']} / {s['of']}",
                  f"{s['of']} / {s['of']}", s["newest_first_exact"] == s["of"], at_least=True),
            check(f"{label}, top-20 overlap with uncapped {score} of the site index (lowest)",
                  s["top20_overlap_own_index_min"], TRUTH_OVERLAP,
                  s["top20_overlap_own_index_min"] >= TRUTH_OVERLAP, at_least=True),
        ]
        if not postgres:
            # Informational: Wagtail's back-office table is another index (its own columns and
            # lengths), so its bm25 is another ranking; the issue's "same bm25 ranking over all
            # matches" is the site index's, checked above. (On PostgreSQL the same ranking: skipped.)
            checks.append(check(f"{label}, top-20 overlap with uncapped bm25 of Wagtail's own table, another "
                                f"index (median; lowest {s['top20_overlap_min']})",
                                round(statistics.median(overlaps), 3), None, None))
    ratio = ratios["member_p95_over_anonymous_p95"]
    checks += [
        check("p95 member ÷ p95 visitor", ratio, TRUTH_MEMBER_OVER_ANONYMOUS,
              ratio <= TRUTH_MEMBER_OVER_ANONYMOUS),
        check("p95 visitor ÷ p95 of its floor", ratios["anonymous_p95_over_floor"], None, None),
        check("p95 member ÷ p95 of its floor", ratios["member_p95_over_floor"], None, None),
    ]
    return {"benchmark": "search --truth",
            "data": {"documents": report["documents"], "database": report.get("database", "sqlite"), "generate_s": generate_s,
                     "index_build_s": report["build_s"], "queries_per_word_and_reader": len(lat["member"])
                     // len(TRUTH_WORDS)},
            "metrics": metrics, "checks": checks}


def AnonymousUserFactory():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
