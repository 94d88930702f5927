"""The moderation pages in the back office, their menu item and the moderator permission."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from branchwork.core import permissions
from branchwork.intake import urls
from branchwork.intake.models import IncomingMessage


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can(request.user, "moderate", IncomingMessage)


@hooks.register("register_admin_urls")
def register_intake_urls():
    return [path("intake/", include(urls, namespace="intake_admin"))]


@hooks.register("register_admin_menu_item")
def register_intake_menu_item():
    return ModeratorMenuItem(
        _("Contributions by email"),
        reverse("intake_admin:index"),
        name="intake",
        icon_name="mail",
        order=350,
    )


@hooks.register("register_permissions")
def register_intake_permissions():
    """So that the moderator permission can be given to a group in Settings → Groups."""
    return Permission.objects.filter(
        content_type__app_label="intake", codename="moderate_incomingmessage"
    )
