from django import forms
from django.utils.translation import gettext_lazy as _

from branchwork.core.models import Person


class ReleaseForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Author"),
        queryset=Person.objects.order_by("name", "pk"),
        help_text=_("The person this contribution is in the name of."),
    )


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("Why (for the log)"), required=False, max_length=500)
