"""Submissions and instructions: the text for the few, existence and level for the others;
follow-ups with owners and deadlines; reminders of overdue ones through the task worker."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from branchwork.core.conflicts import Conflict
from branchwork.research import services
from branchwork.research.models import FollowUp, Level
from branchwork.research.tasks import remind, remind_overdue_follow_ups
from branchwork.research.testing import FOLLOW_UP_ACTION, INSTRUCTION_TEXT, research_world


@pytest.fixture
def world(personas):
    personas.research = research_world(personas)
    return personas


@pytest.mark.parametrize("persona", ["bob", "erin", "alice", "dan"])
def test_the_authors_coordinator_secretary_and_committee_office_read_the_text(persona, world, login):
    body = login(getattr(world, persona)).get(world.research.report.get_absolute_url()).content.decode()
    assert INSTRUCTION_TEXT in body
    assert "某部长" in body


def test_another_member_of_the_branch_sees_only_that_an_instruction_exists_and_its_level(world, login):
    client = login(world.frank)
    body = client.get(world.research.report.get_absolute_url()).content.decode()
    assert INSTRUCTION_TEXT not in body
    assert "某部长" not in body and FOLLOW_UP_ACTION not in body
    exists = body.split('class="instruction-exists">', 1)[1].split("</p>", 1)[0]
    with translation.override("zh-hans"):
        assert str(Level.MINISTRY.label) in exists
    scan = f"{world.research.report.get_absolute_url()}instructions/{world.research.instruction.pk}/scan/"
    assert client.get(scan).status_code == 404
    assert b"".join(login(world.bob).get(scan).streaming_content) == b"%PDF-1.4 scan"


def test_a_committee_member_who_is_not_secretary_does_not_read_the_text(world, login):
    from branchwork.core.models import Role
    from branchwork.core.testing import give_role

    give_role(world.people.frank, world.branch_a, Role.COMMITTEE_MEMBER)
    body = login(world.frank).get(world.research.report.get_absolute_url()).content.decode()
    assert INSTRUCTION_TEXT not in body


def test_a_follow_up_is_closed_once(world, login):
    follow_up = world.research.follow_up
    services.follow_up_close(by=world.bob, follow_up=follow_up, today=datetime.date(2026, 9, 1))
    stale = FollowUp.objects.get(pk=follow_up.pk)
    stale.closed_on = None  # a copy loaded before the first close
    with pytest.raises(Conflict, match="closed already"):
        services.follow_up_close(by=world.erin, follow_up=stale)
    assert FollowUp.objects.get(pk=follow_up.pk).closed_on == datetime.date(2026, 9, 1)


def test_the_owner_closes_their_follow_up_from_the_page(world, login):
    url = f"{world.research.report.get_absolute_url()}follow-ups/{world.research.follow_up.pk}/close/"
    assert login(world.frank).post(url).status_code == 404
    assert login(world.bob).post(url).status_code == 302
    assert FollowUp.objects.get(pk=world.research.follow_up.pk).closed_on is not None


def test_overdue_follow_ups_are_reminded_through_the_task_once_a_day(world):
    day = datetime.date(2026, 10, 8)
    mail.outbox.clear()
    result = remind_overdue_follow_ups.enqueue(day=day.isoformat())
    assert result.return_value == 1
    [message] = mail.outbox
    assert message.to == [world.people.bob.email]
    assert FOLLOW_UP_ACTION in message.body and "2026-09-30" in message.body
    assert remind(day) == 0  # reminded today already
    assert remind(day + datetime.timedelta(days=1)) == 1
    services.follow_up_close(by=world.bob, follow_up=world.research.follow_up)
    assert remind(day + datetime.timedelta(days=2)) == 0


def test_the_reminder_command_enqueues_the_task(world, capsys):
    mail.outbox.clear()
    call_command("research_reminders", "--date", "2026-10-08")
    assert "1 overdue" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_an_instruction_comes_after_its_submission(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="after the submission"):
        services.instruction_record(by=world.erin, submission=world.research.submission, given_by="x",
                                    level="ministry", given_on=datetime.date(2026, 6, 1))
