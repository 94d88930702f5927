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

ACCESS_KEY = "access:generation"
# The file grows by a byte a change; past this it starts again (its time still moves on).
FILE_MAX = 1 << 20


def _file() -> Path | None:
    """ACCESS_GENERATION_FILE: None keeps the generation in the cache alone (the tests)."""
    return getattr(settings, "ACCESS_GENERATION_FILE", None)


def access_generation() -> str:
    generation = cache.get(ACCESS_KEY)
    if generation is None:
        generation = 0
        cache.add(ACCESS_KEY, generation, None)
    path = _file()
    try:
        stat = os.stat(path) if path else None
    except OSError:
        stat = None
    stamp = f"{stat.st_mtime_ns:x}.{stat.st_size:x}" if stat else "-"
    return f"{generation}.{stamp}"


def _bump() -> None:
    try:
        cache.incr(ACCESS_KEY)
    except ValueError:  # not there yet (or evicted)
        cache.set(ACCESS_KEY, 1, None)
    path = _file()
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
        logger.warning("Cannot mark access changed in %s: %s", path, exc)


def access_changed() -> None:
    """Forget the cached readers. Moved on at once (this transaction's own later requests, the
    tests) and again when the transaction commits: a request that read the old roles between the
    two cannot leave them cached under the new generation."""
    _bump()
    transaction.on_commit(_bump)
