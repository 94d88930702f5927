"""Research work on the web, under an organization: topics, outputs (text, files, versions,
draft rounds, submissions and instructions, follow-ups, publications), publications of a year,
the yearly figures, and the list of outlets. Views parse, ask the policy, call a service, render.
Outsiders get 404; the anonymous are sent to log in.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchwork.core import permissions
from branchwork.core.conflicts import Conflict, VersionConflict
from branchwork.core.exports import XLSX_TYPE
from branchwork.core.forms import service_errors
from branchwork.research import figures as research_figures
from branchwork.research import permissions as rules
from branchwork.research import selectors, services
from branchwork.research.forms import (
    FileForm,
    FollowUpForm,
    InstructionForm,
    OutletForm,
    OutputForm,
    PublicationForm,
    RoundForm,
    SubmissionForm,
    TextForm,
    TopicForm,
)
from branchwork.research.portal_views import portal_panel
from branchwork.research.models import CLASSIFIED_REFUSAL, Outlet, OutletTier, Output, Publication

PER_PAGE = 30


def _org(request, org_code):
    return permissions.get_org_or_404(request.user, org_code)


def _crumbs(org, *tail):
    return [(org.display_name, reverse("core:org", args=[org.code])),
            (_("Research work"), reverse("research:index", args=[org.code])), *tail]




def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 1990 <= year <= 2100 else timezone.localdate().year


@login_required
def index(request, org_code):
    org = _org(request, org_code)
    page = Paginator(selectors.outputs_of(request.user, org), PER_PAGE).get_page(request.GET.get("page"))
    year = timezone.localdate().year
    return render(request, "research/index.html", {
        "org": org, "page": page, "outputs": page.object_list,
        "topics": list(selectors.topics_of(request.user, org)[:50]),
        "can_record": rules.can_record_in(request.user, org), "year": year,
        "breadcrumbs": _crumbs(org)[:-1] + [(_("Research work"), None)],
    })


# --- Topics ---


@login_required
def topic(request, org_code, topic_id):
    org = _org(request, org_code)
    item = selectors.get_topic_or_404(request.user, org, topic_id)
    return render(request, "research/topic.html", {
        "org": org, "topic": item, "can_record": rules.can_record(request.user, item),
        "breadcrumbs": _crumbs(org, (item.display_title, None)),
    })


def _topic_edit(request, org, item=None):
    if not rules.can_record_in(request.user, org):
        raise Http404("No such page")
    initial = {}
    if item is not None:
        initial = {f: getattr(item, f) for f in ("title", "title_en", "source", "approved_on", "midterm_on",
                                                 "completed_on", "cancelled_on", "summary")}
        initial["lead"] = item.lead_id
        initial["members"] = [m.person_id for m in item.member_list if m.person_id]
        initial["guests"] = "\n".join(m.guest_name for m in item.member_list if not m.person_id)
    form = TopicForm(request.POST or None, initial=initial, people=selectors.people_for(request.user, org))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("members", "guests")}
        try:
            if item is None:
                item = services.topic_create(by=request.user, organization=org,
                                             members=form.contributors(), **data)
            else:
                services.topic_update(by=request.user, topic=item, members=form.contributors(), **data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Topic saved."))
            return redirect(item.get_absolute_url())
    title = item.display_title if item else _("New topic")
    return render(request, "research/form.html", {
        "org": org, "form": form, "title": title, "breadcrumbs": _crumbs(org, (title, None)),
    })


@login_required
def topic_new(request, org_code):
    return _topic_edit(request, _org(request, org_code))


@login_required
def topic_edit(request, org_code, topic_id):
    org = _org(request, org_code)
    return _topic_edit(request, org, selectors.get_topic_or_404(request.user, org, topic_id))


# --- Outputs ---


def _output_page(request, org, output, *, forms=None, status=200):
    user = request.user
    can_record = rules.can_record(user, output)
    can_edit = rules.can_edit_output(user, output)
    reads_instructions = rules.can_read_instruction(user, output)
    person_id = permissions.reader(user).person_id
    people = selectors.people_for(user, org)
    forms = forms or {}
    for submission in output.submissions.all():
        for instruction in submission.instructions.all():
            instruction.visible_follow_ups = [
                f for f in instruction.follow_ups.all()
                if reads_instructions or (person_id is not None and f.owner_id == person_id)]
    context = {
        "org": org, "output": output, "can_record": can_record, "can_edit": can_edit,
        "reads_instructions": reads_instructions, "classified_refusal": CLASSIFIED_REFUSAL,
        "today": timezone.localdate(), "portal_panel": portal_panel(user, output),
        "breadcrumbs": _crumbs(org, (output.display_title, None)),
    }
    if can_edit and not output.is_classified:
        context["text_form"] = forms.get("text") or TextForm(initial={
            "text": output.text, "base_version": output.version})
        context["file_form"] = forms.get("file") or FileForm()
    if can_record:
        if output.kind.has_rounds:
            context["round_form"] = forms.get("round") or RoundForm(people=people)
        context["submission_form"] = forms.get("submission") or SubmissionForm()
        context["instruction_form"] = forms.get("instruction") or InstructionForm()
        context["follow_up_form"] = forms.get("follow_up") or FollowUpForm(people=people)
        context["publication_form"] = forms.get("publication") or PublicationForm(
            publications=Publication.objects.filter(output=output).select_related("outlet"))
    context.update(forms.get("extra", {}))
    return render(request, "research/output.html", context, status=status)


@login_required
def output(request, org_code, output_id):
    org = _org(request, org_code)
    return _output_page(request, org, selectors.get_output_or_404(request.user, org, output_id))


def _output_edit(request, org, item=None):
    if not rules.can_record_in(request.user, org):
        raise Http404("No such page")
    initial = {"classification": "internal"}
    if item is not None:
        authors = list(item.authors.all())
        initial = {f: getattr(item, f) for f in ("title", "title_en", "completed_on", "classification")}
        initial.update(kind=item.kind_id, topic=item.topic_id,
                       authors=[a.person_id for a in authors if a.person_id],
                       guest_authors="\n".join(a.guest_name for a in authors if not a.person_id),
                       readers=[p.pk for p in item.readers.all()])
    elif request.GET.get("topic"):
        initial["topic"] = request.GET["topic"]
    form = OutputForm(request.POST or None, initial=initial,
                      people=selectors.people_for(request.user, org),
                      topics=rules.visible_topics(request.user).filter(organization=org))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("authors", "guest_authors", "readers")}
        try:
            if item is None:
                item = services.output_create(by=request.user, organization=org, authors=form.contributors(),
                                              readers=form.cleaned_data["readers"], **data)
            else:
                services.output_update(by=request.user, output=item, authors=form.contributors(),
                                       readers=form.cleaned_data["readers"], **data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Output saved."))
            return redirect(item.get_absolute_url())
    title = item.display_title if item else _("New output")
    return render(request, "research/form.html", {
        "org": org, "form": form, "title": title, "breadcrumbs": _crumbs(org, (title, None)),
    })


@login_required
def output_new(request, org_code):
    return _output_edit(request, _org(request, org_code))


@login_required
def output_edit(request, org_code, output_id):
    org = _org(request, org_code)
    item = selectors.get_output_or_404(request.user, org, output_id)
    if not rules.can_record(request.user, item):
        raise Http404("No such page")
    return _output_edit(request, org, item)


def _recordable(request, org_code, output_id, *, edit=False) -> tuple:
    org = _org(request, org_code)
    item = selectors.get_output_or_404(request.user, org, output_id)
    allowed = rules.can_edit_output(request.user, item) if edit else rules.can_record(request.user, item)
    if not allowed:
        raise Http404("No such page")
    return org, item


def _after(request, org, item, form_key, form, call, done: str):
    """Run a service for a posted form; on a refusal, the page again with the form and reason."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(item.get_absolute_url())
    item = selectors.get_output_or_404(request.user, org, item.pk)
    return _output_page(request, org, item, forms={form_key: form}, status=400)


@login_required
@require_POST
def output_text(request, org_code, output_id):
    org, item = _recordable(request, org_code, output_id, edit=True)
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            services.output_save_text(by=request.user, output=item, text=form.cleaned_data["text"],
                                      base_version=form.cleaned_data["base_version"],
                                      note=form.cleaned_data["note"])
        except VersionConflict as exc:
            form = TextForm(initial={"text": form.cleaned_data["text"], "note": form.cleaned_data["note"],
                                     "base_version": exc.version})
            form.is_bound = False
            item = selectors.get_output_or_404(request.user, org, item.pk)
            return _output_page(request, org, item, status=409, forms={
                "text": form, "extra": {"conflict": exc.messages[0], "stored_text": exc.current["text"]}})
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Text saved as a new version."))
            return redirect(item.get_absolute_url())
    item = selectors.get_output_or_404(request.user, org, item.pk)
    return _output_page(request, org, item, forms={"text": form}, status=400)


@login_required
@require_POST
def output_file_add(request, org_code, output_id):
    org, item = _recordable(request, org_code, output_id, edit=True)
    form = FileForm(request.POST, request.FILES)
    return _after(request, org, item, "file", form,
                  lambda d: services.output_file_add(by=request.user, output=item, upload=d["upload"]),
                  _("File added."))


def _serve(stored, name: str):
    if not stored:
        raise Http404("No such file")
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True, filename=name or stored.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def output_file(request, org_code, output_id, file_id):
    org = _org(request, org_code)
    item = selectors.get_output_or_404(request.user, org, output_id)
    stored = next((f for f in item.files.all() if str(f.pk) == str(file_id)), None)
    if stored is None or item.is_classified:
        raise Http404("No such file")
    return _serve(stored.file, stored.name)


@login_required
@require_POST
def output_file_delete(request, org_code, output_id, file_id):
    org, item = _recordable(request, org_code, output_id, edit=True)
    stored = next((f for f in item.files.all() if str(f.pk) == str(file_id)), None)
    if stored is None:
        raise Http404("No such file")
    services.output_file_remove(by=request.user, stored=stored)
    messages.success(request, _("File removed."))
    return redirect(item.get_absolute_url())


@login_required
def version(request, org_code, output_id, number):
    org = _org(request, org_code)
    item = selectors.get_output_or_404(request.user, org, output_id)
    if item.is_classified:
        raise Http404("No such version")
    stored = item.versions.model.objects.filter(output=item, number=number).select_related("saved_by").first()
    if stored is None:
        raise Http404("No such version")
    return render(request, "research/version.html", {
        "org": org, "output": item, "version": stored,
        "breadcrumbs": _crumbs(org, (item.display_title, item.get_absolute_url()),
                               (_("Version %(n)s") % {"n": stored.number}, None)),
    })


@login_required
@require_POST
def round_add(request, org_code, output_id):
    org, item = _recordable(request, org_code, output_id)
    form = RoundForm(request.POST, people=selectors.people_for(request.user, org))
    return _after(request, org, item, "round", form, lambda d: services.draft_round_add(
        by=request.user, output=item, circulated_on=d["circulated_on"], note=d["note"],
        reviews=form.reviews()), _("Round recorded."))


@login_required
@require_POST
def submission_add(request, org_code, output_id):
    org, item = _recordable(request, org_code, output_id)
    form = SubmissionForm(request.POST)
    return _after(request, org, item, "submission", form, lambda d: services.submission_create(
        by=request.user, output=item, **d), _("Submission recorded."))


@login_required
@require_POST
def instruction_add(request, org_code, output_id, submission_id):
    org, item = _recordable(request, org_code, output_id)
    submission = next((s for s in item.submissions.all() if str(s.pk) == str(submission_id)), None)
    if submission is None:
        raise Http404("No such submission")
    form = InstructionForm(request.POST, request.FILES)
    return _after(request, org, item, "instruction", form, lambda d: services.instruction_record(
        by=request.user, submission=submission, **d), _("Instruction recorded."))


def _instruction(item: Output, instruction_id):
    for submission in item.submissions.all():
        for instruction in submission.instructions.all():
            if str(instruction.pk) == str(instruction_id):
                return instruction
    raise Http404("No such instruction")


@login_required
def instruction_scan(request, org_code, output_id, instruction_id):
    org = _org(request, org_code)
    item = selectors.get_output_or_404(request.user, org, output_id)
    instruction = _instruction(item, instruction_id)
    if not rules.can_read_instruction(request.user, item):
        raise Http404("No such file")
    return _serve(instruction.scan, instruction.scan_name)


@login_required
@require_POST
def follow_up_add(request, org_code, output_id, instruction_id):
    org, item = _recordable(request, org_code, output_id)
    instruction = _instruction(item, instruction_id)
    form = FollowUpForm(request.POST, people=selectors.people_for(request.user, org))
    return _after(request, org, item, "follow_up", form, lambda d: services.follow_up_add(
        by=request.user, instruction=instruction, **d), _("Follow-up added."))


@login_required
@require_POST
def follow_up_close(request, org_code, output_id, follow_up_id):
    org = _org(request, org_code)
    item = selectors.get_output_or_404(request.user, org, output_id)
    follow_up = next((f for s in item.submissions.all() for i in s.instructions.all()
                      for f in i.follow_ups.all() if str(f.pk) == str(follow_up_id)), None)
    person_id = permissions.reader(request.user).person_id
    if follow_up is None or not (rules.can_record(request.user, item)
                                 or (person_id is not None and follow_up.owner_id == person_id)):
        raise Http404("No such follow-up")
    try:
        services.follow_up_close(by=request.user, follow_up=follow_up)
    except Conflict as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Follow-up closed."))
    return redirect(item.get_absolute_url())


@login_required
@require_POST
def publication_add(request, org_code, output_id):
    org, item = _recordable(request, org_code, output_id)
    form = PublicationForm(request.POST, request.FILES,
                           publications=Publication.objects.filter(output=item).select_related("outlet"))
    return _after(request, org, item, "publication", form, lambda d: services.publication_add(
        by=request.user, output=item, **d), _("Publication recorded."))


@login_required
def clipping(request, org_code, output_id, publication_id):
    org = _org(request, org_code)
    item = selectors.get_output_or_404(request.user, org, output_id)
    publication = next((p for p in item.publications.all() if str(p.pk) == str(publication_id)), None)
    if publication is None:
        raise Http404("No such clipping")
    return _serve(publication.clipping, publication.clipping_name)


# --- Publications of a year, figures ---


@login_required
def publications(request, org_code):
    org = _org(request, org_code)
    year = _year(request)
    tier = request.GET.get("tier") or ""
    if tier not in OutletTier.values:
        tier = ""
    rows = list(selectors.publications_of(request.user, org, year=year, tier=tier or None))
    return render(request, "research/publications.html", {
        "org": org, "year": year, "tier": tier, "tiers": OutletTier.choices, "publications": rows,
        "tier_label": OutletTier(tier).label if tier else "",
        "breadcrumbs": _crumbs(org, (_("Publications"), None)),
    })


@login_required
def figures(request, org_code):
    org = _org(request, org_code)
    year = _year(request)
    result = research_figures.yearly(org, year)
    charts = [(s, research_figures.bar_chart(s)) for s in result.sections]
    this_year = timezone.localdate().year
    return render(request, "research/figures.html", {
        "org": org, "figures": result, "charts": charts, "year": year,
        "years": list(range(this_year, this_year - 6, -1)),
        "breadcrumbs": _crumbs(org, (_("Yearly figures"), None)),
    })


@login_required
def figures_xlsx(request, org_code):
    org = _org(request, org_code)
    year = _year(request)
    content = research_figures.xlsx(research_figures.yearly(org, year))
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="research-figures-{org.code}-{year}.xlsx"'
    return response


# --- Outlets ---


@login_required
def outlets(request):
    if not rules.can_read_outlets(request.user):
        raise Http404("No such page")
    can_keep = rules.can_keep_outlets(request.user)
    form = OutletForm(request.POST or None) if can_keep else None
    if request.method == "POST":
        if form is None:
            raise Http404("No such page")
        if form.is_valid():
            try:
                services.outlet_create(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("Outlet added."))
                return redirect("research:outlets")
    return render(request, "research/outlets.html", {
        "outlets": list(Outlet.objects.all()), "form": form,
        "breadcrumbs": [(_("Outlets"), None)],
    })
