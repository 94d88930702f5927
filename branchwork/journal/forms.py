from urllib.parse import urlsplit

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branchwork.core.models import Organization, Person

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
MAX_IMAGE_BYTES = 10 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class IssueForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=1949, max_value=2100)
    number = forms.IntegerField(label=_("number"), min_value=1, max_value=999,
                                help_text=_("The issue's number within its year."))
    published_on = forms.DateField(label=_("date of issue"), widget=DateInput(),
                                   input_formats=["%Y-%m-%d"])
    editor = forms.ModelChoiceField(label=_("editor"), queryset=Person.objects.none(), required=False)
    cover_note = forms.CharField(label=_("cover note"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("A few lines printed on the cover."))
    distribution = forms.ModelMultipleChoiceField(
        label=_("distribution"), queryset=Organization.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of these organizations (and of those under them) are notified by "
                    "email when the issue is published."),
    )

    def __init__(self, *args, people, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["editor"].queryset = people
        self.fields["editor"].label_from_instance = lambda p: p.display_name
        self.fields["distribution"].queryset = organizations
        self.fields["distribution"].label_from_instance = lambda o: o.display_name


def default_issue_initial(journal, next_number) -> dict:
    today = timezone.localdate()
    return {"year": today.year, "number": next_number(journal, today.year),
            "published_on": today}


class SectionForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, required=False)


def resolve_page(value: str):
    """A live portal page named by its ID or its address (None if the value is empty)."""
    from wagtail.models import Page, Site

    value = (value or "").strip()
    if not value:
        return None
    pages = Page.objects.live().filter(depth__gt=1)
    if value.isdigit():
        page = pages.filter(pk=int(value)).first()
    else:
        path = urlsplit(value).path or "/"
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            return None
        url_path = site.root_page.url_path.rstrip("/") + "/" + path.strip("/") + "/"
        page = pages.filter(url_path=url_path.replace("//", "/")).first()
    if page is None:
        raise forms.ValidationError(_("No published page of the portal has this ID or address."))
    return page


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("what is to be corrected"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EntryForm(forms.Form):
    section = forms.TypedChoiceField(label=_("section"), coerce=int)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=999, required=False)
    page = forms.CharField(
        label=_("portal article"), required=False, max_length=500,
        help_text=_("To take an article of the portal (internal or public), give its address or "
                    "ID; leave empty to write one here."),
    )
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    author = forms.CharField(label=_("author"), max_length=200, required=False,
                             help_text=_("As printed under the title, e.g. 研究室 王浩然."))
    body = forms.CharField(
        label=_("text"), required=False, widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("A blank line starts a new paragraph. Headings, lists, bold and links may be "
                    "written in HTML."),
    )
    image = forms.ImageField(
        label=_("picture"), required=False,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS)],
        help_text=_("Added at the end of the text, with its caption."),
    )
    caption = forms.CharField(label=_("caption"), max_length=255, required=False)
    new_page = forms.BooleanField(
        label=_("start on a new page"), required=False,
        help_text=_("In the PDF, articles run on one after another; tick to start this one on a new page."))

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.title) for s in sections]

    def clean_page(self):
        return resolve_page(self.cleaned_data.get("page"))

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and image.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("The picture is larger than 10 MB."))
        return image

    def clean(self):
        data = super().clean()
        page = data.get("page")
        has_own = any((data.get(k) or "").strip() for k in ("title", "author", "body")) or data.get("image")
        if page is not None and has_own:
            raise forms.ValidationError(_("An article is either taken from the portal or written "
                                          "for the issue, not both: clear the page or the text."))
        if page is None and not (data.get("title") or "").strip() and "page" not in self.errors:
            self.add_error("title", _("Give the article a title, or choose a portal article."))
        return data
