"""Topics and outputs: kinds as data, authors in order, classification, files, versions, rounds."""

import datetime

import pytest
from django.utils import translation
from django.core.files.base import ContentFile
from django.core.exceptions import ValidationError

from branchwork.core.conflicts import Conflict, VersionConflict
from branchwork.core.models import AuditEntry
from branchwork.research import services
from branchwork.research.models import (
    CLASSIFIED_REFUSAL,
    Classification,
    OutputFile,
    OutputKind,
    Topic,
    TopicStatus,
)
from branchwork.research.testing import INSTRUCTION_TEXT, RESTRICTED_TITLE, kind, research_world


@pytest.fixture
def world(personas):
    personas.research = research_world(personas)
    return personas


def test_the_kinds_of_output_are_data_an_office_can_extend(world, login):
    assert list(OutputKind.objects.values_list("code", flat=True)) == [
        "research_report", "internal_reference", "article", "document_draft", "translation",
        "book_chapter", "other"]
    OutputKind.objects.create(code="briefing", name_zh="情况简报", name_en="Briefing", position=50)
    page = login(world.erin).get(f"/orgs/{world.branch_a.code}/research/outputs/new/")
    assert "情况简报" in page.content.decode()


def test_authors_keep_their_order_people_and_guests(world, login):
    report = world.research.report
    assert [a.display_name for a in report.authors.all()] == [world.people.bob.display_name, "外请专家甲"]
    services.output_update(by=world.erin, output=report, authors=["外请专家甲", world.people.bob])
    assert [a.display_name for a in report.authors.all()] == ["外请专家甲", world.people.bob.display_name]
    with pytest.raises(ValidationError, match="at least one author"):
        services.output_update(by=world.erin, output=report, authors=[])


def test_a_topic_status_follows_its_dates(world):
    topic = world.research.topic
    assert topic.status_on(datetime.date(2026, 2, 1)) == TopicStatus.PROPOSED
    assert topic.status_on(datetime.date(2026, 3, 1)) == TopicStatus.APPROVED
    services.topic_update(by=world.erin, topic=topic, midterm_on=datetime.date(2026, 6, 1),
                          completed_on=datetime.date(2026, 10, 1))
    assert topic.status_on(datetime.date(2026, 7, 1)) == TopicStatus.MIDTERM
    assert topic.status_on(datetime.date(2026, 11, 1)) == TopicStatus.COMPLETED
    with pytest.raises(ValidationError, match="follow one another"):
        services.topic_update(by=world.erin, topic=Topic.objects.get(pk=topic.pk),
                              completed_on=datetime.date(2026, 4, 1))


def test_the_topic_page_shows_what_is_attached_to_it(world, login):
    body = login(world.bob).get(world.research.topic.get_absolute_url()).content.decode()
    assert "外请专家甲" in body and "关于全球治理的调研报告" in body


# --- Classified: metadata only ---


def test_a_classified_output_refuses_its_text_with_the_reason(world, login):
    classified = world.research.classified
    with pytest.raises(Conflict) as refused:
        services.output_save_text(by=world.erin, output=classified, text="正文", base_version=0)
    assert "unclassified network" in refused.value.messages[0]
    with pytest.raises(ValidationError, match="unclassified network"):
        services.output_create(by=world.erin, organization=world.branch_a, kind=kind("article"),
                               title="x", completed_on=datetime.date(2026, 1, 1), authors=["甲"],
                               classification=Classification.CLASSIFIED, text="正文")
    client = login(world.erin)
    response = client.post(f"{classified.get_absolute_url()}text/", {"text": "正文", "base_version": 0})
    assert response.status_code in (400, 409)
    classified.refresh_from_db()
    assert classified.text == "" and not classified.versions.exists()
    # The page says why, in the reader's language.
    page = client.get(classified.get_absolute_url())
    assert str(CLASSIFIED_REFUSAL) in page.content.decode()
    assert 'name="text"' not in page.content.decode()


def test_a_classified_output_refuses_files(world, login):
    classified = world.research.classified
    with pytest.raises(Conflict, match="unclassified network"):
        services.output_file_add(by=world.erin, output=classified,
                                 upload=ContentFile(b"x", name="report.docx"))
    response = login(world.erin).post(f"{classified.get_absolute_url()}files/",
                                      {"upload": ContentFile(b"x", name="report.docx")})
    assert response.status_code == 400
    assert "非涉密网络" in response.content.decode()
    assert not OutputFile.objects.filter(output=classified).exists()


def test_an_instruction_on_a_classified_output_is_kept_without_its_text(world):
    classified = world.research.classified
    submission = services.submission_create(by=world.erin, output=classified, recipient="中央领导同志",
                                            level="central", submitted_on=datetime.date(2026, 8, 2))
    with pytest.raises(Conflict, match="unclassified network"):
        services.instruction_record(by=world.erin, submission=submission, given_by="领导",
                                    level="central", given_on=datetime.date(2026, 8, 9), text="批示正文")
    kept = services.instruction_record(by=world.erin, submission=submission, given_by="领导",
                                       level="central", given_on=datetime.date(2026, 8, 9))
    assert kept.text == ""


def test_an_output_holding_text_cannot_be_marked_classified(world):
    with pytest.raises(Conflict, match="cannot be marked classified"):
        services.output_update(by=world.erin, output=world.research.report,
                               classification=Classification.CLASSIFIED)


# --- Versions, files, rounds ---


def test_each_save_of_the_text_is_a_version_and_a_stale_save_is_refused(world, login):
    report = world.research.report
    assert report.version == 1
    services.output_save_text(by=world.bob, output=report, text="第二稿", base_version=1, note="改结构")
    assert list(report.versions.values_list("number", "text")) == [(2, "第二稿"), (1, "报告正文")]
    with pytest.raises(VersionConflict) as stale:
        services.output_save_text(by=world.erin, output=report, text="基于旧稿", base_version=1)
    assert stale.value.current == {"text": "第二稿"} and stale.value.version == 2
    response = login(world.erin).post(f"{report.get_absolute_url()}text/", {"text": "旧稿", "base_version": 1})
    assert response.status_code == 409
    assert "第二稿" in response.content.decode()
    version = login(world.bob).get(f"{report.get_absolute_url()}versions/1/")
    assert "报告正文" in version.content.decode()


def test_files_are_served_to_readers_only(world, login):
    stored = services.output_file_add(by=world.bob, output=world.research.report,
                                      upload=ContentFile(b"word bytes", name="报告.docx"))
    url = f"{world.research.report.get_absolute_url()}files/{stored.pk}/"
    assert b"".join(login(world.frank).get(url).streaming_content) == b"word bytes"
    assert login(world.carol).get(url).status_code == 404


def test_a_document_draft_has_numbered_rounds_with_reviewers(world, login):
    draft = services.output_create(by=world.erin, organization=world.branch_a, kind=kind("document_draft"),
                                   title="高层对话讲话稿", completed_on=datetime.date(2026, 9, 1),
                                   authors=[world.people.bob])
    for day, who, said in ((1, world.people.alice, "压缩篇幅"), (8, "室领导", "补充数据"), (15, world.people.erin, "")):
        services.draft_round_add(by=world.erin, output=draft, circulated_on=datetime.date(2026, 9, day),
                                 reviews=[(who, said)])
    assert list(draft.rounds.values_list("number", flat=True)) == [1, 2, 3]
    body = login(world.frank).get(draft.get_absolute_url()).content.decode()
    assert "压缩篇幅" in body and "室领导" in body
    with translation.override("en"), pytest.raises(Conflict, match="document draft"):
        services.draft_round_add(by=world.erin, output=world.research.report,
                                 circulated_on=datetime.date(2026, 9, 1))


# --- Who sees what ---


def test_another_branch_gets_404_for_an_output_and_a_topic(world, login):
    client = login(world.carol)
    assert client.get(world.research.report.get_absolute_url()).status_code == 404
    assert client.get(world.research.topic.get_absolute_url()).status_code == 404
    assert client.get(f"/orgs/{world.branch_a.code}/research/").status_code == 404


def test_a_restricted_output_is_for_its_named_readers(world, login):
    url = world.research.restricted.get_absolute_url()
    assert login(world.frank).get(url).status_code == 404
    assert RESTRICTED_TITLE not in login(world.frank).get(f"/orgs/{world.branch_a.code}/research/").content.decode()
    for reader in (world.bob, world.erin, world.alice, world.dan):
        assert login(reader).get(url).status_code == 200, reader


def test_only_recorders_record(world, login):
    client = login(world.frank)
    assert client.get(f"/orgs/{world.branch_a.code}/research/outputs/new/").status_code == 404
    response = client.post(f"{world.research.report.get_absolute_url()}submissions/",
                           {"recipient": "x", "recipient_kind": "leader", "level": "other",
                            "submitted_on": "2026-07-01"})
    assert response.status_code == 404


def test_the_audit_trail_keeps_no_instruction_text(world):
    assert AuditEntry.objects.filter(object_repr__isnull=False).exists()
    for entry in AuditEntry.objects.all():
        assert INSTRUCTION_TEXT not in str(entry.changes)
