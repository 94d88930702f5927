"""Awards on /my/ (the competitions a person judges or entered: one query), on the pages of the
outputs and talks they were given for (`RECORD_PANELS`), and in the demo."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, RECORD_PANELS, MyPagePanel


@hooks.register(MY_PAGE_PANELS)
def competitions_panel(request) -> MyPagePanel | None:
    from django.db.models import Q

    from branchwork.awards.models import Competition, CompetitionStatus
    from branchwork.core import permissions

    person_id = permissions.reader(request.user).person_id
    if person_id is None:
        return None
    rows = list(Competition.objects.filter(Q(judges__person_id=person_id) | Q(entries__entrants__person_id=person_id))
                .exclude(status=CompetitionStatus.DRAFT).select_related("organization").distinct()
                .order_by("-closes_on")[:10])
    if not rows:
        return None
    judging = set(Competition.objects.filter(pk__in=[c.pk for c in rows], judges__person_id=person_id)
                  .values_list("pk", flat=True))
    for c in rows:
        c.i_judge = c.pk in judging
    return MyPagePanel(title=_("My competitions"), template="awards/panels/competitions.html",
                       context={"competitions": rows}, order=60)


@hooks.register(RECORD_PANELS)
def awards_on_record(request, record) -> MyPagePanel | None:
    from branchwork.awards import panels

    return panels.record_panel(request, record)


@hooks.register(LOAD_DEMO_HOOK)
def load_awards_demo(*, stdout) -> None:
    from branchwork.awards import demo

    demo.load_demo(stdout=stdout)
