"""Forms of the outbound delegations' pages. Parties are named as staff say them (a short name,
the Chinese or English name), resolved among the parties of the stop's country."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _, pgettext_lazy
from django.utils.translation import gettext_lazy

from branchwork.core.language import join_list
from branchwork.exchanges import countries
from branchwork.exchanges.models import Party


class OutputChoice(forms.ModelChoiceField):
    """A research output named by its title in the page's language."""

    def label_from_instance(self, obj) -> str:
        return obj.display_title


class OutputChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_title


class DateInput(forms.DateInput):
    input_type = "date"


class TripApplyForm(forms.Form):
    title_zh = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    title_en = forms.CharField(label=gettext_lazy("English title"), max_length=300, required=False)
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=DateInput)
    ends_on = forms.DateField(label=gettext_lazy("To"), widget=DateInput)
    place = forms.CharField(label=gettext_lazy("Destinations"), max_length=300, required=False)
    purpose = forms.CharField(label=gettext_lazy("Purpose of the visit"), widget=forms.Textarea(attrs={"rows": 4}))


class ApproveForm(forms.Form):
    approval_number = forms.CharField(label=gettext_lazy("Approval document number"), max_length=100)
    approved_on = forms.DateField(label=pgettext_lazy("exchanges", "Approved on"), widget=DateInput)


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(label=pgettext_lazy("exchanges", "Member"), queryset=None)
    role = forms.CharField(label=gettext_lazy("Role on the trip"), max_length=200, required=False)
    leads = forms.BooleanField(label=gettext_lazy("Head of delegation"), required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


def resolve_parties(text: str, *, country: str | None = None) -> list[Party]:
    """Parties named by short, Chinese or English name, comma-separated; unknown or ambiguous
    names are a validation error naming them."""
    names = [n.strip() for n in text.replace("，", ",").replace("、", ",").split(",") if n.strip()]
    if not names:
        return []
    query = Q()
    for n in names:
        query |= Q(name_short__iexact=n) | Q(name_zh=n) | Q(name_en__iexact=n)
    qs = Party.objects.filter(query)
    if country:
        qs = qs.filter(country=country)
    found = list(qs[:500])
    result, unknown, ambiguous = [], [], []
    for n in names:
        hits = [p for p in found if n.lower() in {p.name_short.lower(), p.name_zh.lower(), p.name_en.lower()}]
        if not hits:
            unknown.append(n)
        elif len(hits) > 1:
            ambiguous.append(n)
        else:
            result.append(hits[0])
    if unknown:
        raise forms.ValidationError(_("No party of that name: %(names)s") % {"names": join_list(unknown)})
    if ambiguous:
        raise forms.ValidationError(_("Several parties have that name: %(names)s") % {"names": join_list(ambiguous)})
    return result


PARTIES_HELP = gettext_lazy("Short, Chinese or English names, separated by commas.")


class StopForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"))
    city = forms.CharField(label=gettext_lazy("City"), max_length=200)
    arrives_on = forms.DateField(label=gettext_lazy("From"), widget=DateInput)
    leaves_on = forms.DateField(label=gettext_lazy("To"), widget=DateInput)
    parties = forms.CharField(label=gettext_lazy("Parties met"), required=False, help_text=PARTIES_HELP)
    institutions = forms.CharField(label=gettext_lazy("Institutions met"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = countries.choices()

    def clean(self):
        data = super().clean()
        if "country" in data:
            data["parties"] = resolve_parties(data.get("parties", ""), country=data["country"])
        return data


class BriefingForm(forms.Form):
    outputs = OutputChoices(label=gettext_lazy("Research outputs"), queryset=None, required=False,
                            widget=forms.CheckboxSelectMultiple)
    parties = forms.CharField(label=gettext_lazy("Party pages"), required=False, help_text=PARTIES_HELP)

    def __init__(self, *args, outputs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outputs"].queryset = outputs

    def clean_parties(self):
        return resolve_parties(self.cleaned_data.get("parties", ""))


class ReportForm(forms.Form):
    report = OutputChoice(label=gettext_lazy("Trip report (a research output)"), queryset=None)

    def __init__(self, *args, outputs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = outputs


class FollowUpForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("What is to be done"), max_length=500)
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=None)
    due_on = forms.DateField(label=gettext_lazy("Deadline"), widget=DateInput)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class CloseForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("How it was done"), max_length=500, required=False)
