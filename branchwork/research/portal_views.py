"""An output onto the portal or into the internal journal, from the output's page (issue 15,
item 8). Each is a confirmation page (GET: what will be sent, and where) and its POST, which
calls `research.portal`. Only the research coordinator and the branch secretary (`portal.
can_publish`) get these pages; anyone else who sees the output gets 404, and so does everyone
who does not see it. What the output's page shows of them is `portal_panel`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branchwork.core import permissions
from branchwork.core.conflicts import Conflict
from branchwork.publishing.models import ArticlePage, ChannelPage
from branchwork.publishing.services import NoContributionChannel
from branchwork.research import portal, selectors
from branchwork.research.models import Classification, Output


@dataclass(frozen=True)
class PortalPanel:
    """What the output's page shows of the portal and the journal to one user."""

    allowed: bool  # may publish or propose at all
    article: ArticlePage | None  # on the portal already (live or a draft)
    proposal: ArticlePage | None  # proposed for the journal already
    publish_refusal: str  # why it cannot go to the portal ("" when it can)
    propose_refusal: str  # why it cannot be proposed ("" when it can)


def _publish_refusal(output: Output) -> str:
    if output.portal_article_id is not None:
        return ""  # the page links the article instead
    if output.classification == Classification.PUBLIC:
        return ""
    return _("Only a public output can be published on the portal; this one is “%(level)s”.") % {
        "level": output.get_classification_display()}


def _propose_refusal(output: Output) -> str:
    if output.journal_proposal_id is not None:
        return ""
    if output.classification in (Classification.PUBLIC, Classification.INTERNAL):
        return ""
    return _("A restricted or classified output cannot be proposed for the journal: the journal is "
             "read by every member.")


def portal_panel(user, output: Output) -> PortalPanel | None:
    """None for those who may not publish (the page shows nothing of it to them)."""
    if not portal.can_publish(user, output):
        return None
    pages = {p.pk: p for p in ArticlePage.objects.filter(
        pk__in=[pk for pk in (output.portal_article_id, output.journal_proposal_id) if pk])}
    return PortalPanel(
        allowed=True, article=pages.get(output.portal_article_id),
        proposal=pages.get(output.journal_proposal_id),
        publish_refusal=_publish_refusal(output), propose_refusal=_propose_refusal(output))


def public_channels():
    """Channels a public output may go to: live, under no view restriction."""
    return ChannelPage.objects.live().public().order_by("path")


class PublishForm(forms.Form):
    channel = forms.ModelChoiceField(label=gettext_lazy("channel"), queryset=ChannelPage.objects.none())
    live = forms.BooleanField(
        label=gettext_lazy("publish at once"), required=False,
        help_text=gettext_lazy("Unticked, the article is kept as a draft for the editors to publish."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = public_channels()
        self.fields["channel"].label_from_instance = lambda c: c.display_title


class ConfirmForm(forms.Form):
    """The journal needs no choice: the button confirms."""


def _publisher_output(request, org_code, output_id) -> tuple:
    org = permissions.get_org_or_404(request.user, org_code)
    output = selectors.get_output_or_404(request.user, org, output_id)
    if not portal.can_publish(request.user, output):
        raise Http404("No such page")
    return org, output


def _page(request, org, output, *, form, which: str, refusal: str, status=200):
    title = _("Publish on the portal") if which == "portal" else _("Propose for the internal journal")
    return render(request, "research/portal_confirm.html", {
        "org": org, "output": output, "form": form, "which": which, "refusal": refusal, "title": title,
        "authors": list(output.authors.all()),
        "breadcrumbs": [(org.display_name, reverse("core:org", args=[org.code])),
                        (_("Research work"), reverse("research:index", args=[org.code])),
                        (output.display_title, output.get_absolute_url()), (title, None)],
    }, status=status)


@login_required
def publish(request, org_code, output_id):
    org, output = _publisher_output(request, org_code, output_id)
    refusal = _publish_refusal(output) or (
        _("This output is on the portal already.") if output.portal_article_id else "")
    form = PublishForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            page = portal.publish_to_portal(by=request.user, output=output,
                                            channel=form.cleaned_data["channel"],
                                            live=form.cleaned_data["live"])
        except Conflict as exc:
            return _page(request, org, output, form=form, which="portal", refusal=exc.messages[0], status=409)
        messages.success(request, _("Published on the portal: “%(title)s”.") % {"title": page.title}
                         if page.live else _("Kept on the portal as a draft: “%(title)s”.") % {"title": page.title})
        return redirect(output.get_absolute_url())
    status = 409 if request.method == "POST" and refusal else (400 if request.method == "POST" else 200)
    return _page(request, org, output, form=form, which="portal", refusal=refusal, status=status)


@login_required
def propose(request, org_code, output_id):
    org, output = _publisher_output(request, org_code, output_id)
    refusal = _propose_refusal(output) or (
        _("This output has been proposed for the journal already.") if output.journal_proposal_id else "")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and not refusal:
        try:
            portal.propose_for_journal(by=request.user, output=output)
        except Conflict as exc:
            return _page(request, org, output, form=form, which="journal", refusal=exc.messages[0], status=409)
        except NoContributionChannel:
            return _page(request, org, output, form=form, which="journal", status=409, refusal=_(
                "No portal channel takes contributions yet: the portal's editors mark one first."))
        messages.success(request, _("Proposed for the internal journal: its editors will take it up."))
        return redirect(output.get_absolute_url())
    status = 409 if request.method == "POST" else 200
    return _page(request, org, output, form=form, which="journal", refusal=refusal, status=status)
