"""How the API knows who calls: a token, or the browser's session (owing no second factor)."""

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied

from branchwork.core.auth import OTP_PENDING_SESSION_KEY, is_verified, must_use_second_factor


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser's session for the API, refused to a session that still owes its second factor
    (a user who must use one, or who logged in and has not given the code yet). Token clients go
    through TokenAuthentication and are not concerned."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        django_request = request._request
        pending = django_request.session.get(OTP_PENDING_SESSION_KEY)
        if (pending or must_use_second_factor(result[0])) and not is_verified(django_request):
            raise PermissionDenied(
                _("This account must confirm the login with a second factor: open the site, "
                  "give the code, then use the API from the browser again, or use an API token.")
            )
        return result


class VerifiedSessionScheme(SessionScheme):
    """The schema describes it as the session cookie it is."""

    target_class = "branchwork.api.authentication.VerifiedSessionAuthentication"
