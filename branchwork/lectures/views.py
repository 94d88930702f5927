"""The lecture hall on the web: talks to come and given, series and their archives, a talk with
its slides and recording (served only to members, through these views), and the forms editors and
managers use. Internal only: the anonymous are sent to the login page, non-members get 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchwork.core import permissions
from branchwork.core.forms import service_errors
from branchwork.lectures import selectors, services
from branchwork.lectures.forms import SeriesForm, TalkForm
from branchwork.lectures.models import LectureSeries

PAST_PER_PAGE = 20


def _crumbs(*tail):
    return [(_("Lecture hall"), reverse("lectures:index")), *tail]




@login_required
def index(request):
    selectors.require_reader(request.user)
    page = Paginator(selectors.past(request.user), PAST_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "lectures/index.html", {
        "upcoming": selectors.mark(request.user, selectors.upcoming(request.user)),
        "past": selectors.mark(request.user, page.object_list),
        "page": page,
        "series_list": list(selectors.series_list(request.user)),
        "can_create": permissions.publication_organizations(request.user).exists(),
        "breadcrumbs": _crumbs(),
    })


@login_required
def series(request, series_id):
    series = selectors.get_series_or_404(request.user, series_id)
    talks = selectors.mark(request.user, selectors.talks(request.user).filter(series=series).order_by("-date", "-pk"))
    return render(request, "lectures/series.html", {
        "series": series,
        "talks": talks,
        "can_edit": permissions.can(request.user, "edit", series),
        "breadcrumbs": _crumbs((series.title, None)),
    })


@login_required
def talk(request, talk_id):
    talk = selectors.get_talk_or_404(request.user, talk_id)
    selectors.mark(request.user, [talk])
    crumbs = [(talk.series.title, talk.series.get_absolute_url())] if talk.series_id else []
    return render(request, "lectures/talk.html", {
        "talk": talk,
        "breadcrumbs": _crumbs(*crumbs, (talk.topic, None)),
    })


@login_required
def talk_file(request, talk_id, kind):
    """Slides and recordings are internal: served only to the talk's readers."""
    talk = selectors.get_talk_or_404(request.user, talk_id)
    stored = getattr(talk, kind)
    if not stored:
        raise Http404("No such file")
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True,
                            filename=getattr(talk, f"{kind}_name") or stored.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Editing ---


def _talk_form(request, *, initial=None, editing=False):
    organizations = permissions.publication_organizations(request.user).order_by("path")
    return TalkForm(
        request.POST or None, request.FILES or None, initial=initial, editing=editing,
        organizations=organizations,
        series=LectureSeries.objects.filter(organization__in=organizations).order_by("title"),
        people=permissions.visible_people(request.user).order_by("name", "pk"),
        activities=selectors.study_activities(request.user),
    )


def _require_editor(request) -> None:
    selectors.require_reader(request.user)
    if not permissions.publication_organizations(request.user).exists():
        raise Http404("Nothing to edit here")


def _talk_fields(data) -> dict:
    return {name: data[name] for name in ("organization", "series", "speaker", "speaker_name",
                                          "speaker_affiliation", "date", "place", "topic",
                                          "abstract", "activity")}


@login_required
def talk_new(request):
    _require_editor(request)
    initial = {"series": request.GET.get("series")}
    form = _talk_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            talk = services.talk_create(by=request.user, slides=data["slides"],
                                        recording=data["recording"], **_talk_fields(data))
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Talk saved."))
            return redirect(talk.get_absolute_url())
    return render(request, "lectures/talk_form.html", {
        "form": form, "talk": None, "breadcrumbs": _crumbs((_("New talk"), None)),
    })


@login_required
def talk_edit(request, talk_id):
    talk = selectors.get_talk_or_404(request.user, talk_id)
    if not permissions.can(request.user, "edit", talk):
        raise Http404("No such talk")
    form = _talk_form(request, editing=True, initial={
        "organization": talk.organization_id, "series": talk.series_id, "topic": talk.topic,
        "date": talk.date, "place": talk.place, "speaker": talk.speaker_id,
        "speaker_name": talk.speaker_name, "speaker_affiliation": talk.speaker_affiliation,
        "abstract": talk.abstract, "activity": talk.activity_id,
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.talk_update(by=request.user, talk=talk, slides=data["slides"],
                                 recording=data["recording"], remove_slides=data["remove_slides"],
                                 remove_recording=data["remove_recording"], **_talk_fields(data))
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Talk saved."))
            return redirect(talk.get_absolute_url())
    return render(request, "lectures/talk_form.html", {
        "form": form, "talk": talk,
        "breadcrumbs": _crumbs((talk.topic, talk.get_absolute_url()), (_("Edit"), None)),
    })


@login_required
@require_POST
def talk_delete(request, talk_id):
    talk = selectors.get_talk_or_404(request.user, talk_id)
    if not permissions.can(request.user, "edit", talk):
        raise Http404("No such talk")
    services.talk_delete(by=request.user, talk=talk)
    messages.success(request, _("Talk deleted."))
    return redirect("lectures:index")


def _series_form(request, initial=None):
    return SeriesForm(request.POST or None, initial=initial,
                      organizations=permissions.publication_organizations(request.user).order_by("path"))


@login_required
def series_new(request):
    _require_editor(request)
    form = _series_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            return redirect(series.get_absolute_url())
    return render(request, "lectures/series_form.html", {
        "form": form, "series": None, "breadcrumbs": _crumbs((_("New series"), None)),
    })


@login_required
def series_edit(request, series_id):
    series = selectors.get_series_or_404(request.user, series_id)
    if not permissions.can(request.user, "edit", series):
        raise Http404("No such series")
    form = _series_form(request, initial={"organization": series.organization_id,
                                          "title": series.title, "description": series.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.series_update(by=request.user, series=series, **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            return redirect(series.get_absolute_url())
    return render(request, "lectures/series_form.html", {
        "form": form, "series": series,
        "breadcrumbs": _crumbs((series.title, series.get_absolute_url()), (_("Edit"), None)),
    })
