from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language

from branchwork.publishing.images import fitted_size

register = template.Library()


@register.simple_tag
def portal_img(image, alt="", size="medium", large=True):
    """<img> of a portal image served through the permission-checked view, with its size."""
    if not image:
        return ""
    src = reverse("publishing:image", kwargs={"image_id": image.pk, "size": size})
    width, height = fitted_size(image, size)
    srcset = ""
    if large and size != "large" and (image.width or 0) > width:
        large_src = reverse("publishing:image", kwargs={"image_id": image.pk, "size": "large"})
        large_w, _large_h = fitted_size(image, "large")
        srcset = f"{src} {width}w, {large_src} {large_w}w"
    return format_html(
        '<img src="{}"{} width="{}" height="{}" alt="{}" loading="lazy" decoding="async">',
        src,
        format_html(' srcset="{}" sizes="(max-width: 48rem) 100vw, 48rem"', srcset) if srcset else "",
        width, height, alt or "",
    )


@register.simple_tag
def colon():
    """The colon after a label: full-width in Chinese."""
    return "：" if (get_language() or "").startswith("zh") else ": "
