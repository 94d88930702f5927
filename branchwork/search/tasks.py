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
