"""The audit trail: every create, change and delete of an audited model, with old and new values.

Models opt in with `register(Model, organization=...)`. Saves, deletes and changes of their
many-to-many relations are caught by signals, so a change is logged however it is made (our
views, the API, the Wagtail back office, a command). Bulk writes, which send no signals, go
through `bulk_create()` and `bulk_update()` here, which write and log in a constant number of
queries. Who made a change comes from a context variable that the request middleware sets for
each request and that commands and imports set with `acting_as(...)`.
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
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from branchwork.core.models import AuditAction, AuditEntry


@dataclass(frozen=True)
class Actor:
    user: Any = None
    source: str = "system"


_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("branchwork_audit_actor", default=Actor())  # noqa: B039 (frozen)

# model class → function returning the organization id the entry belongs to (or None)
_registry: dict[type[models.Model], Callable[[models.Model], int | None]] = {}
# through model of a registered model's many-to-many field → (the model, the field's name)
_m2m_fields: dict[type[models.Model], tuple[type[models.Model], str]] = {}
# fields never copied into the trail: secrets, and bookkeeping nobody reads (the tree's
# materialized path, depth and child count follow from the parent, which is recorded as a change
# of the records themselves)
_EXCLUDED_FIELDS = {"password", "last_login", "created_at", "updated_at", "path", "depth", "numchild"}
# model → further fields of that model kept out of the trail (register(..., exclude=...))
_excluded_by_model: dict[type[models.Model], frozenset[str]] = {}


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


def register(model: type[models.Model], *, organization: Callable[[Any], int | None],
             exclude: tuple[str, ...] = ()) -> None:
    """Audit `model`; `exclude` names fields whose values never enter the trail (a text readable
    by fewer people than the trail is: an instruction's text)."""
    _registry[model] = organization
    _excluded_by_model[model] = frozenset(exclude)
    uid = f"branchwork-audit-{model._meta.label_lower}"
    pre_save.connect(_remember_old_values, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_log_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_log_delete, sender=model, dispatch_uid=uid + "-delete")
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        _m2m_fields[through] = (model, field.name)
        m2m_changed.connect(_log_m2m, sender=through, dispatch_uid=f"{uid}-m2m-{field.name}")


def is_registered(model: type[models.Model]) -> bool:
    return model in _registry


def _audited_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in _EXCLUDED_FIELDS and not f.name.endswith("_ptr")
        and f.name not in _excluded_by_model.get(model, ())
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


def _entry(instance: models.Model, action: str, changes: dict[str, Any], *,
           org_id: int | None = None) -> AuditEntry:
    actor = _actor.get()
    return AuditEntry(
        actor=actor.user,
        actor_name=_actor_name(actor.user),
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        organization_id=_registry[type(instance)](instance) if org_id is None else org_id,
        changes=changes,
        source=actor.source,
    )


def _write(instance: models.Model, action: str, changes: dict[str, list[Any]]) -> None:
    _entry(instance, action, _describe_relations(type(instance), changes)).save()


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


def log_event(instance: models.Model, action: str, changes: dict[str, Any], *,
              organization_id: int | None = None) -> None:
    """An entry that no single save makes: an import (which file brought which records). The
    instance need not be of a registered model when `organization_id` is given (or None)."""
    if organization_id is None and type(instance) in _registry:
        organization_id = _registry[type(instance)](instance)
    entry = _entry(instance, action, changes, org_id=organization_id or 0)
    entry.organization_id = organization_id
    entry.save()


# --- Many-to-many relations ---


def _log_m2m(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Log the members added to or removed from a registered model's many-to-many field, by
    name, on the registered object (also when the change was made from the other side)."""
    owner, name = _m2m_fields[sender]
    if action == "pre_clear":
        if reverse:
            instance._audit_m2m_cleared = list(owner._base_manager.filter(**{name: instance}))
        else:
            instance._audit_m2m_cleared = list(getattr(instance, name).all())
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    key = "removed" if action in ("post_remove", "post_clear") else "added"
    if reverse:  # instance is the other side; the registered objects are in pk_set
        targets = (getattr(instance, "_audit_m2m_cleared", []) if action == "post_clear"
                   else list(owner._base_manager.filter(pk__in=pk_set or ())))
        for target in targets:
            _write_m2m(target, name, key, [instance])
        return
    members = (getattr(instance, "_audit_m2m_cleared", []) if action == "post_clear"
               else list(model._base_manager.filter(pk__in=pk_set or ())))
    if members:
        _write_m2m(instance, name, key, members)


def _write_m2m(instance, name: str, key: str, members) -> None:
    described = [{"id": m.pk, "repr": str(m)[:200]} for m in members]
    _entry(instance, AuditAction.UPDATE, {name: {key: described}}).save()


# --- Bulk writes (they send no signals) ---


def bulk_create(model: type[models.Model], objs: list[models.Model], *,
                organization_id: int | None = None) -> list[models.Model]:
    """`Model.objects.bulk_create(objs)`, each created row logged. `organization_id`, when all
    rows belong to one organization, spares asking for each."""
    objs = model.objects.bulk_create(objs)
    if objs and model in _registry:
        entries = [_entry(obj, AuditAction.CREATE,
                          {n: [None, v] for n, v in _snapshot(obj).items() if v not in (None, "")},
                          org_id=organization_id)
                   for obj in objs]
        _bulk_describe(model, entries)
        AuditEntry.objects.bulk_create(entries)
    return objs


def bulk_update(objs: list[models.Model], fields: list[str], *,
                organization_id: int | None = None) -> None:
    """`Model.objects.bulk_update(objs, fields)`, each changed row logged with old and new
    values (the old ones read in one query)."""
    if not objs:
        return
    model = type(objs[0])
    audited = model in _registry
    if audited:
        names = [f.name for f in _audited_fields(model) if f.name in fields]
        attnames = {f.name: f.attname for f in _audited_fields(model) if f.name in fields}
        old_rows = {row["pk"]: row for row in model._base_manager.filter(
            pk__in=[o.pk for o in objs]).values("pk", *attnames.values())}
    model.objects.bulk_update(objs, fields)
    if not audited:
        return
    entries = []
    for obj in objs:
        old = old_rows.get(obj.pk, {})
        changes = {}
        for name in names:
            before, after = _plain(old.get(attnames[name])), _plain(getattr(obj, attnames[name]))
            if before != after:
                changes[name] = [before, after]
        if changes:
            entries.append(_entry(obj, AuditAction.UPDATE, changes, org_id=organization_id))
    _bulk_describe(model, entries)
    AuditEntry.objects.bulk_create(entries)


def _bulk_describe(model: type[models.Model], entries: list[AuditEntry]) -> None:
    """`_describe_relations` for many entries: one query per relation field, not per entry."""
    ids: dict[str, set] = {}
    for entry in entries:
        for name, values in entry.changes.items():
            if model._meta.get_field(name).is_relation:
                ids.setdefault(name, set()).update(v for v in values if v is not None)
    names = {}
    for name, pks in ids.items():
        related = model._meta.get_field(name).related_model
        names[name] = {pk: str(obj)[:200] for pk, obj in related._base_manager.in_bulk(pks).items()}
    for entry in entries:
        for name, values in entry.changes.items():
            if name in names:
                entry.changes[name] = [None if v is None else {"id": v, "repr": names[name].get(v, str(v))}
                                       for v in values]
