"""Awards in the research office's yearly figures (by level and by body; hand-counted), on the
page, in the XLSX, the command and the API; and the demo, which loads once."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from branchwork.awards import services
from branchwork.awards.models import Award, BodyLevel, Competition, CompetitionStatus, Scope
from branchwork.awards.testing import awards_world, grade
from branchwork.core import services as core_services
from branchwork.research import figures
from branchwork.research.testing import research_world

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def world(personas):
    p = personas
    p.research = research_world(p)
    p.awards = awards_world(p)  # branch A: 中国青年研究会, national, 2026
    services.award_create(by=p.admin, organization=p.group_a1, title="院青年论文奖", scope=Scope.INTERNAL,
                          body="东湖研究院", level=BodyLevel.INSTITUTION, grade=grade("third"), year=2026,
                          recipients=[p.people.bob])
    services.award_create(by=p.admin, organization=p.branch_b, title="部优秀信息奖", body="某部",
                          level=BodyLevel.MINISTRY, year=2026, recipients=[p.people.carol])
    services.award_create(by=p.admin, organization=p.branch_a, title="去年的奖", body="中国青年研究会",
                          level=BodyLevel.NATIONAL, year=2025, recipients=["外请专家甲"])
    return p


def _counts(section):
    return {r.code: r.count for r in section.rows if r.count}


def test_awards_are_counted_by_level_and_body_for_the_year(world):
    result = figures.yearly(world.branch_a, YEAR)
    # Branch A in 2026: its own national award and its group's award of the institution.
    assert _counts(result.section("awards_by_level")) == {"national": 1, "institution": 1}
    assert _counts(result.section("awards_by_body")) == {"中国青年研究会": 1, "东湖研究院": 1}
    # The committee counts branch B's too; 2025 has the one award of last year.
    assert _counts(figures.yearly(world.committee, YEAR).section("awards_by_level")) == {
        "national": 1, "institution": 1, "ministry": 1}
    assert _counts(figures.yearly(world.branch_a, 2025).section("awards_by_body")) == {"中国青年研究会": 1}


def test_the_page_xlsx_command_and_api_show_the_awards(world, login, capsys):
    client = login(world.alice)
    with translation.override("zh-hans"):
        result = figures.yearly(world.branch_a, YEAR)
    by_level = result.section("awards_by_level")
    assert by_level.title == "获奖（按级别）"
    page = client.get(f"/orgs/{world.branch_a.code}/research/figures/?year={YEAR}").content.decode()
    assert 'data-code="national">1<' in page and 'data-code="中国青年研究会">1<' in page
    xlsx = client.get(f"/orgs/{world.branch_a.code}/research/figures.xlsx?year={YEAR}")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    got = {(a, b): c for a, b, c in rows[1:]}
    assert got[("获奖（按级别）", "全国")] == 1 and got[("获奖（按级别）", "合计")] == 2
    assert got[("获奖（按颁奖机构）", "东湖研究院")] == 1
    call_command("research_figures", "--org", world.branch_a.code, "--year", str(YEAR), "--format", "json")
    sections = {s["key"]: s for s in json.loads(capsys.readouterr().out)["sections"]}
    assert sections["awards_by_level"]["total"] == 2
    token = core_services.api_token_issue(user=world.alice).key
    api = client.get(f"/api/v1/research/figures/?org={world.branch_a.code}&year={YEAR}",
                     HTTP_AUTHORIZATION=f"Token {token}").json()
    assert {s["key"]: s["total"] for s in api["sections"]}["awards_by_body"] == 2


def test_the_demo_loads_once_with_its_competitions_and_results():
    from branchwork.awards import demo
    from branchwork.core import demo as core_demo
    from branchwork.lectures import demo as lectures_demo
    from branchwork.research import demo as research_demo

    core_demo.load(password="demo-password-1")
    research_demo.load_demo(stdout=io.StringIO())
    lectures_demo.load_demo(stdout=io.StringIO())
    demo.load_demo(stdout=io.StringIO())
    award = Competition.objects.get(title="2026年度青年调研成果奖")
    course = Competition.objects.get(title="2026年研究与交流党总支党课比赛")
    assert award.status == CompetitionStatus.PUBLISHED and award.blind
    assert course.status == CompetitionStatus.SCORING and course.entries.filter(talk__isnull=False).count() == 2
    # The results as the scores give them (weights 0.3, 0.4, 0.3; hand-computed from the YAML):
    # 青年科研人员思想状况调查 (88·.3+90·.4+86·.3 = 88.2; 85.9; 89.8) → 87.97, first; then 85.37,
    # 84.30 (second), 83.10 and 79.95 (third): five awards.
    first = award.entries.get(rank=1)
    assert first.title == "青年科研人员思想状况调查" and str(first.score) == "87.97" and first.grade.code == "first"
    assert Award.objects.filter(entry__competition=award).count() == 5
    assert Award.objects.filter(entry__isnull=True).count() == 4
    out = io.StringIO()
    demo.load_demo(stdout=out)
    assert "0 new" in out.getvalue()
    assert Award.objects.count() == 9
    assert datetime.date(2026, 10, 15) in set(Award.objects.values_list("awarded_on", flat=True))
