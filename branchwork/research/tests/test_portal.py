"""A research output onto the portal in one step, and into the internal journal's contributions;
refused, with the reason, for whoever and whatever may not go there."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import PageViewRestriction

from branchwork.publishing.models import ArticlePage, Visibility
from branchwork.publishing.testing import ensure_portal_root, make_channel
from branchwork.research import portal, services
from branchwork.research.models import Classification, Output
from branchwork.research.testing import kind, research_world


@pytest.fixture
def world(personas):
    w = research_world(personas)
    home = ensure_portal_root()
    w.channel = make_channel(home, "理论研究", "lilun")
    w.contributions = make_channel(home, "投稿", "tougao", accepts_contributions=True)
    w.public = services.output_create(
        by=personas.erin, organization=personas.branch_a, kind=kind("article"),
        title="多边主义的新进展", completed_on=datetime.date(2026, 9, 1),
        authors=[personas.people.bob, "外请专家乙"], classification=Classification.PUBLIC,
        text="第一段 <b>不是标签</b>\n\n第二段")
    return personas, w


def test_the_coordinator_publishes_a_public_output_live_in_one_step(world):
    personas, w = world

    page = portal.publish_to_portal(by=personas.erin, output=w.public, channel=w.channel, live=True)

    page = ArticlePage.objects.get(pk=page.pk)
    assert page.live and page.get_parent().pk == w.channel.pk
    assert page.title == "多边主义的新进展" and page.visibility == Visibility.PUBLIC
    assert page.author == personas.people.bob and page.author_name == "王博、外请专家乙"
    body = "".join(str(getattr(block.value, "source", block.value)) for block in page.body)
    assert "<p>第一段 &lt;b&gt;不是标签&lt;/b&gt;</p>" in body and "<p>第二段</p>" in body
    # Linked both ways.
    assert Output.objects.get(pk=w.public.pk).portal_article_id == page.pk
    assert list(page.research_outputs.all()) == [w.public]


def test_the_secretary_publishes_a_draft(world):
    personas, w = world
    page = portal.publish_to_portal(by=personas.alice, output=w.public, channel=w.channel)
    assert not ArticlePage.objects.get(pk=page.pk).live


def test_others_may_not_publish(world):
    personas, w = world
    for user in (personas.bob, personas.frank, personas.carol, personas.dan):  # the author too
        with pytest.raises(PermissionDenied):
            portal.publish_to_portal(by=user, output=w.public, channel=w.channel)
        with pytest.raises(PermissionDenied):
            portal.propose_for_journal(by=user, output=w.report)
    assert not ArticlePage.objects.exists()


@pytest.mark.parametrize("which, word", [("report", "Internal"), ("restricted", "Restricted"),
                                         ("classified", "Classified")])
def test_only_a_public_output_goes_to_the_portal_and_the_refusal_says_why(world, which, word):
    personas, w = world
    with pytest.raises(portal.NotPublishable) as refused:
        portal.publish_to_portal(by=personas.erin, output=getattr(w, which), channel=w.channel)
    assert "Only a public output" in str(refused.value) and word in str(refused.value)
    assert not ArticlePage.objects.exists()


def test_a_restricted_channel_and_a_second_publication_are_refused(world):
    personas, w = world
    restricted = make_channel(ensure_portal_root(), "内部", "neibu")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    with pytest.raises(portal.NotPublishable, match="public channel"):
        portal.publish_to_portal(by=personas.erin, output=w.public, channel=restricted)
    portal.publish_to_portal(by=personas.erin, output=w.public, channel=w.channel)
    with pytest.raises(portal.NotPublishable, match="already"):
        portal.publish_to_portal(by=personas.erin, output=w.public, channel=w.channel)
    assert ArticlePage.objects.count() == 1


def test_an_internal_output_is_proposed_for_the_journal(world):
    personas, w = world

    page = portal.propose_for_journal(by=personas.erin, output=w.report)

    page = ArticlePage.objects.get(pk=page.pk)
    assert page.get_parent().pk == w.contributions.pk and not page.live
    assert page.visibility == Visibility.INTERNAL and page.contributed_via == "web"
    assert page.author == personas.people.bob and page.author_name == "王博、外请专家甲"
    assert page.get_workflow() is not None and page.workflow_in_progress
    assert list(page.research_proposals.all()) == [w.report]
    with pytest.raises(portal.NotPublishable, match="already"):
        portal.propose_for_journal(by=personas.erin, output=w.report)


@pytest.mark.parametrize("which", ["restricted", "classified"])
def test_restricted_and_classified_outputs_are_not_proposed(world, which):
    personas, w = world
    with pytest.raises(portal.NotPublishable, match="restricted or classified"):
        portal.propose_for_journal(by=personas.erin, output=getattr(w, which))
    assert not ArticlePage.objects.exists()
