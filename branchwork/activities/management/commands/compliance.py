"""`branchwork compliance --org CODE --year YYYY --format json|table`

The compliance of an organization (and its Party groups) for a year, or with `--branches` the
committee table of every branch under it. Periods follow the calendar in the deployment's time
zone; `--date` pretends today is another day.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from branchwork.activities import selectors
from branchwork.core.models import Organization


class Command(BaseCommand):
    help = "Print the compliance of an organization for a year (per type and period), as JSON or a table."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organization code")
        parser.add_argument("--year", type=int, default=None, help="year (default: this year)")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--branches", action="store_true",
                            help="every branch under the organization (the committee table)")
        parser.add_argument("--date", help="pretend today is YYYY-MM-DD")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, org, year, format, branches, date, language, **options):
        translation.activate(language)
        try:
            organization = Organization.objects.get(code=org)
        except Organization.DoesNotExist:
            raise CommandError(f"No organization with code {org!r}.") from None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}.") from None
        else:
            today = timezone.localdate()
        year = year or today.year
        orgs = list(selectors.branches_under(organization)) if branches \
            else selectors.org_and_groups(organization)
        rows = selectors.compliance(orgs, year, today=today)
        if format == "json":
            self.stdout.write(json.dumps(self._json(rows, year, today), ensure_ascii=False, indent=2))
        else:
            self._table(rows, year, today)

    @staticmethod
    def _json(rows, year, today) -> dict:
        return {
            "year": year,
            "today": today.isoformat(),
            "organizations": [{
                "code": row.organization.code,
                "name": row.organization.display_name,
                "kind": row.organization.kind,
                "types": [{
                    "code": tc.type.code,
                    "name": tc.type.name,
                    "local": tc.type.local,
                    "cadence": {"count": tc.type.cadence.count, "per": tc.type.cadence.per},
                    "required": tc.required,
                    "held": tc.held,
                    "overdue": tc.overdue,
                    "status": tc.worst(),
                    "periods": [{
                        "period": c.period.key,
                        "start": c.period.start.isoformat(),
                        "end": c.period.end.isoformat(),
                        "required": c.required,
                        "held": c.held,
                        "planned": c.planned,
                        "without_quorum": c.without_quorum,
                        "status": c.status,
                    } for c in tc.cells],
                } for tc in row.types],
            } for row in rows],
        }

    def _table(self, rows, year, today) -> None:
        self.stdout.write(f"{year} (as of {today.isoformat()})")
        for row in rows:
            self.stdout.write("")
            self.stdout.write(f"{row.organization.display_name} [{row.organization.code}]")
            if not row.types:
                self.stdout.write("  (no cadence applies)")
            for tc in row.types:
                cells = " ".join(f"{c.period.key.split('-', 1)[-1]}:{c.held}/{c.required}"
                                 f"{_MARK[c.status]}" for c in tc.cells)
                self.stdout.write(f"  {tc.type.code:<20} {tc.held:>2}/{tc.required:<2} "
                                  f"{tc.worst():<9} {cells}")
        self.stdout.write("")
        self.stdout.write("marks: ✓ met, ! overdue, ~ at risk, · due, blank upcoming")


_MARK = {"met": "✓", "overdue": "!", "at_risk": "~", "due": "·", "upcoming": " "}
