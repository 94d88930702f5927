"""Backup and restore on PostgreSQL, end to end, as docs/OPERATIONS.md tells an operator (issue 13).

An instance on a PostgreSQL database of its own, with records and uploads; `branchwork backup`
while nothing runs; then the day goes on (a record added, one deleted, an upload replaced);
`branchwork restore` must refuse while a server holds the instance, and once it is stopped put
back exactly what the backup holds: the rows of every table, every upload, and the server starts
on it. Run by `make chaos` when DATABASE_URL names a PostgreSQL server (CI).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from branchwork.tests.chaos import Instance, chaos, free_port, http_ok

pytestmark = chaos

SNAPSHOT = """
    from django.apps import apps
    from django.core import serializers
    rows = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        label = model._meta.label
        rows[label] = sorted(json.dumps(o, sort_keys=True, ensure_ascii=False)
                             for o in json.loads(serializers.serialize("json", model._default_manager.all())))
    print(json.dumps(rows, ensure_ascii=False))
"""


def files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_postgresql_instance_comes_back_as_it_was_backed_up(pg_database, tmp_path):
    site = Instance(tmp_path / "site", DATABASE_URL=pg_database)
    site.command("migrate", "--no-input", timeout=900)
    site.command("collectstatic", "--no-input", "--verbosity", "0", timeout=600)
    site.python("""
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from django.utils import timezone
        from branchwork.activities.testing import held_activity
        from branchwork.core.testing import build_personas
        p = build_personas()
        for n in range(3):
            held_activity(by=p.alice, organization=p.branch_a, types=["theme_day"],
                          starts_at=timezone.now() - timezone.timedelta(days=10 + n),
                          title=f"备份前的主题党日 {n}", host=p.people.alice, recorder=p.people.bob,
                          minutes=f"<p>第{n}次会议记录：学习讨论。</p>")
        default_storage.save("attachments/纪要扫描件.pdf", ContentFile(b"%PDF-1.4 scan " * 100))
        print(json.dumps({}))
    """)
    before = site.python(SNAPSHOT)
    media_before = files(site.media)
    assert sum(len(v) for v in before.values()) > 50 and media_before

    backup_dir = tmp_path / "backup"
    done = site.command("backup", str(backup_dir))
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["engine"] == "postgresql", manifest
    # A real custom-format archive: its table of contents lists our tables.
    listing = subprocess.run(["pg_restore", "--list", str(backup_dir / "database.dump")],
                             capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA public activities_activity" in listing, done.stdout

    # The day goes on: a record added, one deleted, an upload replaced and one added.
    site.python("""
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from branchwork.activities.models import Activity
        from branchwork.core.models import Organization
        Activity.objects.filter(title="备份前的主题党日 0").delete()
        Organization.objects.filter(code="branch-b").update(name_zh="改名后的综合处党支部")
        default_storage.delete("attachments/纪要扫描件.pdf")
        default_storage.save("attachments/纪要扫描件.pdf", ContentFile(b"changed"))
        default_storage.save("attachments/备份后上传.pdf", ContentFile(b"later"))
        print(json.dumps({}))
    """)
    assert site.python(SNAPSHOT) != before

    # Refused while a server runs on the instance.
    port = free_port()
    server = site.server(port, workers=1)
    refused = site.command("restore", str(backup_dir), check=False)
    assert refused.returncode != 0
    assert "stop the server" in (refused.stdout + refused.stderr)
    site.kill(server)

    restored = site.command("restore", str(backup_dir))
    assert "pg_restore" in restored.stdout, restored.stdout
    assert site.python(SNAPSHOT) == before
    assert files(site.media) == media_before
    # The files of the day after are kept aside, not lost.
    aside = [p for p in site.path.iterdir() if p.name.startswith("pre-restore-")]
    assert aside and any(p.name == "备份后上传.pdf" for p in aside[0].rglob("*"))

    # The server starts on the restored database and serves its records.
    port = free_port()
    site.server(port, workers=1, log="server2.log")
    assert http_ok(f"http://127.0.0.1:{port}/accounts/login/")
    # pg_restore --single-transaction left no half-restored schema: the migrations are all there.
    plan = site.command("showmigrations", "--plan").stdout
    assert "[ ]" not in plan
    site.stop_all()

