"""branchwork search "QUERY" [--as USERNAME] [--kind K] [--sort date] --format json|table

What the search page would show that user (anonymous without --as): the results with their
snippets, and the facets.
"""

import json
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from branchwork.search import selectors

_MARK = re.compile(r"</?mark>")


def _text(html: str) -> str:
    """Marked HTML as terminal text: matches in 【】, entities decoded."""
    import html as html_mod

    return html_mod.unescape(_MARK.sub(lambda m: "】" if m.group().startswith("</") else "【", html))


class Command(BaseCommand):
    help = "Search as a user would (anonymous unless --as), printing results and facets."

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--as", dest="username", help="search as this user")
        parser.add_argument("--kind")
        parser.add_argument("--year", type=int)
        parser.add_argument("--sort", choices=selectors.SORTS, default="relevance")
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--per-page", type=int, default=selectors.PER_PAGE)
        parser.add_argument("--format", choices=("json", "table"), default="table")

    def handle(self, *args, query, username, kind, year, sort, page, per_page, format, **options):
        user = AnonymousUser()
        if username:
            try:
                user = get_user_model().objects.get(username=username)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {username!r}") from None
        filters = {k: v for k, v in (("kind", kind), ("year", year)) if v}
        results = selectors.search(user, query, filters=filters, sort=sort, page=page,
                                   per_page=per_page)
        if format == "json":
            self.stdout.write(json.dumps(self.as_json(results), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self.as_table(results))

    @staticmethod
    def as_json(results) -> dict:
        return {
            "query": results.query,
            "total": results.total,
            "page": results.page,
            "pages": results.pages,
            "sort": results.sort,
            "results": [
                {"kind": h.kind, "id": h.object_id, "title_html": str(h.title),
                 "snippet_html": str(h.snippet), "url": h.url,
                 "date": h.date.isoformat() if h.date else None}
                for h in results.hits
            ],
            "facets": {name: [{"value": v.value, "label": v.label, "count": v.count}
                              for v in values] for name, values in results.facets.items()},
        }

    @staticmethod
    def as_table(results) -> str:
        if not results.parsed:
            return f"Nothing to search for in {results.query!r}."
        lines = [f"{results.total} result(s) for {results.query!r}, page {results.page} of "
                 f"{results.pages}, by {results.sort}", ""]
        for i, hit in enumerate(results.hits, start=results.start_index):
            date = hit.date.strftime("%Y-%m-%d") if hit.date else "—"
            lines.append(f"{i:>3}. [{hit.kind}] {date}  {_text(hit.title)}  {hit.url}")
            if hit.snippet:
                lines.append(f"     {_text(hit.snippet)}")
        for name, values in results.facets.items():
            if values:
                lines.append("")
                lines.append(f"{name}: " + ", ".join(f"{v.label} ({v.count})" for v in values))
        return "\n".join(lines)
