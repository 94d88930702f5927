"""Test personas and factories, shared by every app's tests (in the manner of hc/test.py).

Alice is the secretary of branch A. Bob is a member of branch A (and of its first Party group).
Carol is a member of branch B. Dan works in the office of the committee above A and B.
Anonymous is nobody. Every test that asks "who may see this?" asks it of these five.
"""

import datetime
import os
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model

from branchwork.core.models import Membership, MembershipStatus, Organization, OrganizationKind, Person, Role, Unit

PASSWORD = "persona-password"
SINCE = datetime.date(2024, 1, 1)

# The suite's "now": every test starts at this moment, whatever the machine's clock says, and
# time runs on from there (branchwork/conftest.py). A test that needs another moment moves the
# clock itself (the `time_machine` fixture); a fixture wider than one test holds `suite_clock()`.
# `make test-dates` runs the suite again with BRANCHWORK_TEST_NOW in 2027 and in 2030, so that no
# test quietly depends on the calendar.
# A date alone means ten in the morning of that day (an hour of the working day, as the default).
_now = os.environ.get("BRANCHWORK_TEST_NOW") or "2026-11-16T10:00:00+08:00"
TEST_NOW = datetime.datetime.fromisoformat(_now if "T" in _now or " " in _now else f"{_now}T10:00:00")
if TEST_NOW.tzinfo is None:
    TEST_NOW = TEST_NOW.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def suite_clock():
    """The suite's clock, for a fixture that spans more than one test (module or session)."""
    import time_machine

    return time_machine.travel(TEST_NOW, tick=True)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit-{n}")
    name_zh = factory.Sequence(lambda n: f"单位{n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试人员{n}")
    name_en = factory.Sequence(lambda n: f"Test Person {n}")
    membership_status = MembershipStatus.FULL
    joined_party_on = datetime.date(2010, 7, 1)
    email = factory.Sequence(lambda n: f"person{n}@example.org")

    @factory.post_generation
    def status_history(obj, create, extracted, **kwargs):
        """The dated history the status implies (probationary on joining, full a year later),
        as person_create derives it; `status_history=False` leaves the person without one."""
        if create and extracted is not False:
            from django.utils import timezone

            from branchwork.core.services import derive_status_histories

            derive_status_histories(people=[obj], today=timezone.localdate())


def make_org(code: str, kind: str, name_zh: str, parent: Organization | None = None, **extra) -> Organization:
    org = Organization(code=code, kind=kind, name_zh=name_zh, name_en=extra.pop("name_en", code), **extra)
    return parent.add_child(instance=org) if parent else Organization.add_root(instance=org)


def give_role(person: Person, org: Organization, role: str = Role.MEMBER, start_on=SINCE, **extra) -> Membership:
    return Membership.objects.create(person=person, organization=org, role=role, start_on=start_on, **extra)


def person_with_login(username: str, name: str, **extra) -> Person:
    user = UserFactory(username=username)
    return PersonFactory(name=name, name_en=extra.pop("name_en", username.title()), user=user,
                         email=f"{username}@example.org", **extra)


def build_personas() -> SimpleNamespace:
    unit = UnitFactory(code="research-office", name_zh="研究室", name_en="Research Office")
    committee = make_org("cmte", OrganizationKind.COMMITTEE, "机关党委", name_en="Party Committee")
    branch_a = make_org("branch-a", OrganizationKind.BRANCH, "研究室党支部", committee, name_en="Branch A", unit=unit)
    group_a1 = make_org("branch-a-g1", OrganizationKind.GROUP, "研究室第一党小组", branch_a, name_en="Group A1")
    branch_b = make_org("branch-b", OrganizationKind.BRANCH, "综合处党支部", committee, name_en="Branch B")
    outside = make_org("brother", OrganizationKind.EXTERNAL_BRANCH, "兄弟单位党支部", name_en="Brother branch")

    alice = person_with_login("alice", "李爱丽", phone="13800000001", unit=unit, position="主任")
    bob = person_with_login("bob", "王博", phone="13800000002", unit=unit, position="研究员")
    carol = person_with_login("carol", "陈可乐", phone="13800000003")
    dan = person_with_login("dan", "赵丹", phone="13800000004")

    give_role(alice, branch_a, Role.MEMBER)
    give_role(alice, branch_a, Role.SECRETARY)
    give_role(bob, branch_a, Role.MEMBER)
    give_role(bob, group_a1, Role.MEMBER)
    give_role(carol, branch_b, Role.MEMBER)
    give_role(dan, committee, Role.STAFF)

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    return SimpleNamespace(
        unit=unit, committee=committee, branch_a=branch_a, group_a1=group_a1, branch_b=branch_b,
        outside=outside, alice=alice.user, bob=bob.user, carol=carol.user, dan=dan.user, admin=admin,
        people=SimpleNamespace(alice=alice, bob=bob, carol=carol, dan=dan),
    )


# --- Two-step login (core.auth) ---


def enrol_totp(user):
    """The user's confirmed authenticator (made if they have none), as a test's phone holds it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code the phone shows now (or `steps_ahead` time steps later) for `device`."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _steps_to_an_unused_code(device) -> int:
    """A second log-in within the same 30 seconds cannot reuse the code (django-otp refuses a
    replay): take the next time step's code then, which the device's tolerance accepts."""
    import time

    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step) + device.drift
    return max(0, device.last_t - now + 1)


def verify_session(client, user) -> None:
    """Mark the test client's session as having shown a second factor (enrolling the user's
    authenticator if needed), as core.auth.mark_verified does after a right code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from branchwork.core.auth import OTP_PENDING_SESSION_KEY

    device = enrol_totp(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.pop(OTP_PENDING_SESSION_KEY, None)
    session.save()


def needs_second_factor(user) -> bool:
    from branchwork.core.auth import needs_second_factor as needs

    return needs(user)


def answer_second_factor(page, username: str, next_url: str = "/my/") -> None:
    """In a browser test, after the password: if the account must use a second factor somewhere
    (the back office), give the code page what its phone shows, so the back office opens."""
    from urllib.parse import quote

    user = get_user_model().objects.get(username=username)
    if not needs_second_factor(user):
        return
    device = enrol_totp(user)
    page.goto(f"/accounts/two-factor/code/?next={quote(next_url)}")
    page.locator("#id_code").fill(totp_code(device, steps_ahead=_steps_to_an_unused_code(device)))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(f"**{next_url}")
