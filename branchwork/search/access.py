"""Access tokens: who may see a search document, stored in the index with it.

Each document carries two sets of tokens, and the reader has a set of each; a document is found
only when both sets meet the reader's (the full-text engine checks this while it matches, the
tokens being terms of their own columns):

- **readers**, who may read it:
  - `pub`: everyone (a public portal page);
  - `su`: superusers (every document a superuser's search shows carries it);
  - `r<path>`: those with a role in the organization at tree path `<path>`: a document about
    organization X carries `r` + each of X's ancestors' paths and its own (a role in X or above it
    reads X: core.permissions' `org_filter` on the reader's paths);
  - `u<path>`: internal content of X is read by the members of organizations under X too
    (`core.permissions.internal_content_filter`): it carries `u` + X's path, and a reader has `u` +
    each ancestor's path of the organizations they hold a role in;
  - `m`: members of the institution (internal content that belongs to no organization);
  - `pp<id>`: the person with this id (a person sees themselves; everyone on an activity's
    attendance list sees it);
  - `k<role><path>`: those who hold `<role>` (its code without underscores) in the organization
    at `<path>`; a document of organization X carries it for each of X's ancestors' paths and its
    own, as `r` does (a restricted research output: the secretaries, research coordinators and
    committee office staff of X or above); `k<role>` alone: those who hold the role anywhere
    today (foreign-affairs staff see parties, contacts and events);
  - `xdoc`: the family's rule is asked row by row (`SearchDocument.checked`), for documents of
    Wagtail's library, whose readers follow the pages that link them;
- **gate**, the view restrictions (Wagtail's, on a page and the pages above it) it is under:
  `open` (none), `login`, `g<id>` (one of the groups of a group restriction; `g<a>g<b>` for a
  page under two group restrictions). A password restriction leaves no gate: only superusers find
  such a page (search cannot ask for the password).

The reader's tokens come from `core.permissions.reader(user)` (roles current today, read once per
request) and their groups, with no further query for a visitor or a member. The document's
tokens are written whenever it is indexed; `signals.py` reindexes what a change of a restriction,
an attendance list, a co-organizer or the organization tree alters.

Tokens are lowercase letters and digits (tree paths are digits and capitals, lowercased), so
FTS5's unicode61 tokenizer and PostgreSQL's tsvector keep each whole.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import combinations

from django.utils import timezone

EVERYONE = "pub"
SUPERUSERS = "su"
MEMBERS = "m"
CHECKED = "xdoc"
OPEN = "open"
LOGIN = "login"
PG_MARK = "\u00a7"  # before each token in PostgreSQL's vector, where words share it
# How many of a reader's groups may combine to pass nested group restrictions.
MAX_GROUP_COMBINATION = 2


def _steplen() -> int:
    from branchwork.core.models import Organization

    return Organization.steplen


def _prefixes(path: str) -> list[str]:
    step = _steplen()
    return [path[:i] for i in range(step, len(path) + 1, step)]


def org_readers(path: str | None) -> list[str]:
    """Tokens of those who read organization `path` (a role in it or above it)."""
    return [f"r{p.lower()}" for p in _prefixes(path)] if path else []


def internal_readers(path: str | None) -> list[str]:
    """Tokens of those who read the internal content of organization `path` (None: of the whole
    institution): its readers, and the members of the organizations under it."""
    if path is None:
        return [MEMBERS]
    return [*org_readers(path), f"u{path.lower()}"]


def person(pk: int) -> str:
    return f"pp{pk}"


def role(code: str, path: str | None = None) -> str:
    """Token of the holders of role `code` (in the organization at `path`; None: anywhere)."""
    letters = "".join(c for c in code.lower() if c.isascii() and c.isalpha())
    return f"k{letters}{path.lower() if path else ''}"


def role_readers(code: str, path: str | None) -> list[str]:
    """Tokens of those who hold role `code` in organization `path` or above it."""
    return [role(code, p) for p in _prefixes(path)] if path else []


def group_gate(groups: tuple[int, ...]) -> str:
    return "".join(f"g{pk}" for pk in sorted(set(groups)))


def gates(restrictions: list[tuple[str, list[int]]]) -> list[str]:
    """Gate tokens of a page under `restrictions` ((type, group ids) of each restriction on it
    and above it): the alternatives that pass them all."""
    from wagtail.models import BaseViewRestriction

    if not restrictions:
        return [OPEN]
    kinds = {kind for kind, _groups in restrictions}
    if BaseViewRestriction.PASSWORD in kinds:
        return []
    group_sets = [sorted(set(groups)) for kind, groups in restrictions if kind == BaseViewRestriction.GROUPS]
    if not group_sets:
        return [LOGIN]  # only login restrictions
    if any(not groups for groups in group_sets):
        return []
    alternatives: set[tuple[int, ...]] = {()}
    for groups in group_sets:
        alternatives = {tuple(sorted(set(alt) | {g})) for alt in alternatives for g in groups}
    return sorted(group_gate(alt) for alt in alternatives if len(alt) <= MAX_GROUP_COMBINATION)


@dataclass(frozen=True)
class ReaderTokens:
    readers: tuple[str, ...]
    gates: tuple[str, ...]
    superuser: bool = False


_ATTR = "search_tokens"


def reader_tokens(user) -> ReaderTokens:
    """The tokens of what this user may see: from their reader (roles current today, read once
    per request) and, for a signed-in user, their groups (one query); kept on the reader, so
    that `core.permissions.forget(user)` drops them too."""
    from branchwork.core import permissions

    access = permissions.reader(user)
    cached = getattr(access, _ATTR, None)
    if cached is not None:
        return cached
    if access.is_superuser:
        tokens = ReaderTokens((SUPERUSERS,), (), superuser=True)
    elif not (user.is_authenticated and user.is_active):
        tokens = ReaderTokens((CHECKED, EVERYONE), (OPEN,))
    else:
        readers = {EVERYONE, CHECKED}
        for path in access.read_paths:
            readers.add(f"r{path.lower()}")
            readers.update(f"u{p.lower()}" for p in _prefixes(path))
        if access.person_id is not None:
            readers.add(person(access.person_id))
        for held in access.roles:
            readers.update((role(held.role, held.path), role(held.role)))
        if access.is_member:
            readers.add(MEMBERS)
        groups = sorted(user.groups.values_list("pk", flat=True))
        gate_tokens = {OPEN, LOGIN}
        for size in range(1, MAX_GROUP_COMBINATION + 1):
            gate_tokens.update(group_gate(c) for c in combinations(groups, size))
        tokens = ReaderTokens(tuple(sorted(readers)), tuple(sorted(gate_tokens)))
    setattr(access, _ATTR, tokens)
    return tokens


# --- The key of a row in the full-text index: newest first ---

_EPOCH = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
_SECONDS_BITS = 34  # seconds since 1900, up to the year 2444
_ENTRY_BITS = 27  # entry ids below 134 million stay apart within one second
_NO_DATE = -(1 << _SECONDS_BITS)


def rowkey(date: datetime.datetime | None, entry_id: int, checked: bool) -> int:
    """Seconds since 1900 in the high bits, then the entry, then the `checked` flag (the lowest
    bit): ordering by the key orders by publication date (to the second; undated last)."""
    if date is None:
        seconds = _NO_DATE
    else:
        if timezone.is_naive(date):
            date = timezone.make_aware(date)
        seconds = int((date - _EPOCH).total_seconds())
        seconds = max(_NO_DATE + 1, min(seconds, (1 << _SECONDS_BITS) - 1))
    return (seconds << (_ENTRY_BITS + 1)) | ((entry_id % (1 << _ENTRY_BITS)) << 1) | int(checked)


# The lowest key of a dated document (undated ones sort below it).
FIRST_DATED_KEY = (_NO_DATE + 1) << (_ENTRY_BITS + 1)


def seconds_of(key: int) -> int:
    """The seconds since 1900 a row key was made from (`rowkey`)."""
    return key >> (_ENTRY_BITS + 1)
