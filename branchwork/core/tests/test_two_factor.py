"""Two-step login: required for the back office and the committee's staff, optional for members;
enrolment with a QR code and a key, recovery codes that work once, wrong codes throttled; the
API's tokens unaffected, its session use by staff only once verified (issue 13, item 11)."""

import base64
import datetime
import re

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from rest_framework.test import APIClient

from branchwork.core import services
from branchwork.core.testing import PASSWORD, enrol_totp, totp_code

ENROL = reverse("otp_enrol")
VERIFY = reverse("otp_verify")


def location(response) -> str:
    return response.headers.get("Location", "")


def test_staff_without_a_device_opening_the_back_office_are_sent_to_enrol(personas, login):
    response = login(personas.admin, verified=False).get("/admin/")

    assert response.status_code == 302
    assert location(response) == f"{ENROL}?next=%2Fadmin%2F"


def test_enrolment_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(
    personas, login, time_machine
):
    client = login(personas.admin, verified=False)

    page = client.get(f"{ENROL}?next=/admin/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    key = re.search(r'class="otp-key">([A-Z2-7 ]+)<', html).group(1)
    device = personas.admin.totpdevice_set.get(confirmed=False)
    assert base64.b32decode(key.replace(" ", "")) == device.bin_key

    wrong = client.post(ENROL, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed

    time_machine.shift(datetime.timedelta(seconds=5))  # past the wait a wrong code costs
    done = client.post(ENROL, {"code": totp_code(device), "next": "/admin/"})
    assert location(done).startswith(reverse("otp_recovery_codes"))
    codes_page = client.get(location(done)).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", codes_page)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=personas.admin)
                             .values_list("token", flat=True))
    # Shown once: the page does not show them again.
    assert location(client.get(reverse("otp_recovery_codes"))) == reverse("otp_settings")
    assert client.get("/admin/").status_code == 200


def test_with_a_device_the_back_office_needs_the_code(personas, login):
    device = enrol_totp(personas.admin)
    client = login(personas.admin, verified=False)

    response = client.get("/admin/people/")
    assert location(response) == f"{VERIFY}?next=%2Fadmin%2Fpeople%2F"

    response = client.post(VERIFY, {"code": totp_code(device), "next": "/admin/people/"})
    assert location(response) == "/admin/people/"
    assert client.get("/admin/people/").status_code == 200


def test_a_password_alone_cannot_add_a_second_device(personas, login):
    enrol_totp(personas.admin)
    client = login(personas.admin, verified=False)

    assert location(client.get(ENROL)).startswith(VERIFY)
    assert personas.admin.totpdevice_set.count() == 1


def test_a_wrong_code_repeated_is_throttled(personas, login, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC), tick=False)
    device = enrol_totp(personas.admin)
    client = login(personas.admin, verified=False)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for _attempt in range(3):
        assert client.post(VERIFY, {"code": wrong}).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1

    # Now even the right code is refused until the wait (1, 2, 4 … seconds) is over.
    client.cookies["bw_language"] = "en"
    refused = client.post(VERIFY, {"code": right})
    assert refused.status_code == 200
    assert "Too many wrong codes. Wait until 18:00:01" in refused.content.decode()
    assert location(client.get("/admin/")).startswith(VERIFY)

    time_machine.move_to(datetime.datetime(2026, 11, 16, 10, 1, tzinfo=datetime.UTC), tick=False)
    accepted = client.post(VERIFY, {"code": totp_code(device), "next": "/admin/"})
    assert location(accepted) == "/admin/"


def test_a_recovery_code_works_once(personas, login):
    from branchwork.core.otp_views import _new_recovery_codes

    enrol_totp(personas.admin)
    codes = _new_recovery_codes(personas.admin)
    client = login(personas.admin, verified=False)

    response = client.post(VERIFY, {"code": codes[0].upper(), "next": "/admin/"})
    assert location(response) == "/admin/"
    assert client.get("/admin/").status_code == 200

    client = login(personas.admin, verified=False)
    again = client.post(VERIFY, {"code": codes[0], "next": "/admin/"})
    assert again.status_code == 200
    assert location(client.get("/admin/")).startswith(VERIFY)
    assert StaticToken.objects.filter(device__user=personas.admin).count() == 9


def test_a_member_without_a_device_is_not_asked(personas, login):
    client = login(personas.bob, verified=False)

    assert client.get("/my/").status_code == 200
    # The back office is not Bob's: Wagtail refuses him, not the code step.
    assert not location(client.get("/admin/")).startswith((ENROL, VERIFY))


def test_committee_staff_are_asked_everywhere(personas, login):
    client = login(personas.dan, verified=False)

    assert location(client.get("/my/")) == f"{ENROL}?next=%2Fmy%2F"
    assert login(personas.dan).get("/my/").status_code == 200


def test_a_member_who_enrolled_gives_the_code_after_the_password(personas, client):
    device = enrol_totp(personas.bob)

    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD, "next": "/my/"})
    assert location(response) == "/my/"
    assert location(client.get("/my/")) == f"{VERIFY}?next=%2Fmy%2F"

    client.post(VERIFY, {"code": totp_code(device)})
    assert client.get("/my/").status_code == 200


def test_a_member_may_turn_it_off_but_staff_may_not(personas, login):
    enrol_totp(personas.bob)
    bob = login(personas.bob)
    from branchwork.core.testing import verify_session

    verify_session(bob, personas.bob)
    bob.post(reverse("otp_disable"))
    assert not personas.bob.totpdevice_set.exists()

    dan = login(personas.dan)
    dan.post(reverse("otp_disable"))
    assert personas.dan.totpdevice_set.filter(confirmed=True).exists()


def test_api_tokens_are_unaffected_but_a_staff_session_must_be_verified(personas, login):
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {services.api_token_issue(user=personas.dan).key}")
    assert token_client.get("/api/v1/me/").status_code == 200

    assert login(personas.dan, verified=False).get("/api/v1/me/").status_code == 403
    assert login(personas.dan).get("/api/v1/me/").status_code == 200
    assert login(personas.bob, verified=False).get("/api/v1/me/").status_code == 200


def test_the_pages_read_in_chinese_and_in_english(personas, login, client):
    login(personas.admin, verified=False)
    zh = client.get(ENROL).content.decode()
    assert "两步登录" in zh
    client.cookies["bw_language"] = "en"
    en = client.get(ENROL).content.decode()
    assert "Set up two-step login" in en


def test_the_setting_turns_the_requirement_off(personas, login, settings):
    settings.BRANCHWORK_OTP_REQUIRED = False

    assert login(personas.admin, verified=False).get("/admin/").status_code == 200


def test_the_demo_prints_how_its_staff_log_in_and_that_works(db, client):
    import io

    from django.conf import settings
    from django.core.management import call_command

    from branchwork.core import otp_demo

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert otp_demo.demo_key_base32() in text
    assert "admin 恢复码 recovery codes" in text and "shichen 恢复码" in text
    assert "lijing 恢复码" not in text  # a branch secretary is not asked

    client.post("/accounts/login/", {"username": "admin", "password": settings.DEMO_PASSWORD})
    assert location(client.get("/admin/")).startswith(VERIFY)
    client.post(VERIFY, {"code": otp_demo.recovery_codes_for("admin")[0]})
    assert client.get("/admin/").status_code == 200

    # The printed key is what the authenticator app holds.
    device = get_user_model().objects.get(username="shichen").totpdevice_set.get()
    client.logout()
    client.post("/accounts/login/", {"username": "shichen", "password": settings.DEMO_PASSWORD})
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.get("/my/").status_code == 200


def test_an_editor_is_asked_in_the_back_office_only(personas, login):
    from django.contrib.auth.models import Permission

    alice = personas.alice  # a branch secretary: not the committee's staff
    alice.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client = login(alice, verified=False)

    assert client.get("/my/").status_code == 200
    assert location(client.get("/admin/")) == f"{ENROL}?next=%2Fadmin%2F"
