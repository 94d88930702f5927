"""How long the journal's issue PDF takes and how fast the portal serves an article among 10,000
(issue 4: an issue of 20 articles ≤ 3 s; an article page ≤ 30 ms; medians).

Timed:
- the PDF of a generated internal-journal issue of 20 articles (`journal.bench.measure_issue_build`:
  reading the issue and typesetting it, as the background task does);
- with 10,000 published articles generated under eight channels
  (`publishing.bench.generate_articles`), an article page served at its URL through Django's test client (middleware, Wagtail's routing,
  the page's queries, the template; no network): a public article to an anonymous visitor, an
  internal one (of the member's branch) to a logged-in member, each the article of its kind with the most on its page (a
  series part with a picture, an author and the most tags, so the related-articles query has its
  full work); then 50 other public articles once each, for the spread;
- the largest channel's first page (informative: no budget).
The pages' query counts and sizes are recorded too.

    python bench/publishing_bench.py --repeat 7 --out publishing.json   # normally through run.py
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from urllib.parse import unquote

from generate import setup_django

BUDGET_ARTICLE_S = 0.030
SAMPLE = 50


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--issue-articles", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from branchwork.journal.bench import BUDGET_S as BUDGET_ISSUE_S
    from branchwork.journal.bench import measure_issue_build
    from branchwork.publishing.bench import generate_articles
    from branchwork.publishing.models import ArticlePage, Visibility

    metrics, pages = [], {}

    issue = measure_issue_build(n_articles=args.issue_articles, repeat=args.repeat)
    metrics.append({"name": "journal_issue_pdf", "label": issue["label"],
                    "budget_s": BUDGET_ISSUE_S, "runs_s": issue["runs_s"]})
    journal = {k: issue[k] for k in ("articles", "pictures", "pages", "bytes")}

    data = generate_articles(args.articles)
    print(f"{args.articles} articles in {data.seconds:.1f} s")
    anonymous = Client()
    member = Client()
    member.force_login(data.reader, backend="branchwork.core.auth.UsernameOrEmailBackend")

    def measure(name, label, client, url, *, budget, expect: str):
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(url)
            runs.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        body = response.content.decode()
        if expect not in body:
            raise SystemExit(f"GET {url} lacks {expect!r}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        pages[name] = {"url": unquote(url), "queries": len(queries), "bytes": len(response.content)}
        metrics.append({"name": name, "label": label, "budget_s": budget, "runs_s": runs})
        return body

    size = f"{args.articles:,} articles"
    public, internal = data.sample_public, data.sample_internal

    def shape(article) -> str:
        return f"{size}; a series part with a picture, {article.tags.count()} tags"

    body = measure("article_public_anonymous",
                   f"Article page, public, anonymous visitor ({shape(public)})",
                   anonymous, public.url, budget=BUDGET_ARTICLE_S, expect=public.display_title)
    if 'class="related"' not in body:
        raise SystemExit("The measured article shows no related articles")
    if anonymous.get(internal.url).status_code != 302:
        raise SystemExit("An internal article did not send an anonymous visitor to log in")
    measure("article_internal_member",
            f"Article page, internal, logged-in member ({shape(internal)})",
            member, internal.url, budget=BUDGET_ARTICLE_S, expect=internal.display_title)

    # The spread over articles: SAMPLE other public articles, each requested once (the first
    # is the warm-up).
    ids = list(ArticlePage.objects.filter(visibility=Visibility.PUBLIC).exclude(pk=public.pk)
               .values_list("pk", flat=True))
    chosen = ArticlePage.objects.filter(
        pk__in=random.Random(1).sample(ids, min(SAMPLE, len(ids))))
    runs = []
    for article in chosen:
        start = time.perf_counter()
        response = anonymous.get(article.url)
        runs.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"GET {article.url} answered {response.status_code}")
    metrics.append({"name": "article_sample", "budget_s": None, "runs_s": runs,
                    "label": f"Article page, {len(runs)} other public articles once each, "
                             "anonymous"})

    channel = max(data.channels, key=lambda c: c.get_children().count())
    measure("channel_page",
            f"Channel page, first page of the largest channel ({channel.get_children().count():,} "
            "articles), anonymous",
            anonymous, channel.url, budget=None, expect=channel.title)

    checks = [
        {"label": "Article page queries: public (anonymous) / internal (member)",
         "value": f"{pages['article_public_anonymous']['queries']} / "
                  f"{pages['article_internal_member']['queries']}"},
        {"label": "Article page size: public / internal",
         "value": f"{pages['article_public_anonymous']['bytes']:,} / "
                  f"{pages['article_internal_member']['bytes']:,} bytes"},
        {"label": "Channel page queries / size",
         "value": f"{pages['channel_page']['queries']} / {pages['channel_page']['bytes']:,} bytes"},
    ]
    result = {
        "benchmark": "publishing",
        "data": {"generate_s": round(data.seconds, 2), **data.counts, "journal_issue": journal,
                 "pages": pages},
        "notes": [],
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
