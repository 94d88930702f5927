"""Branchwork settings: one module, every knob from the environment.

Each variable is read by a small helper that raises ImproperlyConfigured on a value it cannot
understand, so a typo in a deployment stops the start instead of running with a silent default.
The README lists every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from branchwork.instance import instance_dir, secret_key_file

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: expected one of {', '.join(sorted(choices))}")
    return value


INSTANCE_DIR = instance_dir()

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = secret_key_file()
    if path.exists():
        return path.read_text().strip()
    raise ImproperlyConfigured(
        f"SECRET_KEY is not set and {path} does not exist. "
        "Set SECRET_KEY in the environment, or run `make install` to generate one."
    )


SECRET_KEY = _secret_key()

BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [BASE_URL])

INSTALLED_APPS = [
    # Ours first so that our templates and translations win over the libraries'.
    "branchwork.core",
    "branchwork.rulebook",
    "branchwork.activities",
    "branchwork.reports",
    "branchwork.journal",
    "branchwork.lectures",
    "branchwork.learning",
    "branchwork.research",
    "branchwork.awards",
    "branchwork.exchanges",
    "branchwork.publishing",
    "branchwork.intake",
    "branchwork.search",
    "branchwork.api",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "branchwork.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sessions that owe a second factor go to the code page (core.auth).
    "branchwork.core.auth.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "branchwork.core.middleware.ContentSecurityPolicyMiddleware",
    "branchwork.core.middleware.AuditActorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "branchwork.urls"
WSGI_APPLICATION = "branchwork.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "branchwork.core.context_processors.site",
            ],
            # Punctuation by language ({% colon %}, |listed) in every template; {% url %} from a
            # per-process cache of reverse() (core/reversing.py).
            "builtins": ["branchwork.core.templatetags.language", "branchwork.core.templatetags.cached_url"],
            # `{% load i18n %}`: Django's tags, constant `{% translate %}` kept per language.
            "libraries": {"i18n": "branchwork.core.templatetags.cached_i18n"},
        },
    }
]

# --- Database: SQLite in the instance folder unless DATABASE_URL names another. ---

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": INSTANCE_DIR / "branchwork.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock
                # at the start of a transaction so that concurrent writers wait (up to `timeout`
                # seconds) instead of failing with "database is locked" halfway through.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
            },
            # Keep each worker's connection between requests: opening one (the file, the WAL
            # pragmas, Django's SQL functions) costs about 3 ms, a tenth of a page's budget.
            "CONN_MAX_AGE": env_int("SQLITE_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security. ---

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "branchwork.core.auth.UsernameOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:my"
LOGOUT_REDIRECT_URL = "/"

# Two-step login (TOTP apps, recovery codes; core.auth). Required for the back office and for the
# committee's staff unless BRANCHWORK_OTP_REQUIRED=0 (a laptop demo or a closed test install);
# members may turn it on for themselves. Wrong codes double the wait each time (1, 2, 4 … s).
BRANCHWORK_OTP_REQUIRED = env_bool("BRANCHWORK_OTP_REQUIRED", True)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", env_str("SITE_NAME", "Branchwork"))
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = env_int("OTP_STATIC_THROTTLE_FACTOR", 1)

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# HTTPS=1 for a deployment served over TLS: secure cookies, redirect to https, HSTS.
HTTPS = env_bool("HTTPS", BASE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with one plain SELECT instead of the ORM's (core/sessions.py).
SESSION_ENGINE = "branchwork.core.sessions"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
# SAMEORIGIN, not DENY: the Wagtail admin shows page previews in a frame of our own origin.
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Our own pages run with no inline script or style at all; the Wagtail admin and the API docs
# get the relaxed policy of core.middleware.RELAXED_CSP_PREFIXES.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Language and time. ---

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r}: expected zh-hans or en")
LANGUAGE_COOKIE_NAME = "bw_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Our catalogue comes before the apps' (Wagtail's, Django's): it also corrects their Chinese
# (core/back_office_zh.py).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- Files. ---

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(INSTANCE_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(INSTANCE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Imports of spreadsheets and archives are bounded by the work they cost, checked while the file
# is read: its size, the rows read (blank ones count), the columns, the length of one cell, and
# for an XLSX (a zip) the declared size of its members once unpacked, checked before unpacking.
IMPORT_LIMITS = {
    "bytes": env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024),
    "records": env_int("IMPORT_MAX_RECORDS", 5000),  # rows with something in them
    "rows": env_int("IMPORT_MAX_ROWS", 10000),  # every row read, blank ones too
    "columns": env_int("IMPORT_MAX_COLUMNS", 60),
    "cell_chars": env_int("IMPORT_MAX_CELL_CHARS", 100_000),
    "unpacked_bytes": env_int("IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024),
    "zip_members": env_int("IMPORT_MAX_ZIP_MEMBERS", 500),
}

# --- Mail: SMTP, by default to a local MTA. ---

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Branchwork <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks: django-tasks, the database backend by default. ---

TASKS = {
    "default": {
        "BACKEND": env_choice(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            {"django_tasks_db.DatabaseBackend", "django_tasks.backends.immediate.ImmediateBackend"},
        ),
        "QUEUES": ["default"],
    }
}
# Leases (core.worker): a task whose worker's heartbeat is older than TASK_LEASE_SECONDS, or whose
# worker process is gone from this host, is requeued, up to TASK_MAX_ATTEMPTS attempts in all.
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 120)
TASK_HEARTBEAT_SECONDS = env_int("TASK_HEARTBEAT_SECONDS", 10)
TASK_RECLAIM_SECONDS = env_int("TASK_RECLAIM_SECONDS", 30)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)
# PDFs (documents.typst.compile_pdf) are typeset in a child process, replaced after this many
# compiles (the Typst binding never frees its caches); 0 compiles in the calling process.
TYPST_COMPILES_PER_CHILD = env_int("TYPST_COMPILES_PER_CHILD", 4)
TYPST_COMPILE_TIMEOUT = env_int("TYPST_COMPILE_TIMEOUT", 300)  # seconds; the child is killed

# --- Cache. ---

CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith("redis://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: only redis:// URLs are understood")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The portal's generation (publishing.selectors.portal_generation), which every process of this
# machine reads to know whether what it cached of the portal is still current.
PORTAL_GENERATION_FILE = INSTANCE_DIR / "portal-generation"
# Moved on when roles change: readers cached across requests are read afresh (core/generation.py).
ACCESS_GENERATION_FILE = INSTANCE_DIR / "access-generation"

# --- Wagtail. ---

WAGTAIL_SITE_NAME = env_str("SITE_NAME", "Branchwork")
WAGTAILADMIN_BASE_URL = BASE_URL
# Wagtail's database search with our analyzer (Chinese segmented, Traditional folded to
# Simplified, English stemmed): the back office and the site search read one index.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "branchwork.search.backend"}}
# The site search ranks and counts at most this many of the newest matches a user may see.
SEARCH_MAX_MATCHES = env_int("SEARCH_MAX_MATCHES", 1000)
# The total is counted exactly up to this many matches, and estimated (labelled "about") beyond;
# 0: the database's own bound (5,000 on SQLite, 1,000 on PostgreSQL: search/selectors.py says why).
SEARCH_COUNT_BOUND = env_int("SEARCH_COUNT_BOUND", 0)
# Champion lists (search/champions.py): terms in at least this many documents get one, of the
# best this many documents for the term.
SEARCH_CHAMPION_MIN_DF = env_int("SEARCH_CHAMPION_MIN_DF", 1000)
SEARCH_CHAMPION_SIZE = env_int("SEARCH_CHAMPION_SIZE", 1000)
WAGTAILDOCS_EXTENSIONS = [
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "odt", "ods", "zip", "mp3", "mp4",
]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: it would send a hash of every user's email address to an outside service.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = True

# --- Branchwork. ---

# Where members send contributions; shown in every page's header.
CONTRIBUTION_EMAIL = env_str("CONTRIBUTION_EMAIL", "tougao@branchwork.example")
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "branchwork-demo")
# Contributions by email larger than this are kept but not made into drafts.
INTAKE_MAX_BYTES = env_int("INTAKE_MAX_BYTES", 25 * 1024 * 1024)
# The rulebook (activity types, cadences, quorum): the shipped default or a deployment's own.
RULEBOOK_PATH = Path(env_str("BRANCHWORK_RULEBOOK", str(REPO_DIR / "rulebooks" / "default.yaml")))
# International exchanges: the grouping of countries into regions (empty: exchanges/regions.yaml).
EXCHANGES_REGIONS_FILE = env_str("BRANCHWORK_REGIONS_FILE", "")

# --- API. ---

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        # The browser's session, once it has shown its second factor where one is needed.
        "branchwork.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Bodies with control characters are refused where they are parsed (core.validators).
    "DEFAULT_PARSER_CLASSES": [
        "branchwork.api.parsers.JSONParser",
        "branchwork.api.parsers.FormParser",
        "branchwork.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "branchwork.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Branchwork API",
    "DESCRIPTION": "Organizations, people and roles of Branchwork, under one permission policy.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for the membership statuses, on a person and on a change of status alike.
    "ENUM_NAME_OVERRIDES": {"MembershipStatusEnum": "branchwork.core.models.MembershipStatus"},
    "PREPROCESSING_HOOKS": ["branchwork.api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "branchwork.api.schema.document_errors",
    ],
}

SILENCED_SYSTEM_CHECKS = [
    "security.W019",  # X_FRAME_OPTIONS is SAMEORIGIN on purpose (see above)
    "security.W021",  # HSTS preload is the domain owner's opt-in: SECURE_HSTS_PRELOAD=1
    # `{% load i18n %}` is our cached_i18n on purpose (TEMPLATES' "libraries" above): Django's own
    # tags, with a constant {% translate %} kept per language; the check warns on any such override.
    "templates.W003",
]

# --- Logging: to stderr, where the process manager collects it. ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Publishing (issue 4): the editorial workflow publishes what the signer signs off. ---
# Editors and signers hold no "publish" permission on the portal, so that nothing is published
# around the workflow; its last approval (the signer's) is the authority to publish, and this
# action publishes (or schedules, with a go-live time) without Wagtail's permission check.
WAGTAIL_FINISH_WORKFLOW_ACTION = "branchwork.publishing.workflow_finish.publish_signed_off"
