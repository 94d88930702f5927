"""Keep the index current for what Wagtail's own handlers do not cover.

Wagtail indexes its indexed models (pages, activities, people) on every save through the task
worker and removes them on delete. Here: the journal's issues and articles, the lecture hall's
talks, research topics, outputs and instructions, parties, contacts and events (plain models, in
apps that may not be installed), the rows their documents depend on (`DEPENDENTS`: an output's
authors, a contact's participations …), a person whose roles change (their
organization is a facet), and an activity whose materials change (their text is part of the
activity's). A Wagtail document is Wagtail's (reindexed when saved, with a new file too), and a
talk's slides are a field of the talk. Like Wagtail's, these enqueue at once: the database
backend's task row commits with the change, so the worker reads what was saved.
"""

import contextlib
from pathlib import Path

from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from branchwork.search import extract, indexing
from branchwork.search.kinds import families
from branchwork.search.tasks import index_object, index_person, reindex_organization, reindex_subtree

UID = "branchwork-search"
# Rows whose save or deletion changes the documents of others (their text or who may find them):
# label → a function of the row giving the (label, pks) to index again.
DEPENDENTS = {
    "research.Output": lambda row: [("research.Instruction", _pks("research.Instruction",
                                                                 submission__output_id=row.pk))],
    "research.OutputAuthor": lambda row: [("research.Output", [row.output_id]),
                                          ("research.Instruction", _pks("research.Instruction",
                                                                        submission__output_id=row.output_id))],
    "research.TopicMember": lambda row: [("research.Topic", [row.topic_id])],
    "exchanges.Party": lambda row: [("exchanges.Contact", _pks("exchanges.Contact", party_id=row.pk))],
    "exchanges.Participant": lambda row: [("exchanges.Contact", [row.contact_id])],
}
# Many-to-many fields whose change does: label.field → a function of the owner, as above.
M2M_DEPENDENTS = {
    "research.Output.readers": lambda row: [("research.Output", [row.pk])],
    "exchanges.Event.managers": lambda row: [
        ("exchanges.Event", [row.pk]),
        ("exchanges.Contact", _pks("exchanges.Participant", "contact_id", event_id=row.pk))],
}


def _pks(label: str, field: str = "pk", **lookup) -> list:
    return list(apps.get_model(label)._default_manager.filter(**lookup)
                .values_list(field, flat=True).distinct())


def _enqueue_all(targets) -> None:
    for label, pks in targets:
        model = apps.get_model(label)
        for pk in pks:
            if pk is not None:
                _enqueue(model, pk)


def _dependent_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    if sender._meta.label in ON_COMMIT:
        targets = DEPENDENTS[sender._meta.label](instance)
        transaction.on_commit(lambda: _enqueue_all(targets))
        return
    _enqueue_all(DEPENDENTS[sender._meta.label](instance))


def _m2m_dependent_changed(sender, instance, action, reverse=False, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    for label, targets in M2M_DEPENDENTS.items():
        model_label, field = label.rsplit(".", 1)
        model = apps.get_model(model_label)
        if getattr(model, field).through is not sender:
            continue
        if reverse:  # changed from the other side: each owner named in pk_set
            for owner in model._default_manager.filter(pk__in=kwargs.get("pk_set") or ()):
                _enqueue_all(targets(owner))
        else:
            _enqueue_all(targets(instance))


def _event_deleting(sender, instance, **kwargs) -> None:
    """An event's participants go with it: its managers no longer find their contacts."""
    instance._search_contacts = _pks("exchanges.Participant", "contact_id", event_id=instance.pk)


def _event_deleted(sender, instance, **kwargs) -> None:
    _enqueue_all([("exchanges.Contact", getattr(instance, "_search_contacts", []))])


def _installed(label: str):
    try:
        return apps.get_model(label)
    except LookupError:  # the app is not installed
        return None
# Rows holding one file (in `file`) whose text is part of an owner's: model → the owner's field.
OWNED_FILES = {"activities.Attachment": "activity"}


def _enqueue(model, pk) -> None:
    index_object.enqueue(model._meta.app_label, model._meta.model_name, str(pk))


# Saved by services that write their related rows after them, in bulk (no signal): an output's
# authors, a topic's members. Indexed once the transaction commits, with those rows in place.
ON_COMMIT = {"research.Output", "research.Topic"}


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    if sender._meta.label in ON_COMMIT:
        transaction.on_commit(lambda: _enqueue(sender, instance.pk))
        return
    _enqueue(sender, instance.pk)
    # An issue's facts (date, organization, published or not) are its articles' too.
    if sender._meta.label_lower == "journal.journalissue":
        entry = apps.get_model("journal", "JournalEntry")
        for pk in entry.objects.filter(section__issue=instance).values_list("pk", flat=True):
            _enqueue(entry, pk)


def _deleted(sender, instance, **kwargs) -> None:
    from django.contrib.contenttypes.models import ContentType

    indexing.delete_entries([ContentType.objects.get_for_model(sender).pk], [instance.pk])


def _document_deleted(sender, instance, **kwargs) -> None:
    """A search document deleted by a cascade (a page deleted with its index entry): its rows
    in the site index and the champion lists go with it."""
    indexing.forget_document(instance)


def _owned_file_changed(sender, instance, raw=False, **kwargs) -> None:
    """A file added to (or removed from) an owner: reindex the owner, unless the file is of a
    kind that gives no text (a photo). A removed file may be gone already, its name with it."""
    name = instance.file.name
    if raw or (name and Path(name).suffix.lower().lstrip(".") not in extract.READERS):
        return
    owner = sender._meta.get_field(OWNED_FILES[sender._meta.label])
    owner_id = getattr(instance, owner.attname)
    if owner_id is not None:
        _enqueue(owner.related_model, owner_id)


def _role_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw or not instance.person_id:
        return
    index_person.enqueue(str(instance.person_id))


def _restriction_changed(sender, instance, raw=False, **kwargs) -> None:
    """A page's view restriction (or its groups) changed: who may find the pages under it, and
    the page itself, changes with it (their gate tokens)."""
    if raw:
        return
    page_id = getattr(instance, "page_id", None)
    if page_id is not None:
        reindex_subtree.enqueue(str(page_id))


def _attendance_changed(sender, instance, raw=False, **kwargs) -> None:
    """Who is on an activity's attendance list sees it (a token of the activity's)."""
    if raw or not getattr(instance, "activity_id", None):
        return
    origin = kwargs.get("origin")
    if origin is not None and origin is not instance:
        # A delete's origin is the instance or the queryset that started it.
        origin_model = origin.model if isinstance(origin, QuerySet) else type(origin)
        if origin_model._meta.label_lower != sender._meta.label_lower:
            return  # removed with the activity (or something above it), which leaves the index itself
    index_object.enqueue("activities", "activity", str(instance.activity_id))


def _co_organizers_changed(sender, instance, action, pk_set=None, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _enqueue(type(instance), instance.pk)


def _journal_saved(sender, instance, raw=False, **kwargs) -> None:
    """A journal's organization decides who reads its issues and articles."""
    if raw:
        return
    for model_name in ("JournalIssue", "JournalEntry"):
        model = apps.get_model("journal", model_name)
        lookup = "journal" if model_name == "JournalIssue" else "section__issue__journal"
        for pk in model.objects.filter(**{lookup: instance}).values_list("pk", flat=True):
            _enqueue(model, pk)


def _audited(sender, instance, created=False, raw=False, **kwargs) -> None:
    """An organization moved (core's service records the move in the audit trail): the
    organizations above everything under it changed, and with them who reads it."""
    if raw or not created or "parent" not in (instance.changes or {}):
        return
    organization = apps.get_model("core", "Organization")
    if instance.content_type_id != _content_type_id(organization):
        return
    reindex_organization.enqueue(str(instance.object_id))


def _content_type_id(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def connect() -> None:
    from branchwork.search.models import SearchDocument

    post_delete.connect(_document_deleted, sender=SearchDocument, dispatch_uid=f"{UID}-document-delete")
    for family in families():
        if family.indexed_by_wagtail:
            continue
        post_save.connect(_saved, sender=family.model, dispatch_uid=f"{UID}-save-{family.code}")
        post_delete.connect(_deleted, sender=family.model, dispatch_uid=f"{UID}-delete-{family.code}")
    for label in OWNED_FILES:
        try:
            model = apps.get_model(label)
        except LookupError:  # the app is not installed
            continue
        uid = f"{UID}-file-{label}"
        post_save.connect(_owned_file_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_owned_file_changed, sender=model, dispatch_uid=f"{uid}-delete")
    membership = apps.get_model("core", "Membership")
    post_save.connect(_role_changed, sender=membership, dispatch_uid=f"{UID}-role-save")
    post_delete.connect(_role_changed, sender=membership, dispatch_uid=f"{UID}-role-delete")
    from wagtail.models import PageViewRestriction

    for signal in (post_save, post_delete):
        signal.connect(_restriction_changed, sender=PageViewRestriction,
                       dispatch_uid=f"{UID}-restriction-{signal is post_save}")
    m2m_changed.connect(_restriction_groups_changed, sender=PageViewRestriction.groups.through,
                        dispatch_uid=f"{UID}-restriction-groups")
    if apps.is_installed("branchwork.activities"):
        attendance = apps.get_model("activities", "Attendance")
        activity = apps.get_model("activities", "Activity")
        for signal in (post_save, post_delete):
            signal.connect(_attendance_changed, sender=attendance,
                           dispatch_uid=f"{UID}-attendance-{signal is post_save}")
        m2m_changed.connect(_co_organizers_changed, sender=activity.co_organizers.through,
                            dispatch_uid=f"{UID}-co-organizers")
    if apps.is_installed("branchwork.journal"):
        post_save.connect(_journal_saved, sender=apps.get_model("journal", "Journal"),
                          dispatch_uid=f"{UID}-journal")
    post_save.connect(_audited, sender=apps.get_model("core", "AuditEntry"), dispatch_uid=f"{UID}-audit")
    _connect_dependents()


def _connect_dependents() -> None:
    for label in DEPENDENTS:
        model = _installed(label)
        if model is not None:
            post_save.connect(_dependent_changed, sender=model, dispatch_uid=f"{UID}-dep-{label}-save")
            post_delete.connect(_dependent_changed, sender=model, dispatch_uid=f"{UID}-dep-{label}-delete")
    for label in M2M_DEPENDENTS:
        model_label, field = label.rsplit(".", 1)
        model = _installed(model_label)
        if model is not None:
            m2m_changed.connect(_m2m_dependent_changed, sender=getattr(model, field).through,
                                dispatch_uid=f"{UID}-m2m-{label}")
    event = _installed("exchanges.Event")
    if event is not None:
        pre_delete.connect(_event_deleting, sender=event, dispatch_uid=f"{UID}-event-deleting")
        post_delete.connect(_event_deleted, sender=event, dispatch_uid=f"{UID}-event-deleted")


def _restriction_groups_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _restriction_changed(sender, instance)


def disconnect() -> None:
    """Stop indexing on save: Wagtail's (modelsearch's) handlers and ours (deletes still remove)."""
    from modelsearch import index
    from modelsearch.signal_handlers import post_save_signal_handler

    for model in index.get_indexed_models():
        post_save.disconnect(post_save_signal_handler, sender=model)
    for family in families():
        if not family.indexed_by_wagtail:
            post_save.disconnect(sender=family.model, dispatch_uid=f"{UID}-save-{family.code}")
    for label in OWNED_FILES:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.disconnect(sender=model, dispatch_uid=f"{UID}-file-{label}-save")
    membership = apps.get_model("core", "Membership")
    post_save.disconnect(sender=membership, dispatch_uid=f"{UID}-role-save")
    post_delete.disconnect(sender=membership, dispatch_uid=f"{UID}-role-delete")
    from wagtail.models import PageViewRestriction

    for signal in (post_save, post_delete):
        signal.disconnect(sender=PageViewRestriction, dispatch_uid=f"{UID}-restriction-{signal is post_save}")
    m2m_changed.disconnect(sender=PageViewRestriction.groups.through, dispatch_uid=f"{UID}-restriction-groups")
    if apps.is_installed("branchwork.activities"):
        attendance = apps.get_model("activities", "Attendance")
        activity = apps.get_model("activities", "Activity")
        for signal in (post_save, post_delete):
            signal.disconnect(sender=attendance, dispatch_uid=f"{UID}-attendance-{signal is post_save}")
        m2m_changed.disconnect(sender=activity.co_organizers.through, dispatch_uid=f"{UID}-co-organizers")
    if apps.is_installed("branchwork.journal"):
        post_save.disconnect(sender=apps.get_model("journal", "Journal"), dispatch_uid=f"{UID}-journal")
    post_save.disconnect(sender=apps.get_model("core", "AuditEntry"), dispatch_uid=f"{UID}-audit")
    for label in DEPENDENTS:
        model = _installed(label)
        if model is not None:
            post_save.disconnect(sender=model, dispatch_uid=f"{UID}-dep-{label}-save")
    for label in M2M_DEPENDENTS:
        model_label, field = label.rsplit(".", 1)
        model = _installed(model_label)
        if model is not None:
            m2m_changed.disconnect(sender=getattr(model, field).through, dispatch_uid=f"{UID}-m2m-{label}")


@contextlib.contextmanager
def deferred():
    """Save without queueing an index task per object, for a bulk load (the demo), and index
    everything once, in batches, when the load succeeded. The handlers are back on exit."""
    from django.core.management import call_command
    from modelsearch.signal_handlers import register_signal_handlers

    disconnect()
    try:
        yield
    finally:
        register_signal_handlers()
        connect()
    call_command("rebuild_search_index", verbosity=0)
