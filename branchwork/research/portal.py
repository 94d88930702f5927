"""A research output onto the portal, in one step (issue 15, item 8).

    publish_to_portal(by=…, output=…, channel=…, live=False) → ArticlePage
        a public output as an article of a public channel (a draft, or live at once), with the
        output's title, authors and text; the output keeps the article (`portal_article`) and
        the article finds the output back (`page.research_outputs`).
    propose_for_journal(by=…, output=…) → ArticlePage
        an internal (or public) output as a contribution for the internal journal: an internal
        draft in the contributions channel, submitted to the editors' workflow, from which the
        journal's editors take articles into an issue (`journal.services.entry_add(page=…)`).

Only the research coordinator and the secretary of the output's organization (or of one above
it) do either (superusers too). Refused, with the reason: an output that is not public (for the
portal), a restricted or classified one (for the journal), a channel under a view restriction or
not live, an output published or proposed already.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext as _

from branchwork.core import permissions
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.core.models import Role
from branchwork.publishing import services as publishing
from branchwork.publishing.models import ArticlePage, ChannelPage, Visibility
from branchwork.publishing.richtext import html_to_stream
from branchwork.research.models import Classification, Output
from branchwork.research.permissions import _role_paths
from branchwork.research.services import _as


class NotPublishable(Conflict):
    """The output (or the channel) may not go where it was sent; the message says why."""


def can_publish(user, output: Output) -> bool:
    """The research coordinator or the secretary of the output's organization or above it."""
    if permissions.reader(user).is_superuser:
        return True
    path = output.organization.path
    return any(path.startswith(p) for role in (Role.RESEARCH_COORDINATOR, Role.SECRETARY)
               for p in _role_paths(user, role))


def _body_html(text: str) -> str:
    return "".join(f"<p>{escape(line.strip())}</p>" for line in (text or "").splitlines() if line.strip())


def _authors(output: Output) -> tuple[list, str]:
    """(the authors who are people, the names as printed: empty for one author who is a person,
    whose name the article shows anyway)."""
    rows = list(output.authors.select_related("person"))
    people = [a.person for a in rows if a.person_id]
    printed = "" if len(rows) == 1 and people else "、".join(a.person.name if a.person_id else a.guest_name for a in rows)
    return people, printed[:120]


def _locked(by, output: Output) -> Output:
    if not can_publish(by, output):
        raise PermissionDenied(_("Only the research coordinator or the branch secretary may do this."))
    lock_for_update(output)
    return output


@transaction.atomic
def publish_to_portal(*, by, output: Output, channel: ChannelPage, live: bool = False) -> ArticlePage:
    output = _locked(by, output)
    if output.classification != Classification.PUBLIC:
        raise NotPublishable(_("Only a public output can be published on the portal; this one is "
                               "“%(level)s”.") % {"level": output.get_classification_display()})
    if output.portal_article_id is not None:
        raise NotPublishable(_("This output is on the portal already."))
    if not channel.live or channel.get_view_restrictions():
        raise NotPublishable(_("Choose a public channel: this one is not published or is restricted."))
    people, names = _authors(output)
    author = people[0] if people else None
    with _as(by):
        page = ArticlePage(
            title=output.title[:255], draft_title=output.title[:255],
            slug=publishing.unique_slug(channel, output.title),
            author=author, author_name=names,
            owner=by, language=publishing.guess_language(output.title + " " + output.text[:2000]),
            body=html_to_stream(_body_html(output.text)), visibility=Visibility.PUBLIC,
            organization=output.organization, live=False, has_unpublished_changes=True,
        )
        channel.add_child(instance=page)
        revision = page.save_revision(user=by, log_action=True)
        if live:
            # Our rule decided (can_publish), not Wagtail's page permissions of the back office.
            revision.publish(user=by, skip_permission_checks=True)
            page.refresh_from_db()
        output.portal_article = page
        output.save(update_fields=["portal_article"])
    return page


@transaction.atomic
def propose_for_journal(*, by, output: Output) -> ArticlePage:
    output = _locked(by, output)
    if output.classification in (Classification.RESTRICTED, Classification.CLASSIFIED):
        raise NotPublishable(_("A restricted or classified output cannot be proposed for the journal: "
                               "the journal is read by every member."))
    if output.journal_proposal_id is not None:
        raise NotPublishable(_("This output has been proposed for the journal already."))
    people, names = _authors(output)
    author = people[0] if people else permissions.reader(by).person
    if author is None:
        raise NotPublishable(_("Name an author who is a member: a contribution is made in their name."))
    with _as(by):
        page = publishing.contribution_create(author=author, title=output.title,
                                              body_html=_body_html(output.text))
        if names:
            page.author_name = names
            page.save_revision(user=by)
            ArticlePage.objects.filter(pk=page.pk).update(author_name=page.author_name)
        output.journal_proposal = page
        output.save(update_fields=["journal_proposal"])
    return page
