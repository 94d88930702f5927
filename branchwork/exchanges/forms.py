from django import forms

from branchwork.exchanges import countries
from branchwork.exchanges.models import Party


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
