"""The ledger as an editable Word document, written with the toolkit's DOCX writer: a cover, a
contents list linking to each activity, and one section per activity in the minute format."""

from __future__ import annotations

from branchwork.core.richtext import Run
from branchwork.documents import docx, images
from branchwork.documents.docx import DocxBody
from branchwork.reports.ledger import labels as words
from branchwork.reports.ledger.data import Ledger, PhotoItem, Progress, Section


def _photos(out: DocxBody, photos: list[PhotoItem], L: dict) -> None:
    for photo in photos:
        prepared = images.prepare(photo.read())
        placed = False
        if prepared is not None:
            try:
                out.picture(prepared.data)
                placed = True
            except Exception:  # python-docx cannot place every image that Pillow reads
                placed = False
        caption = photo.caption or photo.filename
        out.p(caption if placed else f"{L['photo_missing']} {caption}", "Caption", center=True)


def _section(out: DocxBody, s: Section, L: dict, number: int) -> None:
    out.p(words.heading(s), "Heading 1", page_break=True,
          extra=f'<w:bookmarkStart w:id="{number}" w:name="activity_{number}"/>'
                f'<w:bookmarkEnd w:id="{number}"/>')
    out.table([list(r) for r in words.facts(s, L)], [3.2, 0], header=False, label_column=True)

    out.p(L["attendance"], "Heading 2")
    counts = words.counts(s)
    out.table([[label for label, _n in counts], [n for _label, n in counts]], [0] * len(counts))
    out.table([list(r) for r in words.attendance(s, L)], [3.6, 0], header=False, label_column=True)

    out.p(L["agenda"], "Heading 2")
    for i, item in enumerate(s.agenda, start=1):
        out.p(f"{i}. {item}", "List Continue")
    if not s.agenda:
        out.p(L["none"])

    out.p(L["discussion"], "Heading 2")
    out.blocks(s.minutes, heading_offset=1)
    if not s.minutes:
        out.p(L["none"])

    out.p(L["resolutions"], "Heading 2")
    headers, rows = words.resolution_table(s, L)
    if rows:
        out.table([headers, *rows], [1.2, 0, 1.5, 1.5, 1.5, 1.7])
    else:
        out.p(L["none"])

    if s.photos:
        out.p(L["photos"], "Heading 2")
        _photos(out, s.photos, L)

    if s.quorum:
        out.p(L["quorum"], "Heading 2")
        for q in s.quorum:
            out.p(words.quorum_line(q), "List Bullet")

    out.p(L["signoff"], "Heading 2")
    out.table([list(r) for r in words.signoff(s, L)], [3.2, 0], header=False, label_column=True)

    out.p(L["signatures"], "Heading 2")
    blank = "＿" * 12
    for label, name in words.signature_lines(s, L):
        out.p(words.paren(blank, name) if name else blank, bold=label + L["colon"], after=240)
    out.p(blank, bold=L["sign_date"] + L["colon"], after=240)

    if s.amendments:
        out.p(L["amendments"], "Heading 2")
        for m in s.amendments:
            out.p("", bold=words.amendment_head(m))
            out.p(m.reason, bold=L["reason"] + L["colon"])
            if m.changes:
                out.table([[L["what"], L["before"], L["after"]], *[list(c) for c in m.changes]],
                          [3.2, 0, 0])

    out.p(L["signin"], "Heading 2", page_break=True)
    out.p("", bold=words.heading(s))
    out.p(L["signin_note"], "Caption")
    headers, rows = words.signin_table(s, L)
    out.table([headers, *rows], [1.6, 3.5, 2.2, 0, 3.5])


def build_docx(ledger: Ledger, progress: Progress = None) -> bytes:
    L = words.labels()
    title = words.cover_title(ledger)
    doc = docx.new_document(title=f"{ledger.org_name} {title}", author=ledger.org_name,
                            header=f"{ledger.org_name}　{words.running_title(ledger)}",
                            page_label=words.page_label())
    out = DocxBody(doc, media_prefix="ledger")
    # Cover
    for _i in range(6):
        out.p()
    out.p([Run(ledger.org_name)], "Subtitle", center=True)
    out.p(title, "Title", center=True)
    if ledger.type_label:
        out.p(ledger.type_label, "Subtitle", center=True)
    for _i in range(6):
        out.p()
    for label, value in words.cover_facts(ledger, L):
        out.p(value, bold=label + L["colon"], center=True)

    # Contents: a list linking to each section (Word's own TOC field would need updating first)
    out.p(L["contents"], "TOC Heading", page_break=True)
    if ledger.is_empty:
        out.p(L["empty"])
    for i, s in enumerate(ledger.sections, start=1):
        out.link_p(f"{i}. {words.heading(s)}", f"activity_{i}", after=40)
    out.flush()

    report = words.step(progress, 25, 90, len(ledger.sections))
    for i, s in enumerate(ledger.sections, start=1):
        _section(out, s, L, i)
        out.flush()
        report(i)
    content = docx.save(doc)
    if progress:
        progress(95)
    return content
