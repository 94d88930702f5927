"""What the SQLite and PostgreSQL variants share: writing through our analyzer, reading a query."""

from __future__ import annotations

from modelsearch.query import Phrase, PlainText

from branchwork.search import analyzer, indexing


class AnalyzedIndexMixin:
    """`add_items` and `delete_item` of Wagtail's database index classes, through `indexing`."""

    def add_items(self, model, objs):
        if not model.get_search_fields():
            return
        objs = list(objs)
        if not objs:
            return
        indexing.write_docs(indexing.docs_for(model, objs))
        indexing.refresh_title_norms()

    def delete_item(self, item):
        from modelsearch.utils import get_descendants_content_types_pks

        indexing.delete_entries(get_descendants_content_types_pks(type(item)), [item.pk])

    def reset(self):
        from branchwork.search.models import SearchDocument

        SearchDocument.objects.all()._raw_delete(using=self.write_connection.alias)
        indexing.remove_orphan_site_rows()
        super().reset()


class AnalyzedCompilerMixin:
    """Reads PlainText and Phrase queries with our analyzer. `fields=` is accepted but the whole
    indexed text is searched: the index keeps a model's fields as one title and one body."""

    LAST_TERM_IS_PREFIX = False

    def check(self):
        super().check()
        # Checked as Wagtail would (each a SearchField); then searched in the whole text.
        self.fields = None
        if hasattr(self, "search_fields") and isinstance(self.search_fields, dict):
            self.search_fields = self.get_search_fields_for_model()

    def parsed(self, query) -> analyzer.Query:
        if isinstance(query, Phrase):
            text = '"' + query.query_string.replace('"', " ") + '"'
        else:
            text = query.query_string
        return analyzer.parse_query(text, prefix_last=self.LAST_TERM_IS_PREFIX)

    def operator_of(self, query) -> str:
        return "or" if isinstance(query, PlainText) and str(query.operator).lower() == "or" else "and"

    def is_empty(self) -> bool:
        query = self.query
        return isinstance(query, PlainText | Phrase) and not self.parsed(query)
