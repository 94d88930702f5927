"""Messages that arrived at the contribution address, kept whatever became of them.

Every message is stored as received (the raw bytes, in the default storage under `intake/`)
before anything else is done with it, so that nothing is lost even when parsing fails or the
process dies half-way. What became of it is its `status`, and why, when it was not simply
accepted, is its `reason` (an English sentence for logs and the command line, rendered in the
reader's language from `reason_code` and `reason_params` in the back office).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not yet processed")
    ACCEPTED = "accepted", _("Accepted: draft created")
    HELD = "held", _("Held for moderation")
    REJECTED = "rejected", _("Rejected")
    RELEASED = "released", _("Released by a moderator")
    DISCARDED = "discarded", _("Discarded")


# Why a message was held or rejected. The English text is the msgid; parameters in %(name)s.
REASONS = {
    "oversized": _("The message is too large: %(size)s bytes, the limit is %(limit)s bytes."),
    "truncated": _(
        "The message is too large: %(size)s bytes, the limit is %(limit)s bytes. "
        "Only its first %(kept)s bytes were kept."
    ),
    "not_mail": _("This is not an email message: no headers could be read."),
    "no_sender": _("The message has no valid sender address (From)."),
    "broken_mime": _("The message is incomplete or damaged: %(detail)s"),
    "empty": _("The message has no text and no attachments."),
    "unknown_sender": _(
        "The sender %(address)s is not registered; a moderator decides who the author is."
    ),
    "ambiguous_sender": _(
        "The address %(address)s belongs to more than one person; a moderator decides."
    ),
    "automated": _("The message was sent automatically (%(detail)s); a moderator decides."),
    "duplicate": _(
        "The same message (Message-ID %(message_id)s) arrived before as message %(first)s."
    ),
    "unavailable": _("Contributions cannot be created: the publishing service is not available."),
    "error": _("The draft could not be created: %(detail)s"),
}

# Parts of the reasons above that carry their own translatable wording.
BROKEN_MIME_DETAILS = {
    "close_boundary": _(
        "a part's closing boundary is missing, so it may have been cut off in transit."
    ),
    "start_boundary": _("the boundary of its parts was not found."),
    "multipart": _("it says it has several parts but none could be found."),
}


def raw_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"intake/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.eml"


class IncomingMessage(models.Model):
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    raw = models.FileField(_("original message"), upload_to=raw_path, max_length=300)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    envelope_to = models.JSONField(_("envelope recipients"), default=list, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    header_from = models.CharField(_("sender"), max_length=400, blank=True)
    from_address = models.CharField(_("sender address"), max_length=320, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True, help_text=_("The message's own text, decoded."))
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MessageStatus.choices,
        default=MessageStatus.RECEIVED,
        db_index=True,
    )
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    sender_person = models.ForeignKey(
        "core.Person",
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming_messages",
    )
    article = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("draft"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    receipt_sent_at = models.DateTimeField(_("receipt sent"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    log = models.TextField(_("log"), blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        permissions = [("moderate_incomingmessage", _("Can moderate contributions by email"))]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject or self.from_address or ''}".strip()

    @property
    def reason_display(self) -> str:
        """The reason in the current language (the stored English text if the code is unknown)."""
        template = REASONS.get(self.reason_code)
        if template is None:
            return self.reason
        params = dict(self.reason_params or {})
        if self.reason_code == "broken_mime" and params.get("detail_code") in BROKEN_MIME_DETAILS:
            params["detail"] = BROKEN_MIME_DETAILS[params["detail_code"]]
        try:
            return str(template) % params
        except (KeyError, TypeError, ValueError):
            return self.reason

    @property
    def is_open(self) -> bool:
        """Waiting for a moderator's decision."""
        return self.status in (MessageStatus.HELD, MessageStatus.REJECTED, MessageStatus.RECEIVED)

    def add_log(self, line: str) -> None:
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S %Z")
        self.log = f"{self.log}{stamp} {line}\n"
