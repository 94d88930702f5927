"""Two-step login: enrol an authenticator app (QR code or key), give a code after the password,
recovery codes for a lost phone. Who must use it: core.auth (must_use_second_factor)."""

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from branchwork.core import auth

RECOVERY_CODE_COUNT = 10
_SHOW_ONCE_KEY = "branchwork_otp_new_recovery_codes"
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=20,
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "one-time-code", "inputmode": "text",
            "spellcheck": "false", "autocapitalize": "off",
        }),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


def _next_url(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _manual_key(device: TOTPDevice) -> str:
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def _qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1a1a1a", light="#ffffff")


def _new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones (each works once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if not code.isdigit():  # digits alone are read as an authenticator's code
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _throttled_until(devices) -> "timezone.datetime | None":
    """When the earliest refusal ends, if every device refuses codes for now (too many wrong)."""
    waits = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            return None
        waits.append((data or {}).get("locked_until"))
    waits = [w for w in waits if w is not None]
    return min(waits) if waits else None


def _check_code(user, code: str):
    """The device that accepts `code` (digits: the authenticator; letters: a recovery code, which
    is then used up), else None. Raises _Throttled while wrong codes have closed the door."""
    model = TOTPDevice if code.isdigit() else StaticDevice
    devices = list(model.objects.devices_for_user(user, confirmed=True))
    if not devices:
        return None
    until = _throttled_until(devices)
    if until is not None:
        raise _Throttled(until)
    for device in devices:
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def _throttled_message(until) -> str:
    return _("Too many wrong codes. Wait until %(time)s, then try again.") % {
        "time": timezone.localtime(until).strftime("%H:%M:%S")
    }


class _Throttled(Exception):
    def __init__(self, until):
        super().__init__(until)
        self.until = until


@login_required
def verify(request):
    """The login's second step: a code from the authenticator, or a recovery code."""
    user = request.user
    if not auth.has_device(user):
        return redirect(f"{reverse('otp_enrol')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = _check_code(user, form.cleaned_data["code"])
        except _Throttled as exc:
            form.add_error("code", _throttled_message(exc.until))
        else:
            if device is None:
                form.add_error("code", _("This code is not right (or was already used)."))
            else:
                auth.mark_verified(request, device)
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    messages.warning(request, _(
                        "You used a recovery code; %(left)s are left. Make new ones on the "
                        "two-step login page if you are running out."
                    ) % {"left": left})
                return redirect(_next_url(request))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def enrol(request):
    """Add an authenticator app: scan the QR code (or type the key), confirm with a code."""
    user = request.user
    if auth.has_device(user) and not auth.is_verified(request):
        # Adding a second device takes the first: otherwise a stolen password would be enough.
        return redirect(f"{reverse('otp_verify')}?next={reverse('otp_enrol')}")
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        messages.info(request, _("An authenticator app is already set up for this account."))
        return redirect("otp_settings")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            until = _throttled_until([device])
            accepted = until is None and device.verify_token(form.cleaned_data["code"])
            if accepted:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_recovery_codes(user)
        if accepted:
            auth.mark_verified(request, device)
            request.session[_SHOW_ONCE_KEY] = codes
            return redirect(f"{reverse('otp_recovery_codes')}?next={_next_url(request)}")
        if until is not None:
            form.add_error("code", _throttled_message(until))
        else:
            form.add_error("code", _(
                "This code is not right. Check that the phone's clock is right and type the code "
                "the app shows now."
            ))
    return render(request, "registration/otp_enrol.html", {
        "form": form,
        "qr": mark_safe(_qr_svg(device)),  # segno's SVG of our own otpauth URL
        "manual_key": _manual_key(device),
        "next": _next_url(request),
        "required": auth.must_use_second_factor(user, _next_url(request)),
    })


@login_required
def recovery_codes(request):
    """New recovery codes, shown once (right after enrolment, or when made anew)."""
    codes = request.session.pop(_SHOW_ONCE_KEY, None)
    if codes is None:
        return redirect("otp_settings")
    return render(request, "registration/otp_recovery_codes.html",
                  {"codes": codes, "next": _next_url(request, reverse("otp_settings"))})


@login_required
def settings_page(request):
    """The account's two-step login: whether it is on, recovery codes left, turning it off."""
    user = request.user
    has_app = TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
    left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return render(request, "registration/otp_settings.html", {
        "has_app": has_app,
        "codes_left": left,
        "verified": auth.is_verified(request),
        "required": auth.is_committee_staff(user) and auth.otp_required(),
    })


def _verified_or_redirect(request):
    if not auth.is_verified(request):
        return redirect(f"{reverse('otp_verify')}?next={reverse('otp_settings')}")
    return None


@login_required
@require_POST
def recovery_codes_new(request):
    if response := _verified_or_redirect(request):
        return response
    request.session[_SHOW_ONCE_KEY] = _new_recovery_codes(request.user)
    return redirect("otp_recovery_codes")


@login_required
@require_POST
def disable(request):
    """Turn two-step login off (members only: whoever must use it cannot)."""
    if response := _verified_or_redirect(request):
        return response
    if auth.is_committee_staff(request.user) and auth.otp_required():
        messages.error(request, _("Your account must use two-step login; it cannot be turned off."))
        return redirect("otp_settings")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).delete()
        StaticDevice.objects.filter(user=request.user).delete()
    messages.success(request, _("Two-step login is off for your account."))
    return redirect("otp_settings")
