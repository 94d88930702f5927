"""Who may open the portal's pages and the documents of Wagtail's library, registered with the
one policy (`core.permissions`).

Pages (`permissions.visible(user, Page)`: the live pages the site search may show the user):

- anonymous visitors: pages under no view restriction of Wagtail's, internal articles not;
- signed-in users: also pages under a restriction they pass (a login restriction, a group
  restriction of one of their groups), never password-protected ones (search cannot ask for the
  password); internal articles of the organizations whose internal content they read.

`permissions.can(user, "read", page)` is the portal's own rule when a page is served: an
internal article is read by the readers of its organization's internal content
(`core.permissions.can_read_internal_of`); Wagtail checks its view restrictions itself (with its
login and password forms).

Documents: a file in the library is not public for being there. A document is opened
(`permissions.can(user, "open", document)`) by:

- superusers, and those who may choose or change it in the back office (Wagtail's collection
  permissions: the portal's editors and signers), and the one who uploaded it (a contributor
  previewing their draft);
- whoever may open a live page that links it (Wagtail's reference index): a document linked
  from a public article is public, one linked only from an internal article is read by that
  article's readers, one linked from nowhere stays in the back office.

When Wagtail serves one, its collection view restrictions (login, groups, password) apply on top
(`core/wagtail_hooks.py` asks "open" first); `permissions.visible(user, Document)`, what the
site search shows, keeps only documents whose restrictions the user passes.
"""

from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, CharField, Q, QuerySet
from django.db.models.functions import Cast
from wagtail.documents import get_document_model
from wagtail.models import (
    BaseViewRestriction,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
    ReferenceIndex,
)
from wagtail.permissions import policy_registry

from branchwork.core import permissions
from branchwork.publishing.models import ArticlePage, Visibility

# --- Pages ---


def _unreadable_internal_article_ids(user):
    """A subquery of the ids of the internal articles this user may not read."""
    internal = ArticlePage.objects.exclude(visibility=Visibility.PUBLIC)
    readable = permissions.internal_content_filter(user)
    if readable is not None:
        internal = internal.exclude(readable)
    return internal.values("pk")


def searchable_pages(user) -> QuerySet[Page]:
    """Live portal pages the user may open without being asked for a password."""
    qs = Page.objects.live()
    if not permissions.reader(user).is_superuser:
        blocked = _restrictions_not_passed(
            user, PageViewRestriction.objects.values_list("page__path", "restriction_type", "groups")
        )
        if blocked:
            qs = qs.exclude(reduce(or_, (Q(path__startswith=p) for p in blocked)))
    if not (user.is_authenticated and user.is_superuser):
        qs = qs.exclude(pk__in=_unreadable_internal_article_ids(user))
    return qs


def can_read_page(user, page: Page) -> bool:
    """The portal's rule on serving a page: an internal article only to its readers."""
    if isinstance(page, ArticlePage) and page.is_internal:
        return permissions.can_read_internal_of(user, page.organization)
    return True


def _restrictions_not_passed(user, restrictions) -> list[str]:
    """Tree paths under a Wagtail view restriction (of pages or of collections) that this user
    does not pass: every one for visitors; for signed-in users, those that are neither a login
    restriction nor a group restriction of one of their groups (a password restriction is never
    passed: search cannot ask for the password). `restrictions`: (path, type, group id) rows,
    one per group of a group restriction."""
    signed_in = user.is_authenticated and user.is_active
    group_ids = None
    passed: dict[str, bool] = {}
    for path, kind, group_id in restrictions:
        passes = False
        if signed_in and kind == BaseViewRestriction.LOGIN:
            passes = True
        elif signed_in and kind == BaseViewRestriction.GROUPS:
            if group_ids is None:  # read only when a group restriction asks
                group_ids = set(user.groups.values_list("pk", flat=True))
            passes = group_id in group_ids
        passed[path] = passed.get(path, False) or passes
    return [path for path, ok in passed.items() if not ok]


# --- Documents (Wagtail's library) ---


def readable_documents(user) -> QuerySet:
    """Documents this user may open (Wagtail's collection view restrictions aside)."""
    Document = get_document_model()
    if permissions.reader(user).is_superuser:
        return Document.objects.all()
    # The reference index keeps ids as text, whatever the model's key.
    pages = searchable_pages(user).order_by().annotate(ref=Cast("pk", CharField())).values("ref")
    linked = (
        ReferenceIndex.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=pages,
            to_content_type=ContentType.objects.get_for_model(Document),
        )
        .annotate(document_id=Cast("to_object_id", BigIntegerField()))
        .values("document_id")
    )
    q = Q(pk__in=linked)
    if user.is_authenticated and user.is_active:
        policy = policy_registry.get_by_type(Document)
        chosen = policy.instances_user_has_any_permission_for(user, ["choose", "change"])
        q |= Q(uploaded_by_user_id=user.pk) | Q(pk__in=chosen.values("pk"))
    return Document.objects.filter(q)


def can_open_document(user, document) -> bool:
    return readable_documents(user).filter(pk=document.pk).exists()


def visible_documents(user) -> QuerySet:
    """Documents the site search shows this user: those they may open, outside collections under
    a view restriction they do not pass (a login one for visitors, a group one not theirs, any
    password one: search cannot ask for the password)."""
    qs = readable_documents(user)
    if permissions.reader(user).is_superuser:
        return qs
    blocked = _restrictions_not_passed(
        user, CollectionViewRestriction.objects.values_list("collection__path", "restriction_type", "groups")
    )
    if blocked:
        qs = qs.exclude(reduce(or_, (Q(collection__path__startswith=p) for p in blocked)))
    return qs


def register() -> None:
    permissions.register(Page, visible=searchable_pages, read=can_read_page)
    permissions.register(get_document_model(), visible=visible_documents, open=can_open_document)
