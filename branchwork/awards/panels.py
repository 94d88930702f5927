"""The awards given for a research output or a lecture-hall talk, on that record's page
(`core.hooks.RECORD_PANELS`): research and lectures do not import awards, the awards app adds its
panel. The page has already decided the user may see the record; the panel lists only the awards
the user may see (`visible_awards`), in three queries whatever their number, and nothing at all
when there is none."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from branchwork.awards import permissions as rules
from branchwork.awards.models import AwardRecipient
from branchwork.core.hooks import MyPagePanel
from branchwork.lectures.models import Talk
from branchwork.research.models import Output

SHOWN = 20


def record_panel(request, record) -> MyPagePanel | None:
    if isinstance(record, Output):
        awards = rules.visible_awards(request.user).filter(output=record)
    elif isinstance(record, Talk):
        awards = rules.visible_awards(request.user).filter(talk=record)
    else:
        return None
    awards = list(awards.select_related("organization", "grade")
                  .prefetch_related(Prefetch("recipients", queryset=AwardRecipient.objects.select_related("person")))
                  [:SHOWN])
    if not awards:
        return None
    return MyPagePanel(title=_("Awards for this work"), template="awards/panels/record_awards.html",
                       context={"awards": awards}, order=40)
