from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
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
