from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branchwork.core.models import Person
from branchwork.research.models import (
    FILE_EXTENSIONS,
    SCAN_EXTENSIONS,
    Classification,
    Level,
    Outlet,
    OutletTier,
    OutputKind,
    RecipientKind,
    Topic,
    TopicSource,
)

MAX_FILE_BYTES = 50 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label, required=True, **kwargs):
    return forms.DateField(label=label, required=required, widget=DateInput(),
                           input_formats=["%Y-%m-%d"], **kwargs)


def _file(label, extensions, help_text=""):
    return forms.FileField(label=label, required=False, help_text=help_text,
                           validators=[FileExtensionValidator(extensions)])


def _people_field(label, help_text=""):
    return forms.ModelMultipleChoiceField(label=label, queryset=Person.objects.none(), required=False,
                                          help_text=help_text)


def _guest_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class _PeopleMixin:
    def _people(self, names, people):
        for name in names:
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = lambda p: p.display_name


class TopicForm(_PeopleMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    title_en = forms.CharField(label=_("title in English"), max_length=300, required=False)
    source = forms.ChoiceField(label=_("source"), choices=TopicSource.choices)
    lead = forms.ModelChoiceField(label=_("lead"), queryset=Person.objects.none(), required=False)
    members = _people_field(_("members"))
    guests = forms.CharField(label=_("guest members"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("One name a line, as it should be printed."))
    approved_on = _date(pgettext_lazy("research", "approved on"), required=False)
    midterm_on = _date(_("mid-term review on"), required=False)
    completed_on = _date(_("completed on"), required=False)
    cancelled_on = _date(_("cancelled on"), required=False)
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self._people(["members"], people)
        self.fields["lead"].queryset = people
        self.fields["lead"].label_from_instance = lambda p: p.display_name

    def contributors(self):
        return [*self.cleaned_data["members"], *_guest_lines(self.cleaned_data["guests"])]


class OutputForm(_PeopleMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    title_en = forms.CharField(label=_("title in English"), max_length=300, required=False)
    kind = forms.ModelChoiceField(label=_("kind"), queryset=OutputKind.objects.all())
    topic = forms.ModelChoiceField(label=pgettext_lazy("research", "topic"), queryset=Topic.objects.none(), required=False)
    completed_on = _date(_("date"), help_text=_("The day the output was finished."))
    classification = forms.ChoiceField(
        label=_("classification"), choices=Classification.choices,
        help_text=_("Classified: only the metadata is kept here; the text and files stay offline."))
    authors = _people_field(_("authors"), help_text=_("In the order they are printed."))
    guest_authors = forms.CharField(label=_("guest authors"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("One name a line, printed after the authors above."))
    readers = _people_field(_("named readers"), help_text=_("For a restricted output only."))

    def __init__(self, *args, people, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self._people(["authors", "readers"], people)
        self.fields["topic"].queryset = topics
        self.fields["kind"].label_from_instance = lambda k: k.display_name
        self.fields["topic"].label_from_instance = lambda t: t.display_title

    def contributors(self):
        return [*self.cleaned_data["authors"], *_guest_lines(self.cleaned_data["guest_authors"])]

    def clean(self):
        data = super().clean()
        if "authors" in data and not self.contributors():
            self.add_error("authors", _("Name at least one author."))
        return data


class TextForm(forms.Form):
    text = forms.CharField(label=_("text"), required=False, widget=forms.Textarea(attrs={"rows": 14}))
    note = forms.CharField(label=_("what changed"), max_length=200, required=False)
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class FileForm(forms.Form):
    upload = _file(_("file"), FILE_EXTENSIONS, help_text=_("Word or PDF."))

    def clean_upload(self):
        f = self.cleaned_data.get("upload")
        if not f:
            raise forms.ValidationError(_("Choose a file."))
        if f.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return f


class RoundForm(forms.Form):
    circulated_on = _date(_("circulated on"))
    note = forms.CharField(label=pgettext_lazy("research", "note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reviewer = forms.ModelChoiceField(label=_("reviewer"), queryset=Person.objects.none(), required=False)
    reviewer_name = forms.CharField(label=_("or a reviewer not in Branchwork"), max_length=120, required=False)
    comments = forms.CharField(label=_("comments"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = people
        self.fields["reviewer"].label_from_instance = lambda p: p.display_name

    def reviews(self):
        who = self.cleaned_data.get("reviewer") or self.cleaned_data.get("reviewer_name") or ""
        return [(who, self.cleaned_data.get("comments", ""))] if who else []


class SubmissionForm(forms.Form):
    recipient = forms.CharField(label=_("recipient"), max_length=200,
                                help_text=_("The leader or body it went to."))
    recipient_kind = forms.ChoiceField(label=_("recipient is"), choices=RecipientKind.choices)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    submitted_on = _date(_("submitted on"))


class InstructionForm(forms.Form):
    given_by = forms.CharField(label=_("given by"), max_length=200)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    given_on = _date(_("date"))
    text = forms.CharField(label=_("text of the instruction"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    scan = _file(_("scan"), SCAN_EXTENSIONS, help_text=_("PDF or image."))


class FollowUpForm(forms.Form):
    action = forms.CharField(label=pgettext_lazy("research", "action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("owner"), queryset=Person.objects.none())
    due_on = _date(_("deadline"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda p: p.display_name


class PublicationForm(forms.Form):
    outlet = forms.ModelChoiceField(label=_("outlet"), queryset=Outlet.objects.filter(is_active=True))
    published_on = _date(_("published on"))
    page_or_url = forms.CharField(label=_("page or address"), max_length=300, required=False)
    reprint_of = forms.ModelChoiceField(label=_("reprint of"), queryset=Outlet.objects.none(), required=False)
    clipping = _file(_("clipping"), SCAN_EXTENSIONS, help_text=_("PDF or image."))

    def __init__(self, *args, publications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].label_from_instance = lambda o: f"{o.display_name} · {o.get_tier_display()}"
        self.fields["reprint_of"].queryset = publications
        self.fields["reprint_of"].label_from_instance = (
            lambda p: f"{p.published_on:%Y-%m-%d} {p.outlet.display_name}")


class OutletForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("research", "name"), max_length=120)
    name_en = forms.CharField(label=_("name in English"), max_length=160, required=False)
    tier = forms.ChoiceField(label=_("tier"), choices=OutletTier.choices)
