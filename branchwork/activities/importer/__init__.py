"""Import of past records from a spreadsheet (CSV or XLSX): all or nothing per file.

A branch that starts using Branchwork has years of meetings on paper and in Excel. This module
reads such a file (one activity per row; the columns are described in `COLUMNS` and in
docs/IMPORT.md), checks every row against the organization's people and the rulebook, and only
when nothing at all is wrong writes the activities, through the services, in one transaction.

    parse_file(name, data)          → rows (dicts keyed by the headers as written in the file)
    validate(org, rows, by=…)       → an ImportPlan: what would be written, and every error
    run_import(by=…, organization=…, name=…, data=…)
                                    → an ImportResult, or ImportRefused carrying every error

Errors name the row as a spreadsheet shows it (the header is row 1, the first record row 2) and
the column as its header is written in the file, in the user's language.

Imported records are past records: they are written as held, with their minutes in draft, for
the secretary to review, submit and lock like any other record. Nothing is sent to anybody.
"""

from branchwork.activities.importer.columns import (
    COLUMNS,
    Column,
    ImportRefused,
    RowError,
    column_key,
)
from branchwork.activities.importer.files import Row, Rows, encoding_label, parse_file
from branchwork.activities.importer.plan import ImportPlan, ImportResult, PlannedActivity, validate
from branchwork.activities.importer.values import (
    DEFAULT_TIME,
    parse_absence,
    parse_resolution,
    parse_when,
    split_list,
)
from branchwork.activities.importer.write import run_import, run_job, start_job

__all__ = [
    "COLUMNS", "DEFAULT_TIME", "Column", "ImportPlan", "ImportRefused", "ImportResult",
    "PlannedActivity", "Row", "RowError", "Rows", "column_key", "encoding_label", "parse_absence",
    "parse_file", "parse_resolution", "parse_when", "run_import", "run_job", "split_list",
    "start_job", "validate",
]
