"""Research work and international exchanges in the site search, under the rules of their pages.

The secrets: a restricted output of branch A (its title), the text of an instruction on Bob's
report, and a foreign guest's names (a contact). Each persona searches for them: those who may
open them find them; the others get nothing, no result and no facet count.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from branchwork.core.models import Role
from branchwork.core.testing import give_role, person_with_login
from branchwork.exchanges import services as exchanges
from branchwork.exchanges.models import Contact, ParticipantStatus
from branchwork.exchanges.testing import CONTACT_EMAIL, CONTACT_NOTE, PASSPORT, RELATIONSHIP_NOTE, exchanges_world
from branchwork.research import services as research
from branchwork.research.models import Classification
from branchwork.research.testing import INSTRUCTION_TEXT, RESTRICTED_TITLE, research_world
from branchwork.search import selectors

RESTRICTED = "A-RESTRICTED-8830"
INSTRUCTION = "A-INSTRUCTION-5521"
GUEST_LATIN = "Somchai"
GUEST_NATIVE = "สมชาย"
GUEST_ZH = "颂猜"


def found(user, query: str, kind: str | None = None) -> list:
    """The hits of `kind` (every kind: None); nothing at all when the search finds nothing of it."""
    results = selectors.search(user, query)
    hits = [h for h in results.hits if kind is None or h.kind == kind]
    if not hits:
        kinds = {v.value for v in results.facets["kind"]}
        assert kind not in kinds if kind else results.total == 0, (query, kinds)
    return hits


def nothing(user, query: str) -> None:
    """No result, no count in any facet, no total."""
    results = selectors.search(user, query)
    assert results.total == 0, (query, [h.title for h in results.hits])
    assert all(values == [] for values in results.facets.values()), (query, results.facets)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a block does once its transaction commits, as the server does (research's
    outputs and topics are indexed then, with their authors and members in place)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def world(personas, anonymous, committed):
    with committed():
        w = research_world(personas)
        x = exchanges_world(personas)
    w.committed = committed
    w.fay, w.contact, w.event, w.party = x.fay, x.contact, x.event, x.party
    w.anonymous = anonymous
    return personas, w


def test_a_restricted_output_is_found_by_its_readers_only(world):
    personas, w = world
    readers = {"admin": personas.admin, "alice (author, secretary)": personas.alice,
               "bob (named reader)": personas.bob, "erin (coordinator)": personas.erin,
               "dan (committee staff)": personas.dan}
    for name, user in readers.items():
        [hit] = found(user, RESTRICTED, "research_output")
        assert hit.object_id == w.restricted.pk, name
        assert hit.url == f"/orgs/branch-a/research/outputs/{w.restricted.pk}/"
    for user in (personas.frank, personas.carol, w.fay, w.anonymous):
        nothing(user, RESTRICTED)
        nothing(user, "限定范围的专报")


def test_an_instructions_text_is_found_only_by_those_who_may_read_it(world):
    personas, w = world
    for user in (personas.admin, personas.alice, personas.bob, personas.erin, personas.dan):
        [hit] = found(user, INSTRUCTION)
        assert hit.kind == "research_instruction"
        assert "<mark>5521</mark>" in hit.snippet
    # Frank sees the report (and that an instruction exists) but not the instruction's text.
    assert [h.object_id for h in found(personas.frank, "全球治理", "research_output")] == [w.report.pk]
    for user in (personas.frank, personas.carol, w.fay, w.anonymous):
        nothing(user, INSTRUCTION)
        nothing(user, "抓紧落实")
        assert "research_instruction" not in {
            v.value for v in selectors.search(user, "全球治理").facets["kind"]}


def test_a_classified_output_is_found_by_its_metadata_only(world):
    personas, w = world
    [hit] = found(personas.bob, "涉密专报", "research_output")
    assert hit.object_id == w.classified.pk
    from branchwork.search.models import SearchDocument

    document = SearchDocument.objects.get(kind="research_output", object_pk=w.classified.pk)
    assert document.text == "王博 Bob"  # its author: no text, even if one were stored


def test_topics_are_found_by_the_readers_of_their_organization(world):
    personas, w = world
    assert [h.object_id for h in found(personas.frank, "全球治理调研", "research_topic")] == [w.topic.pk]
    assert found(personas.frank, "外请专家甲", "research_topic")  # a guest member's name
    for user in (personas.carol, w.anonymous):  # Fay's role in the committee reads branch A
        assert not found(user, "全球治理调研", "research_topic")
        nothing(user, "外请专家甲")


def test_contacts_are_found_by_foreign_affairs_staff_and_the_events_managers_only(world):
    personas, w = world
    for user in (personas.admin, w.fay, personas.alice):  # Alice manages the event
        for name in (GUEST_LATIN, GUEST_NATIVE, GUEST_ZH):
            [hit] = found(user, name, "contact")
            assert hit.object_id == w.contact.pk
            assert hit.url == f"/exchanges/contacts/{w.contact.pk}/"
    for user in (personas.bob, personas.carol, personas.dan, w.anonymous):
        for name in (GUEST_LATIN, GUEST_NATIVE, GUEST_ZH, "Jaidee"):
            nothing(user, name)
    # Contact details, notes and passports are in no search at all.
    for secret in (CONTACT_EMAIL, CONTACT_NOTE, PASSPORT):
        nothing(personas.admin, secret)


def test_parties_are_found_by_any_of_their_names_by_members(world):
    personas, w = world
    for name in ("人民关怀党", "พรรครักประชาชน", "People's Care Party", "PRP"):
        [hit] = found(personas.bob, name, "party")
        assert hit.object_id == w.party.pk
        assert hit.url == f"/exchanges/parties/{w.party.pk}/"
    nothing(w.anonymous, "人民关怀党")
    nothing(personas.admin, RELATIONSHIP_NOTE)  # the relationship notes are not indexed


def test_events_are_found_by_foreign_affairs_staff_and_their_managers(world):
    personas, w = world
    for user in (w.fay, personas.alice):
        [hit] = found(user, "世界政党对话会", "exchange_event")
        assert hit.object_id == w.event.pk
    for user in (personas.bob, personas.carol, w.anonymous):
        nothing(user, "世界政党对话会")
        nothing(user, "World Parties Dialogue")


def test_the_index_follows_saves_deletions_and_changes_of_restriction(world):
    personas, w = world
    # Internal → restricted: Frank no longer finds the report; Bob (author) still does.
    with w.committed():
        research.output_update(by=personas.erin, output=w.report, classification=Classification.RESTRICTED)
    assert not found(personas.frank, "全球治理", "research_output")
    assert found(personas.bob, "全球治理", "research_output")
    # A named reader added: Frank finds it again; the instruction stays closed to him.
    with w.committed():
        research.output_update(by=personas.erin, output=w.report, readers=[personas.people.frank])
    assert found(personas.frank, "全球治理", "research_output")
    nothing(personas.frank, INSTRUCTION)
    # Frank becomes an author: he may read the instruction now.
    with w.committed():
        research.output_update(by=personas.erin, output=w.report,
                               authors=[personas.people.bob, personas.people.frank])
    assert found(personas.frank, INSTRUCTION, "research_instruction")
    # The instruction deleted: nobody finds its text.
    w.instruction.delete()
    nothing(personas.admin, INSTRUCTION)
    # The restricted output deleted: gone for everyone.
    with w.committed():
        w.restricted.delete()
    nothing(personas.admin, RESTRICTED)


def test_the_index_follows_event_managers_participants_and_parties(world):
    personas, w = world
    w.event.managers.remove(personas.people.alice)
    nothing(personas.alice, GUEST_LATIN)
    nothing(personas.alice, "世界政党对话会")
    w.event.managers.add(personas.people.bob)
    assert found(personas.bob, GUEST_LATIN, "contact")
    # A new guest added to the event is found by its managers at once.
    guest = exchanges.contact_create(by=personas.admin, name_latin="Zanele Mokoena", name_zh="扎内莱")
    nothing(personas.bob, "Mokoena")
    exchanges.participant_add(by=personas.admin, event=w.event, contact=guest, status=ParticipantStatus.INVITED)
    assert found(personas.bob, "Mokoena", "contact")
    # A party renamed: its members' contacts are found by the new name.
    exchanges.party_update(by=personas.admin, party=w.party, name_short="PCPX")
    assert [h.object_id for h in found(w.fay, "PCPX", "contact")] == [w.contact.pk]
    # The event deleted: its managers no longer find its guests.
    w.event.delete()
    nothing(personas.bob, "Mokoena")
    assert Contact.objects.filter(pk=guest.pk).exists()
    assert found(w.fay, "Mokoena", "contact")


def test_foreign_affairs_staff_find_contacts_from_the_day_they_hold_the_role(world):
    personas, w = world
    gus = person_with_login("gus", "顾森", name_en="Gus")
    give_role(gus, personas.branch_b, Role.MEMBER)
    nothing(gus.user, GUEST_LATIN)
    give_role(gus, personas.committee, Role.FOREIGN_AFFAIRS, start_on=datetime.date(2025, 1, 1))
    from branchwork.core import permissions

    permissions.forget(gus.user)
    assert found(gus.user, GUEST_LATIN, "contact")


def test_rebuild_includes_research_and_exchanges(world):
    personas, w = world
    before = {q: [(h.kind, h.object_id) for h in selectors.search(personas.admin, q).hits]
              for q in (RESTRICTED, INSTRUCTION, GUEST_LATIN, "人民关怀党", "世界政党对话会", "全球治理")}
    from branchwork.search.models import SearchDocument

    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index", stdout=StringIO())
    after = {q: [(h.kind, h.object_id) for h in selectors.search(personas.admin, q).hits] for q in before}
    assert after == before
    assert all(before.values())
    nothing(personas.frank, INSTRUCTION)
    nothing(personas.carol, GUEST_LATIN)


def test_the_kinds_are_labelled_in_chinese_and_english(world):
    personas, _w = world
    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            facets = selectors.search(personas.admin, "全球治理").facets["kind"]
            labels[language] = {v.value: str(v.label) for v in facets}
    assert labels["en"]["research_output"] == "Research outputs"
    assert labels["zh-hans"]["research_output"] == "调研成果"
    assert labels["en"]["research_instruction"] == "Instructions"
    assert labels["zh-hans"]["research_instruction"] == "批示"
    assert labels["zh-hans"]["research_topic"] == "调研课题"


def test_restricted_sentinel_is_the_title_of_research_world():
    assert RESTRICTED in RESTRICTED_TITLE and INSTRUCTION in INSTRUCTION_TEXT
