"""The back office (Wagtail admin) for people and roles, and core's hooks.

Staff with the model permissions (superusers, to start with) list, search, edit and inspect
people and their roles here; every change lands in the audit trail like any other. Organizations
are created through the API or `core.services` (the tree needs its parent), so they are not here.
Documents of Wagtail's library are served only to those `core.permissions` lets open them.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from branchwork.core import hooks as core_hooks  # noqa: F401  (registers core's own hooks)
from branchwork.core.hooks import LOAD_DEMO_HOOK
from branchwork.core import permissions
from branchwork.core.models import Membership, MembershipStatusChange, Person
from branchwork.core.services import MEMBERSHIP_FIELDS, PERSON_RECORD_FIELDS, STATUS_CHANGE_FIELDS


class PersonAdminViewSet(ModelViewSet):
    model = Person
    icon = "user"
    menu_label = _("People")
    # The status and the date of joining follow the status history (its own list below).
    form_fields = list(PERSON_RECORD_FIELDS)
    list_display = ["name", "name_en", "membership_status", "unit", "position", "email"]
    list_filter = ["membership_status", "unit"]
    search_fields = ["name", "name_en", "name_native", "email"]
    copy_view_enabled = False
    inspect_view_enabled = True


class MembershipAdminViewSet(ModelViewSet):
    model = Membership
    icon = "group"
    menu_label = _("Roles")
    form_fields = ["person", "organization", *MEMBERSHIP_FIELDS]
    list_display = ["person", "organization", "role", "portfolio", "start_on", "end_on"]
    list_filter = ["role", "organization"]
    search_fields = ["person__name", "person__name_en", "organization__name_zh"]
    copy_view_enabled = False


class StatusChangeAdminViewSet(ModelViewSet):
    """The membership status histories. A save or delete here updates the person's cached status
    (core.apps) and is in the audit trail, like one made through core.services."""

    model = MembershipStatusChange
    icon = "history"
    menu_label = _("Status history")
    form_fields = ["person", *STATUS_CHANGE_FIELDS]
    list_display = ["person", "status", "effective_on", "ends_on", "meeting", "document_number", "derived"]
    list_filter = ["status", "derived"]
    search_fields = ["person__name", "person__name_en", "meeting", "document_number"]
    copy_view_enabled = False


class OrganizationsAndPeopleGroup(ModelViewSetGroup):
    menu_label = _("Organizations and people")
    menu_icon = "group"
    items = (PersonAdminViewSet("people"), MembershipAdminViewSet("roles"),
             StatusChangeAdminViewSet("status-history"))


@hooks.register("register_admin_viewset")
def register_people_admin():
    return OrganizationsAndPeopleGroup()


@hooks.register("before_serve_document", order=-1)
def serve_documents_to_their_readers(document, request):
    """Wagtail serves a document to whoever has its address; ours go to those who may open it
    (the "open" rule registered for documents), the others get 404. This runs before Wagtail's
    own check of collection view restrictions, which still applies after it."""
    if not permissions.can(request.user, "open", document):
        raise Http404("No such document")


@hooks.register(LOAD_DEMO_HOOK, order=100)
def load_two_step_login_demo(*, stdout) -> None:
    """After the other apps' demo parts (which give the editors their back-office groups): the
    demo's staff logins get the demo authenticator key and recovery codes (core.otp_demo)."""
    from branchwork.core import otp_demo

    otp_demo.load(stdout=stdout)
