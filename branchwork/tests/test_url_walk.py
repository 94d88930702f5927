"""Walk every URL pattern of the project as every persona.

Patterns are enumerated from the URL resolver, so a page added later is walked without editing
this test. Parameters are filled with real objects of branch A where the name says what they are
(org_code, person_id, membership_id, pk, code); any other parameter gets a harmless dummy.

Two properties are checked for every page and persona: it never answers 500, and nothing that
the policy hides from that persona appears in it (sentinel values kept only in branch A's
records, and an old value that lives only in branch A's audit trail).
"""

import io
import re

import openpyxl
import pytest
from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize

from django.core.files.base import ContentFile

from branchwork.activities import elections
from branchwork.activities import services as activity_services
from branchwork.activities.models import AttendanceStatus
from branchwork.activities.testing import at, held_activity
from branchwork.awards import testing as awards_testing
from branchwork.core import services
from branchwork.core.exports import XLSX_TYPE
from branchwork.core.models import Membership
from branchwork.learning import testing as learning_testing
from branchwork.exchanges import services as exchanges_services
from branchwork.exchanges import testing as exchanges_testing
from branchwork.exchanges import testing_trips
from branchwork.publishing import testing as publishing_testing
from branchwork.reports.models import LedgerExport
from branchwork.research import testing as research_testing

OLD_PHONE = "13800000002"  # Bob's phone before Alice changed it: only in A's audit trail
NEW_PHONE = "13700000009"  # Bob's phone now: on Bob's record, for those who may see him
BOB_EMAIL = "bob@example.org"
MINUTES = "支部甲的内部纪要 A-MINUTES-7731"  # only in branch A's minutes


def _formats(resolver: URLResolver, prefix: str = ""):
    """Every (format string, parameter names) the resolver can reverse, namespaces included."""
    for _key, entries in resolver.reverse_dict.lists():
        for possibilities, _pattern, _defaults, _converters in entries:
            for fmt, params in possibilities:
                yield prefix + fmt, tuple(params)
    for _ns, (ns_prefix, sub) in resolver.namespace_dict.items():
        # The namespace's prefix is a regex source; normalize() turns it into a format string.
        (ns_format, _params), *_ = normalize(ns_prefix)
        yield from _formats(sub, prefix + ns_format)


def all_url_formats() -> list[tuple[str, tuple[str, ...]]]:
    return sorted(set(_formats(get_resolver())))


def readable_text(response) -> str:
    """What a person would read in the response, workbooks unpacked."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX_TYPE):
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row
        )
    return body.decode("utf-8", errors="replace")


def _sample(name: str, world) -> str:
    samples = {
        "org_code": world.branch_a.code,
        "code": world.branch_a.code,
        "person_id": world.people.bob.pk,
        "membership_id": world.bob_membership.pk,
        "pk": world.people.bob.pk,
        "format": "json",
        "activity_id": world.activity.pk,
        "attendance_id": world.bob_attendance.pk,
        "attachment_id": world.attachment.pk,
        "election_id": world.election.pk,
        "export_id": world.export.pk,
        "token": world.activity.checkin_token,
        "channel_id": world.portal.channel.pk,
        "image_id": world.portal.picture.pk,
        "size": "medium",
        "tag": world.portal.tag,
        "page_id": world.portal.draft.pk,
        "year": 2026,
        "note_id": world.learning.note.pk,
        "training_id": world.learning.training.pk,
        "item_id": world.learning.item.pk,
        "output_id": world.research.report.pk,
        "topic_id": world.research.topic.pk,
        "submission_id": world.research.submission.pk,
        "instruction_id": world.research.instruction.pk,
        "follow_up_id": world.research.follow_up.pk,
        "publication_id": world.research.publication.pk,
        "number": 1,
        "party_id": world.exchanges.party.pk,
        "contact_id": world.exchanges.contact.pk,
        "event_id": world.exchanges.event.pk,
        "award_id": world.awards.award.pk,
        "competition_id": world.awards.competition.pk,
        "entry_id": world.awards.guest_entry.pk,
        "rule_id": world.awards.rule.pk,
        "criterion_id": world.awards.criterion.pk,
        "session_id": world.exchanges.session.pk,
        "letter_id": world.exchanges.letter.pk,
        "trip_id": world.trips.trip.pk,
        "trip_item_id": world.trips.item.pk,
    }
    if name in samples:
        return str(samples[name])
    if re.search(r"(^|_)(id|pk)$", name):
        return "1"
    return "x"


def urls_for(world) -> list[str]:
    urls = []
    for fmt, params in all_url_formats():
        url = "/" + fmt % {p: _sample(p, world) for p in params}
        urls.append(url)
    return sorted(set(urls))


@pytest.fixture
def world(personas):
    bob = personas.people.bob
    services.person_update(by=personas.alice, person=bob, phone=NEW_PHONE)
    personas.bob_membership = Membership.objects.get(person=bob, organization=personas.branch_a)
    # An activity of branch A with minutes, a reason for absence, a photo and a ledger export.
    activity = held_activity(
        by=personas.alice, organization=personas.branch_a, types=["theme_day"],
        starts_at=at(2026, 5, 12), minutes=MINUTES, host=personas.people.alice,
        absent={bob: (AttendanceStatus.EXCUSED, "因病请假")},
    )
    personas.activity = activity
    personas.bob_attendance = activity.attendance.get(person=bob)
    personas.attachment = activity_services.attachment_add(
        by=personas.alice, activity=activity, kind="material", caption="学习材料",
        file=ContentFile(b"internal", name="material.txt"))
    # An election recorded at it (its page names the candidates: Bob's name is private to A).
    personas.election = elections.election_record(
        by=personas.alice, activity=activity, seats=1,
        candidates=[(personas.people.alice, 1), (bob, 0)])
    personas.export = LedgerExport.objects.create(
        organization=personas.branch_a, year=2026, format="xlsx", requested_by=personas.alice)
    # The portal: an internal article (with its own picture) and Bob's contribution in review.
    personas.portal = publishing_testing.walk_world(personas)
    # Learning: branch A's plan, Bob's private study note and his external training.
    personas.learning = learning_testing.walk_world(personas)
    # Research: Bob's report with an instruction (its text a sentinel), a restricted output.
    personas.research = research_testing.research_world(personas)
    # International exchanges: a forum Alice manages, its guests' contact details and passports.
    personas.exchanges = exchanges_testing.exchanges_world(personas)
    # Awards: branch A's blind competition, judged by Frank and Dan; a guest entrant's name is a
    # sentinel that only the competition's managers (Alice) may read before results are published.
    personas.awards = awards_testing.awards_world(personas)
    # A delegation abroad Alice manages, Dan travels with, Carol owns an item of; the forum
    # includes branch A's theme day (its page shows the exchanges' panel).
    personas.trips = testing_trips.trip_world(personas, personas.exchanges)
    exchanges_services.event_link_activity(by=personas.admin, event=personas.exchanges.event, activity=activity)
    return personas


# What each persona must never see: values that only branch A's people or managers may see.
RESEARCH = ["A-INSTRUCTION-5521", "A-RESTRICTED-8830", "A-FOLLOWUP-6412"]
ENTRANT = awards_testing.ENTRANT_SENTINEL
# Frank's scores before the results are published: his own score sheet only (not the managers').
SCORES = list(awards_testing.SCORE_SENTINELS)
# Exchanges: guests' contact details only for foreign-affairs staff and the event's managers
# (Alice); the office's notes on a party only for foreign-affairs staff; passports for nobody.
GUEST_DETAILS = [exchanges_testing.CONTACT_EMAIL, exchanges_testing.CONTACT_PHONE,
                 exchanges_testing.CONTACT_NOTE]
NEVER_SHOWN = [exchanges_testing.PASSPORT, exchanges_testing.RELATIONSHIP_NOTE]
# A trip's purpose and follow-ups: for staff, its managers, its members and the items' owners.
TRIP = [testing_trips.PURPOSE, testing_trips.FOLLOW_UP, testing_trips.CAROL_ITEM]
LEARNING = [learning_testing.NOTE_SENTINEL, learning_testing.RETURN_SENTINEL]
FORBIDDEN = {
    "anonymous": [OLD_PHONE, NEW_PHONE, BOB_EMAIL, "王博", "A-MINUTES-7731", "因病请假",
                  publishing_testing.PORTAL_INTERNAL, publishing_testing.PORTAL_DRAFT,
                  *LEARNING, *RESEARCH, ENTRANT, *SCORES, *GUEST_DETAILS,
                  *NEVER_SHOWN, *TRIP],
    "carol": [OLD_PHONE, NEW_PHONE, BOB_EMAIL, "王博", "A-MINUTES-7731", "因病请假",
              publishing_testing.PORTAL_INTERNAL, publishing_testing.PORTAL_DRAFT,
              *LEARNING, *RESEARCH, ENTRANT, *SCORES, *GUEST_DETAILS, *NEVER_SHOWN],
    "bob": [OLD_PHONE, ENTRANT, *SCORES, *GUEST_DETAILS, *NEVER_SHOWN, *TRIP],
    "dan": [OLD_PHONE, publishing_testing.PORTAL_DRAFT, *LEARNING, ENTRANT, *SCORES,
            *GUEST_DETAILS, *NEVER_SHOWN],
    "alice": [publishing_testing.PORTAL_DRAFT, *SCORES, *NEVER_SHOWN],
    # A member of branch A who wrote nothing: sees that the instruction exists, not its text.
    "frank": [OLD_PHONE, publishing_testing.PORTAL_DRAFT, *LEARNING, *RESEARCH,
              ENTRANT, *GUEST_DETAILS, *NEVER_SHOWN, *TRIP],
}


def test_every_url_is_walked_and_our_pages_are_among_them(world):
    urls = urls_for(world)
    assert "/my/" in urls
    assert f"/orgs/{world.branch_a.code}/people/" in urls
    assert f"/people/{world.people.bob.pk}/" in urls
    assert any(u.startswith("/api/v1/people/") for u in urls)
    assert any(u.startswith("/admin/") for u in urls)
    assert f"/orgs/{world.branch_a.code}/activities/{world.activity.pk}/" in urls
    assert f"/checkin/{world.activity.checkin_token}/" in urls
    assert f"/orgs/{world.branch_a.code}/activities/{world.activity.pk}/elections/{world.election.pk}/" in urls
    assert f"/portal/feeds/{world.portal.channel.pk}/" in urls
    assert f"/my/contributions/{world.portal.draft.pk}/" in urls
    assert f"/learning/notes/{world.learning.note.pk}/" in urls
    assert f"/orgs/{world.branch_a.code}/learning/2026/hours/" in urls
    assert f"/orgs/{world.branch_a.code}/learning/2026/hours/export/" in urls
    assert world.research.report.get_absolute_url() in urls
    assert f"/orgs/{world.branch_a.code}/research/figures.xlsx" in urls
    assert world.research.report.get_absolute_url() + "portal/" in urls
    assert world.research.report.get_absolute_url() + "journal/" in urls
    assert f"/orgs/{world.branch_a.code}/learning/items/{world.learning.item.pk}/edit/" in urls
    assert f"/orgs/{world.branch_a.code}/learning/items/{world.learning.item.pk}/delete/" in urls
    assert f"/orgs/{world.branch_a.code}/learning/courses/new/" in urls
    assert f"/learning/training/{world.learning.training.pk}/resubmit/" in urls
    assert f"/exchanges/contacts/{world.exchanges.contact.pk}/" in urls
    assert f"/exchanges/events/{world.exchanges.event.pk}/checkin/" in urls
    assert world.awards.competition.get_absolute_url() + "judging/" in urls
    assert world.awards.guest_entry.get_absolute_url() in urls
    assert world.awards.guest_entry.get_absolute_url() + "edit/" in urls
    assert world.awards.competition.get_absolute_url() + "edit/" in urls
    assert any(u.startswith("/api/v1/competitions/") and u.endswith("/results/") for u in urls)
    assert "/api/v1/awards/" in urls
    assert f"/exchanges/trips/{world.trips.trip.pk}/" in urls
    assert f"/exchanges/follow-ups/{world.trips.item.pk}/close/" in urls
    assert "/exchanges/figures/map.svg" in urls


@pytest.mark.parametrize("persona", ["anonymous", "carol", "bob", "dan"])
def test_outsiders_get_404_or_the_login_page_for_guests_and_events(persona, world, login):
    client = login(None if persona == "anonymous" else getattr(world, persona))
    private = [u for u in urls_for(world) if u.startswith(("/exchanges/contacts/", "/exchanges/events/"))]
    assert len(private) >= 5
    for url in private:
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == 404, (url, response.status_code)


@pytest.mark.parametrize("persona", ["anonymous", "carol", "bob", "dan", "alice", "frank"])
def test_no_page_leaks_or_fails_for(persona, world, login):
    user = None if persona == "anonymous" else getattr(world, persona)
    client = login(user)
    failures = []
    for url in urls_for(world):
        if url.startswith(("/accounts/logout", "/admin/logout", "/django-admin/logout")):
            continue  # logging out would end the walk's session
        client.raise_request_exception = False
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url} → {response.status_code}")
            continue
        text = readable_text(response)
        for secret in FORBIDDEN[persona]:
            if secret in text:
                failures.append(f"{url} shows {secret!r} to {persona}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", ["anonymous", "carol"])
def test_outsiders_get_404_or_the_login_page_for_branch_a(persona, world, login):
    user = None if persona == "anonymous" else world.carol
    client = login(user)
    a_urls = [u for u in urls_for(world) if f"/{world.branch_a.code}/" in u or f"/people/{world.people.bob.pk}/" in u]
    assert a_urls
    for url in a_urls:
        response = client.get(url)
        if user is None and response.status_code == 302:
            assert "/accounts/login/" in response["Location"], url
        elif url.startswith("/api/"):
            assert response.status_code in (401, 403, 404, 405), (url, response.status_code)
        else:
            assert response.status_code in (404, 405), (url, response.status_code)
