"""The portal's images: who may fetch one, and the sizes they are served at.

An image is served through /portal/images/<id>/<size>/ (not straight from the media folder),
so that a picture in an internal article stays internal:

- anybody gets an image that a live, public article shows (ImageUse, kept by ArticlePage.save);
- members also get those of the live internal articles they may read;
- the one who uploaded it gets it (a contributor previewing their draft);
- editors, signers and others who may choose images in the back office get any image;
- everyone else gets 404.
"""

from django.db.models import Q
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry

from branchwork.core import permissions
from branchwork.publishing.models import ArticlePage, ImageUse, Visibility

SIZES = {"medium": "max-800x800", "large": "max-1600x1600"}
SIZE_BOXES = {"medium": (800, 800), "large": (1600, 1600)}


def may_see_image(user, image) -> bool:
    """With user None: may anybody (an anonymous visitor) see it?"""
    live = ArticlePage.objects.live().public()
    if user is None or not user.is_authenticated:
        return ImageUse.objects.filter(
            image=image, page__in=live.filter(visibility=Visibility.PUBLIC).values("pk")
        ).exists()
    if user.is_superuser or image.uploaded_by_user_id == user.pk:
        return True
    readable = permissions.internal_content_filter(user)
    if readable is not None and ImageUse.objects.filter(
        image=image, page__in=live.filter(Q(visibility=Visibility.PUBLIC) | readable).values("pk")
    ).exists():
        return True
    return may_browse_image_library(user)


# The image library's files under MEDIA_ROOT: originals and Wagtail's renditions (the back
# office's thumbnails and choosers show those by their media address).
LIBRARY_FOLDERS = ("original_images/", "images/")


def may_browse_image_library(user) -> bool:
    """May the user fetch the image library's files straight from /media/ (the back office)?
    Those who may choose, change or add images; everyone else goes through may_see_image."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    policy = policy_registry.get_by_type(get_image_model())
    return policy.user_has_any_permission(user, ["choose", "change", "add"])


def fitted_size(image, size: str) -> tuple[int, int]:
    """The width and height of `image` served at `size`, without making the rendition."""
    box_w, box_h = SIZE_BOXES[size]
    width, height = image.width or box_w, image.height or box_h
    scale = min(1.0, box_w / width, box_h / height)
    return max(1, round(width * scale)), max(1, round(height * scale))
