"""Awards in the research office's yearly figures (research.figures): the awards of the year, by
the level of the awarding body and by the body, for an organization and those under it. One
grouped count each; registered when the app starts."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from branchwork.awards.models import Award, BodyLevel
from branchwork.core.models import Organization


def _of_year(org: Organization, year: int):
    return Award.objects.filter(organization__path__startswith=org.path, year=year)


def awards_by_level_section(org: Organization, year: int):
    from branchwork.research.figures import Row, Section

    counts = {row["level"]: row["n"] for row in _of_year(org, year).values("level").annotate(n=Count("pk")).order_by()}
    rows = [Row(code=value, name=str(label), count=counts.get(value, 0)) for value, label in BodyLevel.choices]
    return Section(key="awards_by_level", title=_("Awards by level"), rows=rows,
                   note=_("Awards received in the year, internal and external, by the level of the awarding body."))


def awards_by_body_section(org: Organization, year: int):
    from branchwork.research.figures import Row, Section

    counts = (_of_year(org, year).values("body").annotate(n=Count("pk")).order_by("-n", "body"))
    rows = [Row(code=row["body"], name=row["body"], count=row["n"]) for row in counts]
    return Section(key="awards_by_body", title=_("Awards by awarding body"), rows=rows)
