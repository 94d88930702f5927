"""The judges' pages: the entries a judge may score, the score sheet of one entry, a declared
conflict, the entry's file and the judge's own sheet in Excel.

Under blind scoring none of these shows an entrant's name or organization: entries are known by
their number and title, their file is served under a neutral name, and a linked output or talk is
named by its title only, without a link to its page (which names its authors or speaker). An
entry the judge may not score (their own, their organization's, or declared) is not listed and
answers 404; the service refuses its scores too.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchwork.awards import permissions as rules
from branchwork.awards import services
from branchwork.awards.forms import ConflictForm, ScoreForm
from branchwork.awards.models import CompetitionStatus, Entrant, Entry, JudgeConflict, Score
from branchwork.awards.views import get_competition_or_404, mark_visible_links, serve
from branchwork.core.exports import xlsx_response
from branchwork.core.language import join_list


def _judge(request, org_code, competition_id):
    competition = get_competition_or_404(request, org_code, competition_id)
    judge = rules.judge_of(request.user, competition)
    if judge is None:
        raise Http404("Not a judge of this competition")
    judge.competition = competition
    return competition, judge


def scorable(competition, judge) -> tuple[list[Entry], int]:
    """The entries the judge may score, and how many are withheld (a fixed number of queries)."""
    today = timezone.localdate()
    entries = list(competition.entries.select_related("organization", "output", "talk")
                   .prefetch_related(Prefetch("entrants", queryset=Entrant.objects.select_related("person"))))
    declared = set(JudgeConflict.objects.filter(judge=judge).values_list("entry_id", flat=True))
    paths = services.judge_paths_on(judge, today)
    allowed = []
    for entry in entries:
        people = {e.person_id for e in entry.entrants.all() if e.person_id}
        if services.conflict_reason(judge, entry, day=today, entrant_ids=people, judge_paths=paths,
                                    declared=declared) is None:
            allowed.append(entry)
    return allowed, len(entries) - len(allowed)


def _sheets(judge, entries) -> dict[int, dict[int, object]]:
    out: dict[int, dict[int, object]] = {}
    for entry_id, criterion_id, value in (Score.objects.filter(judge=judge, entry__in=[e.pk for e in entries])
                                          .values_list("entry_id", "criterion_id", "value")):
        out.setdefault(entry_id, {})[criterion_id] = value
    return out


@login_required
def judging(request, org_code, competition_id):
    competition, judge = _judge(request, org_code, competition_id)
    entries, withheld = scorable(competition, judge)
    criteria = list(competition.criteria.all())
    sheets = _sheets(judge, entries)
    for entry in entries:
        got = sheets.get(entry.pk, {})
        entry.scored = len(got)
        entry.total = sum(got.values()) if len(got) == len(criteria) and criteria else None
    mark_visible_links(request.user, entries)
    return render(request, "awards/judging.html", {
        "org": competition.organization, "competition": competition, "judge": judge, "entries": entries,
        "withheld": withheld, "criteria": criteria, "blind": competition.blind,
        "scoring": competition.status == CompetitionStatus.SCORING,
        "breadcrumbs": [(competition.display_title, competition.get_absolute_url()), (_("Judging"), None)],
    })


def _scorable_entry(competition, judge, entry_id) -> Entry:
    entries, _withheld = scorable(competition, judge)
    entry = next((e for e in entries if str(e.pk) == str(entry_id)), None)
    if entry is None:
        raise Http404("No such entry")
    return entry


@login_required
def judging_entry(request, org_code, competition_id, entry_id):
    competition, judge = _judge(request, org_code, competition_id)
    entry = _scorable_entry(competition, judge, entry_id)
    criteria = list(competition.criteria.all())
    current = _sheets(judge, [entry]).get(entry.pk, {})
    scoring = competition.status == CompetitionStatus.SCORING
    form = ScoreForm(request.POST if request.method == "POST" else None, criteria=criteria,
                     initial={f"c{c}": v for c, v in current.items()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.scores_record(by=request.user, judge=judge, entry=entry, values=form.values())
            except ValidationError as exc:
                for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Scores of entry %(code)s saved.") % {"code": entry.code})
                return redirect(reverse("awards:judging", args=[org_code, competition.pk]))
    mark_visible_links(request.user, [entry])
    return render(request, "awards/judging_entry.html", {
        "org": competition.organization, "competition": competition, "entry": entry, "form": form,
        "conflict_form": ConflictForm(), "scoring": scoring, "blind": competition.blind,
        "breadcrumbs": [(competition.display_title, competition.get_absolute_url()),
                        (_("Judging"), reverse("awards:judging", args=[org_code, competition.pk])),
                        (_("Entry %(code)s") % {"code": entry.code}, None)],
    }, status=status)


@login_required
@require_POST
def declare_conflict(request, org_code, competition_id, entry_id):
    competition, judge = _judge(request, org_code, competition_id)
    entry = _scorable_entry(competition, judge, entry_id)
    form = ConflictForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.conflict_declare(by=request.user, judge=judge, entry=entry, reason=reason)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Conflict declared: entry %(code)s is withheld from you.") % {"code": entry.code})
    return redirect(reverse("awards:judging", args=[org_code, competition.pk]))


@login_required
def judging_file(request, org_code, competition_id, entry_id):
    competition, judge = _judge(request, org_code, competition_id)
    entry = _scorable_entry(competition, judge, entry_id)
    ext = entry.file.name.rsplit(".", 1)[-1] if entry.file else "bin"
    return serve(entry.file, f"entry-{entry.code}.{ext}")


@login_required
def judging_xlsx(request, org_code, competition_id):
    competition, judge = _judge(request, org_code, competition_id)
    entries, _withheld = scorable(competition, judge)
    criteria = list(competition.criteria.all())
    sheets = _sheets(judge, entries)
    headers = [_("Entry"), _("Title")]
    if not competition.blind:
        headers += [_("Entrants"), _("Organization")]
    headers += [c.display_name for c in criteria] + [_("Total")]
    rows = []
    for entry in entries:
        got = sheets.get(entry.pk, {})
        row = [entry.code, entry.title]
        if not competition.blind:
            row += [join_list(e.display_name for e in entry.entrants.all()), entry.organization.display_name]
        row += [got.get(c.pk) for c in criteria]
        row.append(sum(got.values()) if len(got) == len(criteria) and criteria else None)
        rows.append(row)
    return xlsx_response(filename=f"scores-{competition.pk}.xlsx", title=_("Scores"), headers=headers, rows=rows)
