"""The portal's pages outside the page tree: writing a contribution, following it, images, tags.

The portal's own pages (home, channels, series, articles) are Wagtail pages (models.py); the
editors and signers work in the back office (/admin/), where the workflow's buttons are.
"""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from taggit.models import Tag
from wagtail.images import get_image_model

from branchwork.core.models import Person
from branchwork.core.richtext import text_to_html
from branchwork.publishing import selectors, services
from branchwork.publishing.forms import ContributionForm, ReviseForm
from branchwork.publishing.models import ARTICLES_PER_PAGE
from branchwork.publishing.images import LIBRARY_FOLDERS, SIZES, may_browse_image_library, may_see_image
from branchwork.publishing.richtext import stream_to_text


def _person_or_none(user) -> Person | None:
    return Person.objects.filter(user=user).select_related("unit").first() if user.is_authenticated else None


def _no_person(request):
    return render(
        request, "publishing/no_person.html",
        {"breadcrumbs": [(_("Contribute an article"), None)]}, status=403,
    )


def _contribution_crumbs(*tail):
    return [(_("My page"), reverse("core:my")),
            (_("My contributions"), reverse("publishing:my_contributions")), *tail]


@login_required
def contribute(request):
    person = _person_or_none(request.user)
    if person is None:
        return _no_person(request)
    form = ContributionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        body_html = text_to_html(data["text"])
        try:
            if data.get("image"):
                image = services.image_create(
                    by=request.user, file=data["image"], title=data.get("caption") or data["title"]
                )
                caption = data.get("caption", "")
                body_html += (
                    f'<embed embedtype="image" format="fullwidth" id="{image.pk}" alt="{escape(caption)}"/>'
                    f'<p class="caption">{escape(caption)}</p>'
                )
            page = services.contribution_create(
                author=person, title=data["title"], body_html=body_html, source="web",
                channel=data.get("channel"),
            )
        except services.NoContributionChannel:
            form.add_error(None, _("Contributions cannot be received now: no channel accepts them. "
                                   "Please tell the editors."))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you. Your contribution has gone to the editors; "
                                        "you can follow it here."))
            return redirect("publishing:my_contribution", page_id=page.pk)
    return render(request, "publishing/contribute.html", {
        "form": form,
        "breadcrumbs": [(_("Contribute an article"), None)],
    })


@login_required
def my_contributions(request):
    person = _person_or_none(request.user)
    contributions = selectors.contributions_of(person) if person else []
    return render(request, "publishing/my_contributions.html", {
        "contributions": contributions,
        "person": person,
        "breadcrumbs": _contribution_crumbs()[:-1] + [(_("My contributions"), None)],
    })


def _own_contribution(request, page_id):
    person = _person_or_none(request.user)
    found = selectors.contributions_of(person, page_id=page_id) if person else []
    if not found:
        raise Http404("No such contribution")
    return found[0]


@login_required
def my_contribution(request, page_id, form=None):
    contribution = _own_contribution(request, page_id)
    draft = contribution.page.get_latest_revision_as_object()
    if form is None and contribution.can_revise:
        form = ReviseForm(initial={"title": draft.title, "text": stream_to_text(draft.body)})
    return render(request, "publishing/my_contribution.html", {
        "c": contribution,
        "draft": draft,
        "form": form,
        "breadcrumbs": _contribution_crumbs((contribution.title, None)),
    })


@login_required
@require_POST
def my_contribution_revise(request, page_id):
    contribution = _own_contribution(request, page_id)
    form = ReviseForm(request.POST)
    if not contribution.can_revise:
        messages.error(request, _("This contribution is not waiting for changes."))
        return redirect("publishing:my_contribution", page_id=page_id)
    if form.is_valid():
        try:
            services.contribution_revise(
                by=request.user, page=contribution.page, title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
        except (ValidationError, services.NotInWorkflow, PermissionDenied) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Resubmitted. It has gone back to the editors."))
            return redirect("publishing:my_contribution", page_id=page_id)
    return my_contribution(request, page_id, form=form)


def image(request, image_id, size):
    """An image of the portal, at one of a few sizes, to those who may see it (else 404)."""
    if size not in SIZES:
        raise Http404("No such size")
    picture = get_image_model().objects.filter(pk=image_id).first()
    if picture is None:
        raise Http404("No such image")
    public = may_see_image(None, picture)
    if not public and not may_see_image(request.user, picture):
        raise Http404("No such image")
    rendition = picture.get_rendition(SIZES[size])
    content_type = mimetypes.guess_type(rendition.file.name)[0] or "application/octet-stream"
    response = FileResponse(rendition.file.open("rb"), content_type=content_type)
    if public:
        patch_cache_control(response, public=True, max_age=86400)
    else:
        patch_cache_control(response, private=True, max_age=3600)
    return response


def tag(request, tag):
    found = Tag.objects.filter(slug=tag).first() or Tag.objects.filter(name=tag).first()
    if found is None:
        raise Http404("No such tag")
    articles = selectors.articles_tagged(request.user, found)
    page_obj = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    if not page_obj.object_list and page_obj.number == 1:
        raise Http404("No such tag")
    return render(request, "publishing/tag.html", {
        "tag": found,
        "page_obj": page_obj,
        "articles": page_obj.object_list,
        "breadcrumbs": [(_("Tag: %(tag)s") % {"tag": found.name}, None)],
    })



def library_media(request, path: str):
    """The image library's files at their media address, for the back office (its thumbnails,
    choosers and previews): to those who may use the library, 404 to everyone else. Nothing else
    under MEDIA_ROOT is served here: attachments, ledgers and messages have their own checked views."""
    from django.core.files.storage import default_storage

    parts = path.split("/")
    if (not path.startswith(LIBRARY_FOLDERS) or "\\" in path or any(part in ("", ".", "..") for part in parts)
            or not may_browse_image_library(request.user)):
        raise Http404("No such file")
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such file") from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(path)[0] or "application/octet-stream")
    patch_cache_control(response, private=True, max_age=3600)
    return response
