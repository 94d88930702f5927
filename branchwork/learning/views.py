"""Learning on the web: an organization's study plans, a plan with its materials and sessions,
members' study notes, a member's own training hours (with external training to submit) and,
for the secretaries alone, who is short of the year's hours. Internal only: the anonymous are
sent to the login page, everyone without access gets 404. Nothing is ranked.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from branchwork.activities.models import Activity
from branchwork.core import permissions
from branchwork.core import selectors as core_selectors
from branchwork.core.conflicts import Conflict, VersionConflict
from branchwork.core.exports import xlsx_response
from branchwork.core.forms import service_errors
from branchwork.core.models import Membership, Organization, OrganizationKind, Person, Role
from branchwork.learning import selectors, services
from branchwork.learning.forms import (
    CourseForm,
    ItemForm,
    NoteForm,
    PlanForm,
    ResubmitForm,
    ReturnForm,
    TrainingForm,
)
from branchwork.learning.models import (
    ExternalTraining,
    StudyNote,
    StudyPlan,
    StudyPlanItem,
    TrainingCourse,
    TrainingStatus,
)
from branchwork.lectures.models import Talk
from branchwork.publishing.models import ArticlePage


def _org_crumbs(org, *tail):
    crumbs = [(_("Organizations"), reverse("core:org_list"))]
    crumbs += [(a.display_name, a.get_absolute_url()) for a in core_selectors.ancestors(org)]
    crumbs.append((org.display_name, org.get_absolute_url()))
    crumbs.append((_("Learning"), reverse("learning:index", args=[org.code])))
    return crumbs + list(tail)


def _my_crumbs(*tail):
    return [(_("My page"), reverse("core:my")), (_("My learning"), reverse("learning:my")), *tail]




def _readable_org(user, org_code) -> Organization:
    """An organization whose internal content (plans, courses) the user reads; 404 otherwise."""
    org = Organization.objects.filter(code=org_code).select_related("unit").first()
    if org is None or not permissions.can_read_internal_of(user, org):
        raise Http404("No such organization")
    return org


def _person(user) -> Person:
    person = getattr(user, "person", None) if permissions.reader(user).person_id else None
    if person is None:
        raise Http404("No person")
    return person


def _this_year() -> int:
    return timezone.localdate().year


# --- An organization's learning ---


@login_required
def index(request, org_code):
    org = _readable_org(request.user, org_code)
    plans = list(selectors.plans_of(org))
    courses = list(permissions.visible(request.user, TrainingCourse).filter(organization=org)
                   .order_by("-ends_on", "-pk")[:20])
    return render(request, "learning/index.html", {
        "org": org, "plans": plans, "courses": courses,
        "notes": list(selectors.notes_visible_in(request.user, org)[:50]),
        "can_manage": permissions.can_manage_org(request.user, org),
        "can_see_hours": permissions.can(request.user, "see_training_hours", org),
        "this_year": _this_year(),
        "breadcrumbs": _org_crumbs(org)[:-1] + [(_("Learning"), None)],
    })


def _visible_ids(user, model, ids) -> set[int]:
    ids = {i for i in ids if i}
    if not ids:
        return set()
    return set(permissions.visible(user, model).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
def plan(request, org_code, year):
    org = _readable_org(request.user, org_code)
    plan = StudyPlan.objects.filter(organization=org, year=year).first()
    if plan is None:
        raise Http404("No plan for that year")
    items = list(selectors.plan_items(plan))
    # What each reader may open of what the items link: one query per kind, whatever the items.
    articles = _visible_ids(request.user, ArticlePage, (i.article_id for i in items))
    talks = _visible_ids(request.user, Talk, (i.talk_id for i in items))
    sessions = _visible_ids(request.user, Activity, (s.pk for i in items for s in i.sessions.all()))
    for item in items:
        item.article_visible = item.article_id in articles
        item.talk_visible = item.talk_id in talks
        item.visible_sessions = [s for s in item.sessions.all() if s.pk in sessions]
    return render(request, "learning/plan.html", {
        "org": org, "plan": plan, "items": items,
        "can_manage": permissions.can_manage_org(request.user, org),
        "is_member": permissions.reader(request.user).person_id is not None,
        "breadcrumbs": _org_crumbs(org, (str(plan.year), None)),
    })


@login_required
def plan_new(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    form = PlanForm(request.POST or None, initial={"year": _this_year()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(by=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            return redirect(plan.get_absolute_url())
    return render(request, "learning/form.html", {
        "form": form, "title": _("New study plan"), "submit": _("Create the plan"),
        "breadcrumbs": _org_crumbs(org, (_("New study plan"), None)),
    })


def _item_choices(user, org, year) -> dict:
    """The talks and collective studies an item of `org`'s plan for `year` may link."""
    start, end = selectors.year_bounds(year)
    sessions = (permissions.visible(user, Activity)
                .filter(Q(organization=org) | Q(co_organizers=org), type_tags__code="collective_study",
                        starts_at__gte=start, starts_at__lt=end).distinct().order_by("starts_at"))
    talks = permissions.visible(user, Talk).filter(date__year__in=[year - 1, year]).order_by("-date")
    return {"talks": talks, "sessions": sessions}


@login_required
def item_new(request, org_code, year):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    plan = StudyPlan.objects.filter(organization=org, year=year).first()
    if plan is None:
        raise Http404("No plan for that year")
    form = ItemForm(request.POST or None, request.FILES or None, **_item_choices(request.user, org, year))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_item_add(by=request.user, plan=plan, topic=data["topic"], month=data["month"],
                                   note=data["note"], talk=data["talk"], file=data["file"],
                                   url=data["url"], sessions=data["sessions"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            return redirect(plan.get_absolute_url())
    return render(request, "learning/form.html", {
        "form": form, "title": _("New item of the plan"), "submit": _("Add the item"), "multipart": True,
        "breadcrumbs": _org_crumbs(org, (str(year), plan.get_absolute_url()), (_("New item"), None)),
    })


def _managed_item(request, org_code, item_id) -> tuple[Organization, StudyPlanItem]:
    """An item of a plan of an organization the user manages; 404 for everyone else."""
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    item = (StudyPlanItem.objects.filter(pk=item_id, plan__organization=org)
            .select_related("plan__organization").prefetch_related("sessions").first())
    if item is None:
        raise Http404("No such item")
    return org, item


@login_required
def item_edit(request, org_code, item_id):
    org, item = _managed_item(request, org_code, item_id)
    plan = item.plan
    initial = {"month": item.month, "topic": item.topic, "note": item.note, "talk": item.talk_id,
               "url": item.url, "sessions": [s.pk for s in item.sessions.all()], "version": item.version}
    form = ItemForm(request.POST or None, request.FILES or None, initial=initial, editing=item,
                    **_item_choices(request.user, org, plan.year))
    stored = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_item_update(
                by=request.user, item=item, topic=data["topic"], month=data["month"], note=data["note"],
                talk=data["talk"], file=data["file"], remove_file=data.get("remove_file", False),
                url=data["url"], sessions=data["sessions"], version=data["version"])
        except VersionConflict as exc:
            stored = {"title": exc.current["topic"], "body": exc.current["note"]}
            form.add_error(None, exc.messages[0])
        except Conflict as exc:  # removed meanwhile
            messages.error(request, exc.messages[0])
            return redirect(plan.get_absolute_url())
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The item is saved."))
            return redirect(plan.get_absolute_url())
    return render(request, "learning/form.html", {
        "form": form, "title": item.topic, "submit": _("Save the item"), "multipart": True, "stored": stored,
        "delete_url": reverse("learning:item_delete", args=[org.code, item.pk]),
        "breadcrumbs": _org_crumbs(org, (str(plan.year), plan.get_absolute_url()), (_("Edit"), None)),
    }, status=409 if stored else 200)


@login_required
def item_delete(request, org_code, item_id):
    """A confirmation page (GET), and the removal (POST) of the version confirmed."""
    org, item = _managed_item(request, org_code, item_id)
    plan = item.plan
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            services.plan_item_delete(by=request.user, item=item, version=version)
        except Conflict as exc:
            messages.error(request, exc.messages[0])
            return redirect(plan.get_absolute_url())
        messages.success(request, _("The item is removed from the plan."))
        return redirect(plan.get_absolute_url())
    return render(request, "learning/confirm_delete.html", {
        "item": item, "plan": plan, "cancel_url": plan.get_absolute_url(),
        "breadcrumbs": _org_crumbs(org, (str(plan.year), plan.get_absolute_url()), (_("Remove"), None)),
    })


@login_required
def course_new(request, org_code):
    """Record a training course with its hours and the members who completed it: the
    organization's managers (the secretary)."""
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    people = Person.objects.filter(
        pk__in=Membership.objects.current().filter(organization=org, role=Role.MEMBER).values("person_id")
    ).order_by("name", "pk")
    form = CourseForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_record(by=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The course is recorded: its hours count for its participants."))
            return redirect(reverse("learning:index", args=[org.code]))
    return render(request, "learning/form.html", {
        "form": form, "title": _("Record a training course"), "submit": _("Record the course"),
        "breadcrumbs": _org_crumbs(org, (_("Record a training course"), None)),
    })


@login_required
def item_file(request, org_code, item_id):
    org = _readable_org(request.user, org_code)
    item = permissions.get_or_404(request.user, StudyPlanItem, item_id, plan__organization=org)
    if not item.file:
        raise Http404("No file")
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True,
                            filename=item.file_name or item.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def org_hours(request, org_code, year):
    """Who is short of the year's hours: the secretaries' page, by name, never ranked."""
    org = permissions.get_org_or_404(request.user, org_code)
    if not permissions.can(request.user, "see_training_hours", org):
        raise Http404("Not yours to see")
    rows = selectors.organization_hours(org, year)
    pending = list(permissions.visible(request.user, ExternalTraining)
                   .filter(organization=org, status=TrainingStatus.SUBMITTED)
                   .select_related("person").order_by("submitted_at", "pk"))
    return render(request, "learning/org_hours.html", {
        "org": org, "year": year, "short": [r for r in rows if r.short],
        "met": sum(1 for r in rows if not r.short), "total": len(rows),
        "rule": selectors.training_rule(), "pending": pending,
        "breadcrumbs": _org_crumbs(org, (_("Training hours %(year)s") % {"year": year}, None)),
    })


@login_required
def org_hours_export(request, org_code, year):
    """The secretaries' list of who is short of the year's hours, as a workbook: names as text,
    in name order (never ranked by hours), the hours as numbers."""
    org = permissions.get_org_or_404(request.user, org_code)
    if not permissions.can(request.user, "see_training_hours", org):
        raise Http404("Not yours to see")
    short = [r for r in selectors.organization_hours(org, year) if r.short]
    return xlsx_response(
        filename=f"{org.code}-training-hours-{year}.xlsx", title=_("Not yet earned"),
        headers=[pgettext("hours", "Member"), pgettext("hours", "Earned"),
                 pgettext("hours", "Required"), pgettext("hours", "Missing")],
        rows=[(r.person.display_name, r.total, r.required, r.missing) for r in short])


# --- Notes ---


@login_required
def note(request, note_id):
    note = permissions.get_or_404(request.user, StudyNote, note_id)
    return render(request, "learning/note.html", {
        "note": note, "can_edit": permissions.can(request.user, "edit", note),
        "breadcrumbs": [(_("Learning"), reverse("learning:index", args=[note.organization.code])),
                        (note.title, None)],
    })


# Notes and external training belong to an organization with a secretary (not a Party group).
NOTE_KINDS = (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH, OrganizationKind.COMMITTEE)


def _member_orgs(person):
    return Organization.objects.filter(
        pk__in=person.memberships.current().values("organization_id"), is_active=True,
        kind__in=NOTE_KINDS).order_by("path")


@login_required
def note_new(request):
    person = _person(request.user)
    orgs = _member_orgs(person)
    items = StudyPlanItem.objects.filter(plan__organization__in=orgs, plan__year__gte=_this_year() - 1) \
        .select_related("plan").order_by("-plan__year", "month", "order")
    initial = {"organization": orgs.first(), "item": request.GET.get("item")}
    form = NoteForm(request.POST or None, organizations=orgs, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.note_write(by=request.user, person=person, organization=data["organization"],
                                       item=data["item"], title=data["title"], body=data["body"],
                                       shared=data["shared"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            return redirect(note.get_absolute_url())
    return render(request, "learning/form.html", {
        "form": form, "title": _("New study note"), "submit": _("Save the note"),
        "breadcrumbs": _my_crumbs((_("New study note"), None)),
    })


@login_required
def note_edit(request, note_id):
    note = permissions.get_or_404(request.user, StudyNote, note_id)
    if not permissions.can(request.user, "edit", note):
        raise Http404("Not yours")
    initial = {"title": note.title, "body": note.body, "shared": note.shared, "version": note.version}
    form = NoteForm(request.POST or None, organizations=None, items=None, editing=True, initial=initial)
    stored = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.note_update(by=request.user, note=note, title=data["title"], body=data["body"],
                                 shared=data["shared"], version=data["version"])
        except VersionConflict as exc:
            stored = exc.current
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The note is saved."))
            return redirect(note.get_absolute_url())
    return render(request, "learning/form.html", {
        "form": form, "title": note.title, "submit": _("Save the note"), "stored": stored,
        "breadcrumbs": _my_crumbs((note.title, note.get_absolute_url()), (_("Edit"), None)),
    })


# --- A member's own hours and external training ---


@login_required
def my_learning(request, year=None):
    person = _person(request.user)
    year = year or _this_year()
    return render(request, "learning/my.html", {
        "person": person, "year": year, "row": selectors.person_hours(person, year),
        "entries": selectors.hours_entries(person, year),
        "rule": selectors.training_rule(),
        "notes": list(StudyNote.objects.filter(person=person).select_related("organization")[:50]),
        "trainings": list(ExternalTraining.objects.filter(person=person).select_related("organization")[:50]),
        "years": [y for y in range(_this_year(), _this_year() - 4, -1)],
        "breadcrumbs": _my_crumbs()[:-1] + [(_("My learning"), None)],
    })


@login_required
def training_new(request):
    person = _person(request.user)
    form = TrainingForm(request.POST or None, request.FILES or None, organizations=_member_orgs(person))
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_submit(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Submitted: the secretary will look at it."))
            return redirect(reverse("learning:training", args=[training.pk]))
    return render(request, "learning/form.html", {
        "form": form, "title": _("Submit external training"), "submit": _("Submit"), "multipart": True,
        "breadcrumbs": _my_crumbs((_("Submit external training"), None)),
    })


@login_required
def training(request, training_id):
    training = permissions.get_or_404(request.user, ExternalTraining, training_id)
    return render(request, "learning/training.html", {
        "training": training, "can_decide": permissions.can(request.user, "decide", training),
        "can_resubmit": permissions.can(request.user, "resubmit", training),
        "return_form": ReturnForm(),
        "breadcrumbs": [(_("Learning"), reverse("learning:index", args=[training.organization.code])),
                        (training.title, None)],
    })


@login_required
def training_evidence(request, training_id):
    training = permissions.get_or_404(request.user, ExternalTraining, training_id)
    try:
        handle = training.evidence.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True,
                            filename=training.evidence_name or training.evidence.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


def _decided(request, training_id):
    training = permissions.get_or_404(request.user, ExternalTraining, training_id)
    if not permissions.can(request.user, "decide", training):
        raise Http404("Not yours to decide")
    return training


@login_required
@require_POST
def training_approve(request, training_id):
    training = _decided(request, training_id)
    try:
        services.training_approve(by=request.user, training=training)
    except Conflict as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Approved: its hours count."))
    return redirect(reverse("learning:training", args=[training.pk]))


@login_required
@require_POST
def training_return(request, training_id):
    training = _decided(request, training_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is missing, so that the member can add it."))
    else:
        try:
            services.training_return(by=request.user, training=training, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Returned to the member."))
    return redirect(reverse("learning:training", args=[training.pk]))


@login_required
def training_resubmit(request, training_id):
    """The member corrects returned training and submits it again. The state is checked again
    under the row lock when it is saved: approved or resubmitted meanwhile is refused."""
    training = permissions.get_or_404(request.user, ExternalTraining, training_id)
    if not permissions.can(request.user, "resubmit", training):
        raise Http404("Not yours")
    back = reverse("learning:training", args=[training.pk])
    if request.method != "POST" and training.status != TrainingStatus.RETURNED:
        messages.info(request, _("Only returned training is submitted again; this one is %(status)s.")
                      % {"status": training.get_status_display()})
        return redirect(back)
    initial = {f: getattr(training, f) for f in ("title", "provider", "starts_on", "ends_on", "hours")}
    form = ResubmitForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.training_resubmit(by=request.user, training=training, title=data["title"],
                                       provider=data["provider"], starts_on=data["starts_on"],
                                       ends_on=data["ends_on"], hours=data["hours"],
                                       evidence=data["evidence"] or None)
        except Conflict as exc:
            form.add_error(None, exc.messages[0])
            status = 409
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Submitted again: the secretary will look at it."))
            return redirect(back)
    return render(request, "learning/form.html", {
        "form": form, "title": _("Correct and submit again"), "submit": _("Submit again"), "multipart": True,
        "intro": training.comment,
        "breadcrumbs": _my_crumbs((training.title, back), (_("Submit again"), None)),
    }, status=status)
