"""The output's page offers the portal and the journal to the research coordinator and the
secretary, only when the output may go there (otherwise the reason); the confirmation pages and
their POSTs are theirs alone (404 for everyone else), and the result is linked from the output."""

import datetime

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from branchwork.publishing.models import ArticlePage
from branchwork.publishing.testing import ensure_portal_root, make_channel
from branchwork.research import services
from branchwork.research.models import Classification, Output
from branchwork.research.testing import kind, research_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    w = research_world(personas)
    home = ensure_portal_root()
    w.channel = make_channel(home, "理论研究", "lilun")
    w.contributions = make_channel(home, "投稿", "tougao", accepts_contributions=True)
    w.hidden = make_channel(home, "内部", "neibu")
    PageViewRestriction.objects.create(page=w.hidden, restriction_type=PageViewRestriction.LOGIN)
    w.public = services.output_create(
        by=personas.erin, organization=personas.branch_a, kind=kind("article"),
        title="多边主义的新进展", completed_on=datetime.date(2026, 9, 1),
        authors=[personas.people.bob, "外请专家乙"], classification=Classification.PUBLIC,
        text="第一段\n第二段")
    return personas, w


def _url(output, tail=""):
    return output.get_absolute_url() + tail


def _text(response):
    return response.content.decode()


@pytest.mark.parametrize("who", ["erin", "alice"])
def test_the_coordinator_and_the_secretary_see_the_buttons_where_they_apply(world, login, who):
    personas, w = world
    client = login(getattr(personas, who))
    page = _text(client.get(_url(w.public)))
    assert 'id="publish-to-portal"' in page and 'id="propose-for-journal"' in page
    # An internal report: proposed for the journal, and the reason why not the portal.
    page = _text(client.get(_url(w.report)))
    assert 'id="publish-to-portal"' not in page and 'id="portal-refusal"' in page
    assert "Only a public output" in page or "只有公开" in page
    assert 'id="propose-for-journal"' in page
    # A restricted output goes to neither, with both reasons.
    page = _text(client.get(_url(w.restricted)))
    assert 'id="portal-refusal"' in page and 'id="journal-refusal"' in page
    assert 'id="publish-to-portal"' not in page and 'id="propose-for-journal"' not in page


@pytest.mark.parametrize("who", ["bob", "frank", "dan"])
def test_others_who_see_the_output_see_no_portal_panel_and_get_404(world, login, who):
    personas, w = world
    client = login(getattr(personas, who))
    response = client.get(_url(w.public))
    assert response.status_code == 200 and 'id="portal-panel"' not in _text(response)
    for tail in ("portal/", "journal/"):
        assert client.get(_url(w.public, tail)).status_code == 404
    assert client.post(_url(w.public, "portal/"), {"channel": w.channel.pk, "live": "on"}).status_code == 404
    assert client.post(_url(w.public, "journal/")).status_code == 404
    assert not ArticlePage.objects.filter(research_outputs__isnull=False).exists()
    assert not ArticlePage.objects.filter(research_proposals__isnull=False).exists()


def test_outsiders_get_404_and_the_anonymous_the_login_page(world, login):
    personas, w = world
    carol = login(personas.carol)
    for tail in ("", "portal/", "journal/"):
        assert carol.get(_url(w.public, tail)).status_code == 404
    assert carol.post(_url(w.public, "portal/"), {"channel": w.channel.pk}).status_code == 404
    anonymous = login(None)
    response = anonymous.post(_url(w.public, "portal/"), {"channel": w.channel.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Output.objects.get(pk=w.public.pk).portal_article_id is None


def test_the_coordinator_confirms_and_publishes_and_the_output_links_the_article(world, login):
    personas, w = world
    client = login(personas.erin)
    confirm = client.get(_url(w.public, "portal/"))
    assert confirm.status_code == 200
    page = _text(confirm)
    # Public channels only.
    assert f'value="{w.channel.pk}"' in page and f'value="{w.hidden.pk}"' not in page

    response = client.post(_url(w.public, "portal/"), {"channel": w.channel.pk, "live": "on"})

    assert response.status_code == 302 and response["Location"] == _url(w.public)
    article = ArticlePage.objects.get(pk=Output.objects.get(pk=w.public.pk).portal_article_id)
    assert article.live and article.get_parent().pk == w.channel.pk
    page = _text(client.get(_url(w.public)))
    assert 'id="portal-article"' in page and article.url in page and 'id="publish-to-portal"' not in page
    # A second time: refused with the reason, nothing more created.
    again = client.post(_url(w.public, "portal/"), {"channel": w.channel.pk})
    assert again.status_code == 409 and 'id="portal-refusal"' in _text(again)
    assert ArticlePage.objects.filter(title="多边主义的新进展").count() == 1


def test_a_draft_on_the_portal_is_linked_as_a_draft(world, login):
    personas, w = world
    client = login(personas.alice)
    assert client.post(_url(w.public, "portal/"), {"channel": w.channel.pk}).status_code == 302
    article = ArticlePage.objects.get(research_outputs=w.public)
    assert not article.live
    page = _text(client.get(_url(w.public)))
    assert f"/admin/pages/{article.pk}/edit/" in page and 'id="portal-article"' in page


def test_an_internal_output_is_refused_on_the_portal_with_the_reason(world, login):
    personas, w = world
    client = login(personas.erin)
    confirm = client.get(_url(w.report, "portal/"))
    assert confirm.status_code == 200 and 'id="portal-refusal"' in _text(confirm)
    assert "<form" not in _text(confirm).split("<main")[-1]
    response = client.post(_url(w.report, "portal/"), {"channel": w.channel.pk, "live": "on"})
    assert response.status_code == 409 and 'id="portal-refusal"' in _text(response)
    assert Output.objects.get(pk=w.report.pk).portal_article_id is None


def test_a_restricted_channel_is_not_offered_and_refused_when_posted(world, login):
    personas, w = world
    response = login(personas.erin).post(_url(w.public, "portal/"), {"channel": w.hidden.pk, "live": "on"})
    assert response.status_code == 400
    assert Output.objects.get(pk=w.public.pk).portal_article_id is None


def test_the_secretary_proposes_an_internal_output_for_the_journal(world, login):
    personas, w = world
    client = login(personas.alice)
    confirm = client.get(_url(w.report, "journal/"))
    assert confirm.status_code == 200 and "<form" in _text(confirm).split("<main")[-1]

    response = client.post(_url(w.report, "journal/"))

    assert response.status_code == 302
    proposal = ArticlePage.objects.get(research_proposals=w.report)
    assert proposal.get_parent().pk == w.contributions.pk and proposal.workflow_in_progress
    page = _text(client.get(_url(w.report)))
    assert 'id="journal-proposal"' in page and f"/admin/pages/{proposal.pk}/edit/" in page
    assert 'id="propose-for-journal"' not in page
    again = client.post(_url(w.report, "journal/"))
    assert again.status_code == 409 and ArticlePage.objects.filter(research_proposals=w.report).count() == 1


@pytest.mark.parametrize("which", ["restricted", "classified"])
def test_restricted_and_classified_outputs_are_refused_for_the_journal(world, login, which):
    personas, w = world
    output = getattr(w, which)
    client = login(personas.erin)
    confirm = _text(client.get(_url(output, "journal/")))
    assert 'id="portal-refusal"' in confirm and "<form" not in confirm.split("<main")[-1]
    response = client.post(_url(output, "journal/"))
    assert response.status_code == 409 and 'id="portal-refusal"' in _text(response)
    assert Output.objects.get(pk=output.pk).journal_proposal_id is None


def test_the_posts_need_the_csrf_token(world):
    personas, w = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.erin, backend="branchwork.core.auth.UsernameOrEmailBackend")
    assert client.post(_url(w.public, "portal/"), {"channel": w.channel.pk}).status_code == 403
    assert client.post(_url(w.report, "journal/")).status_code == 403
    assert Output.objects.get(pk=w.public.pk).portal_article_id is None
    assert Output.objects.get(pk=w.report.pk).journal_proposal_id is None
