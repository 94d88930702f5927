from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_activity_log_actions(actions):
    """The sign-off steps, logged with each revision of an activity's record."""
    actions.register_action("branchwork.submit", _("Submit minutes"), _("Minutes submitted"))
    actions.register_action("branchwork.return", _("Send minutes back"), _("Minutes sent back"))
    actions.register_action("branchwork.approve", _("Approve and lock"), _("Minutes approved and locked"))
    actions.register_action("branchwork.amend", _("Amend"), _("Locked record amended"))
    actions.register_action("branchwork.cancel", _("Cancel"), _("Activity cancelled"))
