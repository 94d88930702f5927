"""Keep the editorial groups in step with core's roles, set the workflow up after migrate, and
forget what is cached of the portal (selectors.portal_generation) when it changes."""

import logging

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_migrate, post_save

from branchwork.core.models import Membership, Person, Role

logger = logging.getLogger(__name__)
EDITORIAL_ROLES = {Role.EDITOR, Role.SIGNER}


def _membership_changed(sender, instance, raw=False, **kwargs):
    if raw or instance.role not in EDITORIAL_ROLES:
        return
    from branchwork.publishing.editorial import sync_editorial_groups

    user_id = Person.objects.filter(pk=instance.person_id).values_list("user_id", flat=True).first()
    if user_id:
        sync_editorial_groups({user_id})


def _person_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "user" not in update_fields):
        return
    if not Membership.objects.filter(person_id=instance.pk, role__in=EDITORIAL_ROLES).exists():
        return
    from branchwork.publishing.editorial import sync_editorial_groups

    sync_editorial_groups()  # the account may have moved from one user to another


def _logged_in(sender, request, user, **kwargs):
    from branchwork.publishing.editorial import sync_editorial_groups

    sync_editorial_groups({user.pk})


def _portal_changed(sender=None, **kwargs):
    from branchwork.publishing.selectors import portal_changed

    portal_changed()


def _after_migrate(sender, using="default", **kwargs):
    from branchwork.publishing.editorial import (
        setup_editorial,
        site_follows_base_url,
        sync_editorial_groups,
        tables_ready,
    )

    if using != "default" or not tables_ready():
        return
    site_follows_base_url()
    setup_editorial()
    sync_editorial_groups()


def connect(app_config) -> None:
    from branchwork.publishing import notifications

    notifications.connect()  # before wagtail.admin connects its own mails (see notifications.py)
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="publishing-membership-save")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="publishing-membership-delete")
    post_save.connect(_person_saved, sender=Person, dispatch_uid="publishing-person-save")
    user_logged_in.connect(_logged_in, dispatch_uid="publishing-login-sync")
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid="publishing-setup-editorial")
    # What is cached of the portal follows its changes (selectors.portal_changed).
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_portal_changed, dispatch_uid="publishing-portal-published")
    page_unpublished.connect(_portal_changed, dispatch_uid="publishing-portal-unpublished")
    post_page_move.connect(_portal_changed, dispatch_uid="publishing-portal-moved")
    post_delete.connect(_portal_changed, sender=Page, dispatch_uid="publishing-portal-deleted")
    from taggit.models import Tag
    from wagtail.models import PageViewRestriction, Site

    post_save.connect(_portal_changed, sender=Tag, dispatch_uid="publishing-tag-saved")
    post_delete.connect(_portal_changed, sender=Tag, dispatch_uid="publishing-tag-deleted")

    post_save.connect(_portal_changed, sender=PageViewRestriction, dispatch_uid="publishing-restriction-saved")
    post_delete.connect(_portal_changed, sender=PageViewRestriction,
                        dispatch_uid="publishing-restriction-deleted")

    post_save.connect(_portal_changed, sender=Site, dispatch_uid="publishing-site-saved")
    post_delete.connect(_portal_changed, sender=Site, dispatch_uid="publishing-site-deleted")
