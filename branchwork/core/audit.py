"""The audit trail: every create, change and delete of an audited model, with old and new values.

Models opt in with `register(Model, organization=...)`. Saves and deletes are caught by signals,
so a change is logged however it is made (our views, the API, the Wagtail back office, a
command). Who made it comes from a context variable that the request middleware sets for each
request and that commands set with `acting_as(...)`.
"""

import contextlib
import contextvars
import datetime
import decimal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from branchwork.core.models import AuditAction, AuditEntry


@dataclass(frozen=True)
class Actor:
    user: Any = None
    source: str = "system"


_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("branchwork_audit_actor", default=Actor())

# model class → function returning the organization id the entry belongs to (or None)
_registry: dict[type[models.Model], Callable[[models.Model], int | None]] = {}
# fields never copied into the trail: secrets, and bookkeeping nobody reads (the tree's
# materialized path, depth and child count follow from the parent, which is recorded as a change
# of the records themselves)
_EXCLUDED_FIELDS = {"password", "last_login", "created_at", "updated_at", "path", "depth", "numchild"}


@contextlib.contextmanager
def acting_as(user, *, source: str) -> Iterator[None]:
    """Attribute the changes made inside the block to `user` (None for the system)."""
    token = _actor.set(Actor(user=user if user is not None and user.is_authenticated else None, source=source))
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get()


def register(model: type[models.Model], *, organization: Callable[[Any], int | None]) -> None:
    _registry[model] = organization
    uid = f"branchwork-audit-{model._meta.label_lower}"
    pre_save.connect(_remember_old_values, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_log_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_log_delete, sender=model, dispatch_uid=uid + "-delete")


def _audited_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in _EXCLUDED_FIELDS and not f.name.endswith("_ptr")
    ]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _snapshot(instance: models.Model) -> dict[str, Any]:
    """Field name → JSON-safe value; a relation is its primary key (described only when logged)."""
    return {f.name: _plain(getattr(instance, f.attname)) for f in _audited_fields(type(instance))}


def _remember_old_values(sender, instance, raw=False, **kwargs) -> None:
    instance._audit_old = None
    if raw or instance.pk is None:
        return
    fields = _audited_fields(sender)
    row = sender._base_manager.filter(pk=instance.pk).values(*(f.attname for f in fields)).first()
    if row is not None:
        instance._audit_old = {f.name: _plain(row[f.attname]) for f in fields}


def _diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, list[Any]]:
    if old is None:
        return {name: [None, value] for name, value in new.items() if value not in (None, "")}
    return {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}


def _describe_relations(model: type[models.Model], changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Replace related ids by {"id", "repr"}, so the trail still reads well after a rename.

    Only the relations that appear in `changes` are looked up: one query per changed relation.
    """
    for name, values in changes.items():
        field = model._meta.get_field(name)
        if not field.is_relation:
            continue
        ids = [v for v in values if v is not None]
        names = {pk: str(obj)[:200] for pk, obj in field.related_model._base_manager.in_bulk(ids).items()}
        changes[name] = [None if v is None else {"id": v, "repr": names.get(v, str(v))} for v in values]
    return changes


def _write(instance: models.Model, action: str, changes: dict[str, list[Any]]) -> None:
    actor = _actor.get()
    user = actor.user
    org_id = _registry[type(instance)](instance)
    AuditEntry.objects.create(
        actor=user,
        actor_name=_actor_name(user),
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        organization_id=org_id,
        changes=_describe_relations(type(instance), changes),
        source=actor.source,
    )


def _actor_name(user) -> str:
    if user is None:
        return ""
    try:
        return user.person.name
    except models.ObjectDoesNotExist:
        return user.get_username()


def _log_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    old = None if created else getattr(instance, "_audit_old", None)
    changes = _diff(old, _snapshot(instance))
    if not created and not changes:
        return
    _write(instance, AuditAction.CREATE if created else AuditAction.UPDATE, changes)


def _log_delete(sender, instance, **kwargs) -> None:
    snapshot = _snapshot(instance)
    _write(instance, AuditAction.DELETE, {name: [value, None] for name, value in snapshot.items()})
