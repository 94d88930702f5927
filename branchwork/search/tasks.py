"""Background indexing of what Wagtail does not index itself (the task worker runs these)."""

from django.apps import apps
from django_tasks import task

from branchwork.search import indexing
from branchwork.search.kinds import family_for_model


@task()
def index_object(app_label: str, model_name: str, pk: str) -> None:
    """Write one object's entry (or remove it, when the object is gone or no longer filed)."""
    from django.contrib.contenttypes.models import ContentType

    model = apps.get_model(app_label, model_name)
    family = family_for_model(model)
    obj = model._default_manager.filter(pk=pk).first()
    if family is None:
        return
    docs = indexing.docs_for(model, [obj]) if obj is not None else []
    if docs:
        indexing.write_docs(docs)
    else:
        indexing.delete_entries([ContentType.objects.get_for_model(model).pk], [pk])


@task()
def index_person(pk: str) -> None:
    """A person's roles changed: their organization (a facet) may have too."""
    from modelsearch import index

    person = apps.get_model("core", "Person").objects.filter(pk=pk).first()
    if person is not None:
        index.insert_or_update_object(person)


def _reindex(model, queryset) -> None:
    """Index again, in batches, the objects of `queryset` (their access tokens with them)."""
    from django.contrib.contenttypes.models import ContentType

    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), indexing.BATCH):
        chunk = pks[start:start + indexing.BATCH]
        objs = list(model._default_manager.filter(pk__in=chunk))
        if hasattr(queryset, "specific"):
            objs = [obj.specific for obj in objs]
            by_model: dict = {}
            for obj in objs:
                by_model.setdefault(type(obj), []).append(obj)
        else:
            by_model = {model: objs}
        for sub, items in by_model.items():
            docs = indexing.docs_for(sub, items)
            indexing.write_docs(docs)
            indexed = {str(doc.pk) for doc in docs}
            gone = [obj.pk for obj in items if str(obj.pk) not in indexed]
            if gone:
                indexing.delete_entries([ContentType.objects.get_for_model(sub).pk], gone)


@task()
def reindex_subtree(page_id: str) -> None:
    """A view restriction on a page changed: the page and those under it, again."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is not None:
        _reindex(Page, Page.objects.filter(path__startswith=page.path))


@task()
def reindex_organization(org_id: str) -> None:
    """An organization moved: what belongs to it or to those under it, again (the tokens of
    who reads it name the organizations above it)."""
    organization = apps.get_model("core", "Organization")
    org = organization.objects.filter(pk=org_id).first()
    if org is None:
        return
    subtree = organization.objects.filter(path__startswith=org.path).values("pk")
    targets = [("core.Person", {"memberships__organization__in": subtree})]
    targets += [
        ("activities.Activity", {"organization__in": subtree}),
        ("activities.Activity", {"co_organizers__in": subtree}),
        ("publishing.ArticlePage", {"organization__in": subtree}),
        ("journal.JournalIssue", {"journal__organization__in": subtree}),
        ("journal.JournalEntry", {"section__issue__journal__organization__in": subtree}),
        ("lectures.Talk", {"organization__in": subtree}),
        ("research.Topic", {"organization__in": subtree}),
        ("research.Output", {"organization__in": subtree}),
        ("research.Instruction", {"submission__output__organization__in": subtree}),
    ]
    for label, lookup in targets:
        try:
            model = apps.get_model(label)
        except LookupError:  # the app is not installed
            continue
        family = family_for_model(model)
        if family is None:
            continue
        if label == "publishing.ArticlePage":
            from wagtail.models import Page

            _reindex(Page, Page.objects.filter(pk__in=model.objects.filter(**lookup).values("pk")))
        else:
            _reindex(model, model._default_manager.filter(**lookup).distinct())
