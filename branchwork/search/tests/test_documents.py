"""Files are found by what they say: Wagtail documents, an activity's materials, a talk's slides.

A document is found (and served) only where it may be opened: one linked from a public article by
everybody, one linked only from an internal article by that article's readers, one linked from
nowhere by the back office alone. Everybody else gets no result and a 404 from the serve view.
"""

import datetime
import io
import json
import logging
import zipfile
from io import StringIO

import docx
import openpyxl
import pytest
import typst
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page

from branchwork.activities import services as activity_services
from branchwork.activities.testing import at, held_activity
from branchwork.core import permissions
from branchwork.core.models import Role
from branchwork.core.testing import give_role, person_with_login
from branchwork.lectures import services as lecture_services
from branchwork.publishing.models import Visibility
from branchwork.publishing.testing import build_portal, make_article, make_channel
from branchwork.search import extract, selectors
from branchwork.search.models import SearchDocument

# Each file hides one word in the middle of a sentence; the queries are two characters of it.
PDF_TEXT = "会议要求各支部认真学习调研报告的写法，并布置了垃圾分类的宣传工作，下月检查落实情况。"
DOCX_TEXT = "组织生活会上，大家谈到乡村振兴的新举措，并交流了各自的调研体会。"
XLSX_ROWS = [["课题", "负责人"], ["街道基层治理现代化研究", "王博"]]


def pdf_of(text: str) -> bytes:
    source = ('#set text(font: ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC"), '
              'lang: "zh")\n#set page(width: 9cm, height: auto, margin: 1cm)\n' + text)
    return typst.compile(source.encode("utf-8"), format="pdf")


def docx_of(text: str) -> bytes:
    document = docx.Document()
    document.add_heading("组织生活会记录", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_of(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_of(*slides: str) -> bytes:
    """What we read of a PowerPoint file: its slides' text runs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number, text in enumerate(slides, start=1):
            archive.writestr(
                f"ppt/slides/slide{number}.xml",
                '<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
                'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree>'
                f"<a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:spTree></p:cSld></p:sld>")
    return buffer.getvalue()


def make_document(title: str, data: bytes, filename: str, *, by=None, collection=None):
    Document = get_document_model()
    document = Document(title=title, uploaded_by_user=by)
    if collection is not None:
        document.collection = collection
    document.file = ContentFile(data, name=filename)
    document._set_document_file_metadata()
    document.save()
    return document


def link(document, text: str) -> str:
    return f'<p>会议材料见<a linktype="document" id="{document.pk}">{text}</a>。</p>'


def found(user, query, kind="document") -> set[int]:
    return {h.object_id for h in selectors.search(user, query, filters={"kind": kind}).hits}


def may_read(user, page) -> bool:
    return permissions.visible(user, Page).filter(pk=page.pk).exists()


@pytest.fixture
def library(personas, settings, tmp_path):
    """A public article linking a PDF, an internal one linking a DOCX, an XLSX linked from
    nowhere; Erin, a member of a brother unit's branch (who reads no internal article)."""
    # Files on disk, as in production: Wagtail's serve view sends them from there.
    on_disk = {"BACKEND": "django.core.files.storage.FileSystemStorage",
               "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": on_disk}
    world = build_portal(personas)
    world.pdf = make_document("三月支部会议纪要", pdf_of(PDF_TEXT), "纪要.pdf")
    world.docx = make_document("组织生活会记录", docx_of(DOCX_TEXT), "记录.docx")
    world.xlsx = make_document("课题清单", xlsx_of(XLSX_ROWS), "课题.xlsx")
    world.channel = channel = make_channel(world.home, "支部工作", "zhibu")
    world.public = make_article(channel, "三月支部工作", body_html=link(world.pdf, "会议纪要"))
    world.internal = make_article(channel, "组织生活会情况", visibility=Visibility.INTERNAL,
                                  body_html=link(world.docx, "会议记录"))
    erin = person_with_login("erin", "周以琳")
    give_role(erin, world.outside, Role.MEMBER)
    world.erin = erin.user
    return world


def test_a_pdf_linked_from_a_public_article_is_found_by_a_word_inside(library, anonymous):
    results = selectors.search(anonymous, "分类")

    [hit] = [h for h in results.hits if h.kind == "document"]
    assert hit.object_id == library.pdf.pk
    assert hit.title == "三月支部会议纪要"
    assert "垃圾<mark>分类</mark>" in hit.snippet
    assert hit.url == library.pdf.url and hit.url.startswith(f"/documents/{library.pdf.pk}/")
    with translation.override("zh-hans"):
        labels = {v.value: v.label for v in selectors.search(anonymous, "分类").facets["kind"]}
    assert labels["document"] == "文档"
    with translation.override("en"):
        labels = {v.value: v.label for v in selectors.search(anonymous, "分类").facets["kind"]}
    assert labels["document"] == "Documents"


def test_a_document_of_an_internal_article_is_found_by_its_readers_only(library, anonymous):
    docx_pk = library.docx.pk
    assert found(anonymous, "振兴") == set()
    assert found(library.erin, "振兴") == set()  # a brother unit's member reads no internal article
    assert not may_read(library.erin, library.internal)
    assert found(library.bob, "振兴") == {docx_pk}  # a member of the branch
    assert found(library.editor, "振兴") == {docx_pk}  # the back office
    assert found(library.admin, "振兴") == {docx_pk}
    for user in (library.alice, library.carol, library.dan):  # as the pages' rules say
        assert (found(user, "振兴") == {docx_pk}) == may_read(user, library.internal), user


def test_a_document_linked_from_nowhere_is_found_by_the_back_office_only(library, anonymous):
    xlsx_pk = library.xlsx.pk
    for user in (anonymous, library.alice, library.bob, library.carol, library.dan, library.erin):
        assert found(user, "治理") == set(), user
    assert found(library.editor, "治理") == {xlsx_pk}  # Wagtail's collection permissions
    assert found(library.signer, "治理") == {xlsx_pk}  # signers may choose documents
    assert found(library.admin, "治理") == {xlsx_pk}
    assert found(library.admin, "课题清单") == {xlsx_pk}  # and by its title


def test_the_uploader_finds_their_own_document(library):
    mine = make_document("王博的调研提纲", "提纲：社区养老服务的现状与对策".encode(), "提纲.txt",
                         by=library.bob)

    assert found(library.bob, "养老") == {mine.pk}
    assert found(library.carol, "养老") == set()


def test_the_serve_view_agrees_with_search(library, login, anonymous):
    """Those who may not see a document get 404 from Wagtail's serve view; those who may get it."""
    users = [anonymous, library.alice, library.bob, library.carol, library.dan, library.erin,
             library.editor, library.admin]
    for document, word in ((library.pdf, "分类"), (library.docx, "振兴"), (library.xlsx, "治理")):
        for user in users:
            visible = document.pk in found(user, word)
            assert visible == permissions.visible(user, get_document_model()).filter(pk=document.pk).exists()
            response = login(user if user.is_authenticated else None).get(document.url)
            assert response.status_code == (200 if visible else 404), (document.title, user)
    response = login(library.bob).get(library.docx.url)
    with library.docx.file.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


def test_a_login_only_collection_stays_login_only(library, login, anonymous):
    """A login-only collection (where email contributions' files go): its documents are served to
    signed-in users, and search shows them to signed-in users only."""
    restricted = Collection.get_first_root_node().add_child(instance=Collection(name="投稿附件"))
    CollectionViewRestriction.objects.create(collection=restricted,
                                             restriction_type=CollectionViewRestriction.LOGIN)
    attached = make_document("稿件附件", "附件：关于加强青年理论学习的建议".encode(), "附件.txt",
                             collection=restricted)
    make_article(library.channel, "青年理论学习", body_html=link(attached, "附件"))

    assert found(anonymous, "青年") == set()
    assert login(None).get(attached.url).status_code == 302  # Wagtail asks visitors to log in
    assert found(library.carol, "青年") == {attached.pk}
    assert login(library.carol).get(attached.url).status_code == 200


def test_activity_materials_find_the_activity_for_those_who_see_it(library, anonymous):
    activity = held_activity(
        by=library.alice, organization=library.branch_a, types=["theme_day"],
        starts_at=at(2025, 6, 10), title="六月主题党日", host=library.people.alice)
    material = activity_services.attachment_add(
        by=library.alice, activity=activity, kind="material",
        file=ContentFile(pdf_of("学习材料：深入推进生态文明建设，守护绿水青山。"), name="材料.pdf"))

    assert found(library.bob, "生态", kind="activity") == {activity.pk}
    results = selectors.search(library.bob, "生态", filters={"kind": "activity"})
    assert "<mark>生态</mark>" in results.hits[0].snippet
    assert found(library.carol, "生态", kind="activity") == set()
    assert found(anonymous, "生态", kind="activity") == set()

    activity_services.attachment_remove(by=library.alice, attachment=material)
    assert found(library.bob, "生态", kind="activity") == set()


def test_photos_do_not_reindex_the_activity(library):
    activity = held_activity(
        by=library.alice, organization=library.branch_a, types=["theme_day"],
        starts_at=at(2025, 6, 12), title="六月组织生活会", host=library.people.alice)
    before = SearchDocument.objects.get(kind="activity", object_pk=activity.pk).indexed_at

    activity_services.attachment_add(by=library.alice, activity=activity, kind="photo",
                                     file=ContentFile(b"\x89PNG not really", name="合影.png"))

    assert SearchDocument.objects.get(kind="activity", object_pk=activity.pk).indexed_at == before


def test_talk_slides_are_part_of_the_talk(library, anonymous):
    talk = lecture_services.talk_create(
        by=library.alice, organization=library.branch_a, topic="读原著的方法",
        date=datetime.date(2025, 5, 20), speaker=library.people.bob,
        slides=ContentFile(pptx_of("为什么读原著", "带着问题读经典著作"), name="课件.pptx"))

    assert found(library.bob, "经典", kind="talk") == {talk.pk}
    assert found(anonymous, "经典", kind="talk") == set()

    lecture_services.talk_update(by=library.alice, talk=talk, remove_slides=True)
    assert found(library.bob, "经典", kind="talk") == set()
    slides = ContentFile(pdf_of("调查研究是谋事之基。"), name="新课件.pdf")
    lecture_services.talk_update(by=library.alice, talk=talk, slides=slides)
    assert found(library.bob, "谋事", kind="talk") == {talk.pk}


def test_a_broken_file_is_indexed_by_its_title(library, caplog):
    with caplog.at_level(logging.WARNING, logger="branchwork.search.extract"):
        broken = make_document("损坏的汇报材料", b"\x00\xffnot a pdf at all" * 64, "汇报.pdf",
                               by=library.editor)

    assert found(library.editor, "汇报材料") == {broken.pk}
    assert "汇报" in caplog.text and "pdftotext" in caplog.text


def test_deleting_a_document_removes_it_and_the_rebuild_brings_documents_back(library, anonymous):
    assert found(anonymous, "分类") == {library.pdf.pk}
    SearchDocument.objects.filter(kind="document").delete()
    assert found(anonymous, "分类") == set()

    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Document" in out.getvalue()
    assert found(anonymous, "分类") == {library.pdf.pk}

    library.pdf.delete()
    assert found(anonymous, "分类") == set()
    assert not SearchDocument.objects.filter(kind="document", object_pk=library.pdf.pk).exists()


def test_the_page_and_the_api_find_documents(library, login):
    html = login(library.bob).get("/search/", {"q": "振兴"}).content.decode()
    assert "组织生活会记录" in html and library.docx.url in html
    html = login(library.erin).get("/search/", {"q": "振兴"}).content.decode()
    assert "组织生活会记录" not in html
    response = login(library.bob).get("/api/v1/search/", {"q": "振兴", "kind": "document"})
    api = json.loads(response.content)
    assert [(hit["id"], hit["kind"]) for hit in api["results"]] == [(library.docx.pk, "document")]
    assert api["results"][0]["url"].endswith(library.docx.url)


# --- Extraction on its own ---


def test_text_files_in_utf8_or_gb18030():
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):
        data = "党支部工作要点：加强理论武装。".encode(encoding)
        assert extract.file_text(ContentFile(data, name="要点.txt")) == "党支部工作要点：加强理论武装。"


def test_extraction_keeps_at_most_the_limit_and_reads_nothing_of_unknown_kinds():
    long = ContentFile(("学习" * 1000).encode(), name="long.txt")
    assert extract.file_text(long, limit=100) == "学习" * 50
    short = ContentFile("党建".encode(), name="short.txt")
    assert extract.files_text([short, long, short], limit=50) == "党建\n" + ("学习" * 25)[:47]
    assert extract.file_text(ContentFile(b"ID3 sound", name="录音.mp3")) == ""
    assert extract.file_text(ContentFile(b"\xd0\xcf\x11\xe0 old word", name="旧.doc")) == ""


def test_office_files_give_their_text():
    assert DOCX_TEXT in extract.file_text(ContentFile(docx_of(DOCX_TEXT), name="a.docx"))
    assert "街道基层治理现代化研究\t王博" in extract.file_text(ContentFile(xlsx_of(XLSX_ROWS), name="a.xlsx"))
    assert extract.file_text(ContentFile(pptx_of("甲", "乙"), name="a.pptx")) == "甲\n乙"
    assert extract.file_text(ContentFile(b"PK\x03\x04 broken", name="a.docx")) == ""
