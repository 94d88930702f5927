"""Writes of the journal. Views, the back office's actions, commands and the demo call these.

Each function is keyword-only, validates (`full_clean`), runs in one transaction, attributes its
changes to `by` in the audit trail and leaves side effects — mail, PDF builds — to run once the
transaction has committed, through the task worker.

Publishing notifies the members of the organizations on the issue's distribution list (and of
the organizations under them) who have an email address: one message each, through
`core.tasks.send_email`, bilingual, Chinese first. An `IssueRecipient` row per address and the
issue's `notified_at`, both written in the publishing transaction with the issue locked, make
sure nobody is notified twice however often publish is pressed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from branchwork.core import audit
from branchwork.core import richtext
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.core.models import Membership, Organization, Person
from branchwork.journal import content as issue_content_mod
from branchwork.journal.models import (
    IssueBuild,
    IssueCorrection,
    IssueRecipient,
    IssueStatus,
    Journal,
    JournalEntry,
    JournalIssue,
    JournalSection,
)
from branchwork.reports.models import ExportStatus

ISSUE_FIELDS = ("year", "number", "published_on", "editor", "cover_note")
FIRST_YEAR = 1949


def _as(by, source: str | None = None):
    return audit.acting_as(by, source=source or audit.current_actor().source)


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _draft(issue: JournalIssue) -> JournalIssue:
    """Lock the issue's row, read it afresh and refuse unless it is a draft: a published issue
    has been sent to its readers and changes only after `issue_reopen` (which is kept)."""
    lock_for_update(issue)
    if issue.status == IssueStatus.PUBLISHED:
        raise Conflict(_("This issue is published and locked: reopen it for a correction, "
                         "saying why, before changing it."))
    return issue


# --- Rich text typed in our forms ---


def clean_body(value: str) -> str:
    """Sanitize an article body typed in our form: the stored subset of core.richtext, plus
    Wagtail's image embeds (as the back office's editor writes them); other embeds are dropped.
    Text without markup becomes paragraphs."""
    return richtext.clean_rich_text(value, richtext.WAGTAIL)


# --- Issues ---


def _check_number(*, journal: Journal, year: int, number: int, exclude: int | None = None) -> None:
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": _("Choose a year between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR, "last": timezone.localdate().year + 1}})
    clash = JournalIssue.objects.filter(journal=journal, year=year, number=number)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"number": _("This journal already has issue %(number)s of "
                                           "%(year)s.") % {"number": number, "year": year}})


def next_number(journal: Journal, year: int) -> int:
    top = JournalIssue.objects.filter(journal=journal, year=year).aggregate(m=Max("number"))["m"]
    return (top or 0) + 1


@transaction.atomic
def issue_create(
    *, by, journal: Journal, year: int, number: int, published_on: datetime.date,
    editor: Person | None = None, cover_note: str = "",
    distribution: Iterable[Organization] | None = None,
) -> JournalIssue:
    """A draft issue. Its distribution list defaults to the journal's organization."""
    _check_number(journal=journal, year=year, number=number)
    with _as(by):
        issue = JournalIssue(journal=journal, year=year, number=number, published_on=published_on,
                             editor=editor, cover_note=(cover_note or "").strip())
        issue.full_clean()
        issue.save()
        orgs = list(distribution) if distribution is not None else [journal.organization]
        issue.distribution.set(orgs)
    return issue


@transaction.atomic
def issue_update(*, by, issue: JournalIssue, distribution: Iterable[Organization] | None = None,
                 **changes) -> JournalIssue:
    unknown = set(changes) - set(ISSUE_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of an issue: {', '.join(sorted(unknown))}")
    _draft(issue)
    if "cover_note" in changes:
        changes["cover_note"] = (changes["cover_note"] or "").strip()
    year, number = changes.get("year", issue.year), changes.get("number", issue.number)
    if (year, number) != (issue.year, issue.number):
        _check_number(journal=issue.journal, year=year, number=number, exclude=issue.pk)
    with _as(by):
        for name, value in changes.items():
            setattr(issue, name, value)
        issue.full_clean()
        issue.save()
        if distribution is not None:
            issue.distribution.set(list(distribution))
    return issue


@transaction.atomic
def issue_delete(*, by, issue: JournalIssue) -> None:
    lock_for_update(issue)
    if issue.is_published or issue.corrections.exists():
        raise Conflict(_("A published issue cannot be deleted."))
    with _as(by):
        for build in issue.builds.all():
            if build.file:
                build.file.delete(save=False)
        issue.delete()


# --- Sections and articles ---


def _next_order(qs) -> int:
    top = qs.aggregate(m=Max("order"))["m"]
    return 0 if top is None else top + 1


@transaction.atomic
def section_add(*, by, issue: JournalIssue, title: str, order: int | None = None) -> JournalSection:
    _draft(issue)
    with _as(by):
        section = JournalSection(issue=issue, title=(title or "").strip(),
                                 order=_next_order(issue.sections.all()) if order is None else order)
        section.full_clean()
        section.save()
    return section


@transaction.atomic
def section_update(*, by, section: JournalSection, title: str, order: int) -> JournalSection:
    _draft(section.issue)
    with _as(by):
        section.title = (title or "").strip()
        section.order = order
        section.full_clean()
        section.save()
    return section


@transaction.atomic
def section_delete(*, by, section: JournalSection) -> None:
    _draft(section.issue)
    with _as(by):
        for entry in list(section.entries.all()):
            entry.delete()
        section.delete()


def _live_page(page):
    if page is not None and not page.live:
        raise ValidationError({"page": _("Only a published page of the portal can be taken.")})
    return page


@transaction.atomic
def entry_add(
    *, by, section: JournalSection, page=None, title: str = "", author: str = "", body: str = "",
    order: int | None = None, new_page: bool = False,
) -> JournalEntry:
    """An article taken from the portal (`page`) or written for the issue (title, author, body)."""
    _draft(section.issue)
    with _as(by):
        entry = JournalEntry(
            section=section, page=_live_page(page), title=(title or "").strip(),
            author=(author or "").strip(), body=clean_body(body),
            order=_next_order(section.entries.all()) if order is None else order, new_page=new_page,
        )
        entry.full_clean()
        entry.save()
    return entry


@transaction.atomic
def entry_update(
    *, by, entry: JournalEntry, section: JournalSection, page=None, title: str = "",
    author: str = "", body: str = "", order: int = 0, new_page: bool = False,
) -> JournalEntry:
    if section.issue_id != entry.section.issue_id:
        raise ValidationError({"section": _("Choose a section of this issue.")})
    _draft(entry.section.issue)
    with _as(by):
        if page is not None and page.pk != entry.page_id:
            _live_page(page)
        entry.section = section
        entry.page = page
        entry.title = (title or "").strip()
        entry.author = (author or "").strip()
        entry.body = clean_body(body) if body != entry.body else entry.body
        entry.order = order
        entry.new_page = new_page
        entry.full_clean()
        entry.save()
    return entry


@transaction.atomic
def entry_delete(*, by, entry: JournalEntry) -> None:
    _draft(entry.section.issue)
    with _as(by):
        entry.delete()


def image_add(*, by, file, title: str):
    """A picture uploaded with an article, into Wagtail's image library (where the back office's
    editor finds it too); returns the image."""
    from wagtail.images import get_image_model

    Image = get_image_model()
    with _as(by):
        image = Image(title=(title or getattr(file, "name", "") or "image")[:255], file=file,
                      uploaded_by_user=by if by is not None and by.is_authenticated else None)
        image.save()
    return image


def embed_for(image, caption: str) -> str:
    """The rich text that shows `image` with `caption` (Wagtail's own embed)."""
    return richtext.image_embed(image.pk, caption or "")


# --- Publishing and distribution ---


def recipients(issue: JournalIssue) -> list[tuple[Person, str]]:
    """(person, address) of everyone to notify: people with a role current today in an active
    organization on the distribution list or under one, who have an email address; each once."""
    paths = list(issue.distribution.values_list("path", flat=True))
    if not paths:
        return []
    under = Q()
    for path in paths:
        under |= Q(organization__path__startswith=path)
    person_ids = (Membership.objects.current().filter(under, organization__is_active=True)
                  .values("person_id"))
    people = Person.objects.filter(pk__in=person_ids).exclude(email="").order_by("name", "pk")
    seen, out = set(), []
    for person in people:
        address = person.email.strip().lower()
        if address and address not in seen:
            seen.add(address)
            out.append((person, person.email.strip()))
    return out


def _notice_context(issue: JournalIssue) -> dict:
    """What every notice of an issue says, in both languages."""
    from django.utils import translation

    journal = issue.journal
    day = issue.published_on
    context = {
        "url": settings.BASE_URL.rstrip("/") + issue.get_absolute_url(),
        "count": JournalEntry.objects.filter(section__issue=issue).count(),
        "date_zh": f"{day.year}年{day.month}月{day.day}日", "date_en": day.isoformat(),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    for lang, code in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(code):
            context[f"name_{lang}"] = journal.quoted_name
            context[f"label_{lang}"] = issue.label
            context[f"org_{lang}"] = journal.organization.display_name
    return context


def _notice(context: dict, person: Person) -> tuple[str, str]:
    subject = (f"【内部刊物】{context['name_zh']}{context['label_zh']}已出刊 / "
               f"{context['name_en']} {context['label_en']} is out")
    body = render_to_string("journal/email/notice.txt", {
        **context, "person_zh": person.name or person.name_en,
        "person_en": person.name_en or person.name})
    return subject, body


@transaction.atomic
def issue_publish(*, by, issue: JournalIssue) -> int:
    """Publish a draft issue: it becomes readable by members, its PDF is built, and the members
    of its distribution list are notified once. Returns how many notices were queued."""
    from branchwork.core.tasks import send_email

    locked = JournalIssue.objects.select_for_update().get(pk=issue.pk)
    if locked.status == IssueStatus.PUBLISHED:
        raise Conflict(_("This issue is already published."))
    if not JournalEntry.objects.filter(section__issue=locked).exists():
        raise ValidationError(_("An issue needs at least one article before it is published."))
    now = timezone.now()
    messages = []
    with _as(by):
        locked.status = IssueStatus.PUBLISHED
        locked.published_at = now
        locked.published_by = by if by is not None and by.is_authenticated else None
        if locked.notified_at is None:
            locked.notified_at = now
            already = set(IssueRecipient.objects.filter(issue=locked).values_list("email", flat=True))
            context = _notice_context(locked)
            for person, address in recipients(locked):
                if address in already:
                    continue
                IssueRecipient.objects.create(issue=locked, person=person, email=address)
                messages.append(_notice(context, person) + (address,))
        locked.save(update_fields=["status", "published_at", "published_by", "notified_at",
                                   "updated_at"])
    for field in ("status", "published_at", "published_by_id", "notified_at"):
        setattr(issue, field, getattr(locked, field))

    def send(subject: str, body: str, address: str):
        return lambda: send_email.enqueue(subject=subject, body=body, to=[address])

    for subject, body, address in messages:
        transaction.on_commit(send(subject, body, address), robust=True)
    transaction.on_commit(lambda: pdf_request(issue=locked, by=by))
    return len(messages)


@transaction.atomic
def issue_reopen(*, by, issue: JournalIssue, reason: str) -> IssueCorrection:
    """Take a published issue back to a draft for a correction, keeping who, when and why.

    Readers keep the issue (its page and PDF show the correction once it is published again);
    members already notified are not notified a second time.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is to be corrected.")})
    lock_for_update(issue)
    if issue.status != IssueStatus.PUBLISHED:
        raise Conflict(_("Only a published issue is reopened; a draft is edited directly."))
    name = ""
    if by is not None:
        person = Person.objects.filter(user_id=getattr(by, "pk", None)).first()
        # Kept in the record: the name as registered, whatever the language of the request.
        name = (person.name or person.name_en) if person else by.get_username()
    with _as(by):
        correction = IssueCorrection.objects.create(issue=issue, by=_user(by), by_name=name or "system",
                                                    reason=reason)
        issue.status = IssueStatus.DRAFT
        issue.save(update_fields=["status", "updated_at"])
    return correction


# --- The PDF ---


def current_build(issue: JournalIssue, fingerprint: str) -> IssueBuild | None:
    """The newest build of this content: done, or still being built. A failed build, or one left
    pending with no task to finish it (its worker died), is no build: the next request builds
    anew instead of waiting for ever."""
    build = (IssueBuild.objects.filter(issue=issue, fingerprint=fingerprint)
             .exclude(status=ExportStatus.FAILED).order_by("-created_at", "-pk").first())
    if build is not None and build.is_pending and build_orphaned(build):
        from branchwork.core.tasks import WORKER_STOPPED

        with translation.override(settings.LANGUAGE_CODE):
            error = str(WORKER_STOPPED)
        IssueBuild.objects.filter(pk=build.pk, status=build.status).update(
            status=ExportStatus.FAILED, error=error, finished_at=timezone.now())
        return None
    return build


# A build is requested, then its task enqueued once the request's transaction commits: a build
# younger than this is never taken for orphaned.
ORPHAN_GRACE = datetime.timedelta(seconds=30)


def build_orphaned(build: IssueBuild) -> bool:
    """Pending, old enough, and no task queued or running for it."""
    from branchwork.core.worker import task_pending
    from branchwork.journal.tasks import build_issue_pdf

    if build.created_at > timezone.now() - ORPHAN_GRACE:
        return False
    return not task_pending(build_issue_pdf, build_id=build.pk)


def issue_fingerprint(issue: JournalIssue, content=None) -> str:
    """The fingerprint of the issue's PDF as it would be built now (in the deployment's
    language, as the task builds it). `content`, read in the active language, is reused when
    that is the deployment's language."""
    from django.utils import translation

    if content is not None and translation.get_language() == settings.LANGUAGE_CODE:
        return issue_content_mod.fingerprint(content)
    with translation.override(settings.LANGUAGE_CODE):
        return issue_content_mod.fingerprint(issue_content_mod.issue_content(issue))


@transaction.atomic
def pdf_request(*, issue: JournalIssue, by=None, fingerprint: str | None = None) -> IssueBuild:
    """The build of the issue as it is now: the existing one when its content has not changed
    since, else a new one, built by the task worker once this transaction commits."""
    fingerprint = fingerprint or issue_fingerprint(issue)
    build = current_build(issue, fingerprint)
    if build is not None:
        return build
    build = IssueBuild.objects.create(
        issue=issue, fingerprint=fingerprint,
        requested_by=by if by is not None and by.is_authenticated else None)
    from branchwork.journal.tasks import build_issue_pdf

    transaction.on_commit(lambda: build_issue_pdf.enqueue(build_id=build.pk))
    return build


def prune_builds(issue: JournalIssue, keep: IssueBuild) -> None:
    """Drop the files of older finished builds once a newer one is done."""
    old = IssueBuild.objects.filter(issue=issue, created_at__lte=keep.created_at).exclude(pk=keep.pk)
    for build in old.exclude(status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)):
        if build.file:
            build.file.delete(save=False)
        build.delete()
