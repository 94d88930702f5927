"""Editing pages: an award (edit, delete), an entry while the competition is open, and a
competition's call and settings (all of them while a draft; once open, only the wording and the
date results are expected, which the page says). Each form carries the version it was made on;
the services refuse an edit of a record changed since, or out of its state (409, message shown).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from branchwork.awards import edits
from branchwork.awards import permissions as rules
from branchwork.awards.forms import AwardForm, CompetitionForm, CriterionForm, with_version
from branchwork.awards.models import Award, CompetitionStatus, Criterion, EligibilityRule
from branchwork.awards.views import (
    _crumbs,
    _entry,
    _managed,
    _org,
    entry_form,
    names_self,
)
from branchwork.core import permissions
from branchwork.core.conflicts import Conflict
from branchwork.core.forms import service_errors
from branchwork.lectures.models import Talk
from branchwork.research.models import Output

FIXED_NOTE = gettext_lazy("Once the competition opens, only its title, call and the date results are expected can "
               "change: its dates, blind scoring, method, rules, criteria, weights and prizes stay as "
               "entrants and judges were told.")


def _page(request, org, form, title, *, status=200, note="", back=None, **extra):
    crumbs = _crumbs(org, *([back] if back else []), (title, None))
    return render(request, "awards/form.html", {
        "org": org, "form": form, "title": title, "note": note, "breadcrumbs": crumbs, **extra,
    }, status=status)


def _save(request, form, call, done: str, target: str):
    """Call the service; a refusal is shown on the form (409 for a conflict, 400 otherwise)."""
    try:
        call()
    except Conflict as exc:
        form.add_error(None, exc.messages)
        return 409
    except ValidationError as exc:
        service_errors(form, exc)
        return 400
    messages.success(request, done)
    return redirect(target)


def _posted(request, form, save, done: str, target: str):
    """The page's answer to its form: for a POST that validates, `save(data, base_version)` through
    `_save` (a redirect, or 409/400 with the refusal on the form); otherwise the status to render
    the form with (200 to show it, 400 when it does not validate)."""
    if request.method != "POST":
        return 200
    if not form.is_valid():
        return 400
    data = dict(form.cleaned_data)
    version = data.pop("version")
    return _save(request, form, lambda: save(data, version), done, target)


def _version(request) -> int:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


# --- Awards ---


def _editable_award(request, org_code, award_id) -> tuple:
    org = _org(request, org_code)
    item = permissions.get_or_404(request.user, Award, award_id, organization=org)
    if not rules.can_record_awards(request.user, item):
        raise Http404("No such page")
    return org, item


@login_required
def award_edit(request, org_code, award_id):
    org, item = _editable_award(request, org_code, award_id)
    recipients = list(item.recipients.all())
    initial = {name: getattr(item, name) for name in ("title", "scope", "body", "level", "grade", "year",
                                                       "awarded_on", "note", "output", "talk")}
    initial["recipients"] = [r.person_id for r in recipients if r.person_id]
    initial["guests"] = "\n".join(r.guest_name for r in recipients if not r.person_id)
    form = with_version(AwardForm(
        request.POST or None, initial=initial,
        people=permissions.visible_people(request.user).order_by("name", "pk"),
        outputs=permissions.visible(request.user, Output).filter(organization__path__startswith=org.path),
        talks=permissions.visible(request.user, Talk).order_by("-pk")), item.version)
    status = _posted(request, form, lambda data, version: edits.award_update(
        by=request.user, award=item, base_version=version, recipients=form.recipients(),
        **{k: v for k, v in data.items() if k not in ("recipients", "guests")}),
        _("Award saved."), item.get_absolute_url())
    if not isinstance(status, int):
        return status
    title = _("Edit the award")
    return _page(request, org, form, title, status=status, back=(item.title, item.get_absolute_url()))


@login_required
@require_POST
def award_delete(request, org_code, award_id):
    org, item = _editable_award(request, org_code, award_id)
    try:
        edits.award_delete(by=request.user, award=item, base_version=_version(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(item.get_absolute_url())
    messages.success(request, _("Award deleted."))
    return redirect("awards:index", org_code=org.code)


# --- A competition's call and settings ---


@login_required
def competition_edit(request, org_code, competition_id):
    item = _managed(request, org_code, competition_id)
    if item.status not in edits.EDITABLE:
        raise Http404("The results are published")
    draft = item.status == CompetitionStatus.DRAFT
    form = with_version(CompetitionForm(
        request.POST or None, initial={name: getattr(item, name) for name in edits.COMPETITION_FIELDS}),
        item.version)
    if not draft:
        for name in edits.FIXED_ONCE_OPEN:
            del form.fields[name]
    status = _posted(request, form, lambda data, version: edits.competition_update(
        by=request.user, competition=item, base_version=version, **data),
        _("Competition saved."), item.get_absolute_url())
    if not isinstance(status, int):
        return status
    return _page(request, item.organization, form, _("Edit the call and settings"), status=status,
                 note="" if draft else FIXED_NOTE, back=(item.display_title, item.get_absolute_url()))


def _setting(request, org_code, competition_id, model, pk):
    competition = _managed(request, org_code, competition_id)
    return competition, get_object_or_404(model, pk=pk, competition=competition)


@login_required
@require_POST
def rule_remove(request, org_code, competition_id, rule_id):
    competition, rule = _setting(request, org_code, competition_id, EligibilityRule, rule_id)
    _remove(request, lambda: edits.rule_remove(by=request.user, rule=rule, base_version=_version(request)),
            _("Rule removed."))
    return redirect(competition.get_absolute_url())


@login_required
@require_POST
def criterion_remove(request, org_code, competition_id, criterion_id):
    competition, criterion = _setting(request, org_code, competition_id, Criterion, criterion_id)
    _remove(request, lambda: edits.criterion_remove(by=request.user, criterion=criterion,
                                                    base_version=_version(request)), _("Criterion removed."))
    return redirect(competition.get_absolute_url())


def _remove(request, call, done: str) -> None:
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


@login_required
def criterion_edit(request, org_code, competition_id, criterion_id):
    competition, criterion = _setting(request, org_code, competition_id, Criterion, criterion_id)
    if competition.status != CompetitionStatus.DRAFT:
        raise Http404("The criteria are fixed once the competition opens")
    initial = {name: getattr(criterion, name) for name in ("name", "name_en", "weight", "max_score")}
    form = with_version(CriterionForm(request.POST or None, initial=initial), competition.version)
    status = _posted(request, form, lambda data, version: edits.criterion_update(
        by=request.user, criterion=criterion, base_version=version, **data),
        _("Criterion saved."), competition.get_absolute_url())
    if not isinstance(status, int):
        return status
    return _page(request, competition.organization, form, _("Edit the criterion"), status=status,
                 back=(competition.display_title, competition.get_absolute_url()))


# --- Entries ---


def entry_lines(entry) -> str:
    """The entrants as the entry form takes them: a name a line, with the date of birth."""
    lines = []
    for x in entry.entrants.select_related("person"):
        name = x.person.name if x.person_id else x.guest_name
        lines.append(f"{name} {x.born_on.isoformat()}" if x.born_on else name)
    return "\n".join(lines)


@login_required
def entry_edit(request, org_code, competition_id, entry_id):
    item = _entry(request, org_code, competition_id, entry_id)
    competition = item.competition
    if not rules.can_edit_entry(request.user, item):
        raise Http404("No such page")
    manage = rules.can_manage_competition(request.user, competition)
    initial = {"title": item.title, "abstract": item.abstract, "organization": item.organization_id,
               "output": item.output_id, "talk": item.talk_id, "entrants": entry_lines(item)}
    form = with_version(entry_form(request, manage=manage, initial=initial), item.version)
    open_now = competition.status == CompetitionStatus.OPEN
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            if not manage and not names_self(permissions.reader(request.user), d["entrants"]):
                form.add_error("entrants", _("Enter your own entry: name yourself among the entrants."))
            else:
                result = _save(request, form, lambda: edits.entry_update(
                    by=request.user, entry=item, base_version=d["version"], organization=d["organization"],
                    title=d["title"], entrants=d["entrants"], abstract=d["abstract"], output=d["output"],
                    talk=d["talk"], file=d["file"]), _("Entry saved."), item.get_absolute_url())
                if not isinstance(result, int):
                    return result
                status = result
    note = "" if open_now else _(
        "Entries can be changed only while the competition is open for entries; it is now: %(status)s.") % {
        "status": competition.get_status_display()}
    title = _("Edit the entry %(code)s") % {"code": item.code}
    return render(request, "awards/form.html", {
        "org": competition.organization, "form": form, "title": title, "competition": competition,
        "rules": list(competition.rules.select_related("organization", "output_kind")),
        "note": note, "closed": not open_now and request.method != "POST",
        "breadcrumbs": [(competition.display_title, competition.get_absolute_url()),
                        (item.title, item.get_absolute_url()), (title, None)],
    }, status=status)

