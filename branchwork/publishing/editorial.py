"""The editorial workflow's setup: its two steps, the groups that open the back office, sync.

Who may act on a step is decided by core's roles at the moment of acting (`EditorialTask`).
The back office itself (Wagtail admin), the page tree and the image library are opened through
two Django groups, kept in step with the roles:

- EDITORS_GROUP: everyone holding a current editor role; may enter the back office, add and
  change portal pages, add and choose images and documents;
- SIGNERS_GROUP: everyone holding a current signer role; may enter the back office, change pages,
  choose images and documents.

Neither group may publish: an article goes live only when the workflow's last step is approved
(settings.WAGTAIL_FINISH_WORKFLOW_ACTION). Membership changes update the groups at once (signals);
roles that begin or end with the passing of days are caught at each login and by
`branchwork sync_editorial_groups` (run it daily from cron).

`setup_editorial()` creates whatever is missing, never duplicates, and leaves alone what an
administrator changed (renamed steps, another workflow on the home page). It runs after every
`migrate`, from the demo and from the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction

from branchwork.core.models import Membership, Role

EDITORS_GROUP = "责任编辑 Portal editors"
SIGNERS_GROUP = "签发人 Portal signers"
WORKFLOW_NAME = "稿件审签 Editorial sign-off"
# Each step's name in both languages; the stored name (shown in Wagtail's back office) holds both,
# pages and mail show the reader's (step_name).
STEP_NAMES = {Role.EDITOR: ("责任编辑审改", "Editor's review"), Role.SIGNER: ("签发", "Sign-off")}
TASK_NAMES = {role: f"{zh} {en}" for role, (zh, en) in STEP_NAMES.items()}
GROUP_OF_ROLE = {Role.EDITOR: EDITORS_GROUP, Role.SIGNER: SIGNERS_GROUP}

PAGE_PERMISSIONS = {EDITORS_GROUP: ("add_page", "change_page"), SIGNERS_GROUP: ("change_page",)}
COLLECTION_PERMISSIONS = {
    EDITORS_GROUP: (
        ("wagtailimages", "image", "add_image"),
        ("wagtailimages", "image", "change_image"),
        ("wagtailimages", "image", "choose_image"),
        ("wagtaildocs", "document", "add_document"),
        ("wagtaildocs", "document", "change_document"),
        ("wagtaildocs", "document", "choose_document"),
    ),
    SIGNERS_GROUP: (
        ("wagtailimages", "image", "choose_image"),
        ("wagtaildocs", "document", "choose_document"),
    ),
}


def step_name(task, language: str) -> str:
    """The name of a workflow step in one language ("zh…" or "en"); a step of another kind keeps
    the name it was given."""
    try:
        zh, en = STEP_NAMES[Role(task.editorialtask.role)]
    except (ObjectDoesNotExist, AttributeError, ValueError, KeyError):
        return task.name
    return en if language.startswith("en") else zh


@dataclass
class Editorial:
    workflow: object
    editor_task: object
    signer_task: object
    editors: Group
    signers: Group


def _ensure_permissions_exist() -> None:
    """Django creates permissions after all migrations; we may run before it reached these apps."""
    from django.contrib.auth.management import create_permissions

    for label in ("wagtailadmin", "wagtailcore", "wagtailimages", "wagtaildocs"):
        create_permissions(global_apps.get_app_config(label), verbosity=0)


def _permission(app_label: str, model: str, codename: str) -> Permission:
    content_type = ContentType.objects.get_by_natural_key(app_label, model)
    return Permission.objects.get(content_type=content_type, codename=codename)


def tables_ready() -> bool:
    return "publishing_editorialtask" in connection.introspection.table_names()


@transaction.atomic
def setup_editorial() -> Editorial:
    from wagtail.models import (
        Collection,
        GroupCollectionPermission,
        GroupPagePermission,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    from branchwork.publishing.models import EditorialTask, HomePage

    _ensure_permissions_exist()
    access_admin = _permission("wagtailadmin", "admin", "access_admin")
    groups = {}
    for name in (EDITORS_GROUP, SIGNERS_GROUP):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        groups[name] = group

    home = HomePage.objects.order_by("path").first()
    if home is not None:
        for name, codenames in PAGE_PERMISSIONS.items():
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=groups[name], page=home, permission=_permission("wagtailcore", "page", codename)
                )
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for name, perms in COLLECTION_PERMISSIONS.items():
            for app_label, model, codename in perms:
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name], collection=root_collection,
                    permission=_permission(app_label, model, codename),
                )

    tasks = {}
    for role in (Role.EDITOR, Role.SIGNER):
        task = EditorialTask.objects.filter(role=role).order_by("pk").first()
        if task is None:
            task = EditorialTask.objects.create(name=TASK_NAMES[role], role=role)
        tasks[role] = task

    workflow = (
        Workflow.objects.filter(workflow_tasks__task=tasks[Role.EDITOR]).order_by("pk").first()
    )
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=tasks[Role.EDITOR], sort_order=0)
        WorkflowTask.objects.create(workflow=workflow, task=tasks[Role.SIGNER], sort_order=1)
    if home is not None and not WorkflowPage.objects.filter(page=home).exists():
        WorkflowPage.objects.create(page=home, workflow=workflow)

    return Editorial(
        workflow=workflow, editor_task=tasks[Role.EDITOR], signer_task=tasks[Role.SIGNER],
        editors=groups[EDITORS_GROUP], signers=groups[SIGNERS_GROUP],
    )


def site_follows_base_url() -> None:
    """The default site's address is BASE_URL, so that sitemap and feed links are the public ones.

    Only the placeholder that the first migration wrote (localhost, port 80) is replaced; an
    address an administrator set in the back office stays.
    """
    from urllib.parse import urlsplit

    from django.conf import settings
    from wagtail.models import Site

    parts = urlsplit(settings.BASE_URL)
    if not parts.hostname:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    Site.objects.filter(is_default_site=True, hostname="localhost", port=80).exclude(
        hostname=parts.hostname, port=port).update(hostname=parts.hostname, port=port)


def sync_editorial_groups(user_ids: set[int] | None = None) -> tuple[int, int]:
    """Make the two groups hold exactly the users whose person holds the role today.

    With `user_ids`, only those users are looked at. Returns (added, removed) memberships.
    """
    added = removed = 0
    for role, name in GROUP_OF_ROLE.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        holders = Membership.objects.current().filter(
            role=role, organization__is_active=True, person__user__isnull=False,
            person__user__is_active=True,
        )
        members = group.user_set.all()
        if user_ids is not None:
            holders = holders.filter(person__user_id__in=user_ids)
            members = members.filter(pk__in=user_ids)
        wanted = set(holders.values_list("person__user_id", flat=True))
        current = set(members.values_list("pk", flat=True))
        if wanted - current:
            group.user_set.add(*(wanted - current))
            added += len(wanted - current)
        if current - wanted:
            group.user_set.remove(*(current - wanted))
            removed += len(current - wanted)
    return added, removed


def editorial_workflow():
    """The workflow contributions go through (the one holding the editor step)."""
    from wagtail.models import Workflow

    from branchwork.publishing.models import EditorialTask

    task = EditorialTask.objects.filter(role=Role.EDITOR).order_by("pk").first()
    if task is None:
        return None
    return Workflow.objects.filter(workflow_tasks__task=task, active=True).order_by("pk").first()
