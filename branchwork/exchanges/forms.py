from django import forms
from django.utils.translation import pgettext_lazy

from branchwork.exchanges import countries
from branchwork.exchanges.models import Event, EventKind, Party


class PartyForm(forms.ModelForm):
    """Staff's edit of a party; the imported fields they change become theirs (never overwritten
    by an import again)."""

    country = forms.ChoiceField(label=Party._meta.get_field("country").verbose_name.capitalize())
    # A link typed without its scheme is taken as https (Django 6's default; said explicitly).
    wikipedia = forms.URLField(label=Party._meta.get_field("wikipedia").verbose_name, required=False,
                               max_length=500, assume_scheme="https")

    class Meta:
        model = Party
        fields = ["name_zh", "name_native", "name_en", "name_short", "country", "founded", "dissolved",
                  "family", "wikipedia", "wikidata_id", "relationship_notes", "networks"]
        widgets = {"networks": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = countries.choices()
        current = self.instance.country if self.instance else ""
        if current and current not in dict(choices):  # a historic state or territory
            choices.insert(0, (current, countries.name(current)))
        self.fields["country"].choices = choices


class _DateInput(forms.DateInput):
    input_type = "date"


class EventForm(forms.ModelForm):
    """A new event held by the office (forum, dialogue, seminar, delegation received); the
    office's own delegations abroad are applied for as trips."""

    class Meta:
        model = Event
        fields = ["kind", "title_zh", "title_en", "starts_on", "ends_on", "place", "host", "co_hosts",
                  "languages", "retention_until"]
        widgets = {"starts_on": _DateInput, "ends_on": _DateInput, "retention_until": _DateInput}
        labels = {"title_zh": pgettext_lazy("an event's or a session's name", "Title")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(v, label) for v, label in EventKind.choices
                                       if v != EventKind.DELEGATION_OUT]
