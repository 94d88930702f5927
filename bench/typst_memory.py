"""Memory of PDF typesetting: the resident size of this process and of the Typst child after
each of `n` compiles of a ~40-page Chinese document whose text differs every time (as every real
ledger or issue does), through `documents.typst.compile_pdf`. Compare

    TYPST_COMPILES_PER_CHILD=0 python bench/typst_memory.py 8   # in process: grows every compile
    python bench/typst_memory.py 12                             # child replaced every 4: bounded
"""

from __future__ import annotations

import os
import sys
import time


def rss_mb(pid: int | str = "self") -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def children() -> dict[int, int | None]:
    me, found = os.getpid(), {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == me:
                found[int(name)] = rss_mb(name)
    return found


def source(k: int) -> bytes:
    sections = []
    for i in range(80):
        cells = ", ".join(f"[{k}.{i}.{j}]" for j in range(40))
        sections.append(f"== 第{k}次 第{i}节\n" + "支部委员会召开会议，学习讨论并研究部署工作。" * 12
                        + f" {k}-{i}\n\n#table(columns: 4, {cells})")
    return ('#set text(font: ("Noto Serif CJK SC", "Noto Sans CJK SC"), lang: "zh")\n'
            + "\n\n".join(sections)).encode()


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "branchwork.settings")
    django.setup()
    from django.conf import settings

    from branchwork.documents import fonts
    from branchwork.documents.typst import compile_pdf

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    print(f"TYPST_COMPILES_PER_CHILD={settings.TYPST_COMPILES_PER_CHILD} start: {rss_mb()} MB")
    for k in range(1, n + 1):
        started = time.perf_counter()
        pdf = compile_pdf(source(k), font_paths=fonts.font_dirs())
        print(f"k={k} {time.perf_counter() - started:.2f}s {len(pdf)} B this={rss_mb()} MB "
              f"children={children()}", flush=True)


if __name__ == "__main__":
    main()
