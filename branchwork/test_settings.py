"""Fast settings for the test suite: same apps and middleware, cheaper hashing, no outside mail."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from branchwork.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each test process has its own cache and database: the portal's generation lives in the cache
# alone (a shared file would let one process's tests move another's on).
PORTAL_GENERATION_FILE = None
ACCESS_GENERATION_FILE = None
# The live server's threads share the SQLite test database's connection: no persistent
# connections nor health checks (which close it from the wrong thread), as Django's test
# server expects.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"].update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)  # noqa: F405
    # A file, not SQLite's shared in-memory database: that one answers concurrent writers with
    # "database table is locked" at once, while a file takes them in turn (WAL, BEGIN IMMEDIATE
    # and the busy timeout, as in production), which the race tests rely on. pytest-xdist adds
    # each worker's suffix; pytest-django deletes the file at the end.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"branchwork-test-{os.getpid()}.sqlite3"),
    }
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
