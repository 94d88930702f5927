"""A result, its title, its snippet and every facet count come only from what the user may open.

The secrets: branch A's minutes (SENTINEL below), Bob's person record, an internal article, and
pages under Wagtail view restrictions. Anonymous visitors and Carol (a member of branch B) search
for them by their words and see nothing of them: no result, no snippet, no count in a facet, on
the page, in the API and in the command.
"""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from branchwork.activities.testing import at, held_activity
from branchwork.publishing.models import ChannelPage, Visibility
from branchwork.publishing.testing import make_article, make_channel
from branchwork.search import selectors

SENTINEL = "A-MINUTES-7731"
MINUTES = f"<p>支部甲的内部纪要 {SENTINEL}：党建工作要与业务工作深度融合，深度学习模型需要大量训练数据。</p>"


def words(results) -> str:
    """Everything a person would read in the results: titles, snippets, facet labels."""
    parts = [f"{h.title} {h.snippet} {h.url}" for h in results.hits]
    parts += [f"{v.label}:{v.count}" for values in results.facets.values() for v in values]
    return " ".join(parts)


@pytest.fixture
def secrets(personas, home):
    """A public article, an internal one, branch A's locked minutes, restricted pages."""
    channel = make_channel(home, "党建动态", "dangjian")
    public = make_article(channel, "党建工作交流会召开", body_html="<p>各支部交流党建工作经验。</p>")
    internal = make_article(channel, "内部通报：党建工作要点", visibility=Visibility.INTERNAL,
                            organization=personas.branch_a,
                            body_html="<p>内部通报 INTERNAL-ARTICLE-5521 党建工作要点。</p>")
    minutes = held_activity(
        by=personas.alice, organization=personas.branch_a, types=["theme_day"],
        starts_at=at(2025, 3, 14), title="三月主题党日：党建工作", minutes=MINUTES, lock=True,
        host=personas.people.alice, recorder=personas.people.bob,
    )
    members_only = make_channel(home, "会员资料", "members")
    PageViewRestriction.objects.create(page=members_only, restriction_type=PageViewRestriction.LOGIN)
    login_page = members_only.add_child(instance=ChannelPage(
        title="登录可见：党建资料", slug="login-only", intro="<p>LOGIN-ONLY-3141 党建资料汇编。</p>"))
    committee = Group.objects.create(name="支委")
    personas.alice.groups.add(committee)
    committee_only = make_channel(home, "支委资料", "committee")
    restriction = PageViewRestriction.objects.create(
        page=committee_only, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(committee)
    group_page = committee_only.add_child(instance=ChannelPage(
        title="支委可见：党建计划", slug="group-only", intro="<p>GROUP-ONLY-2718 党建计划。</p>"))
    return personas, {"public": public, "internal": internal, "minutes": minutes,
                      "login_page": login_page, "group_page": group_page}


def test_anonymous_visitors_find_public_pages_only(secrets, anonymous):
    personas, pages = secrets

    results = selectors.search(anonymous, "党建")

    assert {h.object_id for h in results.hits} <= {
        pages["public"].pk, pages["public"].get_parent().pk}
    assert pages["public"].pk in {h.object_id for h in results.hits}
    text = words(results)
    for secret in (SENTINEL, "INTERNAL-ARTICLE", "LOGIN-ONLY", "GROUP-ONLY", "研究室党支部", "活动"):
        assert secret not in text
    assert [v.value for v in results.facets["kind"]] in (["article"], ["article", "page"])
    assert results.facets["organization"] == []
    assert results.total == sum(v.count for v in results.facets["kind"])


def test_carol_never_sees_branch_a_minutes_nor_bob(secrets):
    personas, pages = secrets

    for query in ("党建", "训练", SENTINEL, "王博", "bob", "主题党日", "内部通报", "党建工作要点"):
        results = selectors.search(personas.carol, query)
        text = words(results)
        assert SENTINEL not in text and "王博" not in text and "研究室党支部" not in text, query
        assert "INTERNAL-ARTICLE" not in text and "内部通报" not in text.replace(f"<mark>{query}</mark>", ""), query
        assert pages["internal"].pk not in {h.object_id for h in results.hits}, query
        assert pages["minutes"].pk not in {h.object_id for h in results.hits if h.kind == "activity"}
        assert "activity" not in [v.value for v in results.facets["kind"]], query
        assert "person" not in [v.value for v in results.facets["kind"]], query


def test_bob_finds_his_branchs_minutes_with_the_word_marked_and_counted(secrets):
    personas, pages = secrets

    results = selectors.search(personas.bob, "训练")

    [hit] = [h for h in results.hits if h.kind == "activity"]
    assert hit.object_id == pages["minutes"].pk
    assert "<mark>训练</mark>" in hit.snippet
    assert hit.url == f"/orgs/branch-a/activities/{pages['minutes'].pk}/"
    assert {(v.label, v.count) for v in results.facets["organization"]} == {("研究室党支部", 1)}
    assert [(v.value, v.count) for v in results.facets["year"]] == [("2025", 1)]


def test_people_are_found_by_those_who_may_see_them(secrets, anonymous):
    personas, _pages = secrets

    assert [h.title for h in selectors.search(personas.alice, "王博").hits] == ["<mark>王博</mark>"]
    assert selectors.search(personas.dan, "Bob").total == 1  # the committee's staff
    assert selectors.search(personas.carol, "王博").total == 0
    assert selectors.search(anonymous, "王博").total == 0
    # Everyone finds themselves.
    assert [h.kind for h in selectors.search(personas.carol, "陈可乐").hits] == ["person"]


def test_view_restrictions_hold_in_search(secrets, anonymous):
    personas, pages = secrets
    login_page, group_page = pages["login_page"].pk, pages["group_page"].pk

    def found(user, word):
        return {h.object_id for h in selectors.search(user, word).hits}

    assert login_page not in found(anonymous, "党建资料")
    assert login_page in found(personas.carol, "党建资料")  # any signed-in user, as Wagtail says
    assert group_page not in found(personas.carol, "党建计划")
    assert group_page in found(personas.alice, "党建计划")


def test_internal_articles_stay_hidden_from_anonymous_visitors(secrets, anonymous):
    personas, pages = secrets

    results = selectors.search(anonymous, "内部通报")

    assert results.total == 0 and results.hits == []
    assert "INTERNAL-ARTICLE" not in words(selectors.search(anonymous, "党建工作要点"))


def test_internal_articles_are_found_by_their_readers(secrets):
    personas, pages = secrets

    for user in (personas.bob, personas.alice, personas.dan):  # branch A, and the committee's staff
        results = selectors.search(user, "内部通报")
        assert [h.object_id for h in results.hits] == [pages["internal"].pk], user
        assert "<mark>内部通报</mark>" in results.hits[0].title
    assert selectors.search(personas.carol, "内部通报").total == 0


def test_the_page_api_and_command_show_carol_nothing_of_branch_a(secrets, login, api_client):
    personas, _pages = secrets

    html = login(personas.carol).get("/search/", {"q": "训练"}).content.decode()
    assert SENTINEL not in html and "研究室党支部" not in html and "训练" in html

    client = api_client(personas.carol)
    body = client.get("/api/v1/search/", {"q": "党建"}).json()
    assert SENTINEL not in json.dumps(body, ensure_ascii=False)
    assert all(hit["kind"] != "activity" for hit in body["results"])
    assert all(v["value"] != "activity" for v in body["facets"]["kind"])

    out = StringIO()
    call_command("search", "训练", "--as", "carol", "--format", "json", stdout=out)
    assert SENTINEL not in out.getvalue()
    out = StringIO()
    call_command("search", "训练", "--as", "bob", "--format", "json", stdout=out)
    assert SENTINEL in out.getvalue()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_a_view_restriction_holds_for_visitors_from_their_next_search(secrets, anonymous):
    """Visitors' permission rule is built once and cached under the view restrictions it was
    built with: a new restriction, or one lifted, counts from the next search on."""
    personas, pages = secrets
    public = pages["public"]
    assert public.pk in {h.object_id for h in selectors.search(anonymous, "党建").hits}

    restriction = PageViewRestriction.objects.create(page=public.get_parent(),
                                                     restriction_type=PageViewRestriction.LOGIN)
    results = selectors.search(anonymous, "党建")
    assert public.pk not in {h.object_id for h in results.hits} and results.total == 0
    assert public.pk in {h.object_id for h in selectors.search(personas.carol, "党建").hits}

    restriction.delete()
    assert public.pk in {h.object_id for h in selectors.search(anonymous, "党建").hits}


def _fresh(user):
    """The user as the next request reads them (nothing cached from this one)."""
    return type(user).objects.get(pk=user.pk)


def test_branch_a_internal_text_never_reaches_carol_nor_its_counts_and_facets(secrets):
    """An article restricted to branch A: carol (branch B) gets no hit, no count, no facet value
    from it; bob (branch A) and dan (committee staff) do, at the same word."""
    personas, pages = secrets
    for user in (personas.carol,):
        results = selectors.search(user, "INTERNAL-ARTICLE-5521")
        assert results.total == 0 and results.hits == []
        assert all(not values for values in results.facets.values())
        # A word it shares with public pages: counted without it.
        shared = selectors.search(user, "党建")
        assert pages["internal"].pk not in {h.object_id for h in shared.hits}
        assert sum(v.count for v in shared.facets["kind"]) == shared.total
    for user in (personas.bob, personas.dan):
        assert selectors.search(user, "INTERNAL-ARTICLE-5521").total == 1


def test_tokens_follow_a_change_of_roles_from_the_next_search(secrets):
    """Carol gains a role in branch A: her next search finds its internal article and minutes;
    the role ends: they are gone again."""
    from branchwork.core.testing import give_role

    personas, pages = secrets
    carol = personas.carol
    assert selectors.search(carol, "INTERNAL-ARTICLE-5521").total == 0
    membership = give_role(carol.person, personas.branch_a)
    assert selectors.search(_fresh(carol), "INTERNAL-ARTICLE-5521").total == 1
    membership.delete()
    assert selectors.search(_fresh(carol), "INTERNAL-ARTICLE-5521").total == 0


def test_tokens_follow_a_change_of_the_documents_restriction(secrets):
    """The public article becomes branch A's internal one (published again): from the next
    search carol no longer finds it, bob still does; a group restriction lifted opens a page."""
    personas, pages = secrets
    public = pages["public"]
    assert selectors.search(personas.carol, "党建工作交流会召开").total == 1
    public.visibility = Visibility.INTERNAL
    public.organization = personas.branch_a
    public.save_revision().publish()
    assert selectors.search(_fresh(personas.carol), "党建工作交流会召开").total == 0
    assert selectors.search(_fresh(personas.bob), "党建工作交流会召开").total == 1

    assert selectors.search(personas.bob, "GROUP-ONLY-2718").total == 0
    PageViewRestriction.objects.filter(page__slug="committee").delete()
    assert selectors.search(_fresh(personas.bob), "GROUP-ONLY-2718").total == 1


def test_tokens_follow_an_organization_that_moves(secrets):
    """Group A1 moves from branch A to branch B (core's service): from the next search its
    activity is found by branch B's members and no longer by branch A's secretary."""
    from branchwork.core import services as core_services

    personas, pages = secrets
    held_activity(by=personas.alice, organization=personas.group_a1, types=["theme_day"],
                  starts_at=at(2025, 4, 2), title="小组学习：MOVE-TOKEN-7788", minutes=MINUTES)
    assert selectors.search(personas.alice, "MOVE-TOKEN-7788").total == 1
    assert selectors.search(personas.carol, "MOVE-TOKEN-7788").total == 0

    core_services.organization_move(by=personas.admin, organization=personas.group_a1,
                                    parent=personas.branch_b)
    assert selectors.search(_fresh(personas.carol), "MOVE-TOKEN-7788").total == 1
    assert selectors.search(_fresh(personas.alice), "MOVE-TOKEN-7788").total == 0
