"""Exchanges' test world: Fay, foreign-affairs staff; Alice (branch A's secretary) also manages
one event; Bob and Carol are plain members; the anonymous are nobody. Contact details and
passport numbers carry sentinels that must never reach those who may not see them."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from branchwork.core.models import Role
from branchwork.core.testing import give_role, person_with_login
from branchwork.exchanges import services, services_letters, services_programme
from branchwork.exchanges.models import EventKind, ParticipantStatus

CONTACT_EMAIL = "guest-7731@example.net"
CONTACT_PHONE = "+66 2 555 7731"
PASSPORT = "PASS-SENTINEL-7731"
CONTACT_NOTE = "CONTACT-NOTE-7731"
RELATIONSHIP_NOTE = "RELATION-NOTE-7731"

NAMES = [  # (native, Latin as in the passport, Chinese rendering, country)
    ("สมชาย ใจดี", "Somchai Jaidee", "颂猜·再迪", "THA"),
    ("Анна Сергеевна Ковалёва", "Anna Kovaleva", "安娜·科瓦廖娃", "RUS"),
    ("محمد عبد الرحمن الحسيني", "Mohammed Abdulrahman Al-Husseini", "穆罕默德·侯赛尼", "EGY"),
    ("राजेश कुमार शर्मा", "Rajesh Kumar Sharma", "拉杰什·夏尔马", "IND"),
    ("សុខ ចាន់ថា", "Sok Chantha", "索·占塔", "KHM"),
    ("李明华", "Li Minghua", "李明华", "SGP"),
    ("Maria Fernanda Gonçalves de Albuquerque e Vasconcelos", "Maria Fernanda Goncalves de Albuquerque e Vasconcelos",
     "玛丽亚·贡萨尔维斯", "BRA"),
]


def exchanges_world(personas) -> SimpleNamespace:
    fay = person_with_login("fay", "傅雅", name_en="Fay")
    give_role(fay, personas.committee, Role.FOREIGN_AFFAIRS)
    admin = personas.admin
    party = services.party_create(
        by=admin, name_zh="人民关怀党", name_native="พรรครักประชาชน", name_en="People's Care Party",
        name_short="PRP", country="THA", relationship_notes=RELATIONSHIP_NOTE)
    event = services.event_create(
        by=admin, kind=EventKind.FORUM, title_zh="世界政党对话会", title_en="World Parties Dialogue",
        starts_on=datetime.date(2026, 11, 20), ends_on=datetime.date(2026, 11, 22),
        place="北京", retention_until=datetime.date(2026, 12, 31), managers=[personas.people.alice])
    participants = []
    for i, (native, latin, zh, country) in enumerate(NAMES):
        contact = services.contact_create(
            by=admin, name_native=native, name_latin=latin, name_zh=zh,
            party=party if country == "THA" else None,
            email=CONTACT_EMAIL if i == 0 else f"guest{i}@example.net",
            phone=CONTACT_PHONE if i == 0 else "", notes=CONTACT_NOTE if i == 0 else "")
        delegation = event.delegations.filter(country=country).first() or services.delegation_add(
            by=admin, event=event, country=country, party=party if country == "THA" else None)
        participants.append(services.participant_add(
            by=admin, event=event, contact=contact, delegation=delegation,
            status=ParticipantStatus.CONFIRMED, passport_number=PASSPORT if i == 0 else f"P{i:07d}",
            date_of_birth=datetime.date(1970, 1, 1 + i)))
    # The programme: a session, and the first guest's visa letter drafted by Alice, approved by Fay.
    session = services_programme.session_save(
        by=admin, event=event, day=datetime.date(2026, 11, 21), starts_at=datetime.time(9, 0),
        ends_at=datetime.time(11, 30), title_zh="全体会议", title_en="Plenary", room="一号厅",
        interpretation="英语、俄语、阿拉伯语")
    services_letters.letters_draft(by=personas.alice, event=event, participants=participants[:1])
    letter = participants[0].letter
    services_letters.letter_approve(by=fay.user, letter=letter)
    return SimpleNamespace(fay=fay.user, party=party, event=event, participants=participants,
                           contact=participants[0].contact, participant=participants[0],
                           session=session, letter=letter)
