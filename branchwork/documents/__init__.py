"""The document toolkit every builder of PDF and DOCX files uses (the ledger, the journal and
every later export): Typst compilation with its shared page setup (`typst`), fonts and their
fallback across scripts (`fonts`), image preparation (`images`), and the DOCX writer (`docx`).
The writers of rich-text blocks (`branchwork.core.richtext`) to Typst and DOCX live beside them.

A library, not a Django app: no models, no views. It imports `core` only; spreadsheets are
written by `branchwork.core.exports`, which core's own lists use too.
"""
