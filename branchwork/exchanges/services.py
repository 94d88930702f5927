"""Every write of international exchanges: keyword-only, in one transaction, `full_clean()`
before saving, attributed to the acting user (`by`) in the audit trail."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core import audit
from branchwork.core.conflicts import Conflict, lock_for_update
from branchwork.core.models import AuditAction
from branchwork.exchanges.models import (
    Contact,
    Delegation,
    Event,
    Participant,
    ParticipantStatus,
    Party,
    PartyStatus,
    Presence,
    Session,
)

WEB = "web"


# --- Parties ---


@transaction.atomic
def party_create(*, by, source: str = WEB, **fields) -> Party:
    with audit.acting_as(by, source=source):
        party = Party(**fields)
        party.staff_edited = sorted(k for k, v in fields.items() if k in Party.IMPORTED_FIELDS and v)
        party.full_clean()
        party.save()
        return party


@transaction.atomic
def party_update(*, by, party: Party, source: str = WEB, networks=None, **fields) -> Party:
    """Staff edit a party: the imported fields they change are remembered as theirs, and no
    import overwrites them afterwards."""
    with audit.acting_as(by, source=source):
        party = lock_for_update(party)
        changed = [k for k, v in fields.items() if getattr(party, k) != v]
        for key, value in fields.items():
            setattr(party, key, value)
        edited = set(party.staff_edited) | {k for k in changed if k in Party.IMPORTED_FIELDS}
        party.staff_edited = sorted(edited)
        party.full_clean()
        party.save()
        if networks is not None:
            party.networks.set(networks)
        return party


@transaction.atomic
def party_status_set(*, by, party: Party, standing: str, since: datetime.date, note: str = "") -> PartyStatus:
    with audit.acting_as(by, source=WEB):
        status, _created = PartyStatus.objects.update_or_create(
            party=party, since=since, defaults={"standing": standing, "note": note})
        status.full_clean()
        return status


# --- Contacts ---


@transaction.atomic
def contact_create(*, by, **fields) -> Contact:
    contact = Contact(**fields)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, by, contact: Contact, **fields) -> Contact:
    contact = lock_for_update(contact)
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.full_clean()
    contact.save()
    return contact


# --- Events ---


@transaction.atomic
def event_create(*, by, managers=(), activities=(), **fields) -> Event:
    with audit.acting_as(by, source=WEB):
        event = Event(**fields)
        event.full_clean()
        event.save()
        if managers:
            event.managers.set(managers)
        if activities:
            event.activities.set(activities)
        return event


@transaction.atomic
def event_link_activity(*, by, event: Event, activity, linked: bool = True) -> None:
    """An activity of organizational life held within the event (guests observing): shown on
    both records."""
    with audit.acting_as(by, source=WEB):
        if linked:
            event.activities.add(activity)
        else:
            event.activities.remove(activity)


@transaction.atomic
def delegation_add(*, by, event: Event, country: str, party: Party | None = None,
                   head: Contact | None = None) -> Delegation:
    with audit.acting_as(by, source=WEB):
        delegation = Delegation(event=event, party=party, country=country, head=head)
        delegation.full_clean()
        delegation.save()
        return delegation


@transaction.atomic
def participant_add(*, by, event: Event, contact: Contact, delegation: Delegation | None = None,
                    **fields) -> Participant:
    participant = Participant(event=event, contact=contact, delegation=delegation, **fields)
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def participant_set_status(*, by, participant: Participant, status: str) -> Participant:
    participant = lock_for_update(participant)
    if participant.status == status:
        return participant
    participant.status = status
    participant.full_clean()
    participant.save(update_fields=["status"])
    return participant


# --- Retention of passport data ---


@transaction.atomic
def purge_passport_data(*, today: datetime.date | None = None) -> dict[int, int]:
    """Erase the passport numbers and dates of birth of the participants of every event whose
    retention date has passed; each event's purge is logged (how many, on which date). Returns
    {event id: participants purged}."""
    today = today or timezone.localdate()
    purged: dict[int, int] = {}
    due = Event.objects.filter(retention_until__lt=today).select_for_update()
    with audit.acting_as(None, source="task"):
        for event in due:
            holders = (Participant.objects.filter(event=event)
                       .exclude(passport_number="", date_of_birth__isnull=True))
            count = holders.update(passport_number="", date_of_birth=None, passport_purged_on=today)
            if count:
                purged[event.pk] = count
                audit.log_event(event, AuditAction.UPDATE, {"passport_data_purged": {
                    "participants": count, "retention_until": event.retention_until.isoformat(),
                    "on": today.isoformat()}})
    return purged


# --- Check-in ---


@transaction.atomic
def check_in(*, by, event: Event, code: str, session: Session | None = None,
             now: datetime.datetime | None = None) -> tuple[Participant, bool]:
    """Mark the participant with this badge code present for the day (or for `session`);
    (participant, True) the first time, (participant, False) for a repeated scan that day or at
    that session, which changes nothing. The first presence makes the participant attended."""
    now = now or timezone.now()
    day = session.day if session is not None else timezone.localdate(now)
    code = (code or "").strip().upper()
    try:
        participant = Participant.objects.select_related("contact", "delegation").get(
            event=event, badge_code=code)
    except Participant.DoesNotExist:
        raise ValidationError(_("No participant of this event has the badge code %(code)s.")
                              % {"code": code}) from None
    participant = lock_for_update(participant)
    if participant.presences.filter(day=day, session=session).exists():
        return participant, False
    if participant.status == ParticipantStatus.DECLINED:
        raise Conflict(_("%(name)s declined the invitation.") % {"name": participant.contact})
    Presence.objects.create(participant=participant, day=day, session=session, scanned_at=now)
    fields = ["status"]
    if participant.checked_in_at is None:
        participant.checked_in_at = now
        fields.append("checked_in_at")
    participant.status = ParticipantStatus.ATTENDED
    participant.save(update_fields=fields)
    return participant, True
