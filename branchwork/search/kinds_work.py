"""Families of research work and international exchanges (see kinds.py for what a family is).

Like the others, these read their apps' models by label and import neither app. Who may find a
document is told by access tokens (access.py) that say what `research.permissions` and
`exchanges.permissions` decide:

- a research topic: the readers of its organization, its lead and its members;
- a research output: public and internal ones, the readers of its organization; a restricted
  one, the managers, research coordinators and committee office staff of its organization or
  above it; both, their authors and named readers. A classified output is found by its metadata
  (title, authors, kind), never by a text;
- an instruction (批示) on an output is a document of its own, found by its text only by those
  who may read it (`research.permissions.can_read_instruction`: the authors, the research
  coordinators, the secretaries and the committee office staff of its organization or above
  it); an instruction on a classified output, or without text, is not indexed;
- parties: foreign-affairs staff and members of the institution, by any of their names;
- contacts and events: foreign-affairs staff, and the managers of the event (of an event the
  contact takes part in). Contact details, notes and passport data are never indexed.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import pgettext_lazy

from branchwork.core.models import MANAGING_ROLES, Role
from branchwork.search import access
from branchwork.search.kinds import Family, Filing, _internal, _org_path, _plain

FOREIGN_AFFAIRS = access.role(Role.FOREIGN_AFFAIRS)
# Besides those who read its organization, who sees a restricted output (research.permissions).
RESTRICTED_READER_ROLES = (*sorted(MANAGING_ROLES), Role.RESEARCH_COORDINATOR, Role.STAFF)
INSTRUCTION_READER_ROLES = (Role.RESEARCH_COORDINATOR, Role.SECRETARY, Role.STAFF)


def _names(*values: str) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _person_names(person) -> list[str]:
    return _names(person.name, person.name_en, person.name_native) if person is not None else []


def _by_role(roles, path: str | None) -> list[str]:
    return [token for code in roles for token in access.role_readers(code, path)]


class Topics(Family):
    code = "research_topics"
    model_label = "research.Topic"
    kinds = {"research_topic": pgettext_lazy("kind of search result", "Research topics")}
    indexed_by_wagtail = False

    def filing(self, topic) -> Filing:
        people = [topic.lead_id, *topic.members.filter(person__isnull=False).values_list("person_id", flat=True)]
        readers = [access.SUPERUSERS, *access.org_readers(_org_path(topic.organization_id)),
                   *(access.person(pk) for pk in people if pk)]
        return Filing(kind="research_topic", organization_id=topic.organization_id,
                      date=topic.approved_on, readers=tuple(dict.fromkeys(readers)))

    def text(self, topic) -> tuple[str, str]:
        members = []
        for member in topic.members.select_related("person"):
            members += _person_names(member.person) if member.person_id else _names(member.guest_name)
        lead = _person_names(topic.lead) if topic.lead_id else []
        body = "\n".join(x for x in [topic.title_en, " ".join(_names(*lead, *members)), _plain(topic.summary)] if x)
        return topic.title, body

    def urls(self, pks, request) -> dict[int, str]:
        rows = self.model.objects.filter(pk__in=pks).values_list("pk", "organization__code")
        return {pk: reverse("research:topic", kwargs={"org_code": code, "topic_id": pk}) for pk, code in rows}


class Outputs(Family):
    code = "research_outputs"
    model_label = "research.Output"
    kinds = {"research_output": pgettext_lazy("kind of search result", "Research outputs")}
    indexed_by_wagtail = False

    def filing(self, output) -> Filing:
        path = _org_path(output.organization_id)
        authors = output.authors.filter(person__isnull=False).values_list("person_id", flat=True)
        named = output.readers.values_list("pk", flat=True)
        readers = [access.SUPERUSERS, *(access.person(pk) for pk in [*authors, *named])]
        if output.classification == "restricted":
            readers += _by_role(RESTRICTED_READER_ROLES, path)
        else:
            readers += access.org_readers(path)
        return Filing(kind="research_output", organization_id=output.organization_id,
                      date=output.completed_on, readers=tuple(dict.fromkeys(readers)))

    def text(self, output) -> tuple[str, str]:
        """Title, English title and authors; the text too, unless the output is classified (a
        classified record keeps metadata only, and so does the index)."""
        authors = []
        for author in output.authors.select_related("person"):
            authors += _person_names(author.person) if author.person_id else _names(author.guest_name)
        parts = [output.title_en, " ".join(_names(*authors))]
        if not output.is_classified:
            parts.append(_plain(output.text))
        return output.title, "\n".join(x for x in parts if x)

    def urls(self, pks, request) -> dict[int, str]:
        rows = self.model.objects.filter(pk__in=pks).values_list("pk", "organization__code")
        return {pk: reverse("research:output", kwargs={"org_code": code, "output_id": pk}) for pk, code in rows}


class Instructions(Family):
    """The text of a leader's instruction, apart from its output: fewer may read it."""

    code = "research_instructions"
    model_label = "research.Instruction"
    kinds = {"research_instruction": pgettext_lazy("kind of search result", "Instructions")}
    indexed_by_wagtail = False

    def filing(self, instruction) -> Filing | None:
        output = instruction.submission.output
        if output.is_classified or not instruction.text.strip():
            return None
        authors = output.authors.filter(person__isnull=False).values_list("person_id", flat=True)
        readers = [access.SUPERUSERS, *(access.person(pk) for pk in authors),
                   *_by_role(INSTRUCTION_READER_ROLES, _org_path(output.organization_id))]
        return Filing(kind="research_instruction", organization_id=output.organization_id,
                      date=instruction.given_on, readers=tuple(dict.fromkeys(readers)))

    def text(self, instruction) -> tuple[str, str]:
        output = instruction.submission.output
        return output.title, "\n".join(x for x in [instruction.given_by, instruction.text] if x)

    def urls(self, pks, request) -> dict[int, str]:
        rows = self.model.objects.filter(pk__in=pks).values_list(
            "pk", "submission__output_id", "submission__output__organization__code")
        return {pk: reverse("research:output", kwargs={"org_code": code, "output_id": output_id})
                + "#submissions-h" for pk, output_id, code in rows}


class Parties(Family):
    code = "exchanges_parties"
    model_label = "exchanges.Party"
    kinds = {"party": pgettext_lazy("kind of search result", "Parties")}
    indexed_by_wagtail = False

    def filing(self, party) -> Filing:
        """The knowledge base is read by foreign-affairs staff and members of the institution."""
        return Filing(kind="party", readers=(access.SUPERUSERS, FOREIGN_AFFAIRS, *_internal(None)))

    def text(self, party) -> tuple[str, str]:
        """Found by any of its names; relationship notes (foreign-affairs staff only) are not."""
        names = _names(party.name_zh, party.name_native, party.name_en, party.name_short)
        title = names[0] if names else party.country
        return title, "\n".join(_names(*names[1:], party.country))

    def shown(self, party, title, body) -> tuple[str, str]:
        return title, " · ".join(body.splitlines())


def _event_managers(event_ids) -> list[str]:
    from django.apps import apps

    through = apps.get_model("exchanges", "Event").managers.through
    managers = through.objects.filter(event_id__in=list(event_ids)).values_list("person_id", flat=True)
    return [access.person(pk) for pk in sorted(set(managers))]


class Contacts(Family):
    code = "exchanges_contacts"
    model_label = "exchanges.Contact"
    kinds = {"contact": pgettext_lazy("kind of search result", "Contacts")}
    indexed_by_wagtail = False

    def filing(self, contact) -> Filing:
        events = contact.participations.values_list("event_id", flat=True)
        return Filing(kind="contact", readers=(access.SUPERUSERS, FOREIGN_AFFAIRS, *_event_managers(events)))

    def text(self, contact) -> tuple[str, str]:
        """Names, title and party; never contact details, notes nor passport data."""
        names = _names(contact.name_zh, contact.name_native, contact.name_latin)
        party = contact.party
        party_names = _names(party.name_zh, party.name_en, party.name_short) if party is not None else []
        body = "\n".join(x for x in [" ".join(names[1:]), contact.title, contact.party_role,
                                     " ".join(party_names)] if x)
        return (names[0] if names else str(contact.pk)), body

    def shown(self, contact, title, body) -> tuple[str, str]:
        return title, " · ".join(body.splitlines())


class Events(Family):
    code = "exchanges_events"
    model_label = "exchanges.Event"
    kinds = {"exchange_event": pgettext_lazy("kind of search result", "Exchange events")}
    indexed_by_wagtail = False

    def filing(self, event) -> Filing:
        return Filing(kind="exchange_event", date=event.starts_on,
                      readers=(access.SUPERUSERS, FOREIGN_AFFAIRS, *_event_managers([event.pk])))

    def text(self, event) -> tuple[str, str]:
        body = "\n".join(x for x in [event.title_en, event.place, event.host,
                                     event.co_hosts] if x)
        return event.title_zh, body


FAMILIES = [Topics(), Outputs(), Instructions(), Parties(), Contacts(), Events()]
