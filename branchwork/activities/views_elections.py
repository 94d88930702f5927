"""Pages of an election (换届选举) held at a general meeting: record it, correct the votes, report
it to the committee above, and the committee's approval. Thin: parse, ask the policy, call the
services of activities/elections.py, render. A record breaking a rule is shown with every rule it
breaks (naming the rule and its source) and cannot be reported or approved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branchwork.activities import elections
from branchwork.activities.elections import Election, ElectionStatus
from branchwork.activities.forms import (
    ElectionApproveForm,
    ElectionForm,
    ElectionReportForm,
    ElectionVotesForm,
)
from branchwork.activities.views import (
    _activity_crumbs,
    _everyone,
    _get,
    _message,
    _people_for,
)
from branchwork.core import permissions
from branchwork.core.forms import service_errors


def election_url(election: Election) -> str:
    activity = election.activity
    return reverse("activities:election", args=[activity.organization.code, activity.pk, election.pk])


def _get_election(request, org_code, activity_id, election_id) -> Election:
    _org, activity = _get(request, org_code, activity_id)
    election = permissions.get_or_404(request.user, Election, election_id)
    if election.activity_id != activity.pk:
        raise Http404("No such election")
    return election


@login_required
@require_http_methods(["GET", "POST"])
def election_new(request, org_code, activity_id):
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    everyone = _everyone(request)
    people = _people_for(org, everyone=everyone)
    form = ElectionForm(request.POST or None, people=people, everyone=everyone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election = elections.election_record(
                by=request.user, activity=activity, seats=data["seats"],
                candidates=data["candidates"], term_start=data["term_start"],
                term_end=data["term_end"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Election recorded as a draft."))
            return redirect(election_url(election))
    return render(request, "activities/election_form.html", {
        "org": org, "activity": activity, "form": form,
        "breadcrumbs": _activity_crumbs(activity, (_("Record an election"), None)),
    })


@login_required
def election_detail(request, org_code, activity_id, election_id):
    election = _get_election(request, org_code, activity_id, election_id)
    activity = election.activity
    result = elections.result(election)
    candidates = list(election.candidates.select_related("person"))
    elected = {c.pk for c in result.elected}
    tied = {c.pk for c in result.tied}
    can_record = permissions.can(request.user, "record", election)
    can_approve = permissions.can(request.user, "approve", election)
    draft = election.status == ElectionStatus.DRAFT
    today = timezone.localdate()
    return render(request, "activities/election.html", {
        "org": activity.organization, "activity": activity, "election": election,
        "result": result,
        "rows": [{"candidate": c, "elected": c.pk in elected, "tied": c.pk in tied}
                 for c in candidates],
        # Four fifths of those with voting rights, strictly more, must be present.
        "attendance_needed": int(result.voting_expected * elections.ATTENDANCE_SHARE) + 1,
        "majority_needed": result.voting_present // 2 + 1,
        "failures": elections.check(election) if election.status != ElectionStatus.APPROVED else [],
        "can_record": can_record, "can_approve": can_approve,
        "votes_form": ElectionVotesForm(election=election) if draft and can_record else None,
        "report_form": ElectionReportForm(initial={"reported_on": today})
        if draft and can_record else None,
        "approve_form": ElectionApproveForm(initial={"approved_on": today})
        if election.status == ElectionStatus.REPORTED and can_approve else None,
        "breadcrumbs": _activity_crumbs(activity, (_("Election"), None)),
    })


def _post(request, org_code, activity_id, election_id, *, may: str):
    election = _get_election(request, org_code, activity_id, election_id)
    if not permissions.can(request.user, may, election):
        raise Http404("No such election")
    return election


@login_required
@require_POST
def election_votes(request, org_code, activity_id, election_id):
    election = _post(request, org_code, activity_id, election_id, may="record")
    form = ElectionVotesForm(request.POST, election=election)
    if not form.is_valid():
        messages.error(request, _("Votes are whole numbers, zero or more."))
        return redirect(election_url(election))
    try:
        elections.election_set_votes(by=request.user, election=election, votes=form.votes())
    except ValidationError as exc:  # a Conflict too (the record moved on)
        _message(request, exc)
    else:
        messages.success(request, _("Votes saved."))
    return redirect(election_url(election))


@login_required
@require_POST
def election_report(request, org_code, activity_id, election_id):
    election = _post(request, org_code, activity_id, election_id, may="record")
    form = ElectionReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the report."))
        return redirect(election_url(election))
    try:
        elections.election_report(by=request.user, election=election,
                                  on=form.cleaned_data["reported_on"])
    except ValidationError as exc:  # a Conflict too (the record moved on)
        _message(request, exc)
    else:
        messages.success(request, _("Reported to the committee for approval."))
    return redirect(election_url(election))


@login_required
@require_POST
def election_approve(request, org_code, activity_id, election_id):
    election = _post(request, org_code, activity_id, election_id, may="approve")
    form = ElectionApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the approval."))
        return redirect(election_url(election))
    try:
        elections.election_approve(by=request.user, election=election,
                                   on=form.cleaned_data["approved_on"],
                                   document=form.cleaned_data["document"])
    except ValidationError as exc:  # a Conflict too (the record moved on)
        _message(request, exc)
    else:
        messages.success(request, _("Approved: the committee's term and the next election's due "
                                    "date are on the compliance page."))
    return redirect(election_url(election))
