"""/my/ reads the member's reader once and each panel's rows with one query per kind: as many
queries for a member with ten times the activities, contributions, journal issues and talks."""

import datetime

import pytest
from django.utils import timezone

from branchwork.activities import services as activities
from branchwork.activities.models import ActivityStatus
from branchwork.activities.testing import held_activity
from branchwork.journal.testing import make_issue, make_journal
from branchwork.lectures import services as lectures
from branchwork.publishing import services as publishing
from branchwork.publishing.testing import build_portal

pytestmark = pytest.mark.django_db

QUERIES = 15  # measured: 13 for Bob (session and user included); a margin of two


def grow(personas, journal, n: int, start: int) -> None:
    """`n` more of everything /my/ shows Bob: activities coming up and held recently (some
    waiting for him as recorder), contributions, journal issues, talks to come."""
    now = timezone.now()
    alice, bob, branch = personas.alice, personas.people.bob, personas.branch_a
    for i in range(start, start + n):
        activities.activity_schedule(by=alice, organization=branch, types=["theme_day"],
                                     title=f"将来的主题党日{i}", notify=False,
                                     starts_at=now + datetime.timedelta(days=2 + i % 40, hours=i))
        held = held_activity(by=alice, organization=branch, types=["collective_study"],
                             title=f"最近的集体学习{i}", recorder=bob,
                             starts_at=now - datetime.timedelta(days=2 + i % 50, hours=i))
        assert held.status == ActivityStatus.HELD  # waiting for Bob's minutes
        publishing.contribution_create(author=bob, title=f"王博的来稿{i}", body_html="<p>正文。</p>")
        make_issue(journal, n_articles=1, image_every=0, year=2020 + i // 10, number=i % 10 + 1,
                   published_on=datetime.date(2020 + i // 10, 1, 1))
        lectures.talk_create(by=alice, organization=branch, topic=f"专题讲座{i}",
                             date=timezone.localdate() + datetime.timedelta(days=1 + i % 30),
                             speaker_name="林志远")


def test_my_page_costs_the_same_queries_with_ten_times_the_data(personas, login,
                                                                django_assert_max_num_queries):
    build_portal(personas)
    journal = make_journal(personas.branch_a)
    client = login(personas.bob)
    pages = []
    for n, start in ((2, 0), (18, 2)):  # 2, then 20: ten times as much
        grow(personas, journal, n, start)
        client.get("/my/")  # the reader is cached across requests from here on
        with django_assert_max_num_queries(QUERIES) as captured:
            response = client.get("/my/")
        assert response.status_code == 200
        pages.append((len(captured), response.content.decode()))
    (small_count, small), (large_count, large) = pages
    assert small_count == large_count
    for text in ("将来的主题党日1", "最近的集体学习1", "王博的来稿1", "专题讲座1"):
        assert text in small, text
    assert "王博的来稿19" in large  # the newest contributions come first
