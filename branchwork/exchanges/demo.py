"""The exchanges' part of the demo (data in demo/forum.yaml, written by us): 108 made-up parties
from 72 countries at a world forum with about 420 participants whose names are in their own
scripts, and a smaller dialogue. Xu Liping (of the international exchange division) is
foreign-affairs staff; Gao Yuan manages the forum. Generated with a fixed seed and keyed on the
forum's title: loading again changes nothing."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from branchwork.core import demo as core_demo
from branchwork.core.models import Membership, Person, Role
from branchwork.exchanges import services
from branchwork.exchanges.models import Event, EventKind, Participant, ParticipantStatus, Party

_DATA = core_demo.read_data(__file__, "forum.yaml")
SEED = 20261118
STATUSES = [ParticipantStatus.CONFIRMED] * 8 + [ParticipantStatus.INVITED, ParticipantStatus.DECLINED]


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _parties(rng: random.Random, countries: list[tuple[str, str]], count: int) -> list[tuple[Party, str]]:
    words, kinds, families = _DATA["party_words"], _DATA["party_kinds"], _DATA["families"]
    made, used = [], set()
    for i in range(count):
        country, script = countries[i % len(countries)]
        while True:
            word, kind = rng.choice(words), rng.choice(kinds)
            if (country, word[0], kind[0]) not in used:
                used.add((country, word[0], kind[0]))
                break
        name_en = f"{word[0]} {kind[0]}"
        short = "".join(part[0] for part in name_en.replace("'", "").split()).upper() + country[:1]
        party = services.party_create(
            by=None, source="demo", name_en=name_en, name_zh=f"{word[1]}{kind[1]}",
            name_native=name_en if script == "latin" else "", name_short=short, country=country,
            founded=rng.randint(1921, 2015), family=rng.choice(families))
        made.append((party, script))
    return made


def _person(rng: random.Random, script: str) -> tuple[str, str, str]:
    given, family = rng.choice(_DATA["given"][script]), rng.choice(_DATA["family"][script])
    if script in ("latin", "devanagari", "thai", "arabic"):
        native, latin, zh = f"{given[0]} {family[0]}", f"{given[1]} {family[1]}", f"{given[2]}·{family[2]}"
    elif script == "khmer":  # family name first
        native, latin, zh = f"{family[0]} {given[0]}", f"{family[1]} {given[1]}", f"{family[2]}·{given[2]}"
    else:
        native, latin, zh = f"{given[0]} {family[0]}", f"{given[1]} {family[1]}", f"{given[2]}·{family[2]}"
    return native, latin, zh


def _staff() -> tuple[Person | None, Person | None]:
    staff = Person.objects.filter(name_en="Xu Liping").first()
    manager = Person.objects.filter(name_en="Gao Yuan").first()
    if staff is not None and not staff.memberships.filter(role=Role.FOREIGN_AFFAIRS).exists():
        home = staff.memberships.select_related("organization").first()
        if home is not None:
            Membership.objects.create(person=staff, organization=home.organization,
                                      role=Role.FOREIGN_AFFAIRS, start_on=datetime.date(2025, 1, 1))
    return staff, manager


@transaction.atomic
def load_demo(*, stdout=None) -> None:
    forum_spec = _DATA["forum"]
    if Event.objects.filter(title_zh=forum_spec["title_zh"]).exists():
        return
    rng = random.Random(SEED)
    _staff_person, manager = _staff()
    countries = [(code, script) for script, codes in _DATA["countries"].items() for code in codes]
    parties = _parties(rng, countries, forum_spec["parties"])
    forum = services.event_create(
        by=None, kind=EventKind.FORUM, title_zh=forum_spec["title_zh"], title_en=forum_spec["title_en"],
        place=forum_spec["place"], host=forum_spec["host"], starts_on=_date(forum_spec["starts_on"]),
        ends_on=_date(forum_spec["ends_on"]), retention_until=_date(forum_spec["retention_until"]),
        managers=[manager] if manager else [])
    total = forum_spec["participants"]
    per_party = [total // len(parties)] * len(parties)
    for i in range(total - sum(per_party)):
        per_party[i] += 1
    participants = []
    for (party, script), size in zip(parties, per_party):
        delegation = services.delegation_add(by=None, event=forum, country=party.country, party=party)
        for j in range(size):
            native, latin, zh = _person(rng, script)
            contact = services.contact_create(
                by=None, name_native=native, name_latin=latin, name_zh=zh, party=party,
                email=f"guest{len(participants) + 1}@example.net")
            if j == 0:
                delegation.head = contact
                delegation.save(update_fields=["head"])
            participants.append(Participant(
                event=forum, contact=contact, delegation=delegation, status=rng.choice(STATUSES),
                passport_number=f"D{rng.randint(10**7, 10**8 - 1)}"))
    Participant.objects.bulk_create(participants)
    dialogue_spec = _DATA["dialogue"]
    dialogue = services.event_create(
        by=None, kind=EventKind.DIALOGUE, title_zh=dialogue_spec["title_zh"],
        title_en=dialogue_spec["title_en"], place=dialogue_spec["place"],
        starts_on=_date(dialogue_spec["starts_on"]), ends_on=_date(dialogue_spec["ends_on"]),
        retention_until=_date(dialogue_spec["retention_until"]), managers=[manager] if manager else [])
    for party, _script in parties:
        if party.country in ("THA", "KHM", "VNM", "IDN", "MYS", "PHL"):
            delegation = services.delegation_add(by=None, event=dialogue, country=party.country, party=party)
            for contact in party.contacts.all()[:2]:
                services.participant_add(by=None, event=dialogue, contact=contact, delegation=delegation,
                                         status=ParticipantStatus.ATTENDED)
    if stdout is not None:
        stdout.write(f"exchanges: {len(parties)} parties from {len({p.country for p, _s in parties})} "
                     f"countries, {len(participants)} forum participants")
