"""The blocks an article's body is made of: paragraphs of rich text and images with captions.

Images are blocks of their own (not embeds inside the rich text) so that a caption is a field,
rendered as a <figcaption> under its picture, and so that the journal's typesetter and the print
view find each image with its caption without parsing HTML. `richtext.html_to_stream` turns the
rich-text HTML that email intake and the web form produce into these blocks.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

# What an editor may use inside a paragraph block. No "image": pictures are image blocks.
PARAGRAPH_FEATURES = [
    "h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "blockquote", "hr",
    "superscript", "subscript",
]


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=300)
    alt = blocks.CharBlock(
        label=_("text for screen readers"),
        required=False,
        max_length=250,
        help_text=_("What the picture shows, for those who cannot see it; empty: the caption."),
    )

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "publishing/blocks/captioned_image.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, label=_("Text"))
    image = CaptionedImageBlock()

    class Meta:
        block_counts = {}
