"""What every page of organizational life shares: crumbs, the activity looked up for the
user, form errors and messages, the people a form offers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branchwork.activities.models import Activity
from branchwork.core import permissions
from branchwork.core import selectors as core_selectors
from branchwork.core.conflicts import VersionConflict
from branchwork.core.models import Membership, Organization, OrganizationKind, Person
from branchwork.core.richtext import html_to_text


def _crumbs(org, *tail):
    crumbs = [(_("Organizations"), reverse("core:org_list"))]
    crumbs += [(a.display_name, a.get_absolute_url()) for a in core_selectors.ancestors(org)]
    crumbs.append((org.display_name, org.get_absolute_url()))
    return crumbs + list(tail)


def _activity_crumbs(activity, *tail):
    org = activity.organization
    return _crumbs(org, (_("Activities"), reverse("activities:list", args=[org.code])),
                   (activity.title, activity.get_absolute_url()), *tail)




def _conflict(form, exc: VersionConflict) -> dict:
    """What the other person saved, for the page to show beside the form, which now builds on
    their version (so a second save, after copying changes across, goes through)."""
    form.add_error(None, exc.messages[0])
    form.data = form.data.copy()
    form.data["version"] = exc.version
    current = exc.current
    return [(_("agenda"), current.get("agenda", "")),
            (_("minutes"), html_to_text(current.get("minutes", ""))),
            (_("resolutions"), "\n".join(current.get("resolutions", [])))]


def _message(request, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _get(request, org_code, activity_id) -> tuple[Organization, Activity]:
    activity = permissions.get_or_404(request.user, Activity, activity_id)
    if activity.organization.code != org_code:
        raise Http404("No such activity")
    return activity.organization, activity


def _people_for(org: Organization, *, everyone: bool = False, keep=()):
    """People who may host, record, lecture or observe. First the organization's own current
    members (its groups included); on request (`everyone`) also the members of the
    organizations above it. People already chosen (`keep`) stay choosable. The form lists them
    in pinyin order (forms.PersonChoiceField)."""
    own = Q(memberships__in=Membership.objects.current().filter(
        organization__path__startswith=org.path))
    if everyone:
        paths = [org.path[:i] for i in range(Organization.steplen, len(org.path) + 1,
                                             Organization.steplen)]
        own |= Q(memberships__organization__path__in=paths)
    keep_ids = [p.pk for p in keep if p is not None]
    if keep_ids:
        own |= Q(pk__in=keep_ids)
    return Person.objects.filter(own).distinct()


def _everyone(request) -> bool:
    return (request.POST or request.GET).get("people") == "all"


def _co_organizer_choices(user, org: Organization):
    """Organizations the user may name as co-organizers: those they read, and other units'."""
    return (Organization.objects.filter(is_active=True).exclude(pk=org.pk)
            .filter(Q(pk__in=permissions.visible_organizations(user).values("pk"))
                    | Q(kind=OrganizationKind.EXTERNAL_BRANCH)
                    | Q(kind=OrganizationKind.YOUTH_LEAGUE)
                    | Q(kind__in=[OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH]))
            .order_by("path"))


def _marks(request, rows) -> dict[int, tuple[str, str]]:
    """Attendance marks posted as status-<id> and reason-<id> for each row shown."""
    marks = {}
    for row in rows:
        status = request.POST.get(f"status-{row.pk}")
        if status is not None:
            marks[row.pk] = (status, request.POST.get(f"reason-{row.pk}", ""))
    return marks


def _state_change(request, org_code, activity_id, *, may: str, change, done: str):
    """A POST that moves the record along (cancel, submit, approve): check that the user `may`
    (an action of the activity's rules), call, say, go back."""
    _org, activity = _get(request, org_code, activity_id)
    if not permissions.can(request.user, may, activity):
        raise Http404("No such activity")
    try:
        change(by=request.user, activity=activity)
    except ValidationError as exc:
        _message(request, exc)
    else:
        messages.success(request, done)
    return redirect(activity.get_absolute_url())
