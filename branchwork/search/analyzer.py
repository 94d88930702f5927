"""One analyzer for the index and for queries: text in, index terms out.

1. **Fold.** NFKC (full-width letters and digits become plain ones), Traditional Chinese to
   Simplified (OpenCC's `t2s`), then case-folding. A query in either script finds both.
2. **Split** the folded text into runs of Han characters, of digits and of other letters.
3. **Han runs** are segmented by rjieba (jieba's dictionary and HMM, in Rust) into words. Words of
   three or more characters also yield the dictionary words inside them (of two to four
   characters; jieba's search mode stops at three), so that 共和国 is found inside
   中华人民共和国. Those sub-words are kept *after* the sequence of whole words, so that the
   whole words stay adjacent and a phrase of them (经济 发展) matches where the text has it.
4. **Latin words** lose their diacritics and are stemmed for English (Snowball), so "vaccines"
   finds "vaccinated"; other scripts are only case-folded. **Numbers** are kept as they are.

A query term that gives several index terms (深度学习 → 深度 学习, COVID-19 → covid 19) is matched
as a phrase; a quoted part of a query is one phrase. Nothing the user types reaches the database
as syntax: queries are built from the index terms alone (see `Query`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import rjieba
import snowballstemmer

# Han ideographs: the unified block, extension A, compatibility ideographs, extensions B and up.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
RUNS = re.compile(rf"(?P<han>[{HAN_CLASS}]+)|(?P<num>\d+)|(?P<word>[^\W\d_{HAN_CLASS}]+)")
_HAN = re.compile(rf"[{HAN_CLASS}]")
# Longer "words" are noise (hashes, base64, runs of one letter): they are not indexed.
MAX_TERM_LENGTH = 40
# Queries are cut to this many characters and this many index terms.
MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 32


@lru_cache(maxsize=1)
def _converter():
    """OpenCC's Traditional → Simplified converter (built once: about 8 ms, then ~25 M chars/s)."""
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Compatibility forms to plain ones, Traditional to Simplified, case-folded."""
    text = unicodedata.normalize("NFKC", text)
    if _HAN.search(text):
        text = _converter().convert(text)
    return text.casefold()


@lru_cache(maxsize=200_000)
def latin_term(word: str) -> str:
    """A folded run of letters as it is indexed: without diacritics, stemmed when it is Latin."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    if plain.isascii():
        return _stemmer().stemWord(plain)
    return word


@lru_cache(maxsize=100_000)
def sub_words(word: str) -> tuple[str, ...]:
    """The dictionary words of two, three and four characters inside a longer word, as jieba's
    search mode gives them (it stops at three; four-character words are common enough in Chinese
    to be worth finding inside longer ones): 中华人民共和国 → 中华 华人 人民 共和 … 共和国."""
    found = []
    for size in (2, 3, 4):
        if len(word) > size:
            found += [word[i:i + size] for i in range(len(word) - size + 1)
                      if rjieba.has_word(word[i:i + size])]
    return tuple(found)


def _segment(run: str) -> list[str]:
    return [w for w in rjieba.cut(run) if w.strip()]


def terms_of_folded(folded: str) -> tuple[list[str], list[str]]:
    """(whole terms in text order, sub-words of long Han words) of already folded text."""
    main: list[str] = []
    extra: list[str] = []
    for m in RUNS.finditer(folded):
        if m.lastgroup == "han":
            for word in _segment(m.group()):
                main.append(word)
                if len(word) > 2:
                    extra.extend(sub_words(word))
        elif m.lastgroup == "num":
            value = m.group()
            if len(value) <= MAX_TERM_LENGTH:
                main.append(value)
        else:
            value = m.group()
            if len(value) <= MAX_TERM_LENGTH:
                main.append(latin_term(value))
    return main, extra


def index_terms(text: str) -> list[str]:
    """What the index stores for a text: its whole terms in order, then the sub-words."""
    if not text:
        return []
    main, extra = terms_of_folded(fold(text))
    return main + extra


def analyze(text: str) -> str:
    """Index terms joined by spaces: what SQLite's unicode61 tokenizer reads back term by term."""
    return " ".join(index_terms(text))


# --- Queries ---


@dataclass(frozen=True)
class Term:
    """One thing the query asks for: an index term, or a phrase of several, or a prefix."""

    terms: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.terms) > 1


@dataclass(frozen=True)
class Query:
    """A parsed query: every term must match (AND). Empty when nothing searchable was typed."""

    text: str
    terms: tuple[Term, ...] = ()
    # What to mark in snippets: folded Han words and numbers as they appear in text, and Latin
    # stems (matched against the stems of the words of the text).
    marks: frozenset[str] = field(default_factory=frozenset)
    stems: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.terms)


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "「": '"', "」": '"', "『": '"', "』": '"',
                         "«": '"', "»": '"', "＂": '"'})


def _query_terms(text: str) -> list[str]:
    """Whole terms of a piece of a query (no sub-words: the index has them for the text)."""
    main, _ = terms_of_folded(fold(text))
    return main


def _single_han(term: Term) -> bool:
    return len(term.terms) == 1 and len(term.terms[0]) == 1 and bool(_HAN.match(term.terms[0]))


def _han_phrase(term: Term) -> bool:
    return len(term.terms) > 1 and bool(_HAN.match(term.terms[-1]))


def parse_query(raw: str, *, prefix_last: bool = False) -> Query:
    """Parse what a user typed. Quoted parts are phrases; other words are ANDed, and a word that
    analyzes to several terms is a phrase. Unbalanced quotes count as closed at the end. With
    `prefix_last` (autocomplete) the last term also matches longer terms that begin with it. A
    single Han character is always matched as a prefix (党 finds 党建 and 党员)."""
    text = (raw or "").strip()[:MAX_QUERY_LENGTH]
    parts: list[tuple[str, bool]] = []  # (text, quoted)
    for i, chunk in enumerate(text.translate(_QUOTES).split('"')):
        if i % 2:
            parts.append((chunk, True))
        else:
            parts.extend((word, False) for word in chunk.split())
    terms: list[Term] = []
    marks: set[str] = set()
    stems: set[str] = set()
    budget = MAX_QUERY_TERMS
    for chunk, _quoted in parts:
        found = _query_terms(chunk)[:budget]
        if not found:
            continue
        budget -= len(found)
        terms.append(Term(tuple(found)))
        folded = fold(chunk)
        for m in RUNS.finditer(folded):
            if m.lastgroup == "word":
                stems.add(latin_term(m.group()))
            else:
                marks.add(m.group())
        marks.update(t for t in found if _HAN.match(t))
        if budget <= 0:
            break
    # A term repeated adds nothing. A lone Han character is read as the start of a word, and so
    # is the last word of a Chinese phrase: 调研报告 (调研 报告) is in 调研报告会 (调研 报告会).
    terms = [Term(t.terms, prefix=_single_han(t) or _han_phrase(t)) for t in dict.fromkeys(terms)]
    if terms and prefix_last:
        terms[-1] = Term(terms[-1].terms, prefix=True)
    return Query(text=text, terms=tuple(terms), marks=frozenset(marks), stems=frozenset(stems))


# --- The query languages of the two databases ---


def fts5_match(query: Query, *, operator: str = "and") -> str:
    """An FTS5 MATCH expression: every term quoted (so nothing is read as syntax), ANDed (or
    ORed, for Wagtail's `operator="or"`)."""
    clauses = []
    for term in query.terms:
        quoted = '"' + " ".join(t.replace('"', '""') for t in term.terms) + '"'
        clauses.append(quoted + ("*" if term.prefix else ""))
    return (" OR " if operator == "or" else " AND ").join(clauses)


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_lexeme(term: str) -> str:
    """One lexeme quoted for a tsquery literal."""
    return _lexeme(term)


def tsquery(query: Query, *, operator: str = "and") -> str:
    """A PostgreSQL tsquery literal (cast with ::tsquery, so no text-search parser is involved)."""
    clauses = []
    for term in query.terms:
        lexemes = [_lexeme(t) for t in term.terms]
        if term.prefix:
            lexemes[-1] += ":*"
        clause = " <-> ".join(lexemes)
        clauses.append(f"({clause})" if len(lexemes) > 1 else clause)
    return (" | " if operator == "or" else " & ").join(clauses)


# tsvector positions stop at 16383 and keep at most 256 positions per lexeme.
_MAX_POSITION = 16383
_MAX_POSITIONS_PER_LEXEME = 255


def tsvector(terms: list[str]) -> str:
    """A PostgreSQL tsvector literal of index terms with their positions."""
    positions: dict[str, list[int]] = {}
    for i, term in enumerate(terms, start=1):
        found = positions.setdefault(term, [])
        if len(found) < _MAX_POSITIONS_PER_LEXEME:
            found.append(min(i, _MAX_POSITION))
    return " ".join(f"{_lexeme(t)}:{','.join(map(str, dict.fromkeys(p)))}" for t, p in positions.items())
