"""The exchanges' side on an activity's page (`core.hooks.ACTIVITY_PANELS`): the events of
international exchanges the activity was part of, and their guests as observers.

Who sees what follows the exchanges' rules: those who may see the event (foreign-affairs staff,
its managers) see it linked, with the guests' names; anyone else who sees the activity learns
only how many foreign guests observed it, never who they were. Three queries at most.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from branchwork.core import prepared
from branchwork.core.hooks import MyPagePanel
from branchwork.exchanges import permissions as rules
from branchwork.exchanges.models import Event, Participant, ParticipantStatus


def observers(events):
    return (Participant.objects.filter(event__in=events).exclude(status=ParticipantStatus.DECLINED)
            .select_related("contact", "delegation__party"))


def _events(activity_id):
    return (Event.objects.filter(activities=activity_id)
            .annotate(guests=Count("participants", distinct=True)).order_by("starts_on", "pk"))


def activity_panel(request, activity) -> MyPagePanel | None:
    # Asked on every visit of an activity's page, mostly of one in no event: compiled once
    # (core/prepared.py).
    events = prepared.rows("exchanges.activity_panel.events", _events, activity_id=activity.pk)
    if not events:
        return None
    visible = set(rules.visible_events(request.user).filter(pk__in=[e.pk for e in events])
                  .values_list("pk", flat=True))
    shown = [e for e in events if e.pk in visible]
    guests = list(observers(shown)) if shown else []
    observed = (Participant.objects.filter(event__in=events).exclude(status=ParticipantStatus.DECLINED)
                .values("contact_id").distinct().count())
    return MyPagePanel(
        title=_("International exchanges"), template="exchanges/panels/activity_events.html",
        context={"events": shown, "hidden_events": len(events) - len(shown), "guests": guests,
                 "observed": observed}, order=50)
