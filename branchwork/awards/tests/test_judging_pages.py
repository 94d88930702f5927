"""Blind scoring hides names in every page and export of the judges; every page of the app, walked
as every persona, never shows an entrant's name (the sentinel) to whom it is hidden; the pages
cost the same number of queries with ten times the entries."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import get_resolver

from branchwork.awards import services
from branchwork.awards.models import Competition, Entrant, Entry
from branchwork.awards.testing import ENTRANT_SENTINEL, SCORE_SENTINELS, awards_world
from branchwork.research.testing import research_world
from branchwork.tests.test_url_walk import readable_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    personas.research = research_world(personas)
    personas.awards = awards_world(personas)
    return personas


def awards_urls(world) -> list[str]:
    """Every URL of the app, its parameters filled with the world's objects."""
    w = world.awards
    values = {"org_code": world.branch_a.code, "competition_id": w.competition.pk, "entry_id": w.guest_entry.pk,
              "award_id": w.award.pk, "criterion_id": w.criterion.pk, "rule_id": w.rule.pk}
    resolver = get_resolver()
    _prefix, sub = resolver.namespace_dict["awards"]
    urls = set()
    for _key, entries in sub.reverse_dict.lists():
        for possibilities, _pattern, _defaults, _converters in entries:
            for fmt, params in possibilities:
                urls.add("/" + fmt % {p: values[p] for p in params})
                if "entry_id" in params:
                    urls.add("/" + fmt % {**{p: values[p] for p in params}, "entry_id": w.bob_entry.pk})
    return sorted(urls)


# What a judge of a blind competition must never read: the entrants' names and organizations.
ENTRANTS = [ENTRANT_SENTINEL, "王博", "Bob", "综合处党支部", "Branch B", "研究室第一党小组", "Group A1"]


def _judge_pages(world):
    return [u for u in awards_urls(world) if "/judging" in u] + [world.awards.competition.get_absolute_url()]


@pytest.mark.parametrize("judge", ["frank", "dan"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_blind_scoring_hides_names_in_every_page_and_export_of_the_judges(world, login, judge, language):
    client = login(getattr(world, judge))
    client.cookies["bw_language"] = language
    seen = 0
    for url in _judge_pages(world):
        response = client.get(url)
        assert response.status_code in (200, 404, 405), (url, response.status_code)
        if response.status_code == 200:
            seen += 1
            text = readable_text(response)
            for name in ENTRANTS:
                assert name not in text, (url, name)
    # Frank: the list, the guest's entry, its file link, the export, the competition (Bob's entry
    # is withheld: his own organization's). Dan: both entries too.
    assert seen >= 4
    sheet = client.get(f"/orgs/{world.branch_a.code}/awards/competitions/{world.awards.competition.pk}/judging.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] in (("作品", "标题"), ("Entry", "Title")) and len(rows[0]) == 5
    titles = [r[1] for r in rows[1:]]
    assert "关于社区治理的调研" in titles
    assert ("关于数字经济的调研" in titles) == (judge == "dan")
    if judge == "frank":
        assert rows[1][2:] == (93.17, 83.59, 176.76)  # read back as numbers


def test_without_blind_scoring_the_judges_see_the_names(world, login):
    Competition.objects.filter(pk=world.awards.competition.pk).update(blind=False)
    client = login(world.frank)
    page = client.get(f"/orgs/{world.branch_a.code}/awards/competitions/{world.awards.competition.pk}/judging/")
    assert ENTRANT_SENTINEL in page.content.decode() and "综合处党支部" in page.content.decode()


# Who must never read the guest entrant's name, or Frank's scores, while results are unpublished.
SCORES = list(SCORE_SENTINELS)
HIDDEN = {
    "anonymous": [ENTRANT_SENTINEL, *SCORES], "carol": [ENTRANT_SENTINEL, *SCORES],
    "bob": [ENTRANT_SENTINEL, *SCORES], "dan": [ENTRANT_SENTINEL, *SCORES], "frank": [ENTRANT_SENTINEL],
    "alice": SCORES,
}


@pytest.mark.parametrize("persona", sorted(HIDDEN))
def test_every_page_of_the_app_walked_as_every_persona_hides_the_entrants(world, login, persona):
    client = login(None if persona == "anonymous" else getattr(world, persona))
    failures = []
    for url in awards_urls(world) + ["/my/"]:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url} → {response.status_code}")
            continue
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        if persona == "carol" and url != "/my/":
            assert response.status_code in (404, 405), (url, response.status_code)
        text = readable_text(response)
        for secret in HIDDEN[persona]:
            if secret in text:
                failures.append(f"{url} shows {secret!r} to {persona}")
    assert not failures, "\n".join(failures)
    if persona == "alice":  # the manager does see the entrant
        page = client.get(world.awards.competition.get_absolute_url()).content.decode()
        assert ENTRANT_SENTINEL in page


# --- Query counts, as the data grows tenfold ---


def grow(world, n: int) -> None:
    """n more entries, each with two entrants and Frank's or Dan's scores."""
    p, w = world, world.awards
    criteria = list(w.competition.criteria.all())
    for i in range(n):
        for j in range(3):
            entry = Entry.objects.create(
                competition=w.competition, number=1000 + i * 3 + j, organization=p.branch_b, title=f"作品{i}-{j}",
                submitted_on=datetime.date(2026, 11, 1))
            Entrant.objects.create(entry=entry, guest_name=f"作者{i}-{j}")
            Entrant.objects.create(entry=entry, position=2, person=p.people.carol)
            judge = w.frank if j else w.dan
            services.scores_record(by=judge.person.user, judge=judge, entry=entry,
                                   values={c: Decimal(70 + j) for c in criteria})


@pytest.mark.parametrize("factor", [1, 10])
def test_the_pages_cost_the_same_queries_as_the_entries_grow(world, factor, login, django_assert_max_num_queries):
    grow(world, factor)
    c = world.awards.competition
    base = f"/orgs/{world.branch_a.code}/awards/"
    for user, url, limit in (
            (world.alice, base, 16), (world.alice, c.get_absolute_url(), 22),
            (world.alice, f"{base}competitions/{c.pk}/results.xlsx", 14),
            (world.frank, f"{base}competitions/{c.pk}/judging/", 16),
            (world.frank, f"{base}competitions/{c.pk}/judging.xlsx", 14),
            (world.frank, f"{base}competitions/{c.pk}/judging/{world.awards.guest_entry.pk}/", 18),
            (world.bob, world.awards.award.get_absolute_url(), 16)):
        client = login(user)
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url
