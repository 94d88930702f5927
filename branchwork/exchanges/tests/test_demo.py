"""The demo forum, counted: 108 parties from 72 countries and about 420 guests; its timetable of
sessions with rooms and interpretation languages; invitations answered through the personal link
(some accepted, some declined); visa letters drafted by the forum's manager and approved by a
second official, each approval in the audit trail. Loading again changes nothing."""

import pytest

from branchwork.core.models import AuditEntry
from branchwork.core.testing import PersonFactory, give_role
from branchwork.exchanges import demo, demo_programme, figures
from branchwork.exchanges.models import Event, Participant, ParticipantStatus
from branchwork.exchanges.programme_models import Invitation, InvitationAnswer, Letter, LetterState, Session

SPEC = demo._DATA["programme"]


@pytest.fixture
def forum(personas):
    # The demo's two officials, as the institution's part of the demo makes them (no login).
    xu = PersonFactory(name="徐丽萍", name_en="Xu Liping")
    give_role(xu, personas.committee)
    PersonFactory(name="高远", name_en="Gao Yuan")
    demo.load_demo()
    demo_programme.load_demo()
    return Event.objects.get(title_zh=demo._DATA["forum"]["title_zh"])


def test_the_demo_forum_counts_108_parties_from_72_countries(forum):
    result = figures.for_event(forum)
    assert (result.count("parties"), result.count("countries")) == (108, 72)
    assert forum.participants.count() == 420
    assert result.count("representatives") == forum.participants.exclude(status=ParticipantStatus.DECLINED).count()
    assert result.count("representatives") > 350
    assert result.count("sessions") == len(SPEC["sessions"]) == Session.objects.filter(event=forum).count()


def test_the_demo_timetable_has_rooms_and_interpretation(forum, login, personas):
    sessions = list(forum.sessions.all())
    assert len({s.day for s in sessions}) == 3 and len({s.room for s in sessions}) >= 3
    assert all(s.languages for s in sessions)
    assert {"英语", "俄语", "阿拉伯语"} <= {lang for s in sessions for lang in s.languages}
    text = login(personas.admin).get(f"/exchanges/events/{forum.pk}/programme/").content.decode()
    for s in sessions:
        assert f'data-session="{s.pk}"' in text and s.room in text


def test_the_demo_invitations_were_answered_through_the_link(forum):
    invitations = Invitation.objects.filter(participant__event=forum)
    accepted = invitations.filter(answer=InvitationAnswer.ACCEPTED)
    declined = invitations.filter(answer=InvitationAnswer.DECLINED)
    assert (accepted.count(), declined.count()) == (SPEC["accepted"], SPEC["declined"])
    assert invitations.filter(answer="").exists()  # some still awaited
    assert not accepted.exclude(participant__status=ParticipantStatus.CONFIRMED).exists()
    assert not declined.exclude(participant__status=ParticipantStatus.DECLINED).exists()
    assert not invitations.filter(sent_at__isnull=True, answered_at__isnull=False).exists()
    assert not invitations.filter(answer="", answered_at__isnull=False).exists()


def test_the_demo_letters_are_drafted_and_some_approved_by_a_second_official(forum):
    letters = Letter.objects.filter(participant__event=forum)
    approved = letters.filter(state=LetterState.APPROVED)
    assert approved.count() == SPEC["approved"]
    assert letters.filter(state=LetterState.DRAFT).exists()
    drafter = letters.values_list("drafted_by__person__name_en", flat=True).distinct()
    assert list(drafter) == ["Gao Yuan"]
    assert set(approved.values_list("approved_by__person__name_en", flat=True)) == {"Xu Liping"}
    assert forum.managers.filter(name_en="Gao Yuan").exists()
    assert Participant.objects.filter(letter__in=letters).exclude(status=ParticipantStatus.CONFIRMED).count() == 0
    logged = [e for e in AuditEntry.objects.filter(changes__has_key="letter_approved")]
    assert sorted(e.changes["letter_approved"]["letter"] for e in logged) == sorted(approved.values_list("pk", flat=True))


def test_loading_the_demo_again_changes_nothing(forum):
    counts = (Session.objects.count(), Invitation.objects.count(), Letter.objects.count())
    demo.load_demo()
    demo_programme.load_demo()
    assert (Session.objects.count(), Invitation.objects.count(), Letter.objects.count()) == counts
