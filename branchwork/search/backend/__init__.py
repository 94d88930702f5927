"""Our Wagtail search backend: Wagtail's database backend with our analyzer on both sides.

`WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "branchwork.search.backend"}}` makes Wagtail
(the back office's search boxes, `Page.objects.search()`, `queryset.search()`) index and query
through `branchwork.search.analyzer`. What is stored is Wagtail's own index (its `IndexEntry`
table: on SQLite with its FTS5 table, unicode61 over our space-joined terms; on PostgreSQL with
tsvector columns we fill with our terms, and a GIN index over `title || body`), so the back
office and the site search (`branchwork.search.selectors`) read one index.

The database in use picks the variant, as Wagtail's own `database` backend does.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection


def SearchBackend(params):  # noqa: N802 (Wagtail looks the backend up by this name)
    if connection.vendor == "postgresql":
        from branchwork.search.backend.postgres import PostgresBackend

        return PostgresBackend(params)
    if connection.vendor == "sqlite":
        from branchwork.search.backend.sqlite import SQLiteBackend

        return SQLiteBackend(params)
    raise ImproperlyConfigured(
        f"branchwork.search.backend supports SQLite and PostgreSQL, not {connection.vendor}"
    )
