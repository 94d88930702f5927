from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q


class UsernameOrEmailBackend(ModelBackend):
    """Log in with a username, or with the email address of the account or of its person."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        login = username.strip()
        query = Q(username=login)
        if "@" in login:
            query |= Q(email__iexact=login) | Q(person__email__iexact=login)
        candidates = list(User.objects.filter(query).distinct()[:2])
        if len(candidates) != 1:
            # Unknown, or an email shared by two accounts: run the hasher anyway so that timing
            # does not tell which.
            User().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a request, as ModelBackend finds them (by primary key; None when
        gone or inactive), with one plain SELECT of the user's columns: every signed-in request
        asks, and the ORM's query building costs more than the read (issue 13, the floor)."""
        from django.db import connections, router

        User = get_user_model()
        meta = User._meta
        try:  # the session holds the key as text; the query compares it as the column's type
            user_id = meta.pk.to_python(user_id)
        except ValidationError:
            return None
        connection = connections[router.db_for_read(User)]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
        sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"
        found = list(User._default_manager.raw(sql, [user_id]))
        if len(found) != 1:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None


# --- Two factors (TOTP, with recovery codes) ---
#
# Who must use a second factor (when the deployment requires it, BRANCHWORK_OTP_REQUIRED):
#   - everyone who uses the back office (Wagtail's /admin/, the superusers' /django-admin/), for
#     those pages;
#   - the committee's staff, for everything: superusers, Django staff accounts, and whoever holds
#     a role above a plain membership in a committee (its office staff, its secretaries and
#     committee members), who read or manage every branch under it.
# Members may enrol a device; once they have, their logins ask for a code too.
# A session is verified once a code from one of the user's confirmed devices was accepted in it
# (django_otp.login keeps the device's id in the session). The API's token clients are not asked:
# a token is issued to a person by a command or a manager and is a credential of its own. The API
# used with the browser's session by someone who must use a second factor needs the verified
# session (VerifiedSessionAuthentication).

OTP_PENDING_SESSION_KEY = "branchwork_otp_pending"
# Pages an unverified session may still open: the second-factor pages themselves, logging out,
# the choice of language and text size, static files.
OTP_OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/",
                     "/prefs/", "/admin/logout/", "/django-admin/logout/", "/favicon")
BACK_OFFICE_PREFIXES = ("/admin/", "/django-admin/")


def otp_required() -> bool:
    from django.conf import settings

    return getattr(settings, "BRANCHWORK_OTP_REQUIRED", True)


def is_committee_staff(user) -> bool:
    """Superusers, Django staff accounts, and holders of a role above a plain membership in a
    committee today: those who must always use a second factor."""
    from branchwork.core import permissions

    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or user.is_staff or permissions.reader(user).committee_level)


def must_use_second_factor(user, path: str = "") -> bool:
    """Must this user's session be verified with a second factor to open `path`?"""
    from branchwork.core import permissions

    if not otp_required() or not (user and user.is_authenticated and user.is_active):
        return False
    if is_committee_staff(user):
        return True
    return path.startswith(BACK_OFFICE_PREFIXES) and permissions.may_use_back_office(user)


def needs_second_factor(user) -> bool:
    """Is this user asked for a second factor anywhere (the back office, or everywhere)? Outside
    a request (the demo, the tests); the roles read are not kept on the user object."""
    from branchwork.core import permissions

    try:
        return must_use_second_factor(user, BACK_OFFICE_PREFIXES[0])
    finally:
        permissions.forget(user)


def verified_device(request):
    """The confirmed device of `request.user` that verified this session, else None (read once
    per request; a device removed since no longer counts)."""
    if hasattr(request, "_branchwork_otp_device"):
        return request._branchwork_otp_device
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    device = None
    user = getattr(request, "user", None)
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if hasattr(request, "session") else None
    if persistent_id and user is not None and user.is_authenticated:
        device = Device.from_persistent_id(persistent_id)
        if device is not None and (device.user_id != user.pk or not device.confirmed):
            device = None
        if device is None:
            del request.session[DEVICE_ID_SESSION_KEY]
    request._branchwork_otp_device = device
    return device


def is_verified(request) -> bool:
    return verified_device(request) is not None


def mark_verified(request, device) -> None:
    """This session has shown a code of `device`: a new session key, and the device kept in it."""
    import django_otp

    request.session.cycle_key()
    django_otp.login(request, device)
    request.session.pop(OTP_PENDING_SESSION_KEY, None)
    request._branchwork_otp_device = device


def has_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def _ask_for_code_at_login(sender, request, user, **kwargs) -> None:
    """A user who enrolled a device is asked for a code after the password, wherever they log in
    (our login page, the back office's): the session waits for it."""
    if request is not None and hasattr(request, "session") and has_device(user):
        request.session[OTP_PENDING_SESSION_KEY] = True


def connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_ask_for_code_at_login, dispatch_uid="branchwork-otp-pending")


class SecondFactorMiddleware:
    """Send a session that must show a second factor and has not to the code page (or, without a
    device, to enrolment), with the page asked for as `next`. The API answers for itself
    (VerifiedSessionAuthentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        redirect_to = self._needed(request)
        if redirect_to:
            from django.http import HttpResponseRedirect
            from django.utils.http import urlencode

            return HttpResponseRedirect(f"{redirect_to}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _needed(self, request) -> str | None:
        from django.urls import reverse

        user = request.user
        path = request.path_info
        if not user.is_authenticated or path.startswith(OTP_OPEN_PREFIXES) or path.startswith("/api/"):
            return None
        pending = request.session.get(OTP_PENDING_SESSION_KEY)
        if not pending and not must_use_second_factor(user, path):
            return None
        if is_verified(request):
            return None
        if pending or has_device(user):
            return reverse("otp_verify")
        return reverse("otp_enrol")
