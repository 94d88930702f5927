"""Backup under write load, restore after a SIGKILL of the writer (issue 13, item 4).

A writer process (two threads) keeps adding rows and upload files; `branchwork backup` runs while
it writes; the writer is then killed with SIGKILL, leaving a -wal and -shm behind, which the old
copy-back instructions replayed into the restored file. `branchwork restore` must refuse while
the writer lives, then put back exactly what the backup holds: every table, every media file.
"""

import hashlib
from contextlib import closing
import signal
import sqlite3
import sys
import textwrap
from pathlib import Path

from branchwork.tests.chaos import chaos, new_instance, wait_for

pytestmark = chaos

WRITER = """
    import hashlib, threading, time
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import close_old_connections, transaction
    from branchwork.core.models import AuditEntry, Organization

    kind = ContentType.objects.get_for_model(Organization)

    def write(thread):
        n = 0
        while True:
            n += 1
            data = f"{thread}-{n}-".encode() * 200
            name = default_storage.save(f"chaos/{thread}/{n}.bin", ContentFile(data))
            with transaction.atomic():
                AuditEntry.objects.create(action="create", content_type=kind, object_id=f"{thread}-{n}",
                                          object_repr=name, source="chaos",
                                          changes={"sha256": hashlib.sha256(data).hexdigest()})
            close_old_connections()

    for t in range(2):
        threading.Thread(target=write, args=(t,), daemon=True).start()
    while True:
        time.sleep(1)
"""


def rows(db: Path) -> dict[str, list]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def chaos_rows(instance) -> int:
    return instance.query("SELECT count(*) FROM core_auditentry WHERE source = 'chaos'")[0][0]


def test_backup_under_load_and_restore_after_sigkill(chaos_template, tmp_path):
    instance = new_instance(chaos_template, tmp_path / "site")
    dest = tmp_path / "backup"
    writer = instance.start(sys.executable, "-c", "import django, json, sys; django.setup()\n"
                            + textwrap.dedent(WRITER), log="writer.log")
    try:
        wait_for(lambda: chaos_rows(instance) >= 20, 120, "the writer to write")
        backed = instance.command("backup", str(dest))
        assert "integrity ok" in backed.stdout, backed.stdout
        at_backup = chaos_rows(instance)
        # The writer holds the database: a restore must refuse, and name it.
        refused = instance.command("restore", str(dest), check=False)
        assert refused.returncode != 0 and "in use" in refused.stderr, refused.stderr
        assert f"pid {writer.pid}" in refused.stderr or f"process {writer.pid}" in refused.stderr
        wait_for(lambda: chaos_rows(instance) >= at_backup + 20, 120, "more writes after the backup")
    finally:
        instance.kill(writer, signal.SIGKILL)
    assert Path(f"{instance.db}-wal").exists()  # the killed writer's log, not checkpointed

    checked = instance.command("restore", "--check", str(dest))
    assert "match the manifest" in checked.stdout
    done = instance.command("restore", str(dest))
    assert "stale files moved aside: branchwork.sqlite3-wal, branchwork.sqlite3-shm" in done.stdout, done.stdout
    assert "integrity ok" in done.stdout

    backup_rows, restored_rows = rows(dest / "database.sqlite3"), rows(instance.db)
    assert backup_rows.keys() == restored_rows.keys()
    for table, expected in backup_rows.items():
        assert restored_rows[table] == expected, f"table {table} differs after the restore"
    assert files(dest / "media") == files(instance.media)
    # The backup is one consistent moment: every row it holds has its file, with its content.
    written = instance.query("SELECT object_repr, changes FROM core_auditentry WHERE source = 'chaos'")
    assert len(written) >= 20
    import json

    for name, changes in written:
        data = (instance.media / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == json.loads(changes)["sha256"], name
    with closing(sqlite3.connect(instance.db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # What was there before the restore is kept aside, not deleted.
    aside = [p for p in instance.path.iterdir() if p.name.startswith("pre-restore-")]
    assert len(aside) == 1 and (aside[0] / "branchwork.sqlite3-wal").exists()


def test_a_damaged_backup_is_refused_before_anything_is_touched(chaos_template, tmp_path):
    instance = new_instance(chaos_template, tmp_path / "site")
    dest = tmp_path / "backup"
    instance.command("backup", str(dest))
    before = instance.db.read_bytes()
    with open(dest / "database.sqlite3", "r+b") as fh:
        fh.seek(5000)
        fh.write(b"\x00garbage\x00")
    refused = instance.command("restore", str(dest), check=False)
    assert refused.returncode != 0 and "checksum differs: database.sqlite3" in refused.stderr
    assert instance.db.read_bytes() == before
