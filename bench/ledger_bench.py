"""How long the year's ledger takes to build, per format (issue 3: PDF ≤ 3 s, DOCX ≤ 2 s).

One branch, one generated year (last year) of 80 locked activities with 40 expected members
each, a photo each; then `reports.ledger.build()` — reading the records and writing the file,
as the download and the background task call it — is timed for PDF, DOCX and XLSX.

    python bench/ledger_bench.py --repeat 7 --out ledger.json   # normally through bench/run.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate, setup_django

BUDGETS = {"pdf": 3.0, "docx": 2.0, "xlsx": None}


def pdf_pages(content: bytes) -> int | None:
    """Pages of a PDF, with poppler's pdfinfo when it is installed."""
    if not shutil.which("pdfinfo"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--activities", type=int, default=80)
    parser.add_argument("--attendees", type=int, default=40)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    setup_django()
    from django.utils import timezone, translation

    from branchwork.reports import ledger

    translation.activate("zh-hans")
    year = timezone.localdate().year - 1
    data = generate(branches=1, activities=args.activities, attendees=args.attendees, year=year,
                    photos=True, code="bench-ledger")
    branch = data.branches[0]
    metrics, outputs = [], {}
    for fmt, budget in BUDGETS.items():
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            content, name = ledger.build(organization=branch, year=year, fmt=fmt)
            runs.append(time.perf_counter() - start)
        outputs[fmt] = {"file": name, "bytes": len(content)}
        if fmt == "pdf":
            outputs[fmt]["pages"] = pdf_pages(content)
        metrics.append({
            "name": f"ledger_{fmt}",
            "label": f"Ledger {fmt.upper()} build ({args.activities} activities × "
                     f"{args.attendees} expected attendees, photos)",
            "budget_s": budget, "runs_s": runs,
        })
    result = {
        "benchmark": "ledger",
        "data": {"year": year, "activities": data.activities, "attendance_rows": data.attendance,
                 "credits": data.credits, "generate_s": round(data.seconds, 2),
                 "outputs": outputs},
        "metrics": metrics,
    }
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    outcome = main()
    if "--out" not in sys.argv:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
