"""Moderation of held and rejected messages: release as a person, discard, process again."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.core import audit
from branchwork.core.models import Person
from branchwork.intake import parsing
from branchwork.intake.models import REASONS, IncomingMessage, MessageStatus

from branchwork.intake.services.processing import (
    _create_draft,
    _envelope_sender,
    _error_detail,
    _process_safely,
)
from branchwork.intake.services.storage import PublishingUnavailable, logger, read_raw


# --- moderation ---


def _locked(message: IncomingMessage) -> IncomingMessage:
    return IncomingMessage.objects.select_for_update().get(pk=message.pk)


def release(message: IncomingMessage, *, as_person: Person, by) -> IncomingMessage:
    """A moderator accepts a held message as `as_person`'s contribution: the draft is created."""
    with audit.acting_as(by, source="intake"), transaction.atomic():
        message = _locked(message)
        if message.status != MessageStatus.HELD:
            raise ValidationError(_("Only a held message can be released."))
        try:
            parsed = parsing.parse(read_raw(message), envelope_from=_envelope_sender(message))
        except parsing.MalformedMessage as exc:
            raise ValidationError(str(exc)) from None
        message.moderated_by = by
        message.moderated_at = timezone.now()
        message.add_log(
            f"released by {by.get_username()} as person {as_person.pk} ({as_person.name})"
        )
        try:
            _create_draft(message, parsed, author=as_person, status=MessageStatus.RELEASED, by=by)
        except PublishingUnavailable:
            raise ValidationError(str(REASONS["unavailable"])) from None
        except ValidationError:
            raise
        except Exception as exc:
            logger.exception("Could not release incoming message %s", message.pk)
            raise ValidationError(str(REASONS["error"]) % {"detail": _error_detail(exc)}) from exc
    return message


def discard(message: IncomingMessage, *, by, reason: str = "") -> IncomingMessage:
    """A moderator decides that a held or rejected message becomes nothing. It stays stored."""
    with audit.acting_as(by, source="intake"), transaction.atomic():
        message = _locked(message)
        if not message.is_open:
            raise ValidationError(_("This message has already been dealt with."))
        message.status = MessageStatus.DISCARDED
        message.moderated_by = by
        message.moderated_at = timezone.now()
        message.add_log(
            f"discarded by {by.get_username()}" + (f": {reason.strip()}" if reason.strip() else "")
        )
        message.save()
    return message


def reprocess(message: IncomingMessage, *, by) -> IncomingMessage:
    """Process a rejected (or never processed) message again, e.g. once its sender is registered."""
    with audit.acting_as(by, source="intake"):
        with transaction.atomic():
            message = _locked(message)
            if message.status not in (MessageStatus.RECEIVED, MessageStatus.REJECTED):
                raise ValidationError(
                    _("Only a rejected or unprocessed message can be processed again.")
                )
            message.add_log(f"processed again by {by.get_username()}")
            message.save(update_fields=["log"])
        _process_safely(message, read_raw(message), by=by)
    return message
