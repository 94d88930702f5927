"""Editing awards, entries and a competition's settings: each edit carries the version it was made
on and is refused when the record changed since (read afresh under the lock, never overwritten);
entries change only while the competition is open; a competition's settings only while a draft
(its wording and expected date of results stay editable until published)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from branchwork.awards import edits, services
from branchwork.awards.eligibility import IneligibleEntry
from branchwork.awards.models import Award, Competition, CompetitionStatus, Entry, Method, RuleKind
from branchwork.awards.testing import OPENS, competition, coordinators, grade
from branchwork.core.conflicts import Conflict

pytestmark = pytest.mark.django_db


def _award(p):
    return services.award_create(by=p.alice, organization=p.branch_a, title="优秀调研报告奖", scope="external",
                                 body="研究会", level="ministry", grade=grade("first"), year=2026,
                                 recipients=[p.people.bob])


def test_an_award_is_edited_and_deleted_by_its_recorders_and_a_stale_edit_is_refused(personas):
    coordinators(personas)
    award = _award(personas)
    stale = Award.objects.get(pk=award.pk)
    edits.award_update(by=personas.alice, award=award, base_version=1, title="优秀调研报告一等奖",
                       recipients=[personas.people.bob, "外请专家"])
    assert award.version == 2
    # A second person who opened the form before the first saved: refused, the first edit stays.
    with pytest.raises(Conflict, match="Someone else changed this record"):
        edits.award_update(by=personas.alice, award=stale, base_version=1, title="旧的标题")
    award.refresh_from_db()
    assert award.title == "优秀调研报告一等奖"
    assert [r.display_name for r in award.recipients.all()] == [personas.people.bob.display_name, "外请专家"]
    with pytest.raises(Conflict):
        edits.award_delete(by=personas.alice, award=Award.objects.get(pk=award.pk), base_version=1)
    edits.award_delete(by=personas.alice, award=award, base_version=2)
    assert not Award.objects.filter(pk=award.pk).exists()


def test_the_award_pages_edit_for_its_recorders_and_answer_404_to_others(personas, login):
    coordinators(personas)
    award = _award(personas)
    url = award.get_absolute_url()
    for who in ("frank", "carol"):
        client = login(getattr(personas, who))
        assert client.get(url + "edit/").status_code == 404, who
        assert client.post(url + "delete/", {"version": 1}).status_code == 404, who
    client = login(personas.alice)
    page = client.get(url + "edit/")
    assert page.status_code == 200 and 'name="version"' in page.content.decode()
    form = {"title": "改过的奖", "scope": "external", "body": "研究会", "level": "ministry", "year": 2026,
            "recipients": [personas.people.bob.pk], "version": 1}
    assert client.post(url + "edit/", form).status_code == 302
    # The same form again is based on version 1: refused with 409 and the message.
    response = client.post(url + "edit/", {**form, "title": "覆盖"})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode() or "其他人" in response.content.decode()
    assert Award.objects.get(pk=award.pk).title == "改过的奖"
    assert client.post(url + "delete/", {"version": 2}).status_code == 302
    assert not Award.objects.filter(pk=award.pk).exists()


def test_an_entry_is_changed_by_its_entrant_while_open_and_refused_after_closing(personas, login):
    coordinators(personas)
    c = competition(personas, rules=((RuleKind.MAX_AGE, 35),))
    entry = services.entry_submit(by=personas.bob, competition=c, organization=personas.group_a1, title="初稿",
                                  entrants=[(personas.people.bob, datetime.date(1992, 6, 1))])
    url = entry.get_absolute_url() + "edit/"
    # Neither an outsider nor a member who is not an entrant may open it.
    assert login(personas.carol).get(url).status_code == 404
    assert login(personas.frank).get(url).status_code == 404
    client = login(personas.bob)
    page = client.get(url).content.decode()
    assert "初稿" in page and "1992-06-01" in page
    form = {"title": "修改稿", "entrants": "王博 1992-06-01", "organization": personas.group_a1.pk, "version": 1}
    assert client.post(url, form).status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.version) == ("修改稿", 2)
    # Still checked against every rule; a stale form is refused.
    with translation.override("en"), pytest.raises(IneligibleEntry, match="at most 35"):
        edits.entry_update(by=personas.bob, entry=entry, base_version=2, organization=personas.group_a1,
                           title="超龄", entrants=[(personas.people.bob, datetime.date(1980, 1, 1))])
    assert client.post(url, {**form, "title": "旧表单"}).status_code == 409
    # After closing: refused, with the reason.
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.CLOSED)
    response = client.post(url, {**form, "version": 2, "title": "截止后"})
    assert response.status_code == 409
    assert Entry.objects.get(pk=entry.pk).title == "修改稿"
    with translation.override("en"), pytest.raises(
            Conflict, match="only while the competition is open for entries; it is now: Closed"):
        edits.entry_update(by=personas.bob, entry=entry, base_version=2, organization=personas.group_a1,
                           title="截止后", entrants=[(personas.people.bob, datetime.date(1992, 6, 1))])
    page = client.get(url)
    assert page.status_code == 200 and "<form class=\"stacked wide\"" not in page.content.decode()


def test_an_entry_is_not_changed_after_the_closing_date_even_before_the_competition_closes(personas):
    coordinators(personas)
    c = competition(personas, rules=())
    entry = services.entry_submit(by=personas.bob, competition=c, organization=personas.group_a1, title="初稿",
                                  entrants=[personas.people.bob], today=OPENS)
    with pytest.raises(Conflict, match="until the closing date 2026-11-30"):
        edits.entry_update(by=personas.bob, entry=entry, base_version=1, organization=personas.group_a1,
                           title="迟改", entrants=[personas.people.bob], today=datetime.date(2026, 12, 1))


def test_settings_change_while_a_draft_and_stay_fixed_once_open(personas, login):
    coordinators(personas)
    draft = services.competition_create(by=personas.alice, organization=personas.branch_a, title="草稿竞赛",
                                        opens_on=OPENS, closes_on=datetime.date(2026, 11, 30))
    edits.competition_update(by=personas.alice, competition=draft, base_version=1, blind=True,
                             method=Method.WEIGHTED, closes_on=datetime.date(2026, 12, 15))
    assert (draft.blind, draft.method, draft.version) == (True, Method.WEIGHTED, 2)

    c = competition(personas, blind=False)
    version = c.version
    for change in ({"blind": True}, {"closes_on": datetime.date(2026, 12, 31)}, {"method": Method.MEAN}):
        with pytest.raises(Conflict, match="Once a competition opens") as exc:
            edits.competition_update(by=personas.alice, competition=c, base_version=version, **change)
        assert str(Competition._meta.get_field(next(iter(change))).verbose_name) in exc.value.messages[0]
    stored = Competition.objects.get(pk=c.pk)
    assert (stored.blind, stored.closes_on, stored.method) == (False, datetime.date(2026, 11, 30), Method.WEIGHTED)
    # The wording may change, and the unchanged settings sent along with it do no harm.
    edits.competition_update(by=personas.alice, competition=c, base_version=version, call="新的征集说明",
                             blind=False)
    assert Competition.objects.get(pk=c.pk).call == "新的征集说明"
    # Rules and criteria are fixed too.
    with pytest.raises(Conflict, match="while the competition is a draft"):
        edits.rule_remove(by=personas.alice, rule=c.rules.first(), base_version=c.version)
    with pytest.raises(Conflict, match="while the competition is a draft"):
        edits.criterion_update(by=personas.alice, criterion=c.criteria.first(), base_version=c.version,
                               name="内容", weight=Decimal("0.9"), max_score=Decimal("100"))
    # While scoring as well; after publication nothing changes.
    services.judge_add(by=personas.alice, competition=c, person=personas.people.dan)
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.CLOSED)
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.SCORING)
    with pytest.raises(Conflict, match="Once a competition opens"):
        edits.competition_update(by=personas.alice, competition=c, base_version=c.version, blind=True)
    # The page says so and offers only the wording.
    page = login(personas.alice).get(c.get_absolute_url() + "edit/").content.decode()
    assert 'name="call"' in page and 'name="blind"' not in page and 'name="closes_on"' not in page
    services.competition_advance(by=personas.alice, competition=c, to=CompetitionStatus.PUBLISHED)
    with translation.override("en"), pytest.raises(Conflict, match="results are published"):
        edits.competition_update(by=personas.alice, competition=c, base_version=c.version, call="发布后")
    assert login(personas.alice).get(c.get_absolute_url() + "edit/").status_code == 404


def test_a_settings_edit_on_a_stale_copy_is_refused_after_reading_the_row_afresh(personas):
    coordinators(personas)
    c = competition(personas, rules=((RuleKind.MAX_AGE, 35),))
    c.status = CompetitionStatus.DRAFT
    c.save()
    first, second = Competition.objects.get(pk=c.pk), Competition.objects.get(pk=c.pk)
    version = first.version
    edits.competition_update(by=personas.alice, competition=first, base_version=version, title="甲改的")
    # `second` was loaded before the first edit and still holds the old version in memory; the
    # service reads the row under the lock and refuses.
    with pytest.raises(Conflict, match="Someone else changed this record"):
        edits.competition_update(by=personas.alice, competition=second, base_version=version, title="乙改的")
    assert Competition.objects.get(pk=c.pk).title == "甲改的"
    # Adding a rule changes the settings' version: a criterion form opened before is refused.
    criterion = c.criteria.first()
    before = Competition.objects.get(pk=c.pk).version
    services.rule_add(by=personas.alice, competition=Competition.objects.get(pk=c.pk),
                      kind=RuleKind.MAX_ENTRANTS, number=3)
    with pytest.raises(Conflict, match="Someone else changed this record"):
        edits.criterion_update(by=personas.alice, criterion=criterion, base_version=before, name="内容",
                               weight=Decimal("0.7"), max_score=Decimal("100"))
    current = Competition.objects.get(pk=c.pk).version
    edits.criterion_update(by=personas.alice, criterion=criterion, base_version=current, name="内容",
                           weight=Decimal("0.7"), max_score=Decimal("100"))
    edits.rule_remove(by=personas.alice, rule=c.rules.get(kind=RuleKind.MAX_ENTRANTS), base_version=current + 1)
    assert list(c.rules.values_list("kind", flat=True)) == [RuleKind.MAX_AGE]
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("0.7")


def test_the_draft_competitions_page_edits_and_removes_its_criteria(personas, login):
    coordinators(personas)
    c = competition(personas, rules=((RuleKind.MAX_AGE, 35),))
    c.status = CompetitionStatus.DRAFT
    c.save()
    client = login(personas.alice)
    page = client.get(c.get_absolute_url()).content.decode()
    criterion = c.criteria.first()
    assert f"criteria/{criterion.pk}/remove/" in page and f"rules/{c.rules.first().pk}/remove/" in page
    url = f"{c.get_absolute_url()}criteria/{criterion.pk}/"
    response = client.post(url, {"name": "内容质量", "weight": "0.5", "max_score": "50", "version": c.version})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.name, criterion.weight, criterion.max_score) == ("内容质量", Decimal("0.5"), Decimal("50"))
    assert client.post(url + "remove/", {"version": c.version}).status_code == 302  # stale: refused, message
    assert c.criteria.filter(pk=criterion.pk).exists()
    c.refresh_from_db()
    assert client.post(url + "remove/", {"version": c.version}).status_code == 302
    assert not c.criteria.filter(pk=criterion.pk).exists()
    assert login(personas.frank).get(url).status_code == 404
