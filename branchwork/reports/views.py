"""Ledger exports: ask for one, watch it being built, download it. Thin: parse, ask the policy,
call a service, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from branchwork.core import permissions, selectors
from branchwork.reports import services
from branchwork.reports.forms import LedgerForm, field_label
from branchwork.reports.ledger import CONTENT_TYPES
from branchwork.reports.models import ExportStatus, LedgerExport
from branchwork.rulebook.loader import get_rulebook


def _ledger_org(user, org_code):
    """The organization, if this user may export its ledger (404 otherwise)."""
    org = permissions.get_org_or_404(user, org_code)
    if not permissions.can(user, "export_ledger", org):
        raise Http404("No such organization")
    return org


def _export_or_404(user, org, export_id) -> LedgerExport:
    """An export is its requester's alone."""
    return permissions.get_or_404(user, LedgerExport, export_id, organization=org)


def _crumbs(org, *tail):
    crumbs = [(_("Organizations"), reverse("core:org_list"))]
    crumbs += [(a.display_name, a.get_absolute_url()) for a in selectors.ancestors(org)]
    crumbs.append((org.display_name, org.get_absolute_url()))
    return crumbs + list(tail)


def _urls(export: LedgerExport) -> dict[str, str]:
    args = [export.organization.code, export.pk]
    return {
        "page": reverse("reports:ledger_export", args=args),
        "status": reverse("reports:ledger_status", args=args),
        "download": reverse("reports:ledger_download", args=args),
    }


def _labels() -> dict:
    return {name: field_label(name) for name in ("year", "type_code", "format", "status")}


def _type_label(code: str) -> str:
    return get_rulebook().label(code) if code else _("All types")


@login_required
def ledger(request, org_code):
    org = _ledger_org(request.user, org_code)
    form = LedgerForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = services.ledger_export_request(
                by=request.user, organization=org, year=data["year"],
                type_code=data["type_code"] or None, fmt=data["format"])
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("reports:ledger_export", org_code=org.code, export_id=export.pk)
    exports = list(permissions.visible(request.user, LedgerExport).filter(organization=org)[:10])
    for export in exports:
        export.type_label = _type_label(export.type_code)
        export.urls = _urls(export)
    return render(request, "reports/ledger.html", {
        "org": org,
        "form": form,
        "exports": exports,
        "labels": _labels(),
        "breadcrumbs": _crumbs(org, (_("Ledger"), None)),
    })


@login_required
def ledger_export(request, org_code, export_id):
    org = _ledger_org(request.user, org_code)
    export = services.settle_orphaned(_export_or_404(request.user, org, export_id))
    return render(request, "reports/ledger_export.html", {
        "org": org,
        "export": export,
        "type_label": _type_label(export.type_code),
        "labels": _labels(),
        "urls": _urls(export),
        "pending": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
        "breadcrumbs": _crumbs(org, (_("Ledger"), reverse("reports:ledger", args=[org.code])),
                               (str(export.year), None)),
    })


@never_cache
@login_required
def ledger_status(request, org_code, export_id):
    org = _ledger_org(request.user, org_code)
    export = services.settle_orphaned(_export_or_404(request.user, org, export_id))
    done = export.status == ExportStatus.DONE
    return JsonResponse({
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "progress": export.progress,
        "download_url": _urls(export)["download"] if done else None,
        "filename": export.filename if done else None,
        "error": export.error if export.status == ExportStatus.FAILED else None,
    })


@login_required
def ledger_download(request, org_code, export_id):
    org = _ledger_org(request.user, org_code)
    export = _export_or_404(request.user, org, export_id)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404("Not built yet")
    try:
        handle = export.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is gone") from None
    return FileResponse(handle, as_attachment=True, filename=export.filename,
                        content_type=CONTENT_TYPES.get(export.format, "application/octet-stream"))
