"""How long the year's ledger takes to build, per format (issue 3: PDF ≤ 3 s, DOCX ≤ 2 s), and
what the PDF costs beside a plain Typst document of the same content (issue 17: ≤ 2×).

One branch, one generated year (last year) of 80 locked activities with 40 expected members
each, a photo each; then `reports.ledger.build()` — reading the records and writing the file,
as the download and the background task call it — is timed for PDF, DOCX and XLSX.

The floor does equal work: the same ledger's content (every heading, fact, count, agenda item,
minutes, table, photo, sign-off and sign-in sheet, in the same fonts on A4) written out as one
plain Typst file, with no data file, template or helper functions, and compiled. The file and
its prepared photos are made before the clock starts; the ledger's build is timed from the
database to the PDF. Each run of either is a fresh process (`--child`), as every real build is
the first of its content: Typst memoizes across the compiles of one process, so the floor
compiled again in one process came from the cache (see `against_floor`). Both PDFs' pages and text (pdftotext, characters without spaces) are
recorded, to show that they hold the same content. Measured at 80 activities and at
`--large` (400) activities per year, where the second is run `--large-repeat` times (4).

    python bench/ledger_bench.py --repeat 7 --out ledger.json   # normally through bench/run.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate, setup_django

BUDGETS = {"pdf": 3.0, "docx": 2.0, "xlsx": None}
FLOOR_FACTOR = 2.0  # issue 17: the ledger PDF within 2× a plain Typst document of the same content


def plain_typst(ledger, root) -> str:
    """The ledger's content as one plain Typst file (the floor): every text, table, list and
    photo the ledger PDF holds, in the same fonts and page size, written out as markup with no
    data file, template or helper functions. Photos are prepared into `root` here (before
    timing), as the ledger prepares its own."""
    from branchwork.documents import fonts, images
    from branchwork.documents.typst import blocks_to_typst, typst_string as q
    from branchwork.reports.ledger import labels as words

    L = words.labels()

    def lst(values) -> str:
        return "(" + "".join(f"{v}, " for v in values) + ")"

    def pairs(rows, width="7.5em") -> str:
        cells = ", ".join(f"strong({q(a)}), {q(b)}" for a, b in rows)
        return f"#table(columns: ({width}, 1fr), {cells})\n"

    def table(headers, rows, widths) -> str:
        cols = lst("1fr" if w == 0 else f"{w}em" for w in widths)
        head = ", ".join(f"strong({q(h)})" for h in headers)
        body = ", ".join(q(c) for row in rows for c in row)
        return f"#table(columns: {cols}, table.header({head}), {body})\n"

    lang = "lang: \"en\", region: \"us\"" if words.is_english() else "lang: \"zh\", region: \"cn\""
    out = [
        f"#set document(title: {q(words.cover_title(ledger))}, author: {q(ledger.org_name)})\n",
        f"#set text(font: {lst(q(f) for f in fonts.serif())}, size: 10.5pt, {lang}, "
        "cjk-latin-spacing: none)\n",
        "#set par(justify: true, leading: 0.75em, spacing: 0.9em)\n",
        "#set page(paper: \"a4\", margin: (top: 2.6cm, bottom: 2.4cm, x: 2.2cm), "
        f"header: context {{ if here().page() > 1 [{'#'}{q(ledger.org_name)} #h(1fr) "
        f"{'#'}{q(words.running_title(ledger))}] }}, "
        "footer: context { if here().page() > 1 { align(center, counter(page).display(\"1 / 1\", both: true)) } })\n",
        "#set table(stroke: 0.5pt, inset: (x: 4pt, y: 3.5pt))\n",
        "#show table.cell: set text(size: 9.5pt)\n",
        f"#show heading: set text(font: {lst(q(f) for f in fonts.sans())}, weight: \"bold\")\n",
        f"#align(center)[#text(size: 22pt, {q(ledger.org_name)})\n\n"
        f"#text(size: 26pt, {q(words.cover_title(ledger))})]\n",
        pairs(words.cover_facts(ledger, L)),
        "#pagebreak()\n#outline(depth: 1)\n",
    ]
    for i, s in enumerate(ledger.sections, start=1):
        out.append(f"#pagebreak(weak: true)\n#heading(level: 1, {q(words.heading(s))})\n")
        out.append(pairs(words.facts(s, L)))
        out.append(f"#heading(level: 2, {q(L['attendance'])})\n")
        counts = words.counts(s)
        out.append(f"#table(columns: {len(counts)}, "
                   + ", ".join(q(c[0]) for c in counts) + ", "
                   + ", ".join(q(c[1]) for c in counts) + ")\n")
        out.append(pairs(words.attendance(s, L), "9em"))
        out.append(f"#heading(level: 2, {q(L['agenda'])})\n")
        out.append("".join(f"+ #{q(item)}\n" for item in s.agenda) + "\n")
        out.append(f"#heading(level: 2, {q(L['discussion'])})\n")
        out.append(blocks_to_typst(s.minutes, heading_offset=1) + "\n\n")
        out.append(f"#heading(level: 2, {q(L['resolutions'])})\n")
        out.append(table(*words.resolution_table(s, L), [3, 0, 4, 4, 5.5, 5.5]))
        if s.photos:
            out.append(f"#heading(level: 2, {q(L['photos'])})\n")
            for j, p in enumerate(s.photos):
                prepared = images.prepare(p.read())
                if prepared is None:
                    continue
                path = f"photos/{i}-{j}.{prepared.ext}"
                (root / "photos").mkdir(exist_ok=True)
                (root / path).write_bytes(prepared.data)
                out.append(f"#figure(image({q(path)}, width: 48%, height: 6cm, fit: \"contain\"), "
                           f"caption: {q(p.caption or p.filename)})\n")
        if s.quorum:
            out.append(f"#heading(level: 2, {q(L['quorum'])})\n")
            out.append("".join(f"- #{q(words.quorum_line(x))}\n" for x in s.quorum) + "\n")
        out.append(f"#heading(level: 2, {q(L['signoff'])})\n")
        out.append(pairs(words.signoff(s, L)))
        out.append(f"#heading(level: 2, {q(L['signatures'])})\n")
        for label, name in words.signature_lines(s, L):
            out.append(f"#strong({q(label)}) #box(width: 12em, stroke: (bottom: 0.5pt))[#h(12em)] "
                       f"#{q(name)}\n\n")
        for m in s.amendments:
            out.append(f"#heading(level: 2, {q(L['amendments'])})\n")
            out.append(f"#strong({q(words.amendment_head(m))})\n\n#{q(m.reason)}\n\n")
            out.append(table([L["what"], L["before"], L["after"]], [list(c) for c in m.changes], [7, 0, 0]))
        out.append(f"#pagebreak()\n#heading(level: 2, {q(L['signin'])})\n#strong({q(words.heading(s))})\n\n")
        out.append(f"#text(size: 9pt, {q(L['signin_note'])})\n\n")
        # Rows tall enough to sign in, as the ledger sets them.
        out.append("#[#set table(inset: (x: 4pt, y: 8pt))\n"
                   + table(*words.signin_table(s, L), [3.2, 7, 5, 0, 9]) + "]\n")
    return "".join(out)


def pdf_text_chars(content: bytes) -> int | None:
    """Characters of the PDF's text (pdftotext), spaces and line breaks left out."""
    if not shutil.which("pdftotext"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True,
                             text=True).stdout
    return len("".join(out.split()))


def child(kind: str, target: str, year: int, out: Path) -> None:
    """One timed run in a fresh process (`--child`): the ledger's PDF built from the database
    (`kind` "ours", `target` the branch's id) or the plain file compiled (`kind` "floor",
    `target` its compile root). Both first compile the same small page in the ledger's fonts, so
    that neither run pays for finding and loading fonts; the PDF goes to `out`, and the wall and
    CPU seconds (and, for ours, those of its own Typst compile) are printed as JSON."""
    setup_django()
    import typst
    from django.utils import translation

    from branchwork.documents import fonts
    from branchwork.documents.typst import TypstRoot, typst_string as q

    translation.activate("zh-hans")
    warm = (f"#set text(font: ({', '.join(q(f) for f in fonts.serif())},))\n中文 Latin 1234\n"
            f"#text(font: ({', '.join(q(f) for f in fonts.sans())},))[中文 Latin 1234]")
    typst.compile(warm.encode(), format="pdf", font_paths=fonts.font_dirs())
    compiles: list[tuple[float, float]] = []
    if kind == "ours":
        from branchwork.core.models import Organization
        from branchwork.reports import ledger

        branch = Organization.objects.get(pk=int(target))
        plain_compile = TypstRoot._compile

        def timed_compile(self, data):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return plain_compile(self, data)
            finally:
                compiles.append((time.perf_counter() - start, time.process_time() - cpu))

        TypstRoot._compile = timed_compile
        start, cpu = time.perf_counter(), time.process_time()
        content, _name = ledger.build(organization=branch, year=year, fmt="pdf")
    else:
        start, cpu = time.perf_counter(), time.process_time()
        content = typst.compile(str(Path(target) / "plain.typ"), root=target, format="pdf",
                                font_paths=fonts.font_dirs())
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    out.write_bytes(content)
    print(json.dumps({"wall": wall, "cpu": cpu, "compile": compiles[-1] if compiles else None}))


def against_floor(branch, year: int, repeat: int, label: str) -> tuple[list[dict], dict, dict]:
    """The ledger PDF (from the database) and the plain floor (compile only), `repeat` runs each,
    interleaved so that both see the same machine, each run in a fresh process (see `child`).

    Not in this process: Typst memoizes across the compiles of a process (and typst-py never
    evicts), so the floor, the same file compiled again, came mostly from the cache, while the
    ledger's cover carries the minute it was built, so a build a minute later was largely laid
    out again; the ratio then measured the cache (2.8× at 400 activities, with the ledger's
    template as fast as the floor both warm and cold). Every real build is the first of its
    content in its process."""
    from branchwork.reports import ledger

    snapshot = ledger.ledger_data(organization=branch, year=year)
    runs = {"ours": [], "floor": [], "ours_compile": []}
    cpu = {"ours": [], "floor": [], "ours_compile": []}
    with tempfile.TemporaryDirectory(prefix="ledger-floor-") as tmp:
        root = Path(tmp)
        (root / "plain.typ").write_text(plain_typst(snapshot, root), encoding="utf-8")
        files = {}
        for _ in range(repeat):
            for kind, target in (("ours", str(branch.pk)), ("floor", str(root))):
                out = root / f"{kind}.pdf"
                done = subprocess.run([sys.executable, __file__, "--child", kind, target,
                                       "--year", str(year), "--out", str(out)],
                                      capture_output=True, text=True, check=True)
                timed = json.loads(done.stdout.strip().splitlines()[-1])
                runs[kind].append(timed["wall"])
                cpu[kind].append(timed["cpu"])
                if timed["compile"]:
                    runs["ours_compile"].append(timed["compile"][0])
                    cpu["ours_compile"].append(timed["compile"][1])
                files[kind] = out.read_bytes()
    ours, floor, ours_compile = runs["ours"], runs["floor"], runs["ours_compile"]
    n = len(snapshot.sections)
    # Each run a fresh process, none a warm-up (run.py summarizes every run of a cold start).
    metrics = [
        {"name": f"ledger_pdf_{n}", "label": f"Ledger PDF build, {label}", "budget_s": None,
         "cold_start": True, "runs_s": ours},
        {"name": f"ledger_pdf_{n}_floor", "label": f"Plain Typst document of the same content "
         f"(compile only), {label}", "budget_s": None, "cold_start": True, "runs_s": floor},
        {"name": f"ledger_pdf_{n}_compile", "label": f"Ledger PDF build's own Typst compile "
         f"(inside the build above), {label}", "budget_s": None, "cold_start": True,
         "runs_s": ours_compile},
    ]
    measured = slice(None)

    def median(values):
        return statistics.median(values[measured])

    ratio = median(ours) / median(floor)
    checks = [
        {"label": f"Ledger PDF ÷ plain Typst floor (medians), {label}", "value": round(ratio, 2),
         "limit": FLOOR_FACTOR, "verdict": "PASS" if ratio <= FLOOR_FACTOR else "FAIL"},
        # CPU seconds of the process (Typst's threads included): steadier than wall time on a
        # machine others share.
        {"label": f"Ledger PDF ÷ plain Typst floor, CPU time (medians), {label}",
         "value": round(median(cpu["ours"]) / median(cpu["floor"]), 2), "limit": None, "verdict": None},
        {"label": f"Ledger's own Typst compile ÷ plain Typst floor, CPU time (medians), {label}",
         "value": round(median(cpu["ours_compile"]) / median(cpu["floor"]), 2), "limit": None,
         "verdict": None},
    ]
    facts = {kind: {"bytes": len(content), "pages": pdf_pages(content),
                    "text_chars": pdf_text_chars(content)} for kind, content in files.items()}
    facts["cpu_s"] = {k: [round(x, 3) for x in v] for k, v in cpu.items()}
    return metrics, checks, facts


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
    parser.add_argument("--large", type=int, default=400,
                        help="activities of the second year, measured against the floor (0: none)")
    parser.add_argument("--large-repeat", type=int, default=4)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "TARGET"),
                        help="one timed run in this process (used by the comparison with the floor)")
    parser.add_argument("--year", type=int)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child, year=args.year, out=args.out)
        return {}

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
    checks, floors = [], {}
    label = f"{args.activities} activities × {args.attendees} expected attendees, photos"
    extra, more, floors[args.activities] = against_floor(branch, year, args.repeat, label)
    metrics += extra
    checks += more
    sizes = {"activities": data.activities, "attendance_rows": data.attendance}
    if args.large:
        big = generate(branches=1, activities=args.large, attendees=args.attendees, year=year,
                       photos=True, code="bench-ledger-large")
        label = f"{args.large} activities × {args.attendees} expected attendees, photos"
        extra, more, floors[args.large] = against_floor(big.branches[0], year,
                                                        max(2, args.large_repeat), label)
        metrics += extra
        checks += more
        sizes["large"] = {"activities": big.activities, "attendance_rows": big.attendance,
                          "generate_s": round(big.seconds, 2)}
    result = {
        "benchmark": "ledger",
        "data": {"year": year, **sizes, "credits": data.credits,
                 "generate_s": round(data.seconds, 2), "outputs": outputs,
                 "pdf_and_floor": floors},
        "metrics": metrics,
        "checks": checks,
    }
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    outcome = main()
    if "--out" not in sys.argv:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
