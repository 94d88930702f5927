from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from branchwork.activities.models import Activity
from branchwork.core.language import bracketed
from branchwork.core.models import Organization, Person
from branchwork.lectures.models import RECORDING_EXTENSIONS, SLIDE_EXTENSIONS, LectureSeries

MAX_SLIDES_BYTES = 100 * 1024 * 1024
MAX_RECORDING_BYTES = 2 * 1024 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _activity_label(activity: Activity) -> str:
    return f"{activity.local_date:%Y-%m-%d} {activity.title}{bracketed(activity.organization.display_name)}"


class TalkForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.none(),
                                          help_text=_("The organization that holds the talk."))
    series = forms.ModelChoiceField(label=_("series"), queryset=LectureSeries.objects.none(),
                                    required=False)
    topic = forms.CharField(label=_("topic"), max_length=200)
    date = forms.DateField(label=_("date"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    speaker = forms.ModelChoiceField(label=_("speaker"), queryset=Person.objects.none(), required=False,
                                     help_text=_("A member or colleague; for a guest, leave empty and "
                                                 "give the name below."))
    speaker_name = forms.CharField(label=_("guest speaker"), max_length=120, required=False)
    speaker_affiliation = forms.CharField(
        label=_("affiliation"), max_length=200, required=False,
        help_text=_("The speaker's unit and title, e.g. professor at a university's school of Marxism."))
    abstract = forms.CharField(label=_("abstract"), required=False,
                               widget=forms.Textarea(attrs={"rows": 8}))
    activity = forms.ModelChoiceField(
        label=_("collective study"), queryset=Activity.objects.none(), required=False,
        help_text=_("The collective study the talk was part of, if it counts as one."))
    slides = forms.FileField(label=_("slides"), required=False,
                             validators=[FileExtensionValidator(SLIDE_EXTENSIONS)],
                             help_text=_("PDF or PowerPoint."))
    remove_slides = forms.BooleanField(label=_("remove the slides"), required=False)
    recording = forms.FileField(label=_("recording"), required=False,
                                validators=[FileExtensionValidator(RECORDING_EXTENSIONS)],
                                help_text=_("Audio or video (MP3, M4A, MP4, WebM…)."))
    remove_recording = forms.BooleanField(label=_("remove the recording"), required=False)

    def __init__(self, *args, organizations, series, people, activities, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: o.display_name
        self.fields["series"].queryset = series
        self.fields["speaker"].queryset = people
        self.fields["speaker"].label_from_instance = lambda p: p.display_name
        self.fields["activity"].queryset = activities
        self.fields["activity"].label_from_instance = _activity_label
        if not editing:
            del self.fields["remove_slides"]
            del self.fields["remove_recording"]

    def clean_slides(self):
        f = self.cleaned_data.get("slides")
        if f and f.size > MAX_SLIDES_BYTES:
            raise forms.ValidationError(_("The slides are larger than 100 MB."))
        return f

    def clean_recording(self):
        f = self.cleaned_data.get("recording")
        if f and f.size > MAX_RECORDING_BYTES:
            raise forms.ValidationError(_("The recording is larger than 2 GB."))
        return f

    def clean(self):
        data = super().clean()
        if not data.get("speaker") and not (data.get("speaker_name") or "").strip():
            self.add_error("speaker", _("Choose the speaker, or name a guest speaker."))
        if data.get("speaker") and (data.get("speaker_name") or "").strip():
            self.add_error("speaker_name", _("Either a speaker from Branchwork or a guest, not both."))
        return data


class SeriesForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("organization"), queryset=Organization.objects.none(),
                                          help_text=_("The organization that runs the series."))
    title = forms.CharField(label=_("title"), max_length=120)
    description = forms.CharField(label=_("description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: o.display_name
