"""PostgreSQL: the time and filter tokens of `search/windows.py` in every search document's
vector (newest-first windows, filters matched by the index). Nothing changes on SQLite.

The documents' table is put in date order by the next `branchwork rebuild_search_index` or
`branchwork build_search_champions` (`indexing.order_by_date`); until then searches are as right,
only slower on large indexes."""

from django.db import migrations

from branchwork.search.windows import MARK, tokens_sql


def add_tokens(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"UPDATE bwsearch_searchdocument d SET vector = vector || {tokens_sql('d')} WHERE vector IS NOT NULL"
    )


def remove_tokens(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE bwsearch_searchdocument d SET vector = ts_delete(vector, ARRAY(SELECT u.lexeme FROM "
        "unnest(d.vector) u WHERE starts_with(u.lexeme, %s))) WHERE vector IS NOT NULL",
        [MARK],
    )


class Migration(migrations.Migration):

    dependencies = [
        ("bwsearch", "0003_champions"),
    ]

    operations = [
        migrations.RunPython(add_tokens, remove_tokens),
    ]
