"""`branchwork create_api_token USERNAME`: issue an API token and print it, alone, on stdout.

Printing nothing but the key lets scripts capture it: TOKEN=$(branchwork create_api_token alice).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from branchwork.core import services


class Command(BaseCommand):
    help = "Issue a new API token for a user and print it. The user's earlier token stops working."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The username of the account the token acts for.")

    def handle(self, *args, username: str, **options) -> None:
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user named {username!r}.") from None
        if not user.is_active:
            # Token authentication refuses inactive accounts; a token would only mislead.
            raise CommandError(f"The user {username!r} is inactive; activate the account first.")
        token = services.api_token_issue(user=user)
        self.stdout.write(token.key)
