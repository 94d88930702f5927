"""Awards on /my/ (the competitions a person judges or entered: one query), on the pages of the
outputs and talks they were given for (`RECORD_PANELS`), and in the demo."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, RECORD_PANELS, MyPagePanel


def _my_competitions(*, person_id):
    """The competitions (not drafts) the person judges or entered, latest closing first, each
    with whether the person judges it: one query, compiled once (core/prepared.py)."""
    from django.db.models import Exists, OuterRef, Q

    from branchwork.awards.models import Competition, CompetitionStatus, Entrant, Judge

    judges = Judge.objects.filter(competition=OuterRef("pk"), person_id=person_id)
    entrants = Entrant.objects.filter(entry__competition=OuterRef("pk"), person_id=person_id)
    return (Competition.objects.annotate(i_judge=Exists(judges))
            .filter(Q(i_judge=True) | Exists(entrants)).exclude(status=CompetitionStatus.DRAFT)
            .select_related("organization").order_by("-closes_on", "-pk")[:10])


@hooks.register(MY_PAGE_PANELS)
def competitions_panel(request) -> MyPagePanel | None:
    from branchwork.core import permissions, prepared

    person_id = permissions.reader(request.user).person_id
    if person_id is None:
        return None
    rows = prepared.rows("awards.my_competitions", _my_competitions, person_id=person_id)
    if not rows:
        return None
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
