"""The ledger as a print-ready PDF, typeset by Typst (typst/ledger.typ) with the toolkit's page
setup: cover, contents, one section per activity in the minute format, photos with captions."""

from __future__ import annotations

from pathlib import Path

from branchwork.documents.typst import TypstRoot, blocks_to_typst, language
from branchwork.reports.ledger import labels as words
from branchwork.reports.ledger.data import Ledger, Progress

TEMPLATE = Path(__file__).resolve().parents[1] / "typst" / "ledger.typ"


def _table(headers: list[str], rows: list[list[str]], widths: list[float]) -> dict:
    return {"headers": headers, "rows": rows, "widths": widths}


def _minutes_image(block) -> str | None:
    # Images inside minutes are described by their caption: a src may point anywhere (another
    # organization's files included), so nothing is fetched on the writer's behalf.
    return None


def build_pdf(ledger: Ledger, progress: Progress = None) -> bytes:
    L = words.labels()
    report = words.step(progress, 25, 60, len(ledger.sections))
    with TypstRoot(TEMPLATE, prefix="ledger-") as root:
        sections = []
        for i, s in enumerate(ledger.sections, start=1):
            photos = [(root.add_image(p.read(), f"photos/{i}-{j}"), p.caption or p.filename)
                      for j, p in enumerate(s.photos)]
            res_headers, res_rows = words.resolution_table(s, L)
            sections.append((photos, {
                "heading": words.heading(s),
                "facts": words.facts(s, L),
                "summary": words.summary(s),
                "counts": words.counts(s),
                "signatures": words.signature_lines(s, L),
                "signin": _table(*words.signin_table(s, L), [3.2, 7, 5, 0, 9]),
                "attendance": words.attendance(s, L),
                "agenda": s.agenda,
                "minutes": blocks_to_typst(s.minutes, heading_offset=1, image_path=_minutes_image),
                "resolutions": _table(res_headers, res_rows, [3, 0, 4, 4, 5.5, 5.5]),
                "quorum": [words.quorum_line(q) for q in s.quorum],
                "signoff": words.signoff(s, L),
                "amendments": [
                    {"head": words.amendment_head(m), "reason": m.reason,
                     "changes": _table([L["what"], L["before"], L["after"]],
                                       [list(c) for c in m.changes], [7, 0, 0])}
                    for m in s.amendments
                ],
            }))
            report(i)

        def data(usable: frozenset[str]) -> dict:
            return {
                **language(words.is_english()),
                "labels": L,
                "org": ledger.org_name,
                "title": words.cover_title(ledger),
                "subtitle": ledger.type_label,
                "running": words.running_title(ledger),
                "cover": words.cover_facts(ledger, L),
                "page_label": words.page_label(),
                "empty": L["empty"],
                "sections": [
                    {**section, "photos": [{"path": path if path in usable else "", "caption": caption}
                                           for path, caption in photos]}
                    for photos, section in sections
                ],
            }

        if progress:
            progress(65)
        pdf = root.compile(data)
    if progress:
        progress(95)
    return pdf
