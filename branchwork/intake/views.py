"""The moderation pages in the back office (/admin/intake/): list, read, release, discard.

Only moderators (superusers and holders of `intake.moderate_incomingmessage`) see them; anyone
else gets 404, as for every object outside a user's scope.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchwork.core import permissions
from branchwork.core.models import Person
from branchwork.intake import services
from branchwork.intake.forms import DiscardForm, ReleaseForm
from branchwork.intake.models import IncomingMessage, MessageStatus

OPEN = (MessageStatus.HELD, MessageStatus.REJECTED, MessageStatus.RECEIVED)
PAGE_SIZE = 50


def moderator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can(request.user, "moderate", IncomingMessage):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _message_or_404(request, message_id) -> IncomingMessage:
    return permissions.get_or_404(request.user, IncomingMessage, message_id)


@moderator_required
def index(request):
    status = request.GET.get("status", "open")
    messages_qs = (permissions.visible(request.user, IncomingMessage)
                   .select_related("sender_person").defer("text", "log"))
    if status == "open":
        messages_qs = messages_qs.filter(status__in=OPEN)
    elif status in MessageStatus.values:
        messages_qs = messages_qs.filter(status=status)
    else:
        status = "all"
    query = request.GET.get("q", "").strip()
    if query:
        messages_qs = messages_qs.filter(
            Q(subject__icontains=query)
            | Q(from_address__icontains=query)
            | Q(header_from__icontains=query)
        )
    counts = dict(permissions.visible(request.user, IncomingMessage)
                  .values_list("status").annotate(n=Count("pk")).order_by())
    tabs = [("open", _("Waiting for a decision"), sum(counts.get(s, 0) for s in OPEN))]
    tabs += [(value, label, counts.get(value, 0)) for value, label in MessageStatus.choices]
    tabs.append(("all", _("All"), sum(counts.values())))
    page = Paginator(messages_qs, PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "intake/admin/index.html",
        {
            "page_title": _("Contributions by email"),
            "header_icon": "mail",
            "tabs": tabs,
            "status": status,
            "query": query,
            "page": page,
        },
    )


@moderator_required
def detail(request, message_id):
    message = _message_or_404(request, message_id)
    initial_person = message.sender_person or (
        Person.objects.filter(email__iexact=message.from_address).first()
        if message.from_address
        else None
    )
    return TemplateResponse(
        request,
        "intake/admin/detail.html",
        {
            "page_title": _("Incoming message %(number)s") % {"number": f"#{message.pk}"},
            "header_icon": "mail",
            "message": message,
            "release_form": ReleaseForm(initial={"person": initial_person}),
            "discard_form": DiscardForm(),
            "can_release": message.status == MessageStatus.HELD,
            "can_discard": message.is_open,
            "can_reprocess": message.status in (MessageStatus.REJECTED, MessageStatus.RECEIVED),
            "index_url": reverse("intake_admin:index"),
        },
    )


@moderator_required
@require_POST
def release(request, message_id):
    message = _message_or_404(request, message_id)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the person this contribution is from."))
        return redirect("intake_admin:detail", message.pk)
    try:
        message = services.release(message, as_person=form.cleaned_data["person"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Released: a draft was created in the name of %(name)s.")
            % {"name": form.cleaned_data["person"].name},
        )
    return redirect("intake_admin:detail", message.pk)


@moderator_required
@require_POST
def discard(request, message_id):
    message = _message_or_404(request, message_id)
    form = DiscardForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.discard(message, by=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Discarded. The original message is still kept."))
    return redirect("intake_admin:detail", message.pk)


@moderator_required
@require_POST
def reprocess(request, message_id):
    message = _message_or_404(request, message_id)
    try:
        message = services.reprocess(message, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(
            request, _("Processed again: %(status)s.") % {"status": message.get_status_display()}
        )
    return redirect("intake_admin:detail", message.pk)


@moderator_required
def raw(request, message_id):
    message = _message_or_404(request, message_id)
    try:
        handle = message.raw.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"message-{message.pk}.eml",
        content_type="message/rfc822",
    )
