from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from branchwork.core.hooks import LOAD_DEMO_HOOK, MY_PAGE_PANELS, NAV_LINKS, MyPagePanel


@hooks.register(LOAD_DEMO_HOOK)
def load_portal_demo(*, stdout) -> None:
    from branchwork.publishing import demo

    demo.load(stdout=stdout)


@hooks.register(MY_PAGE_PANELS)
def my_contributions_panel(request) -> MyPagePanel | None:
    """My contributions and where each stands (why it was sent back, when it was published)."""
    from branchwork.core import permissions
    from branchwork.publishing.selectors import contribution_summaries

    person = permissions.reader(request.user).person
    if person is None:
        return None
    return MyPagePanel(
        title=_("My contributions"),
        template="publishing/panels/my_contributions.html",
        context={"contributions": contribution_summaries(person, limit=5)},
        order=20,
    )


@hooks.register(MY_PAGE_PANELS)
def reviews_panel(request) -> MyPagePanel | None:
    """For editors and signers: the contributions waiting for their decision."""
    from branchwork.publishing.selectors import waiting_for_review

    if not request.user.is_authenticated:
        return None
    from branchwork.core import permissions
    from branchwork.core.models import Role

    user = request.user
    if not (user.is_superuser or permissions.holds_current_role(user, Role.EDITOR)
            or permissions.holds_current_role(user, Role.SIGNER)):
        return None
    return MyPagePanel(
        title=_("Waiting for my review"),
        template="publishing/panels/reviews.html",
        context={"reviews": waiting_for_review(user)},
        order=15,
    )


@hooks.register(NAV_LINKS)
def public_channels_nav(request) -> list[tuple[str, str]]:
    """Visitors find the portal's public channels in the main navigation."""
    from branchwork.publishing.selectors import public_channels

    return public_channels(request)
