"""The kinds of things the site search finds, and for each: who may see it, what it is filed
under (kind, organization or channel, date) and where it opens.

Search reads the other apps but imports none of them (docs/ARCHITECTURE.md): their models are
looked up by name, and a family whose app is not installed is simply absent. Who may see what is
always the policy's answer: a family's `visible(user)` is `core.permissions.visible(user, model)`
(the rules the model's app registered), and the search keeps only documents whose object is in
it.

Pages, activities and people are Wagtail-indexed models (their `search_fields` say what is
indexed, for the back office too). Journal issues, journal articles written for an issue and
talks are plain models; their text is assembled here (`text`) and kept current by our own signal
handlers (see `signals.py`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch
from django.utils.translation import pgettext_lazy

from branchwork.core import permissions
from branchwork.core.reversing import reverser
from branchwork.search import access


@dataclass(frozen=True)
class Filing:
    """What a document is filed under, for facets and sorting, and who may find it (access
    tokens, see access.py; none: nobody)."""

    kind: str
    organization_id: int | None = None
    channel_id: int | None = None
    date: datetime.datetime | datetime.date | None = None
    readers: tuple[str, ...] = ()
    gate: tuple[str, ...] = (access.OPEN,)
    checked: bool = False


def _org_path(org_id: int | None) -> str | None:
    if org_id is None:
        return None
    from branchwork.core.models import Organization

    return Organization.objects.filter(pk=org_id).values_list("path", flat=True).first()


def _internal(org_id: int | None) -> tuple[str, ...]:
    """Readers of internal content of an organization (None: of the whole institution)."""
    path = _org_path(org_id)
    if org_id is not None and path is None:  # an organization that is gone: superusers only
        return (access.SUPERUSERS,)
    return (access.SUPERUSERS, *access.internal_readers(path))


def _plain(html: str) -> str:
    from wagtail.rich_text import get_text_for_indexing

    return get_text_for_indexing(html or "") if "<" in (html or "") else (html or "")


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:  # the app is not installed
        return None


class Family:
    """Objects of one model (or of the page tree) that share one permission rule."""

    code = ""
    model_label = ""
    kinds: dict[str, str] = {}
    indexed_by_wagtail = True
    checked = False  # True: the policy is asked per document at search time (see access.py)

    @property
    def model(self) -> type[Model] | None:
        return _model(self.model_label)

    def handles(self, model: type[Model]) -> bool:
        own = self.model
        return own is not None and issubclass(model, own)

    # Every family implements filing(); those not indexed by Wagtail also text().

    def filing(self, obj) -> Filing | None:
        """Kind, organization or channel and date of a result (None: not searchable)."""
        raise NotImplementedError(f"{type(self).__name__} must say how its results are filed")

    def visible(self, user) -> QuerySet:
        """The family's objects this user may open: the model's registered rules."""
        return permissions.visible(user, self.model)

    def text(self, obj) -> tuple[str, str]:
        """(title, body) of an object Wagtail does not index."""
        raise NotImplementedError(f"{type(self).__name__} is indexed by Wagtail or must give its text")

    def shown(self, obj, title: str, body: str) -> tuple[str, str]:
        """(title, text) that results show and snippets are cut from."""
        return title or str(obj), body

    def urls(self, pks: list[int], request) -> dict[int, str]:
        own = self.model
        return {obj.pk: obj.get_absolute_url() for obj in own.objects.filter(pk__in=pks)}


class Pages(Family):
    code = "pages"
    model_label = "wagtailcore.Page"
    kinds = {
        "article": pgettext_lazy("kind of search result", "Articles"),
        "page": pgettext_lazy("kind of search result", "Pages"),
    }

    def filing(self, page) -> Filing | None:
        if page.depth < 2:  # the tree's root is no page of the portal
            return None
        kind = "article" if type(page)._meta.label_lower == "publishing.articlepage" else "page"
        channel_id = None
        if page.depth >= 3:
            from wagtail.models import Page

            steplen = Page.steplen
            channel_path = page.path[: 3 * steplen]
            channel_id = page.pk if page.path == channel_path else (
                Page.objects.filter(path=channel_path).values_list("pk", flat=True).first()
            )
        date = getattr(page, "first_published_at", None) or getattr(page, "last_published_at", None)
        readers, gate = self.tokens(page)
        return Filing(kind=kind, channel_id=channel_id, date=date, readers=readers, gate=gate)

    def tokens(self, page) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(readers, gate) as `publishing.permissions.searchable_pages` decides: live pages only;
        the view restrictions on the page and above it; an internal article's readers."""
        if not page.live:
            return (), ()
        from wagtail.models import PageViewRestriction

        steplen = type(page).steplen
        prefixes = [page.path[:i] for i in range(steplen, len(page.path) + 1, steplen)]
        restrictions = [
            (r.restriction_type, [g.pk for g in r.groups.all()])
            for r in PageViewRestriction.objects.filter(page__path__in=prefixes).prefetch_related("groups")
        ]
        if getattr(page, "is_internal", False):
            readers = _internal(page.organization_id)
        else:
            readers = (access.SUPERUSERS, access.EVERYONE)
        return readers, tuple(access.gates(restrictions))

    def urls(self, pks, request) -> dict[int, str]:
        """Page addresses from their url_path (publishing.selectors.page_url), without loading
        whole pages."""
        from wagtail.models import Page, Site

        from branchwork.publishing.selectors import page_url

        roots = Site.get_site_root_paths()
        urls = {}
        for pk, url_path in Page.objects.filter(pk__in=pks).values_list("pk", "url_path"):
            url = page_url(url_path, request, roots)
            if url is not None:
                urls[pk] = url
        return urls


class Activities(Family):
    code = "activities"
    model_label = "activities.Activity"
    kinds = {"activity": pgettext_lazy("kind of search result", "Activities")}

    def filing(self, activity) -> Filing:
        """Readers: those who read the host or a co-organizer, and everyone on the attendance
        list (`activities.permissions.visible_activities`)."""
        from branchwork.core.models import Organization

        org_ids = [activity.organization_id, *activity.co_organizers.values_list("pk", flat=True)]
        readers = [access.SUPERUSERS]
        for path in Organization.objects.filter(pk__in=org_ids).values_list("path", flat=True):
            readers += access.org_readers(path)
        people = activity.attendance.filter(person__isnull=False).values_list("person_id", flat=True)
        readers += [access.person(pk) for pk in people]
        return Filing(kind="activity", organization_id=activity.organization_id, date=activity.starts_at,
                      readers=tuple(dict.fromkeys(readers)))

    def urls(self, pks, request) -> dict[int, str]:
        rows = self.model.objects.filter(pk__in=pks).values_list("pk", "organization__code")
        rev = reverser()
        return {pk: rev("activities:detail", args=[code, pk]) for pk, code in rows}


class People(Family):
    code = "people"
    model_label = "core.Person"
    kinds = {"person": pgettext_lazy("kind of search result", "People")}

    def filing(self, person) -> Filing:
        """Readers: those who read an organization of one of their roles, past or current, and
        the person (`core.permissions.visible_people`)."""
        readers = [access.SUPERUSERS, access.person(person.pk)]
        for path in person.memberships.values_list("organization__path", flat=True).distinct():
            readers += access.org_readers(path)
        return Filing(kind="person", organization_id=person.primary_org_id(),
                      readers=tuple(dict.fromkeys(readers)))

    def shown(self, person, title, body) -> tuple[str, str]:
        names = [n for n in (person.name, person.name_en, person.name_native) if n]
        rest = [x for x in (*names[1:], person.display_position) if x]
        return (names[0] if names else str(person)), " · ".join(rest)

    def urls(self, pks, request) -> dict[int, str]:
        rev = reverser()
        return {pk: rev("core:person", kwargs={"person_id": pk}) for pk in pks}


class JournalIssues(Family):
    code = "journal_issues"
    model_label = "journal.JournalIssue"
    kinds = {"journal_issue": pgettext_lazy("kind of search result", "Journal issues")}
    indexed_by_wagtail = False

    def _objects(self):
        return self.model.objects.select_related("journal")

    def filing(self, issue) -> Filing:
        """Published issues, read by the readers of their journal's organization's internal
        content (`journal.permissions.published_issues`)."""
        org_id = issue.journal.organization_id
        readers = _internal(org_id) if issue.is_published else ()
        return Filing(kind="journal_issue", organization_id=org_id, date=issue.published_on,
                      readers=readers)

    def text(self, issue) -> tuple[str, str]:
        journal = issue.journal
        title = f"{journal.quoted_name} {issue.year}年第{issue.number}期"
        contents = []
        for section in issue.sections.all():
            contents.append(section.title)
            for entry in section.entries.all():
                contents.append(entry.title or (entry.page.title if entry.page_id and entry.page else ""))
        body = "\n".join(x for x in [journal.name_en, issue.cover_note, *contents] if x)
        return title, body

    def urls(self, pks, request) -> dict[int, str]:
        return {issue.pk: issue.get_absolute_url() for issue in self._objects().filter(pk__in=pks)}


class JournalEntries(Family):
    """Articles written for an issue; those taken from the portal are found as pages."""

    code = "journal_entries"
    model_label = "journal.JournalEntry"
    kinds = {"journal_entry": pgettext_lazy("kind of search result", "Journal articles")}
    indexed_by_wagtail = False

    def filing(self, entry) -> Filing | None:
        if entry.page_id:
            return None
        issue = entry.section.issue
        org_id = issue.journal.organization_id
        readers = _internal(org_id) if issue.is_published else ()
        return Filing(kind="journal_entry", organization_id=org_id, date=issue.published_on,
                      readers=readers)

    def text(self, entry) -> tuple[str, str]:
        return entry.title, "\n".join(x for x in [entry.author, _plain(entry.body)] if x)

    def visible(self, user) -> QuerySet:
        return super().visible(user).filter(page__isnull=True)

    def urls(self, pks, request) -> dict[int, str]:
        entries = self.model.objects.filter(pk__in=pks).select_related("section__issue__journal")
        return {e.pk: f"{e.section.issue.get_absolute_url()}#article-{e.pk}" for e in entries}


class Talks(Family):
    code = "talks"
    model_label = "lectures.Talk"
    kinds = {"talk": pgettext_lazy("kind of search result", "Talks")}
    indexed_by_wagtail = False

    def filing(self, talk) -> Filing:
        return Filing(kind="talk", organization_id=talk.organization_id, date=talk.date,
                      readers=_internal(talk.organization_id))

    def text(self, talk) -> tuple[str, str]:
        speaker = talk.speaker.display_name if talk.speaker_id and talk.speaker else talk.speaker_name
        return talk.topic, "\n".join(x for x in [speaker, talk.speaker_affiliation, talk.abstract] if x)

    def urls(self, pks, request) -> dict[int, str]:
        try:
            rev = reverser()
            return {pk: rev("lectures:talk", kwargs={"talk_id": pk}) for pk in pks}
        except NoReverseMatch:
            return {}


class Documents(Family):
    """Wagtail's documents (files kept from contributions by email, files editors upload), found
    by their title and the text of their file. They open through Wagtail's serve view, which asks
    the documents' "open" rule too (see core/wagtail_hooks.py)."""

    code = "documents"
    checked = True  # its documents are asked of the policy one by one (access.CHECKED)
    kinds = {"document": pgettext_lazy("kind of search result", "Documents")}

    @property
    def model(self) -> type[Model] | None:
        """The deployment's document model (WAGTAILDOCS_DOCUMENT_MODEL)."""
        from wagtail.documents import get_document_model

        return get_document_model() if apps.is_installed("wagtail.documents") else None

    def filing(self, document) -> Filing:
        """Who may open a document follows the pages that link it and the back office's
        permissions: asked of the policy row by row (`checked`)."""
        return Filing(kind="document", date=document.created_at,
                      readers=(access.SUPERUSERS, access.CHECKED), checked=True)

    def urls(self, pks, request) -> dict[int, str]:
        return {document.pk: document.url for document in self.model.objects.filter(pk__in=pks)}


FAMILIES: list[Family] = [Pages(), Activities(), People(), JournalIssues(), JournalEntries(), Talks(),
                          Documents()]


def _work_families() -> list[Family]:
    """Research work and international exchanges (kinds_work.py, which builds on this module)."""
    from branchwork.search import kinds_work

    return kinds_work.FAMILIES


def families() -> list[Family]:
    """The families whose app is installed."""
    return [f for f in (*FAMILIES, *_work_families()) if f.model is not None]


def family_for_model(model: type[Model]) -> Family | None:
    for family in families():
        if family.handles(model):
            return family
    return None


def family_of_kind(kind: str) -> Family | None:
    for family in families():
        if kind in family.kinds:
            return family
    return None


def kind_labels() -> dict[str, str]:
    return {kind: label for family in families() for kind, label in family.kinds.items()}
