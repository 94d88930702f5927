import datetime

from django import forms
from django.forms.models import ModelChoiceIterator
from pypinyin import lazy_pinyin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branchwork.activities.models import (
    AttachmentKind,
    AttendanceStatus,
    Speaking,
    ThemeDayContent,
)
from branchwork.core.language import bracketed
from branchwork.core.richtext import html_to_text
from branchwork.core.models import Organization, Person
from branchwork.rulebook.loader import get_rulebook


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class VersionField(forms.IntegerField):
    """The version of the recorder's text the form was filled from (see services._check_version)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)


def _people_scope(form, names, organization, everyone: bool) -> None:
    """Person fields list the organization's members; a link asks for everyone, and the
    hidden `people` field keeps that choice when the form is posted."""
    form.fields["people"].initial = "all" if everyone else ""
    if everyone:
        return
    hint = format_html('<a href="?people=all">{}</a>',
                       _("Someone else? Show members of the organizations above too."))
    form.fields[names[0]].help_text = format_html(
        "{} {}", _("Members of this organization are listed, by pinyin."), hint)


def pinyin_key(name: str) -> tuple[str, str]:
    """Sort key for a name as Chinese readers expect: by pinyin syllables (Latin names by their
    letters, case-blind), then by the characters themselves."""
    return (" ".join(lazy_pinyin(name or "")).lower(), name or "")


class PinyinChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in sorted(self.queryset, key=lambda p: pinyin_key(p.display_name)):
            yield self.choice(obj)


class PersonChoiceField(forms.ModelChoiceField):
    """A person, listed by name in pinyin order."""

    iterator = PinyinChoiceIterator

    def label_from_instance(self, obj) -> str:
        return obj.display_name


class ActivityForm(forms.Form):
    """Schedule or change an activity (not its minutes, which the recorder writes)."""

    types = forms.MultipleChoiceField(
        label=_("counts as"), widget=forms.CheckboxSelectMultiple,
        help_text=_("One activity may count for several types, e.g. a theme day that is also "
                    "collective study."),
    )
    title = forms.CharField(label=_("title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("starts at"), widget=DateTimeInput(),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("ends at"), required=False, widget=DateTimeInput(),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    host = PersonChoiceField(label=_("host"), queryset=Person.objects.none(), required=False)
    recorder = PersonChoiceField(label=_("recorder"), queryset=Person.objects.none(),
                                 required=False)
    lecturer = PersonChoiceField(label=_("lecturer"), queryset=Person.objects.none(),
                                 required=False)
    lecturer_name = forms.CharField(label=_("guest lecturer"), max_length=120, required=False)
    session_number = forms.IntegerField(label=_("session number"), min_value=1, required=False)
    co_organizers = forms.ModelMultipleChoiceField(
        label=_("co-organizers"), queryset=Organization.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Other organizations holding it jointly; it counts for each."),
    )
    agenda = forms.CharField(label=_("agenda"), widget=forms.Textarea(attrs={"rows": 4}),
                             required=False, help_text=_("One item per line."))
    covers_year = forms.IntegerField(
        label=_("year covered"), min_value=1921, max_value=2200, required=False,
        help_text=_("For a yearly record (organizational life meeting, democratic appraisal, "
                    "secretary's report): the year it is for, when not the year of its date. "
                    "Empty: the year of its date."),
    )
    contents = forms.MultipleChoiceField(
        label=_("contents of the theme day"), choices=ThemeDayContent.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("For a theme Party day: what it covered."),
    )
    version = VersionField(required=False)
    people = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organization, people, co_organizer_choices, everyone=False, **kwargs):
        super().__init__(*args, **kwargs)
        _people_scope(self, ("host", "recorder", "lecturer"), organization, everyone)
        rulebook = get_rulebook()
        # Types counted for this organization first, then the rest (a group may hold a study).
        own = [t for t in rulebook.types.values() if t.applies(organization.kind)]
        rest = [t for t in rulebook.types.values() if not t.applies(organization.kind)]
        self.fields["types"].choices = [(t.code, t.name) for t in own + rest]
        for name in ("host", "recorder", "lecturer"):
            self.fields[name].queryset = people
        self.fields["co_organizers"].queryset = co_organizer_choices
        self.fields["co_organizers"].label_from_instance = (
            lambda o: o.display_name + bracketed(o.get_kind_display()))

    def clean(self):
        data = super().clean()
        if data.get("ends_at") and data.get("starts_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("The end is before the start."))
        return data


class MinutesForm(forms.Form):
    version = VersionField()
    agenda = forms.CharField(label=_("agenda"), widget=forms.Textarea(attrs={"rows": 4}),
                             required=False, help_text=_("One item per line."))
    minutes = forms.CharField(
        label=_("minutes"), widget=forms.Textarea(attrs={"rows": 14}), required=False,
        help_text=_("What was said and discussed. A blank line starts a new paragraph."),
    )
    resolutions = forms.CharField(
        label=_("resolutions"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("One per line; vote counts may follow as “| for | against | abstentions”, "
                    "e.g. “同意接收张三为预备党员 | 12 | 0 | 1”."),
    )

    # Spare rows for naming whom a resolution is about, beyond the resolutions already recorded.
    SPARE_SUBJECTS = 3

    def __init__(self, *args, activity=None, people=None, everyone=False, **kwargs):
        """With `activity` (the minutes page, not an amendment), also: who spoke or introduced a
        candidate (one choice per attendee) and whom each resolution is about (by its line),
        chosen from `people` (the organization's members first, in pinyin order)."""
        super().__init__(*args, **kwargs)
        self.speaking_rows, self.subject_names = [], []
        if activity is None:
            return
        for row in activity.attendance.select_related("person"):
            name = f"speaking_{row.pk}"
            self.fields[name] = forms.ChoiceField(
                label=row.display_name, choices=Speaking.choices, required=False,
                initial=row.speaking)
            self.speaking_rows.append((row, name))
        resolutions = list(activity.resolutions.all())
        for n in range(1, len(resolutions) + self.SPARE_SUBJECTS + 1):
            name = f"subject_{n}"
            self.fields[name] = PersonChoiceField(
                label=_("Resolution %(n)s is about") % {"n": n}, queryset=people,
                required=False, empty_label=_("nobody in particular"),
                initial=resolutions[n - 1].subject_person_id if n <= len(resolutions) else None)
            self.subject_names.append(name)
        self.fields["people"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.subject_names:
            _people_scope(self, (self.subject_names[0],), None, everyone)
            self.fields[self.subject_names[0]].help_text = format_html(
                "{} {}", _("The person a matter is about (the candidate admitted, the member "
                           "disciplined) does not vote on it."),
                self.fields[self.subject_names[0]].help_text)

    def speaking_fields(self):
        return [(row, self[name]) for row, name in self.speaking_rows]

    def subject_fields(self):
        return [self[name] for name in self.subject_names]

    def speaking(self) -> dict[int, str]:
        """Attendance row id → what they did, for the rows shown."""
        return {row.pk: self.cleaned_data.get(name) or "" for row, name in self.speaking_rows}

    def clean(self):
        data = super().clean()
        resolutions = data.get("resolutions")
        if not self.subject_names or not isinstance(resolutions, list):
            return data
        for n, name in enumerate(self.subject_names, start=1):
            person = data.get(name)
            if n <= len(resolutions):
                resolutions[n - 1]["subject_person"] = person
            elif person is not None:
                self.add_error(name, _("There is no resolution %(n)s.") % {"n": n})
        return data

    @staticmethod
    def initial_for(activity) -> dict:
        lines = []
        for r in activity.resolutions.all():
            if r.has_votes:
                votes = [("" if v is None else str(v)) for v in
                         (r.votes_for, r.votes_against, r.votes_abstain)]
                lines.append(" | ".join([r.text, *votes]))
            else:
                lines.append(r.text)
        return {"agenda": activity.agenda, "minutes": html_to_text(activity.minutes),
                "resolutions": "\n".join(lines), "version": activity.minutes_version}

    def clean_resolutions(self) -> list[dict]:
        result = []
        for n, line in enumerate(self.cleaned_data["resolutions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            text, votes = parts[0], parts[1:4]
            numbers = []
            for v in votes:
                if v == "":
                    numbers.append(None)
                elif v.isdigit():
                    numbers.append(int(v))
                else:
                    raise forms.ValidationError(
                        _("Line %(n)s: vote counts must be whole numbers, got “%(value)s”."),
                        params={"n": n, "value": v})
            numbers += [None] * (3 - len(numbers))
            result.append({"text": text, "votes_for": numbers[0], "votes_against": numbers[1],
                           "votes_abstain": numbers[2]})
        return result


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("what should change"), widget=forms.Textarea(attrs={"rows": 3}))


class AmendForm(MinutesForm):
    reason = forms.CharField(label=_("reason for the amendment"),
                             widget=forms.Textarea(attrs={"rows": 2}))
    title = forms.CharField(label=_("title"), max_length=200)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    field_order = ["reason", "title", "place", "agenda", "minutes", "resolutions", "version"]


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("file"))
    caption = forms.CharField(label=_("caption"), max_length=300, required=False)

    MAX_BYTES = 20 * 1024 * 1024
    IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".gif")

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                self.add_error("file", _("The file is larger than 20 MB."))
            if data.get("kind") == AttachmentKind.PHOTO and not upload.name.lower().endswith(
                    self.IMAGE_TYPES):
                self.add_error("file", _("A photo must be a JPEG, PNG, WebP or GIF image."))
        return data


class MakeupForm(forms.Form):
    makeup_on = forms.DateField(label=_("make-up study on"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    makeup_note = forms.CharField(label=_("note"), max_length=200, required=False)


class ObserverForm(forms.Form):
    person = PersonChoiceField(label=_("person"), queryset=Person.objects.none(), required=False)
    name = forms.CharField(label=_("or a name"), max_length=120, required=False)
    people = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people, everyone=False, **kwargs):
        super().__init__(*args, **kwargs)
        _people_scope(self, ("person",), None, everyone)
        self.fields["person"].queryset = people


def year_choices(today: datetime.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year + 1, today.year - 5, -1))


ATTENDANCE_CHOICES = [(s.value, s.label) for s in AttendanceStatus]


# --- Elections (换届选举) ---

ELECTION_CANDIDATE_ROWS = 8


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ElectionForm(forms.Form):
    """Record an election held at a general meeting: seats, term, candidates and their votes.
    The rules (activities.elections) are checked on the record's page and when it is reported,
    so that a draft can be kept and corrected."""

    seats = forms.IntegerField(label=_("seats"), min_value=1, max_value=50,
                               help_text=_("Committee members to elect."))
    term_start = forms.DateField(label=_("term starts"), required=False, widget=DateInput(),
                                 help_text=_("Empty: the day of the meeting."))
    term_end = forms.DateField(label=_("term ends"), required=False, widget=DateInput(),
                               help_text=_("Empty: five years after it starts."))
    people = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people, everyone=False, rows=ELECTION_CANDIDATE_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i in range(1, rows + 1):
            self.fields[f"candidate_{i}"] = PersonChoiceField(
                label=_("candidate %(n)s") % {"n": i}, queryset=people, required=False)
            self.fields[f"votes_{i}"] = forms.IntegerField(
                label=_("votes for candidate %(n)s") % {"n": i}, min_value=0, required=False)
        _people_scope(self, ("candidate_1",), None, everyone)

    def candidate_rows(self):
        return [(self[f"candidate_{i}"], self[f"votes_{i}"]) for i in range(1, self.rows + 1)]

    def clean(self):
        data = super().clean()
        candidates = []
        for i in range(1, self.rows + 1):
            person, votes = data.get(f"candidate_{i}"), data.get(f"votes_{i}")
            if person is None:
                if votes is not None:
                    self.add_error(f"candidate_{i}", _("Votes are given, but no candidate."))
                continue
            candidates.append((person, votes))
        if not candidates:
            raise forms.ValidationError(_("Name the candidates."))
        data["candidates"] = candidates
        if data.get("term_start") and data.get("term_end") and data["term_end"] <= data["term_start"]:
            self.add_error("term_end", _("The term ends before it starts."))
        return data


class ElectionVotesForm(forms.Form):
    """The votes of a draft election's candidates (one field per candidate)."""

    def __init__(self, *args, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(election.candidates.select_related("person"))
        for c in self.candidates:
            self.fields[f"votes_{c.person_id}"] = forms.IntegerField(
                label=c.person.display_name, min_value=0, required=False, initial=c.votes)

    def votes(self) -> dict[int, int | None]:
        return {c.person_id: self.cleaned_data.get(f"votes_{c.person_id}") for c in self.candidates}


class ElectionReportForm(forms.Form):
    reported_on = forms.DateField(label=_("reported to the committee on"), widget=DateInput())


class ElectionApproveForm(forms.Form):
    approved_on = forms.DateField(label=_("approved on"), widget=DateInput())
    document = forms.CharField(label=_("approval document number"), max_length=120, required=False,
                               help_text=_("The committee's reply, e.g. 机关党委〔2026〕12号."))
