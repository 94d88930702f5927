"""The journal on the web: journals and issues for members, an issue's web version and its PDF,
and the editors' forms. Thin: parse, ask the policy, call a service, render.

Internal only: the anonymous are sent to the login page (login_required); logged-in users who
are not members get 404, as do drafts for those who do not edit the journal.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branchwork.core import permissions, richtext
from branchwork.core.forms import service_errors
from branchwork.core.models import Person
from branchwork.journal import content as content_mod
from branchwork.journal import selectors, services
from branchwork.journal.forms import (
    EntryForm,
    IssueForm,
    ReopenForm,
    SectionForm,
    default_issue_initial,
)
from branchwork.journal.models import IssueBuild, JournalEntry, JournalSection
from branchwork.reports.models import ExportStatus


def _crumbs(*tail):
    return [(_("Internal journal"), reverse("journal:index")), *tail]


def _issue_crumbs(issue, *tail):
    journal = issue.journal
    return _crumbs((journal.display_name, journal.get_absolute_url()),
                   (issue.label, issue.get_absolute_url() if tail else None), *tail)


def _errors(request, form, exc: ValidationError) -> None:
    """On the form when there is one; for a button alone, as messages above the page."""
    if form is not None:
        service_errors(form, exc)
        return
    for message in exc.messages:
        messages.error(request, message)


def _issue_args(issue) -> list:
    return [issue.journal.slug, issue.year, issue.number]


# --- Reading ---


@login_required
def index(request):
    selectors.require_reader(request.user)
    return render(request, "journal/index.html", {
        "journals": selectors.journals_with_issues(request.user),
        "breadcrumbs": _crumbs(),
    })


@login_required
def journal(request, journal_slug):
    journal = selectors.get_journal_or_404(request.user, journal_slug)
    can_edit = permissions.can(request.user, "edit", journal)
    issues = list(selectors.issues_for(request.user, journal, can_edit=can_edit))
    return render(request, "journal/journal.html", {
        "journal": journal,
        "issues": issues,
        "can_edit": can_edit,
        "breadcrumbs": _crumbs((journal.display_name, None)),
    })


def _pdf_state(issue, content) -> dict:
    fingerprint = services.issue_fingerprint(issue, content)
    build = services.current_build(issue, fingerprint)
    return {
        "build": build,
        "ready": build is not None and build.status == ExportStatus.DONE and bool(build.file),
    }


@login_required
def issue(request, journal_slug, year, number):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number)
    content = content_mod.issue_content(issue)
    bodies = content_mod.web_bodies(
        content.articles, lambda pk: reverse("journal:image", args=[*_issue_args(issue), pk]))
    for article in content.articles:
        article.body = bodies.get(article.entry_id, "")
    page_urls = {}
    if any(a.page_id for a in content.articles):
        from wagtail.models import Page

        for page in Page.objects.filter(pk__in=[a.page_id for a in content.articles if a.page_id]):
            page_urls[page.pk] = page.get_url(request=request)
    for article in content.articles:
        article.portal_url = page_urls.get(article.page_id, "") if article.page_id else ""
    return render(request, "journal/issue.html", {
        "issue": issue,
        "journal": issue.journal,
        "content": content,
        "pdf": _pdf_state(issue, content),
        "breadcrumbs": _issue_crumbs(issue),
    })


@login_required
def image(request, journal_slug, year, number, image_id):
    """A picture of the issue, for those who may read the issue (and only pictures it shows)."""
    from wagtail.images import get_image_model
    from wagtail.images.models import SourceImageIOError

    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number)
    content = content_mod.issue_content(issue)
    if image_id not in {i for a in content.articles if not a.withdrawn
                        for i in richtext.embedded_image_ids(a.html)}:
        raise Http404("No such picture in this issue")
    picture = get_image_model().objects.filter(pk=image_id).first()
    if picture is None:
        raise Http404("No such picture")
    try:
        rendition = picture.get_rendition(content_mod.WEB_IMAGE_SPEC)
        handle = rendition.file.open("rb")
    except (SourceImageIOError, OSError, ValueError):
        raise Http404("The picture is missing") from None
    response = FileResponse(handle, content_type=_image_type(rendition.file.name))
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _image_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
            "webp": "image/webp", "avif": "image/avif"}.get(ext, "application/octet-stream")


# --- The PDF ---


def _build_urls(issue, build) -> dict:
    args = [*_issue_args(issue), build.pk]
    return {
        "status": reverse("journal:pdf_status", args=args),
        "download": reverse("journal:pdf_download", args=args),
    }


def _serve(build: IssueBuild):
    try:
        handle = build.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file is gone") from None
    response = FileResponse(handle, as_attachment=True, filename=build.filename,
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def pdf(request, journal_slug, year, number):
    """The issue's PDF: the file when it is built for the issue as it is now; else its build is
    requested (once per content) and this page shows it coming."""
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number)
    build = services.pdf_request(issue=issue, by=request.user)
    if build.status == ExportStatus.DONE and build.file:
        return _serve(build)
    return render(request, "journal/pdf.html", {
        "issue": issue,
        "build": build,
        "urls": _build_urls(issue, build),
        "pending": build.is_pending,
        "breadcrumbs": _issue_crumbs(issue, (_("Print version (PDF)"), None)),
    })


def _build_or_404(issue, build_id) -> IssueBuild:
    try:
        return IssueBuild.objects.get(pk=build_id, issue=issue)
    except (IssueBuild.DoesNotExist, ValueError, TypeError):
        raise Http404("No such build") from None


@never_cache
@login_required
def pdf_status(request, journal_slug, year, number, build_id):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number)
    build = _build_or_404(issue, build_id)
    done = build.status == ExportStatus.DONE
    return JsonResponse({
        "status": build.status,
        "status_label": str(build.get_status_display()),
        "progress": build.progress,
        "download_url": _build_urls(issue, build)["download"] if done else None,
        "filename": build.filename if done else None,
        "error": build.error if build.status == ExportStatus.FAILED else None,
    })


@login_required
def pdf_download(request, journal_slug, year, number, build_id):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number)
    build = _build_or_404(issue, build_id)
    if build.status != ExportStatus.DONE or not build.file:
        raise Http404("Not built yet")
    return _serve(build)


# --- Editing ---


def _people(journal):
    org = journal.organization
    return (Person.objects.filter(memberships__organization__path__startswith=org.path)
            .distinct().order_by("name", "pk"))


def _issue_form(request, journal, *, initial=None, data=None):
    return IssueForm(data, initial=initial, people=_people(journal),
                     organizations=permissions.visible_organizations(request.user)
                     .filter(is_active=True).order_by("path"))


@login_required
def issue_new(request, journal_slug):
    journal = selectors.get_journal_or_404(request.user, journal_slug)
    if not permissions.can(request.user, "edit", journal):
        raise Http404("No such journal")
    initial = default_issue_initial(journal, services.next_number)
    initial["distribution"] = [journal.organization.pk]
    editor = Person.objects.filter(user=request.user).first()
    if editor is not None:
        initial["editor"] = editor.pk
    form = _issue_form(request, journal, initial=initial,
                       data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = services.issue_create(
                by=request.user, journal=journal, year=data["year"], number=data["number"],
                published_on=data["published_on"], editor=data["editor"],
                cover_note=data["cover_note"], distribution=data["distribution"])
        except ValidationError as exc:
            _errors(request, form, exc)
        else:
            messages.success(request, _("Issue created. Add its sections and articles."))
            return redirect("journal:issue_edit", *_issue_args(issue))
    return render(request, "journal/issue_form.html", {
        "journal": journal,
        "form": form,
        "breadcrumbs": _crumbs((journal.display_name, journal.get_absolute_url()),
                               (_("New issue"), None)),
    })


@login_required
def issue_edit(request, journal_slug, year, number):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    journal = issue.journal
    if request.method == "POST":
        form = _issue_form(request, journal, data=request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            distribution = data.pop("distribution")
            try:
                services.issue_update(by=request.user, issue=issue, distribution=distribution, **data)
            except ValidationError as exc:
                _errors(request, form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("journal:issue_edit", *_issue_args(issue))
    else:
        form = _issue_form(request, journal, initial={
            "year": issue.year, "number": issue.number, "published_on": issue.published_on,
            "editor": issue.editor_id, "cover_note": issue.cover_note,
            "distribution": list(issue.distribution.values_list("pk", flat=True)),
        })
    return render(request, "journal/issue_edit.html", {
        "issue": issue,
        "journal": journal,
        "form": form,
        "sections": list(selectors.sections_with_entries(issue)),
        "section_form": SectionForm(),
        "reopen_form": ReopenForm(),
        "corrections": list(issue.corrections.all()),
        "recipient_count": len(services.recipients(issue)) if not issue.notified_at else None,
        "breadcrumbs": _issue_crumbs(issue, (_("Edit"), None)),
    })


@login_required
@require_POST
def section_add(request, journal_slug, year, number):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_add(by=request.user, issue=issue, title=form.cleaned_data["title"],
                                 order=form.cleaned_data["order"])
        except ValidationError as exc:
            _errors(request, None, exc)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("journal:issue_edit", args=_issue_args(issue)) + "#sections")


def _section_or_404(issue, section_id) -> JournalSection:
    try:
        return JournalSection.objects.get(pk=section_id, issue=issue)
    except (JournalSection.DoesNotExist, ValueError, TypeError):
        raise Http404("No such section") from None


@login_required
def section_edit(request, journal_slug, year, number, section_id):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    section = _section_or_404(issue, section_id)
    form = SectionForm(request.POST or None, initial={"title": section.title, "order": section.order})
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(by=request.user, section=section, title=form.cleaned_data["title"],
                                    order=form.cleaned_data["order"] or 0)
        except ValidationError as exc:
            _errors(request, form, exc)
        else:
            return redirect(reverse("journal:issue_edit", args=_issue_args(issue)) + "#sections")
    return render(request, "journal/section_form.html", {
        "issue": issue, "section": section, "form": form,
        "breadcrumbs": _issue_crumbs(issue, (_("Edit"), reverse("journal:issue_edit", args=_issue_args(issue))),
                                     (section.title, None)),
    })


@login_required
@require_POST
def section_delete(request, journal_slug, year, number, section_id):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    section = _section_or_404(issue, section_id)
    try:
        services.section_delete(by=request.user, section=section)
    except ValidationError as exc:
        _errors(request, None, exc)
    else:
        messages.success(request, _("Section removed."))
    return redirect(reverse("journal:issue_edit", args=_issue_args(issue)) + "#sections")


def _entry_or_404(issue, entry_id) -> JournalEntry:
    try:
        return JournalEntry.objects.select_related("section", "page").get(pk=entry_id, section__issue=issue)
    except (JournalEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("No such article") from None


def _save_entry(request, issue, form, entry=None) -> JournalEntry:
    data = form.cleaned_data
    section = _section_or_404(issue, data["section"])
    body = data["body"]
    with transaction.atomic():
        if data.get("image"):
            image = services.image_add(by=request.user, file=data["image"],
                                       title=data["caption"] or data["title"])
            body = (services.clean_body(body) + services.embed_for(image, data["caption"]))
        fields = {"section": section, "page": data["page"], "title": data["title"],
                  "author": data["author"], "body": body, "new_page": data["new_page"]}
        if entry is None:
            return services.entry_add(by=request.user, order=data["order"], **fields)
        return services.entry_update(by=request.user, entry=entry, order=data["order"] or 0, **fields)


def _entry_page(request, issue, entry=None):
    sections = list(issue.sections.all())
    if not sections:
        messages.error(request, _("Add a section first."))
        return redirect(reverse("journal:issue_edit", args=_issue_args(issue)) + "#sections")
    if entry is None:
        initial = {"section": request.GET.get("section") or sections[0].pk}
    else:
        initial = {"section": entry.section_id, "order": entry.order, "title": entry.title,
                   "author": entry.author, "body": entry.body,
                   "page": str(entry.page_id) if entry.page_id else "", "new_page": entry.new_page}
    form = EntryForm(request.POST or None, request.FILES or None, initial=initial, sections=sections)
    if request.method == "POST" and form.is_valid():
        try:
            _save_entry(request, issue, form, entry)
        except ValidationError as exc:
            _errors(request, form, exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect(reverse("journal:issue_edit", args=_issue_args(issue)) + "#sections")
    return render(request, "journal/entry_form.html", {
        "issue": issue, "entry": entry, "form": form,
        "breadcrumbs": _issue_crumbs(issue, (_("Edit"), reverse("journal:issue_edit", args=_issue_args(issue))),
                                     (entry.title or str(entry) if entry else _("New article"), None)),
    })


@login_required
def entry_new(request, journal_slug, year, number):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    return _entry_page(request, issue)


@login_required
def entry_edit(request, journal_slug, year, number, entry_id):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    return _entry_page(request, issue, _entry_or_404(issue, entry_id))


@login_required
@require_POST
def entry_delete(request, journal_slug, year, number, entry_id):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    try:
        services.entry_delete(by=request.user, entry=_entry_or_404(issue, entry_id))
    except ValidationError as exc:
        _errors(request, None, exc)
    else:
        messages.success(request, _("Article removed."))
    return redirect(reverse("journal:issue_edit", args=_issue_args(issue)) + "#sections")


@login_required
@require_POST
def publish(request, journal_slug, year, number):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    try:
        sent = services.issue_publish(by=request.user, issue=issue)
    except ValidationError as exc:
        _errors(request, None, exc)
        return redirect("journal:issue_edit", *_issue_args(issue))
    messages.success(request, _("Published. %(count)s members are being notified by email.")
                     % {"count": sent})
    return redirect("journal:issue", *_issue_args(issue))


@login_required
@require_POST
def reopen(request, journal_slug, year, number):
    """Back to a draft for a correction, saying why (kept with the issue)."""
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is to be corrected."))
        return redirect("journal:issue_edit", *_issue_args(issue))
    try:
        services.issue_reopen(by=request.user, issue=issue, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _errors(request, None, exc)
    else:
        messages.success(request, _("Reopened for a correction. Publish it again when it is "
                                    "corrected; members are not notified a second time."))
    return redirect("journal:issue_edit", *_issue_args(issue))


@login_required
@require_POST
def issue_delete(request, journal_slug, year, number):
    issue = selectors.get_issue_or_404(request.user, journal_slug, year, number, edit=True)
    journal = issue.journal
    try:
        services.issue_delete(by=request.user, issue=issue)
    except ValidationError as exc:
        _errors(request, None, exc)
        return redirect("journal:issue_edit", *_issue_args(issue))
    messages.success(request, _("Draft issue deleted."))
    return redirect(journal.get_absolute_url())
