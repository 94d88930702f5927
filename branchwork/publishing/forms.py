from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField

from branchwork.publishing.models import ChannelPage


class ContributionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=ChannelPage.objects.none(), required=False,
        help_text=_("Where you would like it to appear; the editors may move it."),
    )
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Each line is a paragraph."),
    )
    image = WagtailImageField(label=_("Photo (optional)"), required=False)
    caption = forms.CharField(label=_("Caption of the photo"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channels = ChannelPage.objects.filter(accepts_contributions=True).live().order_by("path")
        self.fields["channel"].queryset = channels
        self.fields["channel"].label_from_instance = lambda channel: channel.display_title
        if channels.count() < 2:
            del self.fields["channel"]
        # Wagtail writes the accepted formats and size into the help text when the field is
        # made: make it for this request, in the reader's language, not once at import.
        self.fields["image"] = WagtailImageField(label=_("Photo (optional)"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("caption") and not data.get("image"):
            self.add_error("caption", _("A caption needs a photo."))
        return data


class ReviseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Each line is a paragraph. Your photos stay where they are."),
    )
