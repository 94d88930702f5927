"""The demo's two-step login: the demo's staff logins get an authenticator with one known key and
three recovery codes each, printed by `load_demo` (like the demo password, they are public: a
demo is no deployment). A real deployment keeps BRANCHWORK_OTP_REQUIRED on and each person
enrols their own phone at /accounts/two-factor/enrol/ on their first login."""

import base64
import binascii

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from branchwork.core.auth import needs_second_factor

# 20 bytes, as authenticator apps expect; printed in base32 for typing into one.
DEMO_KEY = b"branchwork-demo-totp"
RECOVERY_PER_LOGIN = 3


def demo_key_base32() -> str:
    key = base64.b32encode(DEMO_KEY).decode()
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def recovery_codes_for(username: str) -> list[str]:
    return [f"demo{username}{n}"[:16] for n in range(1, RECOVERY_PER_LOGIN + 1)]


@transaction.atomic
def enrol_demo_staff(usernames: list[str]) -> list[str]:
    """Give each of these accounts that must use a second factor the demo key and fresh demo
    recovery codes (again on every load: used codes come back). Returns the usernames enrolled."""
    enrolled = []
    for user in get_user_model().objects.filter(username__in=usernames).order_by("username"):
        if not needs_second_factor(user):
            continue
        TOTPDevice.objects.update_or_create(
            user=user, name="demo",
            defaults={"key": binascii.hexlify(DEMO_KEY).decode(), "confirmed": True,
                      "throttling_failure_count": 0, "throttling_failure_timestamp": None},
        )
        static, _created = StaticDevice.objects.update_or_create(
            user=user, name="demo-recovery",
            defaults={"confirmed": True, "throttling_failure_count": 0,
                      "throttling_failure_timestamp": None},
        )
        static.token_set.all().delete()
        StaticToken.objects.bulk_create(
            [StaticToken(device=static, token=code) for code in recovery_codes_for(user.username)]
        )
        enrolled.append(user.username)
    return enrolled


def load(*, stdout) -> None:
    from branchwork.core.demo import LOGINS

    enrolled = enrol_demo_staff([spec.username for spec in LOGINS])
    if not enrolled:
        return
    stdout.write("")
    stdout.write(
        "两步登录 Two-step login — " + ", ".join(enrolled) + ": 密码之后输入验证码 "
        "after the password, give a code"
    )
    stdout.write(f"  验证器密钥 authenticator key (TOTP, 30 s): {demo_key_base32()}")
    for username in enrolled:
        stdout.write(f"  {username} 恢复码 recovery codes (each once): "
                     + ", ".join(recovery_codes_for(username)))
