"""Access tokens and a date-ordered key on search documents, and the site search's own
full-text index that holds them beside the terms: an FTS5 table on SQLite (`bwsearch_fts`, its
rowid the document's `rowkey`), a tsvector column with a GIN index on PostgreSQL (`vector`).

Documents indexed before this migration have no tokens and are found by nobody until
`branchwork rebuild_search_index` runs (docs/OPERATIONS.md)."""

from django.db import migrations, models

FTS = "bwsearch_fts"
GIN = "bwsearch_document_vector_gin"


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(title, body, readers, gate)"
        )
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE bwsearch_searchdocument ADD COLUMN IF NOT EXISTS vector tsvector")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIN} ON bwsearch_searchdocument USING gin (vector)"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")
        schema_editor.execute("ALTER TABLE bwsearch_searchdocument DROP COLUMN IF EXISTS vector")


class Migration(migrations.Migration):

    dependencies = [
        ("bwsearch", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument", name="readers", field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="searchdocument", name="gate", field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="searchdocument", name="checked", field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="searchdocument", name="rowkey", field=models.BigIntegerField(null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="searchdocument", index=models.Index(fields=["date"], name="bwsearch_date"),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
