"""The moderation pages in the back office: for moderators only; list, read, download, decide."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from branchwork.core.testing import UserFactory
from branchwork.intake import services
from branchwork.intake.models import IncomingMessage, MessageStatus
from branchwork.intake.tests import mail
from branchwork.intake.tests.conftest import needs_publishing

pytestmark = pytest.mark.django_db
STRANGER = "stranger@elsewhere.example.com"


def staff_user(username: str, *codenames: str):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=("access_admin", *codenames)))
    return user


@pytest.fixture
def held(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.receive(
            mail.contribution(sender="路人甲", address=STRANGER, body=mail.LONG_BODY)
        )


@pytest.fixture
def broken(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.receive(b"Subject: no sender\r\n\r\nnothing\r\n")


def urls(message) -> list[str]:
    return [
        reverse("intake_admin:index"),
        reverse("intake_admin:detail", args=[message.pk]),
        reverse("intake_admin:raw", args=[message.pk]),
    ]


def test_a_moderator_lists_reads_and_downloads(personas, login, held, broken):
    moderator = staff_user("editor-in-chief", "moderate_incomingmessage")
    client = login(moderator)

    listing = client.get(reverse("intake_admin:index")).content.decode()
    assert mail.TITLE in listing and STRANGER in listing
    assert f"#{broken.pk}" in listing  # waiting for a decision too
    assert (
        mail.TITLE
        not in client.get(reverse("intake_admin:index") + "?status=rejected").content.decode()
    )
    assert mail.TITLE in client.get(reverse("intake_admin:index") + "?q=stranger").content.decode()

    page = client.get(reverse("intake_admin:detail", args=[held.pk])).content.decode()
    assert "路人甲" in page and STRANGER in page
    assert "近年来，我们支部围绕中心工作" in page  # the decoded text
    assert "支部经验材料.docx" in page and "集体学习照片.jpg" in page
    assert reverse("intake_admin:release", args=[held.pk]) in page

    response = client.get(reverse("intake_admin:raw", args=[held.pk]))
    assert response["Content-Type"] == "message/rfc822"
    assert f'filename="message-{held.pk}.eml"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == services.read_raw(held)


def test_the_reason_of_a_broken_message_is_shown(personas, login, broken):
    page = (
        login(personas.admin).get(reverse("intake_admin:detail", args=[broken.pk])).content.decode()
    )
    assert broken.reason_display in page


def test_a_moderator_discards_through_the_page(personas, login, held):
    client = login(personas.admin)
    response = client.post(
        reverse("intake_admin:discard", args=[held.pk]), {"reason": "与投稿无关"}
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == MessageStatus.DISCARDED
    assert "与投稿无关" in held.log


@needs_publishing
def test_a_moderator_releases_through_the_page(personas, portal, login, held):
    client = login(personas.admin)
    response = client.post(
        reverse("intake_admin:release", args=[held.pk]), {"person": personas.people.bob.pk}
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == MessageStatus.RELEASED
    assert held.article.specific.author == personas.people.bob


def test_the_moderation_menu_item_is_for_moderators(personas, login):
    assert reverse("intake_admin:index") in login(personas.admin).get("/admin/").content.decode()
    plain_staff = staff_user("web-editor")
    assert reverse("intake_admin:index") not in login(plain_staff).get("/admin/").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "bob", "dan", "staff without the permission"])
def test_everyone_else_gets_404_or_the_login_page(personas, login, held, who):
    user = {
        "anonymous": None,
        "bob": personas.bob,
        "dan": personas.dan,
        "staff without the permission": staff_user("web-editor"),
    }[who]
    client = login(user)
    for url in urls(held):
        response = client.get(url)
        if who == "staff without the permission":
            assert response.status_code == 404, url
        else:
            assert response.status_code == 302, url
            assert "login" in response["Location"] or response["Location"].startswith("/admin/")
    for action in ("release", "discard", "reprocess"):
        response = client.post(
            reverse(f"intake_admin:{action}", args=[held.pk]), {"person": personas.people.bob.pk}
        )
        assert response.status_code in (302, 404)
    held.refresh_from_db()
    assert held.status == MessageStatus.HELD
    assert IncomingMessage.objects.count() == 1


def test_the_list_is_paged(personas, login):
    IncomingMessage.objects.bulk_create(
        IncomingMessage(raw=f"intake/{i}.eml", subject=f"第{i}封", status=MessageStatus.HELD)
        for i in range(55)
    )
    client = login(personas.admin)
    first = client.get(reverse("intake_admin:index")).content.decode()
    second = client.get(reverse("intake_admin:index") + "?status=open&p=2").content.decode()
    assert first.count('href="/admin/intake/') - second.count('href="/admin/intake/') > 0
    assert "第0封" in second and "第0封" not in first  # newest first
