"""The PostgreSQL variant: tsvector columns of the analyzer's terms (written as tsvector literals,
so no text-search parser or locale is involved), queried with tsquery literals."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db.models import F, Value
from modelsearch.backends.database.postgres.postgres import (
    PostgresAutocompleteQueryCompiler,
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from modelsearch.query import Phrase, PlainText

from branchwork.search import analyzer
from branchwork.search.backend.common import AnalyzedCompilerMixin, AnalyzedIndexMixin


class TSQuery(SearchQuery):
    """A tsquery literal: `'党建' & ('深度' <-> '学习')`."""

    def __init__(self, text: str, *, invert: bool = False):
        super().__init__(Value(text), invert=invert, search_type="raw")

    def as_sql(self, compiler, connection, function=None, template=None, **extra):
        text = self.source_expressions[0].value
        sql = "%s::tsquery"
        return (f"!!({sql})" if self.invert else sql), [text]


class AnalyzedPostgresIndex(AnalyzedIndexMixin, PostgresIndex):
    pass


class _Compiling(AnalyzedCompilerMixin):
    def build_tsquery_content(self, query, config=None, invert=False):
        if isinstance(query, PlainText | Phrase):
            parsed = self.parsed(query)
            # An empty tsquery matches nothing (PostgreSQL says so in a notice).
            text = analyzer.tsquery(parsed, operator=self.operator_of(query)) if parsed else ""
            return TSQuery(text, invert=invert)
        return super().build_tsquery_content(query, config=config, invert=invert)

    def get_search_vectors(self, search_query):
        return self.get_index_vectors(search_query)

    def search(self, config, start, stop, score_field=None, backend=None):
        if self.is_empty():
            return self.queryset.none()
        return super().search(config, start, stop, score_field=score_field, backend=backend)


class AnalyzedPostgresCompiler(_Compiling, PostgresSearchQueryCompiler):
    pass


class AnalyzedPostgresAutocompleteCompiler(_Compiling, PostgresAutocompleteQueryCompiler):
    LAST_TERM_IS_PREFIX = True

    def get_index_vectors(self, search_query):
        return [(F("index_entries__autocomplete"), 1.0)]


class PostgresBackend(PostgresSearchBackend):
    query_compiler_class = AnalyzedPostgresCompiler
    autocomplete_query_compiler_class = AnalyzedPostgresAutocompleteCompiler
    index_class = AnalyzedPostgresIndex
