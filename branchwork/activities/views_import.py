"""The import page: upload a CSV or XLSX file of past records; all or nothing.

Managers of an organization only (others get 404). A refused file comes back with a table of
every problem (row, column, what is wrong) and nothing written; an accepted one is written in
one transaction and the user goes to the organization's activities.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from branchwork.activities import importer
from branchwork.activities.models import ImportJob
from branchwork.core import imports, permissions, selectors, validators


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or Excel .xlsx)"),
        help_text=gettext_lazy("One activity per row, with the column headers in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file; import nothing"), required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = imports.limits()["bytes"]
        if upload.size > limit:
            raise forms.ValidationError(_("The file is larger than %(size)s MB.")
                                        % {"size": imports.megabytes(limit)})
        return upload


def _activities_url(org) -> str:
    try:
        return reverse("activities:list", args=[org.code])
    except NoReverseMatch:  # until the activity pages are wired in
        return f"/orgs/{org.code}/activities/"


@login_required
@require_http_methods(["GET", "POST"])
def import_activities(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    list_url = _activities_url(org)
    errors: list[importer.RowError] = []
    checked = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if not form.cleaned_data["dry_run"]:
                # Writing runs as a task; the page of the job shows its progress and outcome.
                job = importer.start_job(by=request.user, organization=org, name=upload.name,
                                         data=upload.read())
                return redirect(job.get_absolute_url())
            try:
                result = importer.run_import(
                    by=request.user, organization=org, name=upload.name, data=upload.read(),
                    dry_run=form.cleaned_data["dry_run"],
                )
            except importer.ImportRefused as refused:
                errors = refused.errors
            else:
                if result.dry_run:
                    checked = result
                else:
                    count = len(result.activities)
                    messages.success(request, ngettext(
                        "%(count)s activity was imported from “%(name)s”. It is held with its "
                        "minutes in draft: review it, then submit and lock it.",
                        "%(count)s activities were imported from “%(name)s”. They are held with "
                        "their minutes in draft: review them, then submit and lock each one.",
                        count) % {"count": count, "name": upload.name})
                    return redirect(list_url)
    else:
        form = ImportForm()
    crumbs = [(_("Organizations"), reverse("core:org_list"))]
    crumbs += [(a.display_name, a.get_absolute_url()) for a in selectors.ancestors(org)]
    crumbs += [(org.display_name, org.get_absolute_url()), (_("Activities"), list_url),
               (_("Import past records"), None)]
    return render(request, "activities/import.html", {
        "org": org,
        "form": form,
        "errors": errors,
        "checked": checked,
        "columns": importer.COLUMNS,
        "max_rows": imports.limits()["records"],
        "list_url": list_url,
        "breadcrumbs": crumbs,
    })


@login_required
@require_http_methods(["GET"])
def import_job(request, org_code, job_id):
    """The progress and outcome of an import run as a task; reloads itself until it ends."""
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    if validators.parse_id(job_id) is None:
        raise Http404
    job = get_object_or_404(ImportJob, pk=job_id, organization=org)
    list_url = _activities_url(org)
    crumbs = [(_("Organizations"), reverse("core:org_list"))]
    crumbs += [(a.display_name, a.get_absolute_url()) for a in selectors.ancestors(org)]
    crumbs += [(org.display_name, org.get_absolute_url()), (_("Activities"), list_url),
               (_("Import past records"), reverse("activities:import", args=[org.code])),
               (job.name, None)]
    return render(request, "activities/import_job.html", {
        "org": org,
        "job": job,
        "list_url": list_url,
        "breadcrumbs": crumbs,
    })
