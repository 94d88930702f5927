from decimal import Decimal

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branchwork.activities.models import Activity
from branchwork.core.models import Organization, Person
from branchwork.learning.models import EVIDENCE_EXTENSIONS, MATERIAL_EXTENSIONS, StudyPlanItem
from branchwork.lectures.models import Talk

MAX_FILE_BYTES = 30 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _small(upload):
    if upload and upload.size > MAX_FILE_BYTES:
        raise forms.ValidationError(_("The file is larger than 30 MB."))
    return upload


class NoteForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.none())
    item = forms.ModelChoiceField(label=_("on the plan item"), queryset=StudyPlanItem.objects.none(),
                                  required=False)
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 12}))
    shared = forms.BooleanField(
        label=_("share with the branch"), required=False,
        help_text=_("Unshared, only you and the branch secretary read it; shared, the members of "
                    "the branch read it too."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organizations, items, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: o.display_name
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: f"{i.plan.year} · {i.topic}"
        if editing:
            del self.fields["organization"]
            del self.fields["item"]


class TrainingForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.none(),
                                          help_text=_("The branch whose secretary approves it."))
    title = forms.CharField(label=_("title"), max_length=200)
    provider = forms.CharField(label=_("held by"), max_length=200)
    starts_on = forms.DateField(label=pgettext_lazy("learning", "from"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    ends_on = forms.DateField(label=pgettext_lazy("learning", "to"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    hours = forms.DecimalField(label=_("hours"), min_value=Decimal("0.5"), max_value=500, decimal_places=1)
    evidence = forms.FileField(
        label=_("evidence"), validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
        help_text=_("A certificate, a notice of the course or its attendance record (PDF, picture "
                    "or Word, up to 30 MB)."))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: o.display_name

    def clean_evidence(self):
        return _small(self.cleaned_data.get("evidence"))


class ResubmitForm(TrainingForm):
    """Returned training, corrected by its member: the same fields but the organization; a new
    evidence file is optional (without one, the stored evidence stays)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, organizations=Organization.objects.none(), **kwargs)
        del self.fields["organization"]
        self.fields["evidence"].required = False
        self.fields["evidence"].help_text = _("Only to replace the evidence sent before (PDF, picture "
                                              "or Word, up to 30 MB).")


class CourseForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    provider = forms.CharField(label=_("held by"), max_length=200, required=False)
    starts_on = forms.DateField(label=pgettext_lazy("learning", "from"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    ends_on = forms.DateField(label=pgettext_lazy("learning", "to"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    hours = forms.DecimalField(label=_("hours"), min_value=Decimal("0.5"), max_value=500, decimal_places=1,
                               help_text=_("The course's hours, as each participant earns them."))
    participants = forms.ModelMultipleChoiceField(
        label=_("participants"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("The members who completed the course."))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people
        self.fields["participants"].label_from_instance = lambda p: p.display_name


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("what is missing"), max_length=300)


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("title"), max_length=200)
    intro = forms.CharField(label=pgettext_lazy("learning", "introduction"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ItemForm(forms.Form):
    month = forms.TypedChoiceField(label=pgettext_lazy("learning", "month"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "—")] + [(m, m) for m in range(1, 13)])
    topic = forms.CharField(label=pgettext_lazy("learning", "topic"), max_length=200)
    note = forms.CharField(label=_("what to read for"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)
    talk = forms.ModelChoiceField(label=_("lecture-hall talk"), queryset=Talk.objects.none(), required=False)
    file = forms.FileField(label=_("document"), required=False,
                           validators=[FileExtensionValidator(MATERIAL_EXTENSIONS)])
    url = forms.URLField(label=_("external link"), required=False, max_length=500, assume_scheme="https")
    sessions = forms.ModelMultipleChoiceField(
        label=_("collective study sessions"), queryset=Activity.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organization's collective studies of the year where this was studied."))
    remove_file = forms.BooleanField(label=_("remove the stored document"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, talks, sessions, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editing is None:
            del self.fields["remove_file"]
            del self.fields["version"]
        elif editing.file:
            self.fields["file"].help_text = _("Stored now: %(name)s. A new document replaces it.") % {
                "name": editing.file_name}
        else:
            del self.fields["remove_file"]
        self.fields["talk"].queryset = talks
        self.fields["talk"].label_from_instance = lambda t: f"{t.date:%Y-%m-%d} {t.topic}"
        self.fields["sessions"].queryset = sessions
        self.fields["sessions"].label_from_instance = lambda a: f"{a.local_date:%Y-%m-%d} {a.title}"

    def clean_file(self):
        return _small(self.cleaned_data.get("file"))
