"""What the site search knows about an indexed object besides its terms.

The terms themselves live in Wagtail's search index (`wagtailsearch.IndexEntry`, with its FTS5
table on SQLite and its tsvector columns on PostgreSQL), written by our backend through the
analyzer, so that the back office's search boxes and the site search read one index. A
`SearchDocument` sits beside each entry of a kind the site search shows, with what results,
snippets and facets need: the kind, the organization or channel, the date, and the original text
(snippets are cut from it and highlighted, never from the analyzed terms).

Who may see a document is stored with it as access tokens (`access.py`): `readers` (who may
read it: everyone, the readers of an organization, a person, superusers …) and `gate` (the Wagtail
view restrictions it is under), both also written into the site search's own full-text index
(`bwsearch_fts` on SQLite, the `vector` column on PostgreSQL), so the engine keeps only what the
reader may see while it matches. A family whose rule cannot be told by tokens marks its documents
`checked`: the search asks the policy about those one by one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    entry = models.OneToOneField(
        "wagtailsearch.IndexEntry", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20)
    object_pk = models.BigIntegerField()
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False,
    )
    # The section of the portal a page is in (the page right under the home page).
    channel = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False,
    )
    date = models.DateTimeField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.TextField()
    text = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)
    # Access tokens, space-separated (see access.py); copied into the full-text index.
    readers = models.TextField(blank=True, default="")
    gate = models.TextField(blank=True, default="")
    checked = models.BooleanField(default=False)
    # The row's key in the site search's full-text index: publication date first (newest is
    # highest), so that the index walks matches newest first (access.rowkey).
    rowkey = models.BigIntegerField(unique=True, null=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            models.Index(fields=["kind", "object_pk"], name="bwsearch_kind_object"),
            # Covers what a search reads of every match (the rows themselves hold long text).
            models.Index(fields=["entry", "kind", "object_pk", "organization", "channel", "year", "date"],
                         name="bwsearch_match_cover"),
            models.Index(fields=["date"], name="bwsearch_date"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_pk} {self.title[:40]}"


class ChampionTerm(models.Model):
    """A frequent term with a champion list (`champions.py`): every document that ranks for the
    term (its single-term relevance score, then its key, both descending) at or above
    (`threshold`, `threshold_key`) is listed."""

    term = models.CharField(max_length=100, unique=True)
    threshold = models.FloatField()
    threshold_key = models.BigIntegerField(default=0)
    # What the impacts were computed with (SQLite's bm25: the term's idf, the average document
    # length), kept so that documents written later are scored the same way.
    idf = models.FloatField(default=0.0)
    avgdl = models.FloatField(default=0.0)
    documents = models.IntegerField(default=0)  # how many documents held the term at the build
    built_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.term


class Champion(models.Model):
    """One document in a term's champion list, with its impact; `key` is the document's key in
    the site index (`rowkey` on SQLite, `entry_id` on PostgreSQL)."""

    term = models.CharField(max_length=100)
    key = models.BigIntegerField()
    impact = models.FloatField()
    checked = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index("term", models.F("impact").desc(), models.F("key").desc(), name="bwsearch_champion_rank"),
            models.Index(fields=["key"], name="bwsearch_champion_key"),
        ]

    def __str__(self) -> str:
        return f"{self.term}:{self.key} {self.impact:.3f}"
