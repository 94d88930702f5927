"""Forms of awards and competitions. Views give them the choices the user may make."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branchwork.awards.models import (
    AwardGrade,
    BodyLevel,
    EntryKind,
    Method,
    RuleKind,
    Scope,
)
from branchwork.research.models import OutputKind

_DATE = forms.DateInput(attrs={"type": "date"})
_LINE = re.compile(r"^(?P<name>.+?)(?:\s+(?P<born>\d{4}-\d{2}-\d{2}))?$")


def _people_field(people, label, required=False):
    field = forms.ModelMultipleChoiceField(queryset=people, required=required, label=label,
                                           widget=forms.CheckboxSelectMultiple)
    field.label_from_instance = lambda p: p.display_name
    return field


def with_version(form: forms.Form, version: int) -> forms.Form:
    """Add the hidden version the edit was made on: a save based on an older one is refused."""
    form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1, initial=version)
    return form


class AwardForm(forms.Form):
    title = forms.CharField(label=_("award"), max_length=200)
    scope = forms.ChoiceField(label=_("internal or external"), choices=Scope.choices, initial=Scope.EXTERNAL)
    body = forms.CharField(label=_("awarding body"), max_length=200)
    level = forms.ChoiceField(label=pgettext_lazy("awards", "level"), choices=BodyLevel.choices)
    grade = forms.ModelChoiceField(label=_("grade"), queryset=AwardGrade.objects.all(), required=False)
    year = forms.IntegerField(label=_("year"), min_value=1990, max_value=2100)
    awarded_on = forms.DateField(label=_("awarded on"), required=False, widget=_DATE)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people, outputs, talks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"] = _people_field(people, _("recipients"))
        self.fields["guests"] = forms.CharField(
            label=_("recipients not in Branchwork"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("One name a line, as printed."))
        self.fields["output"] = forms.ModelChoiceField(label=_("research output"), queryset=outputs, required=False)
        self.fields["output"].label_from_instance = lambda o: o.display_title
        self.fields["talk"] = forms.ModelChoiceField(label=_("lecture-hall talk"), queryset=talks, required=False)
        self.fields["grade"].label_from_instance = lambda g: g.display_name

    def recipients(self) -> list:
        guests = [line.strip() for line in self.cleaned_data.get("guests", "").splitlines() if line.strip()]
        return [*self.cleaned_data.get("recipients", []), *guests]


class CompetitionForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    title_en = forms.CharField(label=_("title in English"), max_length=300, required=False)
    call = forms.CharField(label=_("call"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    opens_on = forms.DateField(label=_("opens on"), widget=_DATE)
    closes_on = forms.DateField(label=_("closing date"), widget=_DATE)
    results_on = forms.DateField(label=_("results expected on"), required=False, widget=_DATE)
    blind = forms.BooleanField(label=_("blind scoring"), required=False,
                               help_text=_("Judges see neither the entrants' names nor their organizations."))
    method = forms.ChoiceField(label=_("result"), choices=Method.choices)
    award_level = forms.ChoiceField(label=_("level of its awards"), choices=BodyLevel.choices,
                                    initial=BodyLevel.INSTITUTION)


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("rule"), choices=RuleKind.choices)
    number = forms.IntegerField(label=_("limit"), min_value=1, max_value=200, required=False,
                                help_text=_("The age limit in years, or the most entrants."))
    entry_kind = forms.ChoiceField(label=_("entry links"), choices=[("", "—"), *EntryKind.choices], required=False)
    output_kind = forms.ModelChoiceField(label=_("kind of output"), queryset=OutputKind.objects.all(),
                                         required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = forms.ModelChoiceField(
            label=_("organization"), queryset=organizations, required=False)
        self.fields["organization"].label_from_instance = lambda o: o.display_name
        self.fields["output_kind"].label_from_instance = lambda k: k.display_name


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("criterion"), max_length=100)
    name_en = forms.CharField(label=_("criterion in English"), max_length=160, required=False)
    weight = forms.DecimalField(label=_("weight"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"),
                                initial=Decimal("1"))
    max_score = forms.DecimalField(label=_("highest score"), max_digits=6, decimal_places=2,
                                   min_value=Decimal("0.01"), initial=Decimal("100"))


class PrizeForm(forms.Form):
    grade = forms.ModelChoiceField(label=_("grade"), queryset=AwardGrade.objects.all())
    places = forms.IntegerField(label=_("places"), min_value=1, max_value=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].label_from_instance = lambda g: g.display_name


class JudgeForm(forms.Form):
    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = forms.ModelChoiceField(label=_("judge"), queryset=people)
        self.fields["person"].label_from_instance = lambda p: p.display_name


class EntryForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    entrants = forms.CharField(
        label=_("entrants"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: the name, and the date of birth where the competition has an age limit "
                    "(王博 1990-05-01)."))
    abstract = forms.CharField(label=_("abstract"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("file"), required=False)

    def __init__(self, *args, organizations, outputs, talks, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.name: p for p in people}
        self.fields["organization"] = forms.ModelChoiceField(label=_("entrants' organization"),
                                                             queryset=organizations)
        self.fields["organization"].label_from_instance = lambda o: o.display_name
        self.fields["output"] = forms.ModelChoiceField(label=_("research output"), queryset=outputs, required=False)
        self.fields["output"].label_from_instance = lambda o: o.display_title
        self.fields["talk"] = forms.ModelChoiceField(label=_("lecture-hall talk"), queryset=talks, required=False)

    def clean_entrants(self):
        out = []
        for line in self.cleaned_data["entrants"].splitlines():
            match = _LINE.match(line.strip())
            if not match:
                continue
            name, born = match["name"].strip(), None
            if match["born"]:
                try:
                    born = datetime.date.fromisoformat(match["born"])
                except ValueError:
                    raise forms.ValidationError(_("%(value)s is not a date.") % {"value": match["born"]}) from None
            out.append((self.people.get(name, name), born))
        if not out:
            raise forms.ValidationError(_("Name at least one entrant."))
        return out


class ScoreForm(forms.Form):
    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"c{c.pk}"] = forms.DecimalField(
                label=c.display_name, max_digits=6, decimal_places=2, min_value=Decimal("0"),
                max_value=c.max_score, help_text=_("0 to %(max)s") % {"max": c.max_score})

    def values(self) -> dict:
        return {c: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}


class ConflictForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)
