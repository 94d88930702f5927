from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from branchwork.core.context_processors import TEXT_SIZES
from branchwork.core.models import Membership, MembershipStatusChange, Person, Role
from branchwork.core.services import MEMBERSHIP_FIELDS, PERSON_FIELDS, STATUS_CHANGE_FIELDS


def service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal shown on the form that asked for it: each field's messages beside that
    field when the form has it, the rest (and messages for no field) above the form. One helper for
    every app's views, so that a service may key its errors by field or not, as it likes."""
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    if not form.is_bound:
        form.cleaned_data = {}  # add_error reads it; an unbound form never makes one
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"joined_party_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.status_changes.filter(derived=False).exists():
            # A recorded history decides these: change them by recording a change of status.
            for name in ("membership_status", "joined_party_on"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Kept from the status history on the person's page.")


class PersonAddForm(PersonForm):
    """A new person, who joins the organization with a role from a date."""

    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.MEMBER)
    start_on = forms.DateField(label=_("from"), widget=DateInput())

    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class StatusChangeForm(forms.ModelForm):
    class Meta:
        model = MembershipStatusChange
        fields = STATUS_CHANGE_FIELDS
        widgets = {"effective_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [c for c in self.fields["status"].choices if c[0] != "none"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("person",) + MEMBERSHIP_FIELDS
        widgets = {"start_on": DateInput(), "end_on": DateInput()}

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people
        if self.instance.pk:
            # The holder of an existing role is fixed; end it and add a new one to change hands.
            del self.fields["person"]


class TextSizeForm(forms.Form):
    size = forms.ChoiceField(choices=[(size, size) for size in TEXT_SIZES])
