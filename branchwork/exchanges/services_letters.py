"""Writes of visa invitation letters: drafting, approval, sending; the letter template.

Who approves: a letter supports a visa application in the office's name, so it is approved by
foreign-affairs staff (the role current today), and never by the person who drafted it — the
four-eyes rule a foreign-affairs office keeps for documents it issues. Event managers draft;
they cannot approve. An approval locks the letter's row and reads it afresh (two officials
approving at once: the second is refused), and is logged in the audit trail (who, when, which
letter). Only approved letters are downloaded or sent; a change of the letter template sends
approved letters not yet sent back to draft, logged too.
"""

from __future__ import annotations

import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core import audit
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.core.models import AuditAction
from branchwork.exchanges import permissions as rules
from branchwork.exchanges.models import Event, Participant, ParticipantStatus
from branchwork.exchanges.programme_models import Letter, LetterState, LetterTemplate

WEB = "web"


@transaction.atomic
def letter_template_save(*, by, event: Event, body_zh: str, body_en: str, signatory_zh: str,
                         signatory_en: str) -> LetterTemplate:
    from branchwork.exchanges.letters import letter_template

    with audit.acting_as(by, source=WEB):
        template = letter_template(event)
        if template.pk:
            template = lock_for_update(template)
        template.body_zh, template.body_en = body_zh, body_en
        template.signatory_zh, template.signatory_en = signatory_zh, signatory_en
        template.full_clean()
        template.save()
        reopened = (Letter.objects.filter(participant__event=event, state=LetterState.APPROVED, sent_at__isnull=True)
                    .update(state=LetterState.DRAFT, approved_by=None, approved_at=None))
        if reopened:
            audit.log_event(event, AuditAction.UPDATE, {"letters_back_to_draft": reopened})
        return template


@transaction.atomic
def letters_draft(*, by, event: Event, participants=None, now: datetime.datetime | None = None) -> int:
    """A draft letter for each participant of the event (or of `participants`) who has none (not
    for those who declined). Returns how many were drafted."""
    now = now or timezone.now()
    without = (Participant.objects.filter(event=event, letter__isnull=True)
               .exclude(status=ParticipantStatus.DECLINED))
    if participants is not None:
        without = without.filter(pk__in=[p.pk for p in participants])
    created = Letter.objects.bulk_create([Letter(participant=p, drafted_by=by, drafted_at=now) for p in without])
    if created:
        with audit.acting_as(by, source=WEB):
            audit.log_event(event, AuditAction.UPDATE, {"letters_drafted": len(created)})
    return len(created)


@transaction.atomic
def letter_approve(*, by, letter: Letter, now: datetime.datetime | None = None) -> Letter:
    """The responsible official's approval: foreign-affairs staff, not the drafter."""
    now = now or timezone.now()
    if not rules.is_foreign_affairs(by):
        raise Conflict(_("Only foreign-affairs staff approve invitation letters."))
    letter = lock_for_update(letter)
    if letter.state != LetterState.DRAFT:
        raise Conflict(_("This letter has already been approved."))
    if letter.drafted_by_id == by.pk:
        raise Conflict(_("A letter is approved by someone other than the person who drafted it."))
    letter.state, letter.approved_by, letter.approved_at = LetterState.APPROVED, by, now
    letter.save(update_fields=["state", "approved_by", "approved_at"])
    with audit.acting_as(by, source=WEB):
        audit.log_event(letter, AuditAction.UPDATE, {
            "letter_approved": {"letter": letter.pk, "participant": letter.participant_id,
                                "event": letter.participant.event_id, "at": now.isoformat()}},
            organization_id=None)
    return letter


def require_approved(letter: Letter) -> None:
    if letter.state != LetterState.APPROVED:
        raise Conflict(_("This letter awaits approval; it cannot be downloaded or sent yet."))


@transaction.atomic
def letter_send(*, by, letter: Letter) -> Letter:
    """Mail the approved letter (PDF) to the guest through the task worker."""
    letter = lock_for_update(letter)
    require_approved(letter)
    if not letter.participant.contact.email:
        raise Conflict(_("The guest has no email address."))
    transaction.on_commit(lambda: _enqueue(letter.pk))
    return letter


def _enqueue(letter_id: int):
    from branchwork.exchanges import tasks

    return tasks.send_letter.enqueue(letter_id=letter_id)


def send_letter(letter_id: int) -> bool:
    """Build and mail an approved letter (run by the task worker); False when it is no longer
    approved (a template changed after it was queued)."""
    from email.utils import formataddr

    from django.core.mail import get_connection

    from branchwork.exchanges.letters import letters_pdf

    letter = Letter.objects.select_related("participant__event", "participant__contact",
                                           "participant__delegation__party").get(pk=letter_id)
    if letter.state != LetterState.APPROVED:
        return False
    event, contact = letter.participant.event, letter.participant.contact
    message = EmailMessage(
        subject=f"邀请函 Letter of Invitation: {event.title_zh}" + (f" / {event.title_en}" if event.title_en else ""),
        body=(f"{contact.name_zh or contact.name_latin}：\n\n附上{event.title_zh}的邀请函，供办理签证使用。\n\n"
              f"Dear {contact.name_latin},\n\nPlease find attached the letter of invitation to "
              f"{event.title_en or event.title_zh}, for your visa application.\n"),
        to=[formataddr((" ".join(contact.name_latin.split()), contact.email))],
        headers={"Auto-Submitted": "auto-generated"})
    message.attach(f"invitation-letter-{event.pk}-{letter.pk}.pdf", letters_pdf([letter]), "application/pdf")
    with get_connection() as connection:
        connection.send_messages([message])
    Letter.objects.filter(pk=letter.pk).update(sent_at=timezone.now())
    return True
