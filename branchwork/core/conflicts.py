"""Refusals of a write because the record moved on: its state changed, or someone saved first.

Services raise these inside their transaction, after locking the row and reading it afresh
(`lock_for_update`), so two requests racing on one record are decided by the database, never
by whichever copy a view happened to load. Pages show the message; the API answers 409.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


class Conflict(ValidationError):
    """The record is not (or no longer) in a state that allows this write."""


class VersionConflict(Conflict):
    """A save based on an older version of a text than the one stored.

    `current` holds what the other person saved (field name → stored value), so the page can
    show it next to what this person typed; `version` is the stored version to build on.
    """

    def __init__(self, message, *, current: dict[str, object], version: int):
        super().__init__(message)
        self.current = current
        self.version = version


def lock_for_update(instance: models.Model) -> models.Model:
    """Lock the instance's row and refresh it in place from the database; return it.

    On PostgreSQL this is `SELECT … FOR UPDATE`: a concurrent transaction holding the row makes
    this one wait, and the values read are those it committed. SQLite has no row locks: there the
    settings start every transaction with `BEGIN IMMEDIATE`, which takes the database's write lock
    before the first read, so the re-read is as fresh. Call it inside `transaction.atomic`.
    """
    manager = type(instance)._default_manager
    try:
        instance.refresh_from_db(from_queryset=manager.select_for_update())
    except instance.DoesNotExist:
        raise Conflict(_("This record no longer exists; someone else removed it.")) from None
    return instance
