"""Pages for organizations, people and roles. Thin: parse, ask the policy, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchwork.core import permissions, selectors, services
from branchwork.core.context_processors import TEXT_SIZE_COOKIE
from branchwork.core.exports import xlsx_response
from branchwork.core.forms import service_errors, MembershipForm, PersonAddForm, PersonForm, StatusChangeForm, TextSizeForm
from branchwork.core.hooks import my_page_panels
from branchwork.core.models import Membership, MembershipStatusChange, Role


def _org_crumbs(org, *tail):
    crumbs = [(_("Organizations"), reverse("core:org_list"))]
    crumbs += [(a.display_name, a.get_absolute_url()) for a in selectors.ancestors(org)]
    crumbs.append((org.display_name, org.get_absolute_url()))
    return crumbs + list(tail)




@login_required
def my_page(request):
    person = permissions.reader(request.user).person
    groups = selectors.memberships_by_org(selectors.person_memberships(person)) if person else []
    return render(
        request,
        "core/my.html",
        {
            "person": person,
            "groups": groups,
            "panels": my_page_panels(request),
            "breadcrumbs": [(_("My page"), None)],
        },
    )


@require_POST
def set_text_size(request):
    form = TextSizeForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        response.set_cookie(
            TEXT_SIZE_COOKIE, form.cleaned_data["size"], max_age=365 * 24 * 3600, samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@login_required
def org_list(request):
    orgs = list(permissions.visible_organizations(request.user).select_related("unit").order_by("path"))
    top = min((o.depth for o in orgs), default=1)
    for org in orgs:
        org.level = org.depth - top + 1  # indentation in the tree, relative to the highest shown
    return render(request, "core/org_list.html", {"orgs": orgs, "breadcrumbs": [(_("Organizations"), None)]})


@login_required
def org_detail(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code)
    return render(
        request,
        "core/org_detail.html",
        {
            "org": org,
            "officers": selectors.org_officers(org),
            "children": selectors.visible_children(request.user, org),
            "member_count": Membership.objects.current().filter(organization=org, role=Role.MEMBER).count(),
            "can_manage": permissions.can_manage_org(request.user, org),
            "breadcrumbs": _org_crumbs(org)[:-1] + [(org.display_name, None)],
        },
    )


@login_required
def org_people(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code)
    include_former = request.GET.get("former") == "1"
    return render(
        request,
        "core/org_people.html",
        {
            "org": org,
            "rows": selectors.org_people(org, include_former=include_former),
            "include_former": include_former,
            "can_manage": permissions.can_manage_org(request.user, org),
            "breadcrumbs": _org_crumbs(org, (_("People"), None)),
        },
    )


@login_required
def org_people_export(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code)
    include_former = request.GET.get("former") == "1"
    rows = []
    for row in selectors.org_people(org, include_former=include_former):
        p = row.person
        for m in row.memberships:
            rows.append([
                p.name, p.name_en, p.get_membership_status_display(), p.joined_party_on,
                p.unit.display_name if p.unit else "", p.position, m.role_label, m.start_on, m.end_on,
                p.email, p.phone,
            ])
    headers = [
        _("Name"), _("Name (English)"), _("Membership status"), _("Joined the Party on"), _("Unit"),
        _("Position"), _("Role"), _("From"), _("To"), _("Email"), _("Phone"),
    ]
    return xlsx_response(
        filename=f"{org.code}-people-{timezone.localdate():%Y%m%d}.xlsx",
        title=_("People"), headers=headers, rows=rows,
    )


@login_required
def person_detail(request, person_id):
    person = permissions.get_person_or_404(request.user, person_id)
    visible = set(permissions.visible_organizations(request.user).values_list("pk", flat=True))
    memberships = [m for m in selectors.person_memberships(person) if m.organization_id in visible or person.user_id == request.user.pk]
    can_manage = permissions.can_manage_person(request.user, person)
    # The history, with its decisions, is for those who manage the person and for the person.
    show_history = can_manage or (person.user_id is not None and person.user_id == request.user.pk)
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "groups": selectors.memberships_by_org(memberships),
            "can_manage": can_manage,
            "status_today_label": selectors.status_label_on(person, timezone.localdate()),
            "history": selectors.status_history(person) if show_history else None,
            "breadcrumbs": [(_("People"), None), (person.display_name, None)],
        },
    )


def _status_form_page(request, person, form, title, change=None):
    return render(
        request,
        "core/status_form.html",
        {
            "form": form,
            "title": title,
            "change": change,
            "cancel_url": person.get_absolute_url(),
            "breadcrumbs": [(person.display_name, person.get_absolute_url()), (title, None)],
        },
    )


@login_required
def status_add(request, person_id):
    person = permissions.get_person_or_404(request.user, person_id, manage=True)
    form = StatusChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.status_change_record(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The change of status was recorded."))
            return redirect(person)
    return _status_form_page(request, person, form,
                             _("%(name)s: record a change of status") % {"name": person.display_name})


def _get_change_or_404(person, change_id) -> MembershipStatusChange:
    try:
        return person.status_changes.get(pk=change_id)
    except (MembershipStatusChange.DoesNotExist, ValueError, TypeError):
        raise Http404("No such change") from None


@login_required
def status_edit(request, person_id, change_id):
    person = permissions.get_person_or_404(request.user, person_id, manage=True)
    change = _get_change_or_404(person, change_id)
    if request.method == "POST" and request.POST.get("delete"):
        services.status_change_delete(by=request.user, change=change)
        messages.success(request, _("The change of status was removed."))
        return redirect(person)
    form = StatusChangeForm(request.POST or None, instance=change)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.status_change_update(by=request.user, change=change, **changes)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(person)
    return _status_form_page(request, person, form,
                             _("%(name)s: change of status") % {"name": person.display_name}, change)


@login_required
def person_edit(request, person_id):
    person = permissions.get_person_or_404(request.user, person_id, manage=True)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.person_update(by=request.user, person=person, **changes)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(person)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": person.display_name},
            "cancel_url": person.get_absolute_url(),
            "breadcrumbs": [(person.display_name, person.get_absolute_url()), (_("Edit"), None)],
        },
    )


@login_required
def person_add(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    form = PersonAddForm(request.POST or None, initial={"start_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                by=request.user, organization=org, role=form.cleaned_data["role"],
                start_on=form.cleaned_data["start_on"], **form.person_fields(),
            )
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person.display_name})
            return redirect("core:org_people", org_code=org.code)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Add a person to %(org)s") % {"org": org.display_name},
            "cancel_url": org.get_absolute_url(),
            "breadcrumbs": _org_crumbs(org, (_("Add a person"), None)),
        },
    )


@login_required
def role_add(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    form = MembershipForm(
        request.POST or None,
        instance=Membership(organization=org),
        people=permissions.visible_people(request.user),
        initial={"start_on": timezone.localdate(), "person": request.GET.get("person")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_create(
                by=request.user, person=data["person"], organization=org, role=data["role"],
                portfolio=data["portfolio"], start_on=data["start_on"], end_on=data["end_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The role was added."))
            return redirect("core:org_people", org_code=org.code)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Add a role in %(org)s") % {"org": org.display_name},
            "cancel_url": org.get_absolute_url(),
            "breadcrumbs": _org_crumbs(org, (_("Add a role"), None)),
        },
    )


@login_required
def role_edit(request, org_code, membership_id):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    membership = permissions.get_membership_or_404(request.user, org, membership_id)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.membership_update(by=request.user, membership=membership, **changes)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The role was changed."))
            return redirect("core:org_people", org_code=org.code)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("%(person)s: %(role)s") % {"person": membership.person.display_name, "role": membership.role_label},
            "cancel_url": org.get_absolute_url(),
            "breadcrumbs": _org_crumbs(org, (_("Change a role"), None)),
        },
    )


def _org_audit_entries(user, org):
    qs = permissions.visible_audit_entries(user).filter(organization__path__startswith=org.path)
    return selectors.audit_entries_for(qs)


@login_required
def org_audit(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    page = Paginator(_org_audit_entries(request.user, org), 50).get_page(request.GET.get("page"))
    entries = [(e, selectors.audit_changes(e)) for e in page.object_list]
    return render(
        request,
        "core/org_audit.html",
        {"org": org, "page": page, "entries": entries, "breadcrumbs": _org_crumbs(org, (_("Audit trail"), None))},
    )


@login_required
def org_audit_export(request, org_code):
    org = permissions.get_org_or_404(request.user, org_code, manage=True)
    rows = []
    for entry in _org_audit_entries(request.user, org).iterator(chunk_size=500):
        for change in selectors.audit_changes(entry) or [None]:
            rows.append([
                timezone.localtime(entry.at), entry.actor_name or _("system"),
                entry.get_action_display(), entry.content_type.name, entry.object_repr,
                change.field if change else "", change.old if change else "", change.new if change else "",
            ])
    headers = [_("When"), _("Who"), _("Action"), _("Kind"), _("Record"), _("Field"), _("Old value"), _("New value")]
    return xlsx_response(
        filename=f"{org.code}-audit-{timezone.localdate():%Y%m%d}.xlsx", title=_("Audit trail"),
        headers=headers, rows=rows, number_formats={0: "yyyy-mm-dd hh:mm:ss"},
    )
