"""QR check-in: the projector screen, its live count and the phone page."""

import io

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from branchwork.activities import services
from branchwork.activities import checkin as checkin_state
from branchwork.activities.models import (
    Activity,
    AttendanceRole,
)
from branchwork.core import permissions

from branchwork.activities.views.common import _activity_crumbs, _get


# --- QR check-in ---


def checkin_url(activity: Activity) -> str:
    return settings.BASE_URL + reverse("checkin", args=[activity.checkin_token])


def _checkin_counts(activity) -> dict:
    rows = list(activity.attendance.filter(role=AttendanceRole.EXPECTED).select_related("person"))
    present = [a for a in rows if a.is_present]
    return {"present": len(present), "expected": len(rows),
            "names": [a.display_name for a in present]}


@login_required
def checkin_screen(request, org_code, activity_id):
    """For the projector: a big QR code and who has checked in so far (refreshed by
    activities.js from `checkin_status`; the page also works without JavaScript)."""
    org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    url = checkin_url(activity)
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    # No width or height, only a viewBox: the code scales to its box and stays square; a quiet
    # zone of four modules, as the QR standard asks, so that phones find it.
    qr.save(buffer, kind="svg", scale=10, border=4, xmldecl=False, svgns=True, omitsize=True,
            title=_("Check-in code"), dark="#000", light="#fff")
    state = checkin_state.state(activity)
    return render(request, "activities/checkin_screen.html", {
        "org": org, "activity": activity, "qr_svg": buffer.getvalue().decode(), "url": url,
        "counts": _checkin_counts(activity), "checkin": state,
        "status_url": reverse("activities:checkin_status", args=[org.code, activity.pk]),
        "breadcrumbs": _activity_crumbs(activity, (_("Check-in"), None)),
    })


@login_required
def checkin_status(request, org_code, activity_id):
    """The projector page's live count: who has checked in so far (for those who record)."""
    _org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, "record", activity):
        raise Http404("No such activity")
    counts = _checkin_counts(activity)
    counts["label"] = _("%(n)s of %(total)s checked in") % {"n": counts["present"],
                                                             "total": counts["expected"]}
    response = JsonResponse(counts)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request, token):
    """The member's side: confirm presence on the phone. Records attendance, nothing else.
    Before the window opens the page says when it opens, and offers no button."""
    try:
        activity = Activity.objects.select_related("organization").get(checkin_token=token)
    except Activity.DoesNotExist:
        raise Http404("No such check-in") from None
    person = getattr(request.user, "person", None)
    row = activity.attendance.filter(person=person).first() if person else None
    # Only those on the list (or who may see the activity) learn what it is.
    if row is None and not permissions.visible(request.user, Activity).filter(pk=activity.pk).exists():
        raise Http404("No such check-in")
    error = None
    if request.method == "POST":
        try:
            row = services.attendance_check_in(user=request.user, activity=activity)
        except services.CheckInRefused as exc:
            error = str(exc)
        else:
            return redirect(reverse("checkin", args=[token]))
    return render(request, "activities/checkin.html", {
        "activity": activity, "row": row, "error": error, "checkin": checkin_state.state(activity),
    })
