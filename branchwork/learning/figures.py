"""Study hours in the research office's yearly figures (research.figures): how many members earned
how many training hours, in buckets, with no names. Registered when the app starts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from branchwork.learning.selectors import hours_distribution


def study_hours_section(organization, year: int):
    from branchwork.research.figures import Row, Section

    rows = []
    for bucket in hours_distribution(organization, year):
        if bucket["to"] is None:
            name = _("%(low)s hours or more") % {"low": bucket["from"]}
        else:
            name = _("%(low)s to %(high)s hours") % {"low": bucket["from"], "high": bucket["to"]}
        rows.append(Row(code=bucket["label"], name=name, count=bucket["count"]))
    return Section(key="study_hours", title=_("Members by training hours"), rows=rows,
                   note=_("Counted from attendance, courses and approved training; no names."))
