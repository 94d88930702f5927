"""The access generation: a counter that moves on whenever roles or what they reach change
(a role given, changed or ended; an organization added, moved, closed or reopened; a person or
an account changed), so that the readers cached across requests (`permissions.reader`) are read
afresh on the next request.

Kept like the portal's generation (publishing.selectors): in the cache, shared by every process
when the cache is (CACHE_URL), and as a file in the instance folder whose size and time every
process on this machine sees at the cost of a stat(), so that with the default per-process
cache a role ended through one gunicorn worker is seen at once by the others.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# The file grows by a byte a change; past this it starts again (its time still moves on).
FILE_MAX = 1 << 20


class Generation:
    """A counter that moves on when something cached changes, kept twice: in the cache (shared by
    every process when the cache is) and as a file named by the setting `setting`, whose size and
    time every process of this machine sees at the cost of a stat(). Its value is a key part:
    what was cached under an older value is not read again. The portal's generation
    (publishing.selectors) and the access generation below are two of these."""

    def __init__(self, key: str, setting: str, what: str):
        self.key, self.setting, self.what = key, setting, what

    def _file(self) -> Path | None:
        """The setting's file; None keeps the generation in the cache alone (the tests)."""
        return getattr(settings, self.setting, None)

    def current(self) -> str:
        generation = cache.get(self.key)
        if generation is None:
            generation = 0
            cache.add(self.key, generation, None)
        path = self._file()
        try:
            stat = os.stat(path) if path else None
        except OSError:
            stat = None
        stamp = f"{stat.st_mtime_ns:x}.{stat.st_size:x}" if stat else "-"
        return f"{generation}.{stamp}"

    def bump(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # not there yet (or evicted)
            cache.set(self.key, 1, None)
        path = self._file()
        if path is None:
            return
        try:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
            if path.exists() and path.stat().st_size >= FILE_MAX:
                flags |= os.O_TRUNC
            fd = os.open(path, flags, 0o600)
            try:
                os.write(fd, b".")
            finally:
                os.close(fd)
        except OSError as exc:  # a read-only instance folder: other processes see it at expiry
            logger.warning("Cannot mark %s changed in %s: %s", self.what, path, exc)


ACCESS = Generation("access:generation", "ACCESS_GENERATION_FILE", "access")


def access_generation() -> str:
    return ACCESS.current()


def access_changed() -> None:
    """Forget the cached readers. Moved on at once (this transaction's own later requests, the
    tests) and again when the transaction commits: a request that read the old roles between the
    two cannot leave them cached under the new generation."""
    ACCESS.bump()
    transaction.on_commit(ACCESS.bump)
