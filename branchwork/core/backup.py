"""Backup and restore of an instance: the database, the uploads (MEDIA_ROOT), the secret key.

`branchwork backup DEST` writes a folder:

    manifest.json        what is in it: format, time, database engine, every file's size and sha256
    database.sqlite3     SQLite: a consistent copy made with SQLite's online backup API while the
                         server runs (a snapshot of one moment: writers go on meanwhile)
    database.dump        PostgreSQL: `pg_dump --format=custom`
    media/…              the uploads, as files
    secret_key           the instance's key file, when the key comes from it (not from SECRET_KEY)

`branchwork restore SRC` checks every file against the manifest and the database with
`PRAGMA integrity_check` before it touches anything, refuses while a server or worker holds the
database (see `holders`), moves the current database (with its -wal and -shm, which would
otherwise be replayed into the restored file) and uploads aside into a `pre-restore-…` folder of
the instance, puts the backup in place, and migrates it (an older backup is brought up to date).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA = "media"
KEY_FILE = "secret_key"
RUN_DIR = "run"


class BackupError(Exception):
    """Backup or restore refused or failed; the message says why and what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else connection.vendor


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


# --- Who holds the database ---

def _run_dir() -> Path:
    return Path(settings.INSTANCE_DIR) / RUN_DIR


def mark_running(role: str) -> Path | None:
    """Record that this process (a server worker, a task worker) uses the instance: a file
    `run/<role>-<host>-<pid>` that `restore` checks (a file of a process that is gone is stale and
    ignored). Returns the file, or None when the instance folder is not writable."""
    import atexit

    path = _run_dir() / f"{role}-{socket.gethostname()}-{os.getpid()}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(timezone.now().isoformat())
    except OSError:
        return None
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:  # not in a forked child (gunicorn's workers after --preload)
            path.unlink(missing_ok=True)

    atexit.register(remove)
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _open_by(paths: list[Path]) -> list[str]:
    """Processes of this host (Linux /proc) that have one of these files open, but not this one."""
    wanted = {str(p.resolve()) for p in paths if p.exists()}
    found = []
    proc = Path("/proc")
    if not wanted or not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    found.append(f"process {entry.name} ({cmd.strip()[:80]})")
                    break
        except OSError:  # gone meanwhile, or not ours to look at
            continue
    return found


def holders() -> list[str]:
    """Who uses the database now: live processes recorded in the instance's run folder, processes
    of this host with the SQLite files open, task workers with a fresh heartbeat, and (PostgreSQL)
    other sessions on the database. Empty when a restore is safe."""
    found = []
    host = socket.gethostname()
    run = _run_dir()
    if run.is_dir():
        for marker in run.iterdir():
            role, _sep, rest = marker.name.partition("-")
            marker_host, _sep, pid = rest.rpartition("-")
            if not pid.isdigit():
                continue
            if marker_host != host:
                found.append(f"{role} on {marker_host} (pid {pid}, marker {marker})")
            elif int(pid) != os.getpid() and _pid_alive(int(pid)):
                found.append(f"{role} (pid {pid})")
            else:
                marker.unlink(missing_ok=True)  # a process that is gone: stale
    if _engine() == "sqlite":
        db = _sqlite_path()
        found += _open_by([db, Path(f"{db}-wal"), Path(f"{db}-shm")])
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, application_name, client_addr FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            found += [f"PostgreSQL session {pid} {app or ''} {addr or ''}".strip()
                      for pid, app, addr in cursor.fetchall()]
    found += _live_task_workers()
    return sorted(set(found))


def _live_task_workers() -> list[str]:
    from django.db.utils import DatabaseError

    from branchwork.core import worker as leases
    from branchwork.core.models import TaskWorker

    fresh = timezone.now() - datetime.timedelta(seconds=leases.lease_seconds())
    if _engine() == "sqlite":
        # Read-only and closed at once: a read-write connection, on closing, would checkpoint a
        # dead process's -wal into the file this restore is about to move aside.
        db = _sqlite_path()
        if not db.exists():
            return []
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=20)
        try:
            rows = conn.execute(f"SELECT worker_id, host, pid, last_seen FROM {TaskWorker._meta.db_table}").fetchall()
        except sqlite3.Error:  # not migrated yet
            return []
        finally:
            conn.close()
        workers = [(w, h, p) for w, h, p, seen in rows
                   if datetime.datetime.fromisoformat(seen).replace(tzinfo=datetime.UTC) >= fresh]
    else:
        try:
            workers = list(TaskWorker.objects.filter(last_seen__gte=fresh)
                           .values_list("worker_id", "host", "pid"))
        except DatabaseError:  # no database yet, or not migrated
            return []
    host = socket.gethostname()
    return [f"task worker {w}" for w, h, p in workers
            if h != host or _pid_alive(p) and p != os.getpid()]


# --- Backup ---

@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)


def _files_of(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def backup(dest: Path) -> Summary:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} exists and is not empty: name a new folder.")
    dest.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    engine = _engine()
    if engine == "sqlite":
        target = dest / SQLITE_FILE
        source = sqlite3.connect(_sqlite_path(), timeout=60)
        copy = sqlite3.connect(target)
        try:
            # One step (pages=-1): a read transaction over the whole copy, so the copy is the
            # database as of one moment; WAL lets the server's writers go on meanwhile.
            source.backup(copy, pages=-1)
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        if check != "ok":
            raise BackupError(f"The copy of the database fails its integrity check: {check}")
        summary.add(f"database (SQLite, online backup): {target.stat().st_size} bytes, integrity ok")
    elif engine == "postgresql":
        target = dest / PG_FILE
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target),
                        *_pg_args()], env=_pg_env(), check=True, capture_output=True)
        summary.add(f"database (PostgreSQL, pg_dump): {target.stat().st_size} bytes")
    else:
        raise BackupError(f"No backup for the {engine} database engine.")
    media_root = Path(settings.MEDIA_ROOT)
    media_count = 0
    if media_root.is_dir():
        for path in _files_of(media_root):
            relative = path.relative_to(media_root)
            target = dest / MEDIA / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(path, target)
            except FileNotFoundError:  # deleted since listed (an old build pruned): not needed
                continue
            media_count += 1
    summary.add(f"media: {media_count} files")
    key = Path(settings.INSTANCE_DIR) / "secret_key"
    if key.is_file() and not os.environ.get("SECRET_KEY"):
        shutil.copy2(key, dest / KEY_FILE)
        os.chmod(dest / KEY_FILE, 0o600)
        summary.add("secret key: the instance's key file")
    else:
        summary.add("secret key: not included (it is set in the environment: keep it there)")
    files = {}
    for path in _files_of(dest):
        relative = path.relative_to(dest).as_posix()
        if relative != MANIFEST:
            files[relative] = {"size": path.stat().st_size, "sha256": sha256(path)}
    manifest = {
        "format": FORMAT, "created_at": timezone.now().isoformat(), "host": socket.gethostname(),
        "engine": engine, "migrations": _migrations(), "files": files,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    summary.add(f"manifest: {len(files)} files with sha256 checksums in {dest / MANIFEST}")
    return summary


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name").order_by("id"):
        latest[app] = name
    return latest


def _pg_settings() -> dict:
    return settings.DATABASES["default"]


def _pg_args() -> list[str]:
    db = _pg_settings()
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return args


def _pg_env() -> dict:
    env = dict(os.environ)
    if _pg_settings().get("PASSWORD"):
        env["PGPASSWORD"] = _pg_settings()["PASSWORD"]
    return env


# --- Restore ---

def verify(src: Path) -> dict:
    """The manifest, once every file it names is there with its size and checksum, and no other."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src / MANIFEST} cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (this version reads {FORMAT}).")
    problems = []
    for relative, expected in manifest["files"].items():
        path = src / relative
        if not path.is_file():
            problems.append(f"missing: {relative}")
        elif path.stat().st_size != expected["size"] or sha256(path) != expected["sha256"]:
            problems.append(f"checksum differs: {relative}")
    listed = set(manifest["files"]) | {MANIFEST}
    problems += [f"not in the manifest: {p.relative_to(src).as_posix()}" for p in _files_of(src)
                 if p.relative_to(src).as_posix() not in listed]
    if problems:
        raise BackupError("The backup does not match its manifest:\n  " + "\n  ".join(problems))
    if manifest["engine"] == "sqlite":
        conn = sqlite3.connect(f"file:{src / SQLITE_FILE}?mode=ro", uri=True)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
        if check != "ok":
            raise BackupError(f"The backup's database fails its integrity check: {check}")
    return manifest


def restore(src: Path) -> Summary:
    src = Path(src)
    manifest = verify(src)
    summary = Summary()
    summary.add(f"backup of {manifest['created_at']} from {manifest['host']}: "
                f"{len(manifest['files'])} files match the manifest")
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(f"The backup is of a {manifest['engine']} database; this instance uses {engine}.")
    busy = holders()
    if busy:
        raise BackupError("The database is in use; stop the server and the task worker first:\n  "
                          + "\n  ".join(busy))
    aside = Path(settings.INSTANCE_DIR) / f"pre-restore-{timezone.now():%Y%m%d-%H%M%S}"
    aside.mkdir(parents=True)
    connections.close_all()
    if engine == "sqlite":
        summary.add(_restore_sqlite(src / SQLITE_FILE, aside))
    else:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        *_pg_args(), str(src / PG_FILE)], env=_pg_env(), check=True,
                       capture_output=True)
        summary.add("database: PostgreSQL restored with pg_restore --clean")
    summary.add(_restore_media(src / MEDIA, aside))
    if (src / KEY_FILE).is_file():
        key = Path(settings.INSTANCE_DIR) / "secret_key"
        if key.exists():
            shutil.move(key, aside / "secret_key")
        shutil.copy2(src / KEY_FILE, key)
        os.chmod(key, 0o600)
        summary.add("secret key: restored (sessions and links of the backup's time stay valid)")
    if not any(aside.iterdir()):
        aside.rmdir()
    else:
        summary.add(f"what was there before: moved to {aside}")
    return summary


def _restore_sqlite(backup_db: Path, aside: Path) -> str:
    db = _sqlite_path()
    moved = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(f"{db}{suffix}")
        if path.exists():
            shutil.move(path, aside / path.name)
            moved.append(path.name)
    partial = db.with_name(db.name + ".restoring")
    shutil.copyfile(backup_db, partial)
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, db)
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.execute("PRAGMA journal_mode=WAL")
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        conn.close()
    if check != "ok":
        raise BackupError(f"The restored database fails its integrity check: {check}")
    stale = [name for name in moved if name.endswith(("-wal", "-shm", "-journal"))]
    return (f"database: {db} ({db.stat().st_size} bytes, {tables} tables, integrity ok); "
            f"stale files moved aside: {', '.join(stale) or 'none'}")


def _restore_media(backup_media: Path, aside: Path) -> str:
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.move(media_root, aside / "media")
    if backup_media.is_dir():
        shutil.copytree(backup_media, media_root)
    else:
        media_root.mkdir(parents=True)
    files = _files_of(media_root)
    return f"media: {len(files)} files, {sum(p.stat().st_size for p in files)} bytes in {media_root}"
