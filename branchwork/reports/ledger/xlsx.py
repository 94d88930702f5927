"""The ledger as a workbook: a sheet of activities and a sheet of attendance, written by the one
spreadsheet helper (`core.exports`: what users typed stays text, never a formula)."""

from __future__ import annotations

from branchwork.activities.models import Activity, Attendance
from branchwork.core.exports import Sheet, workbook_bytes
from branchwork.reports.ledger import labels as words
from branchwork.reports.ledger.data import Ledger, Progress


def build_xlsx(ledger: Ledger, progress: Progress = None) -> bytes:
    L = words.labels()
    field = words.field_label
    activities = Sheet(
        "活动 Activities",
        [L["date_time"], L["types"], field(Activity, "title"), field(Activity, "place"),
         field(Activity, "host"), field(Activity, "recorder"),
         *[label for label, _n in words.counts_labels()], field(Activity, "status"),
         field(Activity, "locked_at"), L["paper_signed"]],
        [[s.starts_at, "、".join(s.type_labels), s.title, s.place, s.host, s.recorder,
          len(s.voting_expected), len(s.expected), len(s.present), len(s.excused), len(s.absent),
          len(s.observers), s.status_label, None if s.paper_signed_on else s.locked_at,
          s.paper_signed_on]
         for s in ledger.sections] or [[L["empty"]]],
        widths=[17, 18, 36, 20, 10, 10, 9, 7, 7, 7, 7, 7, 14, 17, 14],
        autofilter=True,
    )
    attendance = Sheet(
        "出勤 Attendance",
        [L["date_time"], field(Activity, "title"), field(Attendance, "name"),
         field(Attendance, "organization"), field(Attendance, "role"), field(Attendance, "status"),
         field(Attendance, "reason"), field(Attendance, "makeup_on"), field(Attendance, "makeup_note")],
        [[s.starts_at, s.title, a.name, a.organization, a.role_label, a.status_label, a.reason,
          a.makeup_on, a.makeup_note]
         for s in ledger.sections for a in s.attendance] or [[L["empty"]]],
        widths=[17, 36, 12, 22, 12, 10, 24, 12, 24],
        autofilter=True,
    )
    if progress:
        progress(50)
    content = workbook_bytes([activities, attendance],
                             title=f"{ledger.org_name} {words.cover_title(ledger)}")
    if progress:
        progress(95)
    return content
