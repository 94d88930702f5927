"""Contributions through the editorial workflow: editor, signer, publication, sending back."""

import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.models import PageLogEntry, Revision, WorkflowState

from branchwork.core import services as core_services
from branchwork.core.models import Membership, Role
from branchwork.core.testing import PersonFactory
from branchwork.publishing import selectors, services
from branchwork.publishing.editorial import EDITORS_GROUP, SIGNERS_GROUP
from branchwork.publishing.models import ArticlePage, ChannelPage, ContributionSource, Visibility
from branchwork.publishing.selectors import contributions_of
from branchwork.publishing.testing import make_image

pytestmark = pytest.mark.django_db

BODY = "<p>支部组织党员到社区开展调研，听取居民意见。</p><p>大家表示要把调研成果用到课题中。</p>"


def contribute(portal, title="走进社区开展调研", body=BODY):
    return services.contribution_create(author=portal.people.bob, title=title, body_html=body)


def edit(page, by, **changes):
    """What the editor does in the back office: change the draft, save a revision."""
    draft = page.get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(draft, name, value)
    draft.save_revision(user=by, log_action=True)
    return draft


def test_a_contribution_is_an_internal_draft_with_the_editor(portal, login):
    page = contribute(portal)
    assert isinstance(page, ArticlePage) and not page.live
    assert page.visibility == Visibility.INTERNAL and page.contributed_via == ContributionSource.WEB
    assert page.owner == portal.bob and page.author == portal.people.bob
    assert page.get_parent().specific == portal.contributions
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.specific == portal.editorial.editor_task
    [mine] = contributions_of(portal.people.bob)
    assert mine.status == "with_editor"
    assert "走进社区开展调研" in login(portal.bob).get("/my/contributions/").content.decode()


def test_editor_edits_and_approves_signer_signs_off_and_it_is_published(portal, client):
    page = contribute(portal)
    edit(page, portal.editor, title="研究室党支部走进社区开展调研", visibility=Visibility.PUBLIC)
    services.review(by=portal.editor, page=page, action="approve")
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_task.specific == portal.editorial.signer_task
    services.review(by=portal.signer, page=page, action="approve", comment="同意发布")

    page.refresh_from_db()
    assert page.live and page.title == "研究室党支部走进社区开展调研"
    assert page.responsible_editor == portal.people.editor and page.signer == portal.people.signer
    article = client.get(page.url).content.decode()
    assert "研究室党支部走进社区开展调研" in article
    assert "许文清" in article and "韩立新" in article
    assert ("责任编辑" in article or "Responsible editor" in article)
    assert ("签发" in article or "Signed off by" in article)
    assert "研究室党支部走进社区开展调研" in client.get(portal.contributions.url).content.decode()

    # Every step is logged with who and when.
    log = list(PageLogEntry.objects.filter(page=page).order_by("timestamp", "pk")
               .values_list("action", "user__username"))
    assert ("wagtail.workflow.start", "bob") in log
    assert ("wagtail.workflow.approve", "editor1") in log
    assert ("wagtail.workflow.approve", "signer1") in log
    assert ("wagtail.publish", "signer1") in log
    [mine] = contributions_of(portal.people.bob)
    assert mine.status == "published"
    assert [s.kind for s in mine.steps] == ["submitted", "approved", "approved", "published"]
    assert mine.steps[2].who == "韩立新" and mine.steps[2].comment == "同意发布"


def test_a_signed_off_contribution_with_a_go_live_time_waits_for_publish_scheduled(portal, client):
    page = contribute(portal)
    later = timezone.now() + datetime.timedelta(days=2)
    edit(page, portal.editor, visibility=Visibility.PUBLIC, go_live_at=later)
    services.review(by=portal.editor, page=page, action="approve")
    services.review(by=portal.signer, page=page, action="approve")
    page.refresh_from_db()
    assert not page.live and abs(page.go_live_at - later) < datetime.timedelta(seconds=1)
    [mine] = contributions_of(portal.people.bob)
    assert mine.status == "scheduled" and mine.scheduled_at == page.go_live_at

    call_command("publish_scheduled", stdout=io.StringIO())
    page.refresh_from_db()
    assert not page.live  # not yet: the time has not come

    # Two days later (the go-live time is moved into the past instead of waiting).
    earlier = timezone.now() - datetime.timedelta(minutes=1)
    for revision in Revision.objects.filter(object_id=str(page.pk), approved_go_live_at__isnull=False):
        revision.content["go_live_at"] = earlier.isoformat()
        revision.approved_go_live_at = earlier
        revision.save(update_fields=["content", "approved_go_live_at"])
    ArticlePage.objects.filter(pk=page.pk).update(go_live_at=earlier)
    call_command("publish_scheduled", stdout=io.StringIO())
    page.refresh_from_db()
    assert page.live and page.signer == portal.people.signer
    assert client.get(page.url).status_code == 200


def test_sent_back_with_a_comment_the_author_sees_why_and_resubmits(portal, login):
    page = contribute(portal)
    services.review(by=portal.editor, page=page, action="reject", comment="请补充调研时间和参加人数。")
    assert page.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES

    bob = login(portal.bob)
    listing = bob.get("/my/contributions/").content.decode()
    assert "请补充调研时间和参加人数。" in listing
    detail = bob.get(f"/my/contributions/{page.pk}/").content.decode()
    assert "请补充调研时间和参加人数。" in detail and "许文清" in detail
    assert "请补充调研时间和参加人数。" in bob.get("/my/").content.decode()  # the panel on /my/

    response = bob.post(f"/my/contributions/{page.pk}/revise/", {
        "title": "走进社区开展调研（修改稿）",
        "text": "十一月十二日下午，支部八名党员到社区开展调研。\n大家表示要把调研成果用到课题中。",
    })
    assert response.status_code == 302
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.specific == portal.editorial.editor_task
    draft = ArticlePage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert draft.title == "走进社区开展调研（修改稿）"
    assert "八名党员" in str(draft.body)
    [mine] = contributions_of(portal.people.bob)
    assert mine.status == "with_editor"
    assert [s.kind for s in mine.steps] == ["submitted", "rejected"]


def test_the_signer_can_send_it_back_too(portal):
    page = contribute(portal)
    services.review(by=portal.editor, page=page, action="approve")
    services.review(by=portal.signer, page=page, action="reject", comment="标题再斟酌。")
    [mine] = contributions_of(portal.people.bob)
    assert mine.status == "sent_back" and mine.comment == "标题再斟酌。" and mine.sent_back_by == "韩立新"


def test_sending_back_needs_a_comment(portal):
    from django.core.exceptions import ValidationError

    page = contribute(portal)
    with pytest.raises(ValidationError):
        services.review(by=portal.editor, page=page, action="reject", comment=" ")


def test_only_those_holding_the_role_today_may_act(portal, login):
    page = contribute(portal)
    for outsider in (portal.bob, portal.carol, portal.alice, portal.signer):
        with pytest.raises(PermissionDenied):
            services.review(by=outsider, page=page, action="approve")
    task_state = page.current_workflow_state.current_task_state
    with pytest.raises(PermissionDenied):
        portal.editorial.editor_task.on_action(task_state.specific, portal.carol, "approve")
    # Through the back office: Carol cannot even open it; the editor can.
    assert login(portal.carol).get(f"/admin/pages/{page.pk}/edit/").status_code in (302, 403)
    assert login(portal.editor).get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    login(portal.carol).post(f"/admin/pages/{page.pk}/workflow/action/approve/{task_state.pk}/")
    task_state.refresh_from_db()
    assert task_state.status == "in_progress"

    # An editor whose role ended yesterday can no longer approve.
    membership = Membership.objects.get(person=portal.people.editor, role=Role.EDITOR)
    core_services.membership_end(by=portal.alice, membership=membership,
                                 end_on=timezone.localdate() - datetime.timedelta(days=1))
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(pk=portal.editor.pk)  # a fresh request's user
    with pytest.raises(PermissionDenied):
        services.review(by=editor, page=page, action="approve")
    assert not editor.groups.filter(name=EDITORS_GROUP).exists()


def test_editors_and_signers_enter_the_back_office_but_cannot_publish_directly(portal):
    assert portal.editor.groups.filter(name=EDITORS_GROUP).exists()
    assert portal.signer.groups.filter(name=SIGNERS_GROUP).exists()
    assert portal.editor.has_perm("wagtailadmin.access_admin")
    page = contribute(portal)
    for user in (portal.editor, portal.signer):
        perms = page.permissions_for_user(user)
        assert perms.can_edit() and not perms.can_publish()
    assert not Group.objects.get(name=EDITORS_GROUP).user_set.filter(pk=portal.bob.pk).exists()


def test_the_editor_sees_what_waits_on_my_page(portal, login):
    contribute(portal, title="等待审阅的稿件")
    page = login(portal.editor).get("/my/").content.decode()
    assert "等待审阅的稿件" in page and "/admin/pages/" in page
    assert "等待审阅的稿件" not in login(portal.signer).get("/my/").content.decode()


def test_bob_writes_a_contribution_with_a_photo_in_the_web_form(portal, login):
    data = io.BytesIO()
    PILImage.new("RGB", (320, 200), (30, 90, 160)).save(data, "PNG")
    response = login(portal.bob).post("/contribute/", {
        "title": "青年理论学习小组读书会",
        "text": "本周五，青年理论学习小组举行读书会。\n大家交流了读书体会。",
        "image": SimpleUploadedFile("reading.png", data.getvalue(), content_type="image/png"),
        "caption": "读书会现场",
    })
    page = ArticlePage.objects.get(title="青年理论学习小组读书会")
    assert response.status_code == 302 and response["Location"] == f"/my/contributions/{page.pk}/"
    blocks = list(page.get_latest_revision_as_object().body.raw_data)
    assert [b["type"] for b in blocks] == ["paragraph", "image"]
    assert blocks[1]["value"]["caption"] == "读书会现场"
    detail = login(portal.bob).get(response["Location"]).content.decode()
    assert "读书会现场" in detail
    image_url = f"/portal/images/{blocks[1]['value']['image']}/medium/"
    assert login(portal.bob).get(image_url).status_code == 200  # the author sees their photo
    assert login(None).get(image_url).status_code == 404  # nobody else, before it is published


def test_the_form_says_when_no_channel_accepts_contributions(portal, login):
    ChannelPage.objects.update(accepts_contributions=False)
    with pytest.raises(services.NoContributionChannel):
        contribute(portal)
    response = login(portal.bob).post("/contribute/", {"title": "标题", "text": "正文"})
    assert response.status_code == 200 and not ArticlePage.objects.filter(title="标题").exists()


def test_an_account_without_a_person_cannot_use_the_form(portal, login):
    from branchwork.core.testing import UserFactory

    assert login(UserFactory(username="nobody")).get("/contribute/").status_code == 403


def test_email_intake_html_becomes_paragraphs_and_captioned_images(portal):
    """What branchwork.intake passes: rich text with image embeds, captions, a document link."""
    from wagtail.documents import get_document_model

    guest = PersonFactory(name="李文", email="liwen@example.org")  # no login: owner is None
    photo = make_image("IMG_2041")
    document = get_document_model().objects.create(title="调研提纲.docx", file=SimpleUploadedFile("t.docx", b"x"))
    body = (f"<p>各位编辑：附上调研报道一篇。</p>"
            f'<embed embedtype="image" format="fullwidth" id="{photo.pk}" alt="IMG_2041"/>'
            f"<p>调研组在企业车间了解生产情况</p>"
            f"<p>正文第二段。</p>"
            f'<p><a linktype="document" id="{document.pk}">调研提纲.docx</a></p>'
            f"<script>alert(1)</script>")
    page = services.contribution_create(author=guest, title="企业调研见闻", body_html=body, source="email")
    assert page.owner is None and page.contributed_via == "email"
    blocks = list(page.body.raw_data)
    assert [b["type"] for b in blocks] == ["paragraph", "image", "paragraph"]
    assert blocks[1]["value"] == {"image": photo.pk, "caption": "调研组在企业车间了解生产情况", "alt": "IMG_2041"}
    link = BeautifulSoup(blocks[2]["value"], "html.parser").find("a")
    assert link["linktype"] == "document" and link["id"] == str(document.pk)
    assert "script" not in str(blocks)
    assert page.current_workflow_state.requested_by is None
    assert contributions_of(guest)[0].status == "with_editor"


def test_mail_goes_to_the_role_holders_and_to_the_author_through_the_mail_task(
        portal, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        page = contribute(portal)
    [to_editor] = mailoutbox
    assert to_editor.to == ["editor1@example.org"] and "走进社区开展调研" in to_editor.subject
    assert f"/admin/pages/{page.pk}/edit/" in to_editor.body
    with django_capture_on_commit_callbacks(execute=True):
        services.review(by=portal.editor, page=page, action="reject", comment="请补充调研时间。")
    sent_back = mailoutbox[-1]
    assert sent_back.to == ["bob@example.org"] and "请补充调研时间。" in sent_back.body
    assert f"/my/contributions/{page.pk}/" in sent_back.body and "/admin/" not in sent_back.body
    with django_capture_on_commit_callbacks(execute=True):
        services.contribution_revise(by=portal.bob, page=page, title="走进社区开展调研", text="补充后的正文。")
        services.review(by=portal.editor, page=page, action="approve")
        services.review(by=portal.signer, page=page, action="approve")
    subjects = [m.subject for m in mailoutbox]
    assert sum("待审稿件" in s for s in subjects) == 3  # editor, editor again, signer
    published = mailoutbox[-1]
    assert published.to == ["bob@example.org"] and "签发" in published.subject
    assert not any("root" in ",".join(m.to) for m in mailoutbox)  # no mail to superusers


def test_wagtails_own_workflow_mails_are_replaced():
    from wagtail.signals import workflow_rejected

    from branchwork.publishing import notifications

    receivers = [r() for _key, r, *_rest in workflow_rejected.receivers]
    assert notifications.workflow_rejected in receivers
    assert len(receivers) == 1


# --- The lock: decisions read the workflow afresh, under a row lock ---


def test_an_approved_contribution_is_not_revised_nor_decided_again_from_a_stale_copy(portal):
    from branchwork.core.conflicts import Conflict

    page = contribute(portal)
    stale = ArticlePage.objects.get(pk=page.pk)
    services.review(by=portal.editor, page=ArticlePage.objects.get(pk=page.pk), action="approve")
    services.review(by=portal.signer, page=ArticlePage.objects.get(pk=page.pk), action="approve")
    assert ArticlePage.objects.get(pk=page.pk).live
    revisions = Revision.objects.filter(object_id=str(page.pk)).count()

    with pytest.raises(Conflict):
        services.contribution_revise(by=portal.bob, page=stale, title="偷改标题", text="偷改正文")
    with pytest.raises(Conflict):
        services.review(by=portal.editor, page=stale, action="reject", comment="再退回")

    fresh = ArticlePage.objects.get(pk=page.pk)
    assert fresh.live and fresh.title == "走进社区开展调研"
    assert Revision.objects.filter(object_id=str(page.pk)).count() == revisions


def test_a_contribution_sent_back_and_then_decided_is_not_decided_twice(portal):
    from branchwork.core.conflicts import Conflict

    page = contribute(portal)
    deciding = ArticlePage.objects.get(pk=page.pk)  # a second editor's page, loaded before
    services.review(by=portal.editor, page=ArticlePage.objects.get(pk=page.pk), action="reject",
                    comment="请补充调研数据")
    with pytest.raises(Conflict):
        services.review(by=portal.editor, page=deciding, action="approve")
    state = ArticlePage.objects.get(pk=page.pk).current_workflow_state
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES


def test_my_page_shows_each_contributions_status_from_one_query(portal, login, django_assert_max_num_queries):
    withdrawn = contribute(portal, title="甲 撤回")
    withdrawn.current_workflow_state.cancel(user=portal.bob)
    contribute(portal, title="乙 在编辑处")
    with_signer = contribute(portal, title="丙 在签发人处")
    services.review(by=portal.editor, page=with_signer, action="approve")
    sent_back = contribute(portal, title="丁 退回")
    services.review(by=portal.editor, page=sent_back, action="reject", comment="先补充一份。")
    published = contribute(portal, title="戊 已发布")
    services.review(by=portal.editor, page=published, action="approve")
    services.review(by=portal.signer, page=published, action="approve", comment="同意发布")
    with django_assert_max_num_queries(2):  # the content type (cached after once) and the pages
        summaries = selectors.contribution_summaries(portal.people.bob, limit=5)
    assert [(c.title, c.status, c.comment) for c in summaries] == [
        ("戊 已发布", "published", ""),
        ("丁 退回", "sent_back", "先补充一份。"),
        ("丙 在签发人处", "with_signer", ""),
        ("乙 在编辑处", "with_editor", ""),
        ("甲 撤回", "withdrawn", ""),
    ]
    # The same statuses as the full history of each contribution gives.
    assert [(c.page.pk, c.status, c.comment) for c in summaries] == [
        (c.page.pk, c.status, c.comment if c.status == "sent_back" else "")
        for c in contributions_of(portal.people.bob)]
    page = login(portal.bob).get("/my/").content.decode()
    for title, label in (("丁 退回", "先补充一份。"), ("丙 在签发人处", str(selectors.STATUS_LABELS["with_signer"]))):
        assert title in page and label in page
