"""Outbound delegations (出访) on the web: the list, the application, and one page per trip
where its managers approve it, name its members, set its itinerary and briefing, file its
report and keep its follow-ups (each form posts an `action`). Outsiders get 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from branchwork.core import permissions
from branchwork.core.conflicts import Conflict
from branchwork.exchanges import forms_trips as forms
from branchwork.exchanges import selectors, services_trips
from branchwork.exchanges.models import Trip, TripFollowUp
from branchwork.research.models import Output

BRIEFING_CHOICES = 200  # the newest research outputs the reader may see, to choose from


def _crumbs(*tail):
    return [(_("International exchanges"), reverse("exchanges:index")),
            (_("Delegations sent"), reverse("exchanges:trips")), *tail]


@login_required
def trip_list(request):
    trips = list(permissions.visible(request.user, Trip).select_related("event")
                 .prefetch_related("stops")[:200])
    if not trips and not permissions.can(request.user, "create", Trip):
        raise Http404("No trips for this user")
    return render(request, "exchanges/trips.html", {
        "trips": trips, "may_create": permissions.can(request.user, "create", Trip),
        "breadcrumbs": _crumbs()[:-1] + [(_("Delegations sent"), None)],
    })


@login_required
def trip_new(request):
    if not permissions.can(request.user, "create", Trip):
        raise Http404("Not foreign-affairs staff")
    form = forms.TripApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trip = services_trips.trip_apply(by=request.user, applicant=getattr(permissions.reader(request.user), "person", None),
                                             **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The application is recorded."))
            return redirect(trip.get_absolute_url())
    return render(request, "exchanges/trip_form.html", {
        "form": form, "breadcrumbs": _crumbs((_("New application"), None)),
    })


def _outputs(user):
    return permissions.visible(user, Output).order_by("-completed_on", "-pk")


def _choices(user):
    ids = list(_outputs(user).values_list("pk", flat=True)[:BRIEFING_CHOICES])
    return Output.objects.filter(pk__in=ids).order_by("-completed_on", "-pk")


def _forms(request, trip, data=None, action=None):
    people = permissions.visible_people(request.user).order_by("name")
    outputs = _choices(request.user)
    made = {
        "approve": forms.ApproveForm, "member": lambda d: forms.MemberForm(d, people=people),
        "stop": forms.StopForm, "briefing": lambda d: forms.BriefingForm(d, outputs=outputs),
        "report": lambda d: forms.ReportForm(d, outputs=outputs),
        "follow_up": lambda d: forms.FollowUpForm(d, people=people),
    }
    return {key: make(data if key == action else None) for key, make in made.items()}


def _act(request, trip, action, form):
    data, by = form.cleaned_data, request.user
    if action == "approve":
        services_trips.trip_approve(by=by, trip=trip, **data)
    elif action == "member":
        services_trips.trip_member_add(by=by, trip=trip, **data)
    elif action == "stop":
        services_trips.trip_stop_add(by=by, trip=trip, **data)
    elif action == "briefing":
        services_trips.trip_briefing_set(by=by, trip=trip, outputs=data["outputs"], parties=data["parties"])
    elif action == "report":
        services_trips.trip_report_file(by=by, trip=trip, report=data["report"])
    elif action == "follow_up":
        services_trips.follow_up_add(by=by, trip=trip, **data)


@login_required
def trip(request, trip_id):
    trip = permissions.get_or_404(request.user, Trip, trip_id)
    may_manage = permissions.can(request.user, "manage", trip)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and not may_manage:
        raise Http404("Not a manager of this trip")
    trip_forms = _forms(request, trip, request.POST, action) if may_manage else {}
    status = 200
    if action is not None:
        form = trip_forms.get(action)
        if form is None:
            raise Http404("No such action")
        if form.is_valid():
            try:
                _act(request, trip, action, form)
            except Conflict as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                messages.success(request, _("Saved."))
                return redirect(trip.get_absolute_url())
        else:
            status = 400
    page = selectors.trip_page(request.user, trip)
    return render(request, "exchanges/trip.html", {
        "trip": trip, "event": trip.event, **page, "may_manage": may_manage, "forms": trip_forms,
        "close_form": forms.CloseForm(),
        "breadcrumbs": _crumbs((trip.event.title, None)),
    }, status=status)


@login_required
def follow_up_close(request, trip_item_id):
    item = permissions.get_or_404(request.user, TripFollowUp, trip_item_id)
    if not permissions.can(request.user, "close", item):
        raise Http404("Not the owner nor a manager")
    if request.method == "POST":
        form = forms.CloseForm(request.POST)
        if form.is_valid():
            try:
                services_trips.follow_up_close(by=request.user, item=item, note=form.cleaned_data["note"])
            except Conflict as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Closed as done."))
    return redirect(item.trip.get_absolute_url())
