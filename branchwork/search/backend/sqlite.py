"""The SQLite variant: FTS5 (unicode61) over the analyzer's space-joined terms."""

from __future__ import annotations

from django.db.models import Value
from modelsearch.backends.database.sqlite.query import LexemeCombinable, SearchQueryExpression
from modelsearch.backends.database.sqlite.sqlite import (
    SQLiteAutocompleteQueryCompiler,
    SQLiteIndex,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
)
from modelsearch.query import Phrase, PlainText

from branchwork.search import analyzer
from branchwork.search.backend.common import AnalyzedCompilerMixin, AnalyzedIndexMixin

# A term longer than the analyzer ever indexes: stands for "matches nothing".
NOTHING = '"' + "x" * (analyzer.MAX_TERM_LENGTH + 1) + '"'


class MatchText(LexemeCombinable, Value):
    """A ready FTS5 expression, passed on as it is (Wagtail's MatchExpression interpolates it)."""

    def as_sql(self, compiler, connection):
        return "%s", [f"({self.value})"]


class AnalyzedSQLiteIndex(AnalyzedIndexMixin, SQLiteIndex):
    pass


class _Compiling(AnalyzedCompilerMixin):
    def build_search_query_content(self, query, config=None):
        if isinstance(query, PlainText | Phrase):
            parsed = self.parsed(query)
            match = analyzer.fts5_match(parsed, operator=self.operator_of(query)) if parsed else NOTHING
            return SearchQueryExpression(MatchText(match))
        return super().build_search_query_content(query, config=config)

    def search(self, config, start, stop, score_field=None):
        if self.is_empty():
            return self.queryset.none()
        return super().search(config, start, stop, score_field=score_field)


class AnalyzedSQLiteCompiler(_Compiling, SQLiteSearchQueryCompiler):
    pass


class AnalyzedSQLiteAutocompleteCompiler(_Compiling, SQLiteAutocompleteQueryCompiler):
    LAST_TERM_IS_PREFIX = True


class SQLiteBackend(SQLiteSearchBackend):
    query_compiler_class = AnalyzedSQLiteCompiler
    autocomplete_query_compiler_class = AnalyzedSQLiteAutocompleteCompiler
    index_class = AnalyzedSQLiteIndex
