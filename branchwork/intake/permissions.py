"""Who moderates contributions by email, registered with the one policy (`core.permissions`):
superusers and holders of `intake.moderate_incomingmessage` (a permission given to a group in
the back office) read every held message and release or discard it; nobody else sees any
(`permissions.can(user, "moderate", IncomingMessage)`; 404 for the rest).
"""

from django.db.models import QuerySet

from branchwork.core import permissions
from branchwork.intake.models import IncomingMessage


def can_moderate(user, message: IncomingMessage | None = None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("intake.moderate_incomingmessage"))
    )


def moderated_messages(user) -> QuerySet[IncomingMessage]:
    return IncomingMessage.objects.all() if can_moderate(user) else IncomingMessage.objects.none()


def register() -> None:
    permissions.register(
        IncomingMessage,
        visible=moderated_messages,
        detail=lambda qs: qs.select_related("sender_person", "article", "moderated_by"),
        moderate=can_moderate,
    )
