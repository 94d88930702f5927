"""Awards and competitions on the web, under an organization: the awards it recorded (with the
output or talk each was for), its competitions (call, rules, criteria, prizes, judges, state),
entries and the published results (page and XLSX). The judges' pages are in views_judging.py.
Views parse, ask the policy, call a service, render; outsiders get 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchwork.awards import permissions as rules
from branchwork.awards import services
from branchwork.awards.forms import (
    AwardForm,
    CompetitionForm,
    CriterionForm,
    EntryForm,
    JudgeForm,
    PrizeForm,
    RuleForm,
)
from branchwork.awards.models import (
    Award,
    AwardRecipient,
    Competition,
    CompetitionStatus,
    Entrant,
    Entry,
)
from branchwork.core import permissions
from branchwork.core.exports import xlsx_response
from branchwork.core.forms import service_errors
from branchwork.core.language import join_list
from branchwork.core.models import Organization
from branchwork.lectures.models import Talk
from branchwork.research.models import Output

PER_PAGE = 50


def _org(request, org_code):
    return permissions.get_org_or_404(request.user, org_code)


def _crumbs(org, *tail):
    return [(org.display_name, reverse("core:org", args=[org.code])),
            (_("Awards and competitions"), reverse("awards:index", args=[org.code])), *tail]




def _recipients():
    return Prefetch("recipients", queryset=AwardRecipient.objects.select_related("person"))


def _entrants():
    return Prefetch("entrants", queryset=Entrant.objects.select_related("person"))


def _visible_ids(user, model, ids) -> set:
    ids = [i for i in ids if i]
    if not ids:
        return set()
    return set(permissions.visible(user, model).filter(pk__in=ids).values_list("pk", flat=True))


def mark_visible_links(user, items) -> None:
    """Set `output_visible`/`talk_visible` on awards or entries: a title is shown only to those
    who may see the output or talk (two queries for any number)."""
    outputs = _visible_ids(user, Output, [i.output_id for i in items])
    talks = _visible_ids(user, Talk, [i.talk_id for i in items])
    for item in items:
        item.output_visible = item.output_id in outputs
        item.talk_visible = item.talk_id in talks


# --- Index and awards ---


@login_required
def index(request, org_code):
    org = _org(request, org_code)
    awards = (rules.visible_awards(request.user).filter(organization__path__startswith=org.path)
              .select_related("organization", "grade", "output", "talk").prefetch_related(_recipients()))
    output_id = request.GET.get("output", "")
    if output_id.isdigit():
        awards = awards.filter(output_id=int(output_id))
    awards = list(awards[:PER_PAGE])
    mark_visible_links(request.user, awards)
    competitions = list(rules.visible_competitions(request.user)
                        .filter(organization__path__startswith=org.path).select_related("organization")[:PER_PAGE])
    return render(request, "awards/index.html", {
        "org": org, "awards": awards, "competitions": competitions,
        "can_record": rules.can_record_awards(request.user, Award(organization=org)),
        "can_manage": permissions.can_manage_org(request.user, org),
        "breadcrumbs": _crumbs(org)[:-1] + [(_("Awards and competitions"), None)],
    })


@login_required
def award(request, org_code, award_id):
    org = _org(request, org_code)
    item = permissions.get_or_404(request.user, Award, award_id, organization=org)
    recipients = list(item.recipients.select_related("person"))
    mark_visible_links(request.user, [item])
    return render(request, "awards/award.html", {
        "org": org, "award": item, "recipients": recipients,
        "can_edit": rules.can_record_awards(request.user, item),
        "breadcrumbs": _crumbs(org, (item.title, None)),
    })


@login_required
def award_new(request, org_code):
    org = _org(request, org_code)
    if not rules.can_record_awards(request.user, Award(organization=org)):
        raise Http404("No such page")
    form = AwardForm(request.POST or None,
                     people=permissions.visible_people(request.user).order_by("name", "pk"),
                     outputs=permissions.visible(request.user, Output).filter(organization__path__startswith=org.path),
                     talks=permissions.visible(request.user, Talk).order_by("-pk"))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("recipients", "guests")}
        try:
            item = services.award_create(by=request.user, organization=org, recipients=form.recipients(), **data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Award recorded."))
            return redirect(item.get_absolute_url())
    return _form_page(request, org, form, _("New award"))


def _form_page(request, org, form, title, status=200):
    return render(request, "awards/form.html", {
        "org": org, "form": form, "title": title, "breadcrumbs": _crumbs(org, (title, None)),
    }, status=status)


# --- Competitions ---


def get_competition_or_404(request, org_code, competition_id) -> Competition:
    """The competition, if the user may see it (judges and entrants from elsewhere too)."""
    return permissions.get_or_404(request.user, Competition, competition_id, organization__code=org_code)


@login_required
def competition_new(request, org_code):
    org = _org(request, org_code)
    if not permissions.can_manage_org(request.user, org):
        raise Http404("No such page")
    form = CompetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.competition_create(by=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Competition created. Add its rules, criteria, prizes and judges."))
            return redirect(item.get_absolute_url())
    return _form_page(request, org, form, _("New competition"))


def _competition_page(request, item: Competition, forms=None, status=200):
    user = request.user
    org = item.organization
    manage = rules.can_manage_competition(user, item)
    forms = forms or {}
    published = item.status == CompetitionStatus.PUBLISHED
    entries = []
    if manage or published:
        entries = list(item.entries.select_related("organization", "grade", "output", "talk")
                       .prefetch_related(_entrants()).order_by("rank", "number") if published
                       else item.entries.select_related("organization", "output", "talk")
                       .prefetch_related(_entrants()))
        mark_visible_links(user, entries)
    context = {
        "org": org, "competition": item, "can_manage": manage, "published": published,
        "rules": list(item.rules.select_related("organization", "output_kind")),
        "criteria": list(item.criteria.all()),
        "prizes": list(item.prizes.select_related("grade")),
        "entries": entries,
        "judges": list(item.judges.select_related("person")) if manage else [],
        "judge": rules.judge_of(user, item),
        "can_enter": rules.can_enter(user, item) or (manage and item.status == CompetitionStatus.OPEN),
        "can_edit": manage and item.status in (CompetitionStatus.DRAFT, CompetitionStatus.OPEN,
                                               CompetitionStatus.CLOSED, CompetitionStatus.SCORING),
        "draft": item.status == CompetitionStatus.DRAFT,
        "next_status": services.NEXT.get(item.status),
        "breadcrumbs": [(_("Awards and competitions"), None), (item.display_title, None)],
    }
    if permissions.can_read_internal_of(user, org) or manage:
        context["breadcrumbs"] = _crumbs(org, (item.display_title, None))
    if not manage and not published:
        context["own_entries"] = list(rules.visible_entries(user).filter(competition=item))
    if manage:
        context["next_label"] = CompetitionStatus(context["next_status"]).label if context["next_status"] else ""
        if item.status == CompetitionStatus.DRAFT:
            context["rule_form"] = forms.get("rule") or RuleForm(
                organizations=permissions.visible_organizations(user).filter(is_active=True))
            context["criterion_form"] = forms.get("criterion") or CriterionForm()
            context["prize_form"] = forms.get("prize") or PrizeForm()
        if item.status in (CompetitionStatus.DRAFT, CompetitionStatus.OPEN, CompetitionStatus.CLOSED):
            context["judge_form"] = forms.get("judge") or JudgeForm(
                people=permissions.visible_people(user).order_by("name", "pk"))
    return render(request, "awards/competition.html", context, status=status)


@login_required
def competition(request, org_code, competition_id):
    return _competition_page(request, get_competition_or_404(request, org_code, competition_id))


def _managed(request, org_code, competition_id) -> Competition:
    item = get_competition_or_404(request, org_code, competition_id)
    if not rules.can_manage_competition(request.user, item):
        raise Http404("No such page")
    return item


def _setup(request, org_code, competition_id, key, form_class, call, done, **form_kwargs):
    item = _managed(request, org_code, competition_id)
    form = form_class(request.POST, **form_kwargs(request) if callable(form_kwargs) else form_kwargs)
    if form.is_valid():
        try:
            call(item, form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(item.get_absolute_url())
    return _competition_page(request, item, forms={key: form}, status=400)


@login_required
@require_POST
def rule_add(request, org_code, competition_id):
    return _setup(request, org_code, competition_id, "rule", RuleForm,
                  lambda c, d: services.rule_add(by=request.user, competition=c, **d), _("Rule added."),
                  organizations=permissions.visible_organizations(request.user).filter(is_active=True))


@login_required
@require_POST
def criterion_add(request, org_code, competition_id):
    return _setup(request, org_code, competition_id, "criterion", CriterionForm,
                  lambda c, d: services.criterion_add(by=request.user, competition=c, **d), _("Criterion added."))


@login_required
@require_POST
def prize_set(request, org_code, competition_id):
    return _setup(request, org_code, competition_id, "prize", PrizeForm,
                  lambda c, d: services.prize_set(by=request.user, competition=c, **d), _("Prize saved."))


@login_required
@require_POST
def judge_add(request, org_code, competition_id):
    return _setup(request, org_code, competition_id, "judge", JudgeForm,
                  lambda c, d: services.judge_add(by=request.user, competition=c, person=d["person"]),
                  _("Judge added."), people=permissions.visible_people(request.user))


@login_required
@require_POST
def advance(request, org_code, competition_id):
    item = _managed(request, org_code, competition_id)
    to = request.POST.get("to", "")
    if to not in CompetitionStatus.values:
        raise Http404("No such state")
    try:
        services.competition_advance(by=request.user, competition=item, to=to)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The competition is now: %(status)s.") % {"status": CompetitionStatus(to).label})
    return redirect(item.get_absolute_url())


# --- Entries ---


def entry_form(request, *, manage: bool, initial: dict) -> EntryForm:
    """The entry form with the choices the user may make: an entrant enters for an organization
    of their own, a manager for any they see."""
    user = request.user
    access = permissions.reader(user)
    organizations = (permissions.visible_organizations(user) if manage
                     else Organization.objects.filter(pk__in=access.organization_ids)).filter(is_active=True)
    return EntryForm(request.POST or None, request.FILES or None, initial=initial,
                     organizations=organizations, people=permissions.visible_people(user).order_by("name", "pk"),
                     outputs=permissions.visible(user, Output).order_by("-completed_on", "-pk"),
                     talks=permissions.visible(user, Talk).order_by("-pk"))


def names_self(access, entrants) -> bool:
    return any(getattr(p, "pk", None) == access.person_id for p, _b in entrants)


@login_required
def enter(request, org_code, competition_id):
    item = get_competition_or_404(request, org_code, competition_id)
    user = request.user
    manage = rules.can_manage_competition(user, item)
    if not (rules.can_enter(user, item) or (manage and item.status == CompetitionStatus.OPEN)):
        raise Http404("No such page")
    access = permissions.reader(user)
    initial = {"entrants": access.person.name} if access.person is not None and not manage else {}
    form = entry_form(request, manage=manage, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        entrants = d["entrants"]
        if not manage and not names_self(access, entrants):
            form.add_error("entrants", _("Enter your own entry: name yourself among the entrants."))
        else:
            try:
                entry = services.entry_submit(by=user, competition=item, organization=d["organization"],
                                              title=d["title"], entrants=entrants, abstract=d["abstract"],
                                              output=d["output"], talk=d["talk"], file=d["file"])
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("Entry %(code)s received.") % {"code": entry.code})
                return redirect(entry.get_absolute_url())
    title = _("Enter: %(title)s") % {"title": item.display_title}
    return render(request, "awards/form.html", {
        "org": item.organization, "form": form, "title": title, "competition": item,
        "rules": list(item.rules.select_related("organization", "output_kind")),
        "breadcrumbs": [(item.display_title, item.get_absolute_url()), (title, None)],
    }, status=400 if request.method == "POST" else 200)


def _entry(request, org_code, competition_id, entry_id) -> Entry:
    return permissions.get_or_404(request.user, Entry, entry_id, competition_id=competition_id,
                                  competition__organization__code=org_code)


@login_required
def entry(request, org_code, competition_id, entry_id):
    item = _entry(request, org_code, competition_id, entry_id)
    competition = item.competition
    mark_visible_links(request.user, [item])
    return render(request, "awards/entry.html", {
        "org": competition.organization, "competition": competition, "entry": item,
        "can_edit": competition.status == CompetitionStatus.OPEN and rules.can_edit_entry(request.user, item),
        "entrants": list(item.entrants.select_related("person")),
        "published": competition.status == CompetitionStatus.PUBLISHED,
        "breadcrumbs": [(competition.display_title, competition.get_absolute_url()), (item.title, None)],
    })


def serve(stored, name: str):
    if not stored:
        raise Http404("No such file")
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def entry_file(request, org_code, competition_id, entry_id):
    item = _entry(request, org_code, competition_id, entry_id)
    ext = item.file.name.rsplit(".", 1)[-1] if item.file else "bin"
    return serve(item.file, f"entry-{item.code}.{ext}")


@login_required
def results_xlsx(request, org_code, competition_id):
    item = get_competition_or_404(request, org_code, competition_id)
    manage = rules.can_manage_competition(request.user, item)
    if not (manage or item.status == CompetitionStatus.PUBLISHED):
        raise Http404("No results yet")
    rows = []
    if item.status == CompetitionStatus.PUBLISHED:
        entries = list(item.entries.select_related("organization", "grade").prefetch_related(_entrants())
                       .order_by("rank", "number"))
        for e in entries:
            rows.append([e.code, e.title, join_list(x.display_name for x in e.entrants.all()),
                         e.organization.display_name, e.score, e.rank, _("tied") if e.tied else "",
                         e.grade.display_name if e.grade_id else ""])
    else:  # the managers' preview, computed from the scores so far
        entries = {e.pk: e for e in item.entries.select_related("organization").prefetch_related(_entrants())}
        grades = {p.grade_id: p.grade for p in item.prizes.select_related("grade")}
        for r in services.compute_results(item):
            e = entries[r.entry_id]
            rows.append([e.code, e.title, join_list(x.display_name for x in e.entrants.all()),
                         e.organization.display_name, r.score, r.rank, _("tied") if r.tied else "",
                         grades[r.grade_id].display_name if r.grade_id else ""])
    return xlsx_response(
        filename=f"results-{item.pk}.xlsx", title=_("Results"),
        headers=[_("Entry"), _("Title"), _("Entrants"), _("Organization"), _("Score"), _("Rank"), _("Tie"),
                 _("Grade")],
        rows=rows, number_formats={4: "0.00"})



