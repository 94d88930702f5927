"""The yearly figures: counted from the records; page, XLSX, command and API agree; publications
of a tier in a year are a query; pages cost the same number of queries as the data grows."""

import datetime
import io
import json
from collections import Counter

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from branchwork.core import services as core_services
from branchwork.research import figures, services
from branchwork.research.models import (
    Instruction,
    Level,
    OutletTier,
    Output,
    OutputKind,
    Publication,
    Submission,
    Topic,
)
from branchwork.research.testing import kind, research_world

YEAR = 2026


def grow(personas, world, n: int) -> None:
    """n more outputs of each of several kinds in branch A over 2025–2026, each submitted, half
    instructed, a third published (some in national media, with reprints), and topics."""
    kinds = ["research_report", "internal_reference", "article", "translation"]
    for i in range(n):
        for j, code in enumerate(kinds):
            year = 2025 + (i + j) % 2
            output = services.output_create(
                by=personas.erin, organization=personas.branch_a, kind=kind(code), title=f"成果{i}-{j}",
                completed_on=datetime.date(year, 1 + (i % 12), 1 + j), authors=[personas.people.bob])
            submission = services.submission_create(
                by=personas.erin, output=output, recipient="领导", level=[Level.CENTRAL, Level.MINISTRY, Level.OTHER][(i + j) % 3],
                submitted_on=datetime.date(year, 1 + (i % 12), 10))
            if (i + j) % 2 == 0:
                services.instruction_record(by=personas.erin, submission=submission, given_by="领导",
                                            level=submission.level, given_on=datetime.date(year, 1 + (i % 12), 20))
            if (i + j) % 3 == 0:
                first = services.publication_add(by=personas.erin, output=output, outlet=world.national,
                                                 published_on=datetime.date(year, 1 + (i % 12), 25))
                services.publication_add(by=personas.erin, output=output, outlet=world.journal,
                                         published_on=datetime.date(year, 1 + (i % 12), 26), reprint_of=first)
        services.topic_create(by=personas.erin, organization=personas.branch_a, title=f"课题{i}",
                              approved_on=datetime.date(2025, 1 + (i % 12), 1),
                              completed_on=datetime.date(2026, 1 + (i % 12), 2) if i % 2 else None)


@pytest.fixture
def world(personas):
    personas.research = research_world(personas)
    grow(personas, personas.research, 3)
    # Branch B's records are not branch A's figures, and are the committee's.
    services.output_create(by=personas.admin, organization=personas.branch_b, kind=kind("article"),
                           title="乙支部文章", completed_on=datetime.date(YEAR, 5, 1), authors=["某人"])
    return personas


def expected(org, year) -> dict[str, dict[str, int]]:
    """The counts, from the records themselves (iterating rows, not the figures' queries)."""
    in_org = [o for o in Output.objects.select_related("organization", "kind") if o.organization.path.startswith(org.path)]
    ids = {o.pk for o in in_org}
    end, start = datetime.date(year, 12, 31), datetime.date(year, 1, 1)
    as_of = min(end, datetime.date(2026, 11, 16))
    topics = Counter(
        t.status_on(as_of) for t in Topic.objects.select_related("organization")
        if t.organization.path.startswith(org.path) and t.approved_on and t.approved_on <= end
        and not (t.completed_on and t.completed_on < start) and not (t.cancelled_on and t.cancelled_on < start))
    return {
        "topics_by_status": dict(topics),
        "outputs_by_kind": dict(Counter(o.kind.code for o in in_org if o.completed_on.year == year)),
        "submissions_by_level": dict(Counter(s.level for s in Submission.objects.all()
                                             if s.output_id in ids and s.submitted_on.year == year)),
        "instructions_by_level": dict(Counter(i.level for i in Instruction.objects.select_related("submission")
                                              if i.submission.output_id in ids and i.given_on.year == year)),
        "publications_by_tier": dict(Counter(p.outlet.tier for p in Publication.objects.select_related("outlet")
                                             if p.output_id in ids and p.published_on.year == year
                                             and p.reprint_of_id is None)),
    }


def _nonzero(section) -> dict[str, int]:
    return {r.code: r.count for r in section.rows if r.count}


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_figures_are_the_counts_of_the_records(world, year):
    result = figures.yearly(world.branch_a, year)
    want = expected(world.branch_a, year)
    assert sum(want["outputs_by_kind"].values()) > 0
    for key, counts in want.items():
        assert _nonzero(result.section(key)) == counts, key
    committee = figures.yearly(world.committee, year)
    assert committee.section("outputs_by_kind").total == result.section("outputs_by_kind").total + (year == YEAR)


def test_the_national_articles_of_a_year_are_a_query(world, login):
    want = sum(1 for p in Publication.objects.select_related("outlet")
               if p.published_on.year == YEAR and p.outlet.tier == OutletTier.NATIONAL and p.reprint_of_id is None)
    assert figures.national_articles(world.branch_a, YEAR).count() == want
    client = login(world.frank)
    client.cookies["bw_language"] = "en"
    body = client.get(f"/orgs/{world.branch_a.code}/research/publications/?year={YEAR}&tier=national").content.decode()
    assert f"{want} publications" in body or (want == 1 and "1 publication" in body)
    assert body.count("<tr>") == want + 1


def test_the_page_xlsx_command_and_api_agree(world, login, capsys):
    client = login(world.alice)
    with translation.override("zh-hans"):
        result = figures.yearly(world.branch_a, YEAR)
    page = client.get(f"/orgs/{world.branch_a.code}/research/figures/?year={YEAR}").content.decode()
    assert page.count("<svg") == len(result.sections)
    for s in result.sections:
        for r in s.rows:
            assert f'data-code="{r.code}">{r.count}<' in page

    xlsx = client.get(f"/orgs/{world.branch_a.code}/research/figures.xlsx?year={YEAR}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("栏目", "项目", "数量")
    got = {(a, b): c for a, b, c in rows[1:]}
    for s in result.sections:
        assert got[(s.title, "合计")] == s.total
        for r in s.rows:
            assert got[(s.title, r.name)] == r.count

    call_command("research_figures", "--org", world.branch_a.code, "--year", str(YEAR), "--format", "json")
    from_command = json.loads(capsys.readouterr().out)
    assert from_command["sections"] == json.loads(json.dumps(result.as_dict()))["sections"]
    call_command("research_figures", "--org", world.branch_a.code, "--year", str(YEAR))
    table = capsys.readouterr().out
    assert f"{result.section('outputs_by_kind').title}: {result.section('outputs_by_kind').total}" in table

    token = core_services.api_token_issue(user=world.alice).key
    api = client.get(f"/api/v1/research/figures/?org={world.branch_a.code}&year={YEAR}",
                     HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert api["sections"] == from_command["sections"]


def test_outsiders_get_404_for_the_figures(world, login):
    client = login(world.carol)
    assert client.get(f"/orgs/{world.branch_a.code}/research/figures/").status_code == 404
    assert client.get(f"/orgs/{world.branch_a.code}/research/figures.xlsx").status_code == 404
    token = core_services.api_token_issue(user=world.carol).key
    assert client.get(f"/api/v1/research/figures/?org={world.branch_a.code}",
                      HTTP_AUTHORIZATION=f"Token {token}").status_code == 404


def test_a_section_added_by_another_app_is_shown(world, monkeypatch):
    # A copy of the registered sections (learning's study hours among them), put back afterwards.
    monkeypatch.setattr(figures, "_extra_sections", [*figures._extra_sections])
    section = figures.Section("study_hours", "学时分布", [figures.Row("0-16", "0–16", 3)])
    figures.register_section(lambda org, year: section)
    assert figures.yearly(world.branch_a, YEAR).sections[-1] is section


def test_the_kinds_in_the_figures_follow_the_data(world):
    OutputKind.objects.create(code="briefing", name_zh="情况简报", name_en="Briefing", position=99)
    assert "briefing" in [r.code for r in figures.yearly(world.branch_a, YEAR).section("outputs_by_kind").rows]


# --- Query counts, as the data grows tenfold ---


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("factor", [1, 10])
def test_pages_cost_the_same_queries_as_the_data_grows(personas, factor, login, django_assert_max_num_queries):
    world = research_world(personas)
    grow(personas, world, factor)
    client = login(personas.alice)
    a = personas.branch_a.code
    for url, limit in ((f"/orgs/{a}/research/", 22), (f"/orgs/{a}/research/figures/?year={YEAR}", 16),
                       (world.report.get_absolute_url(), 30), (world.topic.get_absolute_url(), 20),
                       (f"/orgs/{a}/research/publications/?year={YEAR}", 16)):
        _queries(client, url, django_assert_max_num_queries, limit)
