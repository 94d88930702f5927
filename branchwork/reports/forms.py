from django import forms
from django.db.models import Min
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from branchwork.activities.models import Credit
from branchwork.core.models import Organization
from branchwork.reports.models import ExportFormat, LedgerExport
from branchwork.rulebook.loader import get_rulebook


def ledger_years(org: Organization) -> list[int]:
    """This year back to the first year with an activity of the organization (newest first)."""
    this_year = timezone.localdate().year
    first = Credit.objects.filter(organization=org).aggregate(first=Min("on"))["first"]
    oldest = max(min(first.year if first else this_year, this_year - 1), this_year - 30)
    return list(range(this_year, oldest - 1, -1))


def field_label(name: str):
    """The export model's own (translated) field name, capitalized, evaluated when shown."""
    return lazy(lambda: capfirst(str(LedgerExport._meta.get_field(name).verbose_name)), str)()


class LedgerForm(forms.Form):
    year = forms.TypedChoiceField(label=field_label("year"), coerce=int)
    type_code = forms.ChoiceField(label=field_label("type_code"), required=False)
    format = forms.ChoiceField(label=field_label("format"), choices=ExportFormat.choices,
                               initial=ExportFormat.PDF)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        years = ledger_years(organization)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].initial = years[0]
        self.fields["type_code"].choices = [("", _("All types"))] + [
            (t.code, t.name) for t in get_rulebook().types_for(organization.kind)]
