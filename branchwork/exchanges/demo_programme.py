"""The demo forum's programme (data in demo/forum.yaml, written by us): a timetable of sessions
in three rooms with their interpretation languages; invitations for the guests not yet
confirmed, some accepted and some declined through the personal link (`answer_invitation`, what
the link's page calls); visa letters drafted by Gao Yuan (the forum's manager), some approved by
Xu Liping (foreign-affairs staff), each approval in the audit trail (both get an account without
a password if they have none). The invitations count as
sent already (no mail leaves the demo). Runs after the forum's part (`wagtail_hooks`); keyed on
the forum's timetable: loading again changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from branchwork.core import services as core_services
from branchwork.core.models import Person
from branchwork.exchanges import services_letters, services_programme
from branchwork.exchanges.demo import _DATA, _date
from branchwork.exchanges.models import Event, Participant, ParticipantStatus
from branchwork.exchanges.programme_models import Invitation, Letter


def _account(name_en: str, username: str) -> Person | None:
    """The demo official's account, made without a password (it signs letters; a login is only
    had through a reset) when the person has none."""
    person = Person.objects.filter(name_en=name_en).select_related("user").first()
    if person is not None and person.user_id is None:
        core_services.user_account_create(by=None, person=person, username=username)
    return person


def _time(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


@transaction.atomic
def load_demo(*, stdout=None) -> None:
    spec = _DATA["programme"]
    forum = Event.objects.filter(title_zh=_DATA["forum"]["title_zh"]).first()
    if forum is None or forum.sessions.exists():
        return
    for day, starts, ends, title_zh, title_en, room, languages in spec["sessions"]:
        services_programme.session_save(by=None, event=forum, day=_date(day), starts_at=_time(starts),
                                        ends_at=_time(ends), title_zh=title_zh, title_en=title_en, room=room,
                                        interpretation=languages)
    # Invitations of the guests still invited, as sent six weeks before; answers through the link.
    sent = timezone.make_aware(datetime.datetime.combine(forum.starts_on - datetime.timedelta(days=42),
                                                         datetime.time(10)))
    pending = list(Participant.objects.filter(event=forum, status=ParticipantStatus.INVITED)
                   .exclude(contact__email="").order_by("pk"))
    invitations = Invitation.objects.bulk_create(
        [Invitation(participant=p, requested_at=sent, sent_at=sent) for p in pending])
    answered_on = forum.starts_on - datetime.timedelta(days=30)
    accepted, declined = spec["accepted"], spec["declined"]
    for i, invitation in enumerate(invitations[:accepted + declined]):
        services_programme.answer_invitation(invitation=invitation, accept=i < accepted, today=answered_on)
    # Visa letters: drafted by the manager, approved by foreign-affairs staff.
    manager, staff = _account("Gao Yuan", "gaoyuan"), _account("Xu Liping", "xuliping")
    letters = approved = 0
    if manager is not None and staff is not None:
        delegations = list(forum.delegations.order_by("pk")[:spec["letters_for_delegations"]])
        guests = Participant.objects.filter(delegation__in=delegations, status=ParticipantStatus.CONFIRMED)
        drafted = sent - datetime.timedelta(days=7)
        letters = services_letters.letters_draft(by=manager.user, event=forum, participants=guests, now=drafted)
        for letter in (Letter.objects.filter(participant__event=forum).select_related("participant")
                       .order_by("pk")[:spec["approved"]]):
            services_letters.letter_approve(by=staff.user, letter=letter, now=drafted + datetime.timedelta(days=2))
            approved += 1
    if stdout is not None:
        stdout.write(f"exchanges: the forum's programme: {len(spec['sessions'])} sessions, "
                     f"{len(invitations)} invitations ({accepted} accepted, {declined} declined), "
                     f"{letters} visa letters ({approved} approved)")
