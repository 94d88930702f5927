"""An event's programme on the web: the timetable, the invitation mail and the guests' answers
through their personal link, the visa letters and their approval, and the scan endpoint of the
check-in page. Views parse, ask the policy, call a service, render; outsiders get 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from branchwork.core import permissions
from branchwork.core.conflicts import Conflict
from branchwork.core.language import is_chinese
from branchwork.exchanges import countries, selectors, services, services_letters, services_programme
from branchwork.exchanges import permissions as rules
from branchwork.exchanges.badges import MissingGlyphs
from branchwork.exchanges.forms_programme import InvitationTemplateForm, LetterTemplateForm, SessionForm
from branchwork.exchanges.models import Event
from branchwork.exchanges.programme_models import Invitation, Letter, LetterState, Session


def _crumbs(event, *tail):
    return [(_("International exchanges"), reverse("exchanges:index")),
            (event.title, event.get_absolute_url()), *tail]


def _managed_event(user, event_id) -> Event:
    event = permissions.get_or_404(user, Event, event_id)
    if not permissions.can(user, "manage", event):
        raise Http404("Not a manager of this event")
    return event


# --- The timetable ---


@login_required
def programme(request, event_id):
    event = permissions.get_or_404(request.user, Event, event_id)
    # The timetable's sessions and the activities of organizational life held within the event,
    # day by day in the order of their start.
    days: dict = {}
    for session in event.sessions.all():
        days.setdefault(session.day, []).append((session.starts_at, "session", session))
    for activity in event.activities.select_related("organization").order_by("starts_at", "pk"):
        start = activity.local_start
        days.setdefault(start.date(), []).append((start.time(), "activity", activity))
    return render(request, "exchanges/programme.html", {
        "event": event,
        "days": [(day, [(kind, item) for _start, kind, item in sorted(rows, key=lambda r: r[0])])
                 for day, rows in sorted(days.items())],
        "may_manage": permissions.can(request.user, "manage", event),
        "breadcrumbs": _crumbs(event, (_("Programme"), None)),
    })


@login_required
def session_edit(request, event_id, session_id=None):
    event = _managed_event(request.user, event_id)
    session = None
    if session_id is not None:
        session = event.sessions.filter(pk=session_id).first()
        if session is None:
            raise Http404("No such session")
    form = SessionForm(request.POST or None, instance=session or Session(event=event))
    if request.method == "POST" and form.is_valid():
        try:
            services_programme.session_save(by=request.user, event=event, session=session, **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("exchanges:programme", event.pk)
    return render(request, "exchanges/session_form.html", {
        "event": event, "form": form, "session": session,
        "breadcrumbs": _crumbs(event, (_("Programme"), reverse("exchanges:programme", args=[event.pk])),
                               (_("Edit session") if session else _("New session"), None)),
    })


@login_required
def session_delete(request, event_id, session_id):
    event = _managed_event(request.user, event_id)  # outsiders: 404 before anything else
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session = event.sessions.filter(pk=session_id).first()
    if session is None:
        raise Http404("No such session")
    try:
        services_programme.session_delete(by=request.user, session=session)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The session was removed."))
    return redirect("exchanges:programme", event.pk)


# --- Invitations ---


@login_required
def invitations(request, event_id):
    event = _managed_event(request.user, event_id)
    template = services_programme.invitation_template(event)
    form = InvitationTemplateForm(request.POST if request.POST.get("action") == "save" else None, instance=template)
    if request.method == "POST":
        if request.POST.get("action") == "send":
            count = services_programme.invitations_request(by=request.user, event=event)
            messages.success(request, ngettext("%(count)s invitation is being sent.",
                                               "%(count)s invitations are being sent.", count) % {"count": count})
            return redirect("exchanges:invitations", event.pk)
        if form.is_valid():
            try:
                services_programme.invitation_template_save(by=request.user, event=event, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("exchanges:invitations", event.pk)
    sent = list(Invitation.objects.filter(participant__event=event)
                .select_related("participant__contact").order_by("participant__contact__name_latin", "pk"))
    return render(request, "exchanges/invitations.html", {
        "event": event, "form": form, "invitations": sent,
        "breadcrumbs": _crumbs(event, (_("Invitations"), None)),
    })


def invitation(request, token):
    """The guest's page behind the personal link: no account; a wrong token is 404."""
    invitation = services_programme.invitation_from_token(token)
    if invitation is None:
        raise Http404("No such invitation")
    participant = invitation.participant
    event = participant.event
    expired = timezone.localdate() > event.ends_on
    error = None
    if request.method == "POST" and request.POST.get("answer") in ("accept", "decline"):
        try:
            participant = services_programme.answer_invitation(
                invitation=invitation, accept=request.POST["answer"] == "accept")
        except Conflict as exc:
            error = str(exc)
        else:
            messages.success(request, _("Thank you: your answer is recorded."))
            return redirect("exchanges:invitation", token)
    return render(request, "exchanges/invitation.html", {
        "event": event, "participant": participant, "contact": participant.contact,
        "sessions": list(event.sessions.all()), "expired": expired, "error": error,
        "dates": (services_programme.dates_zh if is_chinese() else services_programme.dates_en)(
            event.starts_on, event.ends_on),
    }, status=410 if expired else (409 if error else 200))


# --- Letters ---


@login_required
def letters(request, event_id):
    event = _managed_event(request.user, event_id)
    from branchwork.exchanges.letters import letter_template

    template = letter_template(event)
    form = LetterTemplateForm(request.POST if request.POST.get("action") == "save" else None, instance=template)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "draft":
            count = services_letters.letters_draft(by=request.user, event=event)
            messages.success(request, ngettext("%(count)s letter drafted.", "%(count)s letters drafted.", count)
                             % {"count": count})
            return redirect("exchanges:letters", event.pk)
        if action == "save" and form.is_valid():
            try:
                services_letters.letter_template_save(by=request.user, event=event, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("exchanges:letters", event.pk)
    rows = list(Letter.objects.filter(participant__event=event)
                .select_related("participant__contact", "participant__delegation__party", "drafted_by", "approved_by")
                .order_by("participant__delegation__country", "participant__contact__name_latin", "pk"))
    return render(request, "exchanges/letters.html", {
        "event": event, "form": form, "letters": rows,
        "may_approve": rules.is_foreign_affairs(request.user),
        "approved": sum(1 for r in rows if r.state == LetterState.APPROVED),
        "breadcrumbs": _crumbs(event, (_("Invitation letters"), None)),
    })


def _letter(user, event_id, letter_id) -> Letter:
    event = _managed_event(user, event_id)
    letter = (Letter.objects.select_related("participant__event", "participant__contact",
                                            "participant__delegation__party")
              .filter(pk=letter_id, participant__event=event).first())
    if letter is None:
        raise Http404("No such letter")
    return letter


@login_required
def letter_approve(request, event_id, letter_id):
    letter = _letter(request.user, event_id, letter_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services_letters.letter_approve(by=request.user, letter=letter)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The letter is approved."))
    return redirect("exchanges:letters", event_id)


@login_required
def letter_send(request, event_id, letter_id):
    letter = _letter(request.user, event_id, letter_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services_letters.letter_send(by=request.user, letter=letter)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The letter is being sent."))
    return redirect("exchanges:letters", event_id)


@login_required
def letter_pdf(request, event_id, letter_id):
    """An approved letter as PDF; a draft is not there to download (404)."""
    letter = _letter(request.user, event_id, letter_id)
    if letter.state != LetterState.APPROVED:
        raise Http404("The letter awaits approval")
    from branchwork.exchanges.letters import letters_pdf

    try:
        pdf = letters_pdf([letter])
    except MissingGlyphs as exc:
        messages.error(request, str(exc))
        return redirect("exchanges:letters", event_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{event_id}-{letter.pk}.pdf"'
    return response


# --- Check-in by scan ---


def counts_json(event, *, session=None) -> dict:
    day = None if session is not None else timezone.localdate()
    rows = selectors.checkin_counts(event, day=day, session=session)
    out = []
    for row in rows:
        party = row["delegation__party__name_zh"] if is_chinese() else row["delegation__party__name_en"]
        place = countries.name(row["delegation__country"] or "")
        out.append({"name": f"{party} · {place}" if party else place, "present": row["present"],
                    "total": row["total"]})
    return {"present": sum(r["present"] for r in out), "total": sum(r["total"] for r in out), "delegations": out}


@login_required
def checkin_scan(request, event_id):
    """POST a badge code (typed or read by the camera): JSON with what happened and the counts.
    GET: the counts alone (the page polls them)."""
    event = _managed_event(request.user, event_id)
    try:
        session = services_programme.session_for_check_in(event, request.POST.get("session") or request.GET.get("session"))
    except ValidationError as exc:
        return JsonResponse({"result": "error", "message": " ".join(exc.messages)}, status=400)
    if request.method != "POST":
        return JsonResponse(counts_json(event, session=session))
    try:
        participant, first = services.check_in(by=request.user, event=event, code=request.POST.get("code", ""),
                                               session=session)
    except Conflict as exc:  # a ValidationError too: first
        return JsonResponse({"result": "refused", "message": str(exc), **counts_json(event, session=session)},
                            status=409)
    except ValidationError as exc:
        return JsonResponse({"result": "unknown", "message": " ".join(exc.messages),
                             **counts_json(event, session=session)}, status=404)
    name = str(participant.contact)
    message = (_("%(name)s is checked in.") if first else
               _("%(name)s was already checked in; not counted again.")) % {"name": name}
    return JsonResponse({"result": "checked_in" if first else "already", "name": name, "message": message,
                         **counts_json(event, session=session)})
