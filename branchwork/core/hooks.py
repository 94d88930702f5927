"""Extension points other apps fill through Wagtail's hook registry (`wagtail.hooks`).

`branchwork_load_demo`: functions run by `branchwork load_demo` after core's organizations and
people are in place, each loading its app's demo records idempotently.

`branchwork_bulk_load`: functions returning a context manager that `load_demo` enters around the
whole load (all apps' parts): the search app uses it to queue no index task per object and to
index everything once, in batches, when the load is done.

`branchwork_nav_links`: functions of the request that return (label, address) pairs for the
main navigation; the portal adds its public channels there for visitors.

`branchwork_my_page_panels`: functions of the request that return a MyPagePanel, or None when
they have nothing to show. /my/ renders them in registration order; later apps add theirs
(upcoming activities, drafts, study hours) without core knowing them.

`branchwork_activity_panels`: functions `fn(request, activity)` that return a MyPagePanel (a
title, a template and its context) or None; the activity's page shows them below its facts
(`{% activity_panels activity %}` from `core/templatetags/panels.py`), so that an app the
activities do not import (international exchanges: the event the activity was part of, its
guests as observers) adds to the page without the activities knowing it.

`branchwork_record_panels`: functions `fn(request, record)` that return a MyPagePanel or None,
for the page of any other record (a research output, a lecture-hall talk): the page shows them
with `{% record_panels record %}`, so that an app the record's own app does not import (the
awards given for an output or a talk) adds to it. Each function answers None for records it
does not know, and shows only what the user may see: the page's own check comes first.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from branchwork.core import permissions

MY_PAGE_PANELS = "branchwork_my_page_panels"
# Functions `fn(request)` returning [(label, address)] for the main navigation (the portal's
# public channels, for visitors), in registration order.
NAV_LINKS = "branchwork_nav_links"
# Functions `fn(*, stdout)` that load an app's part of the demo after core's; idempotent each.
LOAD_DEMO_HOOK = "branchwork_load_demo"
# Functions `fn()` returning a context manager entered around a bulk load (the demo).
BULK_LOAD_HOOK = "branchwork_bulk_load"
# Functions `fn(request, activity)` returning a MyPagePanel or None, for the activity's page.
ACTIVITY_PANELS = "branchwork_activity_panels"
# Functions `fn(request, record)` returning a MyPagePanel or None, for a record's page.
RECORD_PANELS = "branchwork_record_panels"


@dataclass
class MyPagePanel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


def nav_links(request) -> list[tuple[str, str]]:
    return [link for fn in hooks.get_hooks(NAV_LINKS) for link in fn(request)]


def my_page_panels(request) -> list[MyPagePanel]:
    panels = [fn(request) for fn in hooks.get_hooks(MY_PAGE_PANELS)]
    return sorted((p for p in panels if p is not None), key=lambda p: p.order)


def activity_panels(request, activity) -> list[MyPagePanel]:
    panels = [fn(request, activity) for fn in hooks.get_hooks(ACTIVITY_PANELS)]
    return sorted((p for p in panels if p is not None), key=lambda p: p.order)


def record_panels(request, record) -> list[MyPagePanel]:
    panels = [fn(request, record) for fn in hooks.get_hooks(RECORD_PANELS)]
    return sorted((p for p in panels if p is not None), key=lambda p: p.order)


@hooks.register(MY_PAGE_PANELS)
def managed_organizations_panel(request) -> MyPagePanel | None:
    access = permissions.reader(request.user)
    if not (access.is_superuser or access.manage_paths):
        return None
    orgs = list(permissions.managed_organizations(request.user).filter(is_active=True).order_by("path")[:30])
    if not orgs:
        return None
    return MyPagePanel(
        title=_("Organizations I manage"),
        template="core/panels/managed_orgs.html",
        context={"orgs": orgs},
        order=10,
    )
