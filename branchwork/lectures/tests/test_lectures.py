"""The lecture hall: internal only, talks and series, attachments behind the permission check,
the collective study a talk was part of, editing by editors and managers, constant queries."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branchwork.activities.testing import at, held_activity
from branchwork.core.models import Role
from branchwork.core.testing import UserFactory, give_role
from branchwork.lectures import services
from branchwork.lectures.models import LectureSeries, Talk

pytestmark = pytest.mark.django_db

TOPIC = "读原著与做研究 L-TOPIC-5521"
STUDY_TITLE = "支部集体学习 A-STUDY-8812"


@pytest.fixture
def world(personas):
    series = services.series_create(by=personas.alice, organization=personas.branch_a,
                                    title="青年理论讲堂", description="青年党员轮流主讲。")
    study = held_activity(by=personas.alice, organization=personas.branch_a, types=["collective_study"],
                          starts_at=at(2026, 3, 12), title=STUDY_TITLE)
    talk = services.talk_create(
        by=personas.alice, organization=personas.branch_a, series=series, topic=TOPIC,
        date=datetime.date(2026, 3, 12), speaker=personas.people.bob, abstract="摘要：带着问题读原著。",
        activity=study, slides=ContentFile(b"%PDF-1.4 slides", name="课件.pdf"),
        recording=ContentFile(b"ID3 audio", name="录音.mp3"))
    guest = services.talk_create(
        by=personas.alice, organization=personas.branch_a, series=series,
        topic="新时代调查研究的方法", date=timezone.localdate() + datetime.timedelta(days=10),
        speaker_name="林志远", speaker_affiliation="东湖大学马克思主义学院教授")
    personas.series, personas.study, personas.talk, personas.guest = series, study, talk, guest
    return personas


def _urls(w) -> list[str]:
    return [reverse("lectures:index"), reverse("lectures:series", args=[w.series.pk]),
            reverse("lectures:talk", args=[w.talk.pk]), reverse("lectures:slides", args=[w.talk.pk]),
            reverse("lectures:recording", args=[w.talk.pk]), reverse("lectures:talk_new"),
            reverse("lectures:talk_edit", args=[w.talk.pk])]


def test_anonymous_visitors_are_sent_to_log_in(world, login):
    client = login(None)
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
        assert TOPIC not in response.content.decode()


def test_accounts_that_are_not_members_get_404(world, login):
    client = login(UserFactory(username="nobody"))
    for url in _urls(world):
        assert client.get(url).status_code == 404, url


def test_another_branchs_members_get_404(world, login):
    client = login(world.carol)  # a member of branch B; the talks are branch A's
    for url in _urls(world)[1:]:
        assert client.get(url).status_code == 404, url
    index = client.get(reverse("lectures:index")).content.decode()  # the hall, without A's talks
    assert TOPIC not in index and "青年理论讲堂" not in index and "林志远" not in index


def test_members_read_talks_series_and_attachments(world, login):
    client = login(world.bob)  # a member of branch A
    index = client.get(reverse("lectures:index")).content.decode()
    assert TOPIC in index and "青年理论讲堂" in index
    # The guest's talk is coming up, Bob's is past.
    assert index.index("新时代调查研究的方法") < index.index(TOPIC)
    assert "林志远（东湖大学马克思主义学院教授）" in index
    archive = client.get(reverse("lectures:series", args=[world.series.pk])).content.decode()
    assert TOPIC in archive and "青年党员轮流主讲。" in archive
    page = client.get(reverse("lectures:talk", args=[world.talk.pk])).content.decode()
    assert "摘要：带着问题读原著。" in page and "王博" in page
    slides = client.get(reverse("lectures:slides", args=[world.talk.pk]))
    assert b"".join(slides.streaming_content) == b"%PDF-1.4 slides"
    assert "课件.pdf" in slides["Content-Disposition"] or "%E8%AF%BE%E4%BB%B6" in slides["Content-Disposition"]
    recording = client.get(reverse("lectures:recording", args=[world.talk.pk]))
    assert b"".join(recording.streaming_content) == b"ID3 audio"
    # The guest's talk has no slides.
    assert client.get(reverse("lectures:slides", args=[world.guest.pk])).status_code == 404


def test_the_collective_study_is_named_to_those_who_may_see_it(world, login):
    url = reverse("lectures:talk", args=[world.talk.pk])
    mine = login(world.bob).get(url).content.decode()
    assert STUDY_TITLE in mine and world.study.get_absolute_url() in mine
    # A committee's talk given at branch A's study: branch B reads the talk, not A's activity.
    Talk.objects.filter(pk=world.talk.pk).update(organization=world.committee)
    theirs = login(world.carol).get(url).content.decode()
    assert "摘要：带着问题读原著。" in theirs
    assert STUDY_TITLE not in theirs and world.study.get_absolute_url() not in theirs


def test_only_a_collective_study_can_be_linked(world):
    meeting = held_activity(by=world.alice, organization=world.branch_a, types=["general_meeting"],
                            starts_at=at(2026, 4, 2))
    with pytest.raises(ValidationError) as exc:
        services.talk_update(by=world.alice, talk=world.talk, activity=meeting)
    assert "activity" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.talk_create(by=world.alice, organization=world.branch_a, topic="无主讲人",
                             date=datetime.date(2026, 5, 1))
    with pytest.raises(ValidationError):
        services.talk_create(by=world.alice, organization=world.branch_a, topic="两个主讲人",
                             date=datetime.date(2026, 5, 1), speaker=world.people.bob, speaker_name="某人")


def test_managers_and_editors_create_talks_members_do_not(world, login):
    new = reverse("lectures:talk_new")
    assert login(world.bob).get(new).status_code == 404
    assert login(world.bob).get(reverse("lectures:talk_edit", args=[world.talk.pk])).status_code == 404
    give_role(world.people.bob, world.branch_a, Role.EDITOR)
    client = login(world.bob)
    # A study of this year (the form offers those of the last two years and this one).
    study = held_activity(by=world.alice, organization=world.branch_a, types=["collective_study"],
                          starts_at=timezone.localtime() - datetime.timedelta(hours=3), title="本年集体学习")
    response = client.post(new, {
        "organization": world.branch_a.pk, "series": world.series.pk, "topic": "数字时代的基层治理",
        "date": "2026-09-17", "speaker": world.people.alice.pk, "place": "党员活动室",
        "abstract": "以两个街道为例。", "activity": study.pk,
        "slides": SimpleUploadedFile("治理.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    })
    talk = Talk.objects.get(topic="数字时代的基层治理")
    assert response["Location"] == talk.get_absolute_url()
    assert talk.slides_name == "治理.pdf" and talk.created_by == world.bob
    assert talk.slides.name.startswith("lectures/")
    # Wrong kind of file: refused.
    response = client.post(reverse("lectures:talk_edit", args=[talk.pk]), {
        "organization": world.branch_a.pk, "topic": talk.topic, "date": "2026-09-17",
        "speaker": world.people.alice.pk,
        "recording": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")})
    assert response.status_code == 200 and not Talk.objects.get(pk=talk.pk).recording
    # Removing the slides.
    client.post(reverse("lectures:talk_edit", args=[talk.pk]), {
        "organization": world.branch_a.pk, "topic": talk.topic, "date": "2026-09-17",
        "speaker": world.people.alice.pk, "remove_slides": "on"})
    assert not Talk.objects.get(pk=talk.pk).slides
    # An editor of branch B neither edits A's talks nor creates talks for A.
    give_role(world.people.carol, world.branch_b, Role.EDITOR)
    carol = login(world.carol)
    assert carol.get(reverse("lectures:talk_edit", args=[talk.pk])).status_code == 404
    response = carol.post(new, {"organization": world.branch_a.pk, "topic": "越权", "date": "2026-09-01",
                                "speaker_name": "某人"})
    assert response.status_code == 200 and not Talk.objects.filter(topic="越权").exists()


def test_a_series_is_created_and_deleting_a_talk_keeps_the_series(world, login, django_capture_on_commit_callbacks):
    client = login(world.alice)
    response = client.post(reverse("lectures:series_new"), {
        "organization": world.branch_a.pk, "title": "支部书记讲党课", "description": "每季度一讲。"})
    series = LectureSeries.objects.get(title="支部书记讲党课")
    assert response["Location"] == series.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lectures:talk_delete", args=[world.talk.pk]))
    assert not Talk.objects.filter(pk=world.talk.pk).exists()
    assert LectureSeries.objects.filter(pk=world.series.pk).exists()


def test_query_count_of_the_lecture_hall_does_not_grow_with_talks(world, login):
    def measure() -> int:
        client = login(world.bob)
        cache.clear()  # what pages keep a while (the header's back-office link) is asked again
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("lectures:index")).status_code == 200
        return len(ctx.captured_queries)

    before = measure()
    more = services.series_create(by=world.alice, organization=world.branch_a, title="第二个系列")
    for i in range(15):
        services.talk_create(by=world.alice, organization=world.branch_a, series=more if i % 2 else None,
                             topic=f"报告{i}", date=datetime.date(2025, 1, 1) + datetime.timedelta(days=20 * i),
                             speaker=world.people.alice if i % 3 else None,
                             speaker_name="" if i % 3 else f"嘉宾{i}", activity=world.study if i == 4 else None)
        services.talk_create(by=world.alice, organization=world.branch_a, topic=f"将来的报告{i}",
                             date=timezone.localdate() + datetime.timedelta(days=i + 1),
                             speaker_name=f"嘉宾{i}")
    assert measure() == before

    def measure_series() -> int:
        client = login(world.bob)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("lectures:series", args=[more.pk])).status_code == 200
        return len(ctx.captured_queries)

    first = measure_series()
    for i in range(5):
        services.talk_create(by=world.alice, organization=world.branch_a, series=more, topic=f"又一个{i}",
                             date=datetime.date(2026, 2, 1), speaker=world.people.bob)
    assert measure_series() == first
