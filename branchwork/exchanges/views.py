"""International exchanges on the web: parties (the knowledge base), contacts, events with
their participants, badges and check-in. Views parse, ask the policy, call a service, render;
outsiders get 404 (`core.permissions`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from branchwork.core import exports, imports, permissions
from branchwork.core.conflicts import Conflict
from branchwork.core.language import join_list
from branchwork.exchanges import badges, countries, selectors, services
from branchwork.exchanges import participants_import as participants_import_module
from branchwork.exchanges import permissions as rules
from branchwork.exchanges.forms import EventForm, PartyForm
from branchwork.exchanges.models import Contact, Event, Party

PER_PAGE = 50


def _crumbs(*tail):
    return [(_("International exchanges"), reverse("exchanges:index")), *tail]


def _require_use(user) -> None:
    if not selectors.may_use(user):
        raise Http404("Nothing here for this user")


@login_required
def index(request):
    _require_use(request.user)
    events = permissions.visible(request.user, Event)
    return render(request, "exchanges/index.html", {
        "events": list(events[:100]),
        "party_count": permissions.visible(request.user, Party).count(),
        "may_see_contacts": rules.is_foreign_affairs(request.user) or rules.manages_any_event(request.user),
        "may_create_event": permissions.can(request.user, "create", Event),
        "breadcrumbs": _crumbs(),
    })


@login_required
def party_list(request):
    _require_use(request.user)
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.parties(request.user, query), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exchanges/parties.html", {
        "page": page, "parties": page.object_list, "query": query,
        "breadcrumbs": _crumbs((_("Parties"), None)),
    })


@login_required
def party(request, party_id):
    party = permissions.get_or_404(request.user, Party, party_id)
    notes = permissions.can(request.user, "read_notes", party)
    contacts = list(selectors.contacts(request.user).filter(party=party)) if notes or \
        rules.manages_any_event(request.user) else []
    return render(request, "exchanges/party.html", {
        "party": party,
        "country": countries.get(party.country),
        "region": countries.region_of(party.country),
        "networks": join_list(str(n) for n in party.networks.all()),
        "standing": party.standing_on(timezone.localdate()),
        "timeline": selectors.party_timeline(request.user, party),
        "contacts": contacts,
        "may_read_notes": notes,
        "may_edit": permissions.can(request.user, "edit", party),
        "breadcrumbs": _crumbs((_("Parties"), reverse("exchanges:parties")), (party.display_name, None)),
    })


@login_required
def contact_list(request):
    if not (rules.is_foreign_affairs(request.user) or rules.manages_any_event(request.user)):
        raise Http404("No contacts for this user")
    page = Paginator(selectors.contacts(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exchanges/contacts.html", {
        "page": page, "contacts": page.object_list,
        "breadcrumbs": _crumbs((_("Contacts"), None)),
    })


@login_required
def contact(request, contact_id):
    contact = permissions.get_or_404(request.user, Contact, contact_id)
    return render(request, "exchanges/contact.html", {
        "contact": contact,
        "participations": list(contact.participations.filter(
            event__in=permissions.visible(request.user, Event)).select_related("event")),
        "breadcrumbs": _crumbs((_("Contacts"), reverse("exchanges:contacts")), (contact.display_name, None)),
    })


@login_required
def event_new(request):
    if not permissions.can(request.user, "create", Event):
        raise Http404("Not foreign-affairs staff")
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.event_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event is created."))
            return redirect(created.get_absolute_url())
    return render(request, "exchanges/event_form.html", {
        "form": form, "breadcrumbs": _crumbs((_("New event"), None)),
    })


@login_required
def event(request, event_id):
    event = permissions.get_or_404(request.user, Event, event_id)
    participants = list(selectors.event_participants(event))
    return render(request, "exchanges/event.html", {
        "event": event,
        "participants": participants,
        "delegations": list(event.delegations.select_related("party", "head")),
        "activities": list(event.activities.select_related("organization")),
        "breadcrumbs": _crumbs((event.title, None)),
    })


PARTICIPANT_HEADERS = (
    ("name_native", gettext_lazy("Name in own script")), ("name_latin", gettext_lazy("Name in Latin letters")),
    ("name_zh", gettext_lazy("Chinese rendering")), ("country", gettext_lazy("Country")), ("party", gettext_lazy("Party")),
    ("status", gettext_lazy("Status")), ("interpretation", gettext_lazy("Interpretation language")),
    ("dietary", gettext_lazy("Dietary needs")), ("access", gettext_lazy("Access needs")), ("badge", gettext_lazy("Badge code")),
)


@login_required
def participants_xlsx(request, event_id):
    event = permissions.get_or_404(request.user, Event, event_id)
    rows = []
    for p in selectors.event_participants(event):
        delegation = p.delegation
        rows.append([
            p.contact.name_native, p.contact.name_latin, p.contact.name_zh,
            countries.name(delegation.country) if delegation else "",
            delegation.party.display_name if delegation and delegation.party_id else "",
            p.get_status_display(), p.interpretation, p.dietary, p.access_needs, p.badge_code,
        ])
    return exports.xlsx_response(
        filename=f"participants-{event.pk}.xlsx", title=event.title,
        headers=[str(label) for _key, label in PARTICIPANT_HEADERS], rows=rows)


@login_required
def badges_pdf(request, event_id):
    event = permissions.get_or_404(request.user, Event, event_id)
    kind = request.GET.get("kind", badges.SHEET)
    if kind not in badges.KINDS:
        raise Http404("No such layout")
    participants = list(selectors.event_participants(event).select_related("contact__party"))
    if not participants:
        messages.info(request, _("The event has no participants yet."))
        return redirect(event.get_absolute_url())
    try:
        pdf = badges.badges_pdf(event, participants, kind=kind)
    except badges.MissingGlyphs as exc:
        messages.error(request, str(exc))
        return redirect(event.get_absolute_url())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badges-{event.pk}-{kind}.pdf"'
    return response


@login_required
def checkin(request, event_id):
    """The phone page at the door: the camera reads the badge's QR code (or the code is typed);
    each participant counted once a day, or once a session."""
    event = permissions.get_or_404(request.user, Event, event_id)
    from branchwork.exchanges import services_programme
    from branchwork.exchanges.views_programme import counts_json

    result = None
    try:
        session = services_programme.session_for_check_in(
            event, request.POST.get("session") or request.GET.get("session"))
    except ValidationError:
        raise Http404("No such session") from None
    if request.method == "POST":
        try:
            participant, first = services.check_in(by=request.user, event=event,
                                                   code=request.POST.get("code", ""), session=session)
        except Conflict as exc:
            result = {"error": str(exc)}
        except ValidationError as exc:
            result = {"error": " ".join(exc.messages)}
        else:
            result = {"participant": participant, "first": first}
    counts = counts_json(event, session=session)
    return render(request, "exchanges/checkin.html", {
        "event": event, "result": result, "counts": counts["delegations"], "session": session,
        "sessions": list(event.sessions.all()),
        "present": counts["present"], "total": counts["total"],
        "breadcrumbs": _crumbs((event.title, event.get_absolute_url()), (_("Check-in"), None)),
    })


@login_required
def participants_import(request, event_id):
    """Upload a participant list (XLSX): all rows or none, problems named by row and column."""
    event = permissions.get_or_404(request.user, Event, event_id)
    if not permissions.can(request.user, "manage", event):
        raise Http404("Not a manager of this event")
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [participants_import_module.Problem(1, "", _("Choose a file."))]
        else:
            try:
                count = participants_import_module.import_participants(
                    by=request.user, event=event, data=upload.read())
            except participants_import_module.Refused as refused:
                problems = refused.problems
            except imports.TooMuch as exc:
                problems = [participants_import_module.Problem(1, "", str(exc))]
            else:
                messages.success(request, ngettext(
                    "%(count)s participant imported.", "%(count)s participants imported.", count)
                    % {"count": count})
                return redirect(event.get_absolute_url())
    return render(request, "exchanges/import.html", {
        "event": event, "problems": problems,
        "columns": [_(label) for label in participants_import_module.COLUMNS.values()],
        "breadcrumbs": _crumbs((event.title, event.get_absolute_url()), (_("Import participants"), None)),
    }, status=400 if problems else 200)


@login_required
def party_edit(request, party_id):
    party = permissions.get_or_404(request.user, Party, party_id)
    if not permissions.can(request.user, "edit", party):
        raise Http404("Not foreign-affairs staff")
    form = PartyForm(request.POST or None, instance=Party.objects.get(pk=party.pk))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            updated = services.party_update(by=request.user, party=party, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(updated.get_absolute_url())
    return render(request, "exchanges/party_form.html", {
        "form": form, "party": party,
        "breadcrumbs": _crumbs((_("Parties"), reverse("exchanges:parties")),
                               (party.display_name, party.get_absolute_url()), (_("Edit"), None)),
    })
