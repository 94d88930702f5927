"""Reads the research pages share, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from branchwork.activities.models import Activity
from branchwork.core import permissions
from branchwork.core.models import Organization, Person
from branchwork.research import permissions as rules
from branchwork.research.models import (
    DraftReview,
    DraftRound,
    FollowUp,
    Instruction,
    Output,
    OutputAuthor,
    OutputVersion,
    Publication,
    Submission,
    Topic,
    TopicMember,
)

_AUTHORS = Prefetch("authors", queryset=OutputAuthor.objects.select_related("person"))


def outputs_of(user, org: Organization) -> QuerySet[Output]:
    return (rules.visible_outputs(user).filter(organization__path__startswith=org.path)
            .select_related("kind", "organization", "topic").prefetch_related(_AUTHORS)
            .annotate(instruction_count=Count("submissions__instructions", distinct=True))
            .order_by("-completed_on", "-pk"))


def topics_of(user, org: Organization) -> QuerySet[Topic]:
    return (rules.visible_topics(user).filter(organization__path__startswith=org.path)
            .select_related("organization", "lead").annotate(output_count=Count("outputs", distinct=True))
            .order_by("-approved_on", "-pk"))


def get_topic_or_404(user, org: Organization, topic_id) -> Topic:
    topic = permissions.get_or_404(user, Topic, topic_id, organization=org)
    members = TopicMember.objects.filter(topic=topic).select_related("person")
    topic.member_list = list(members)
    topic.output_list = list(outputs_of(user, org).filter(topic=topic))
    topic.activity_list = list(permissions.visible(user, Activity).filter(pk__in=topic.activities.values("pk"))
                               .select_related("organization").order_by("starts_at"))
    return topic


def get_output_or_404(user, org: Organization, output_id) -> Output:
    """The output with everything its page shows; 404 unless the user may see it (and it is
    `org`'s)."""
    qs = (rules.visible_outputs(user).filter(organization=org)
          .select_related("kind", "organization", "topic", "created_by")
          .prefetch_related(
              _AUTHORS, "files", "readers",
              Prefetch("versions", queryset=OutputVersion.objects.defer("text").select_related("saved_by")),
              Prefetch("rounds", queryset=DraftRound.objects.prefetch_related(
                  Prefetch("reviews", queryset=DraftReview.objects.select_related("reviewer")))),
              Prefetch("submissions", queryset=Submission.objects.prefetch_related(
                  Prefetch("instructions", queryset=Instruction.objects.prefetch_related(
                      Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner")))))),
              Prefetch("publications", queryset=Publication.objects.select_related("outlet", "reprint_of__outlet")),
          ))
    try:
        return qs.get(pk=output_id)
    except (Output.DoesNotExist, ValueError, TypeError):
        raise Http404("No such output") from None


def people_for(user, org: Organization) -> QuerySet[Person]:
    """Whom a form offers (authors, members, owners): the people the user may see."""
    return permissions.visible_people(user).order_by("name", "pk")


def publications_of(user, org: Organization, *, year: int, tier: str | None = None) -> QuerySet[Publication]:
    qs = (Publication.objects.filter(output__in=rules.visible_outputs(user),
                                     output__organization__path__startswith=org.path,
                                     published_on__year=year)
          .select_related("outlet", "output__organization", "reprint_of")
          .prefetch_related(Prefetch("output__authors", queryset=OutputAuthor.objects.select_related("person")))
          .order_by("published_on", "pk"))
    return qs.filter(outlet__tier=tier) if tier else qs
