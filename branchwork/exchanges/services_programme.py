"""Writes of an event's programme: its sessions, its invitation mail and the guests' answers.
Keyword-only, one transaction each, `full_clean()` before saving, the acting user in the audit
trail; mail goes out through the task worker once the transaction has committed.

The personal link of an invitation is the invitation's id signed with the site's key (salted for
this use): it needs no account, cannot be guessed or altered, and stops working after the
event's last day (`answer_invitation` refuses it then). A wrong token finds nothing (404).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from email.utils import formataddr

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core import audit
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.exchanges.models import Event, Participant, ParticipantStatus
from branchwork.exchanges.programme_models import (
    Invitation,
    InvitationAnswer,
    InvitationTemplate,
    Session,
)

logger = logging.getLogger(__name__)
WEB = "web"
TOKEN_SALT = "branchwork.exchanges.invitation"
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


# --- Sessions ---


SESSION_FIELDS = ("day", "starts_at", "ends_at", "title_zh", "title_en", "room", "interpretation")


@transaction.atomic
def session_save(*, by, event: Event, session: Session | None = None, **fields) -> Session:
    with audit.acting_as(by, source=WEB):
        if session is None:
            session = Session(event=event)
        else:
            session = lock_for_update(session)
        for key, value in fields.items():
            if key not in SESSION_FIELDS:
                raise TypeError(key)
            setattr(session, key, value)
        session.full_clean()
        session.save()
        return session


@transaction.atomic
def session_delete(*, by, session: Session) -> None:
    with audit.acting_as(by, source=WEB):
        session = lock_for_update(session)
        if session.presences.exists():
            raise Conflict(_("Guests were checked in at this session; it stays on the timetable."))
        session.delete()


# --- Words for dates ---


def dates_zh(start: datetime.date, end: datetime.date) -> str:
    first = f"{start.year}年{start.month}月{start.day}日"
    if start == end:
        return first
    if (start.year, start.month) == (end.year, end.month):
        return f"{first}至{end.day}日"
    return f"{first}至{end.year}年{end.month}月{end.day}日"


def dates_en(start: datetime.date, end: datetime.date) -> str:
    last = f"{end.day} {MONTHS_EN[end.month - 1]} {end.year}"
    if start == end:
        return last
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{last}"
    return f"{start.day} {MONTHS_EN[start.month - 1]} {start.year} – {last}"


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder ({name}, {event}, …) replaced; any other brace is
    text as typed (no format string is evaluated)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


# --- Invitation mail ---


DEFAULT_SUBJECT_ZH = "邀请函：{event}"
DEFAULT_SUBJECT_EN = "Invitation: {event}"
DEFAULT_BODY_ZH = ("尊敬的{name}：\n\n诚挚邀请您出席{event}（{dates}，{place}）。\n\n"
                   "请通过以下个人链接告知是否出席：\n{link}\n")
DEFAULT_BODY_EN = ("Dear {name},\n\nWe have the honour to invite you to {event} ({dates}, {place}).\n\n"
                   "Please let us know whether you will attend through your personal link:\n{link}\n")


def invitation_template(event: Event) -> InvitationTemplate:
    """The event's template, or the default texts (unsaved) when it has none."""
    try:
        return event.invitation_template
    except InvitationTemplate.DoesNotExist:
        return InvitationTemplate(event=event, subject_zh=DEFAULT_SUBJECT_ZH, subject_en=DEFAULT_SUBJECT_EN,
                                  body_zh=DEFAULT_BODY_ZH, body_en=DEFAULT_BODY_EN)


@transaction.atomic
def invitation_template_save(*, by, event: Event, subject_zh: str, subject_en: str, body_zh: str,
                             body_en: str) -> InvitationTemplate:
    with audit.acting_as(by, source=WEB):
        template = invitation_template(event)
        if template.pk:
            template = lock_for_update(template)
        template.subject_zh, template.subject_en = subject_zh, subject_en
        template.body_zh, template.body_en = body_zh, body_en
        template.full_clean()
        template.save()
        return template


def invitation_token(invitation: Invitation) -> str:
    return signing.Signer(salt=TOKEN_SALT).sign(str(invitation.pk))


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation the token was made for, or None for a token not ours (altered, invented)."""
    try:
        pk = int(signing.Signer(salt=TOKEN_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return (Invitation.objects.select_related("participant__event", "participant__contact",
                                              "participant__delegation__party")
            .filter(pk=pk).first())


def invitation_link(invitation: Invitation) -> str:
    return settings.BASE_URL + reverse("exchanges:invitation", args=[invitation_token(invitation)])


@transaction.atomic
def invitations_request(*, by, event: Event, now: datetime.datetime | None = None) -> int:
    """Invite every participant still invited (no answer) who has an email address and was not
    invited before; the mail goes out through the task worker. Returns how many are queued."""
    now = now or timezone.now()
    pending = (Participant.objects.filter(event=event, status=ParticipantStatus.INVITED, invitation__isnull=True)
               .exclude(contact__email=""))
    created = Invitation.objects.bulk_create([Invitation(participant=p, requested_at=now) for p in pending])
    with audit.acting_as(by, source=WEB):
        audit.log_event(event, "update", {"invitations_requested": len(created)})
    if created:
        transaction.on_commit(lambda: _enqueue(event.pk))
    return len(created)


def _enqueue(event_id: int):
    from branchwork.exchanges import tasks

    return tasks.send_invitations.enqueue(event_id=event_id)


def invitation_message(invitation: Invitation) -> EmailMessage:
    participant = invitation.participant
    event, contact = participant.event, participant.contact
    template = invitation_template(event)
    link = invitation_link(invitation)
    zh = {"name": contact.name_zh or contact.name_latin, "event": event.title_zh,
          "dates": dates_zh(event.starts_on, event.ends_on), "place": event.place, "link": link}
    en = {"name": contact.name_latin, "event": event.title_en or event.title_zh,
          "dates": dates_en(event.starts_on, event.ends_on), "place": event.place, "link": link}
    subject = f"{fill(template.subject_zh, zh)} / {fill(template.subject_en, en)}"
    body = fill(template.body_zh, zh).rstrip() + "\n\n----------\n\n" + fill(template.body_en, en).rstrip() + "\n"
    return EmailMessage(subject=" ".join(subject.split()), body=body,
                        to=[formataddr((" ".join(contact.name_latin.split()), contact.email))],
                        headers={"Auto-Submitted": "auto-generated"})


def send_invitations(event_id: int) -> int:
    """Send the invitations of the event not sent yet, each marked sent once the server took it
    (run by the task worker). A server refusing an address for good skips it; anything else
    raises, and the next run sends what is left. Returns how many went out."""
    pending = list(Invitation.objects.filter(participant__event_id=event_id, sent_at__isnull=True)
                   .select_related("participant__event", "participant__contact").order_by("pk"))
    if not pending:
        return 0
    sent = 0
    with get_connection() as connection:
        for invitation in pending:
            try:
                delivered = connection.send_messages([invitation_message(invitation)])
            except smtplib.SMTPRecipientsRefused as exc:
                if any(code < 500 for code, _text in exc.recipients.values()):
                    raise
                logger.warning("Invitation refused for %s", ", ".join(exc.recipients))
                continue
            if delivered:
                Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
                sent += 1
    return sent


@transaction.atomic
def answer_invitation(*, invitation: Invitation, accept: bool,
                      today: datetime.date | None = None) -> Participant:
    """The guest's answer through the personal link: confirmed or declined. Refused after the
    event's last day and once the guest has been checked in."""
    today = today or timezone.localdate()
    with audit.acting_as(None, source="invitation"):
        participant = lock_for_update(invitation.participant)
        event = participant.event
        if today > event.ends_on:
            raise Conflict(_("This invitation has expired: the event is over."))
        if participant.status == ParticipantStatus.ATTENDED:
            raise Conflict(_("You have already been welcomed at the event; the answer cannot change."))
        participant.status = ParticipantStatus.CONFIRMED if accept else ParticipantStatus.DECLINED
        participant.full_clean()
        participant.save(update_fields=["status"])
        Invitation.objects.filter(pk=invitation.pk).update(
            answer=InvitationAnswer.ACCEPTED if accept else InvitationAnswer.DECLINED, answered_at=timezone.now())
        return participant


def session_for_check_in(event: Event, session_id) -> Session | None:
    if not session_id:
        return None
    try:
        return event.sessions.get(pk=int(session_id))
    except (Session.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("No such session in this event.")) from None
