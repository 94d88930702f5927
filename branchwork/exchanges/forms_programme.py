from django import forms
from django.utils.translation import pgettext_lazy

from branchwork.exchanges.programme_models import InvitationTemplate, LetterTemplate, Session


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["day", "starts_at", "ends_at", "title_zh", "title_en", "room", "interpretation"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        labels = {"title_zh": pgettext_lazy("an event's or a session's name", "Title")}


class InvitationTemplateForm(forms.ModelForm):
    class Meta:
        model = InvitationTemplate
        fields = ["subject_zh", "subject_en", "body_zh", "body_en"]
        widgets = {"body_zh": forms.Textarea(attrs={"rows": 8}), "body_en": forms.Textarea(attrs={"rows": 8})}


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["body_zh", "body_en", "signatory_zh", "signatory_en"]
        widgets = {"body_zh": forms.Textarea(attrs={"rows": 8}), "body_en": forms.Textarea(attrs={"rows": 8})}
