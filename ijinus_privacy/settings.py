"""Settings for IJINUS Privacy.

Two modes, chosen by the environment alone (nothing to edit here):

* embedded (no environment): SQLite under ``var/``, Celery tasks run inline, console e-mail,
  DEBUG on, a fixed development secret. ``make run`` uses it.
* production (``DJANGO_DEBUG=false``): the secret key is mandatory, PostgreSQL from
  ``DATABASE_URL``, Celery on ``REDIS_URL``, SMTP from ``EMAIL_URL``, HTTPS-only cookies and HSTS.

``DATABASE_URL`` and ``REDIS_URL`` are honoured in either mode, so the test suite and CI run
against real PostgreSQL and Redis without turning on production hardening.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
PRODUCTION = not DEBUG

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a random string of at least 50 characters "
            "when DJANGO_DEBUG=false (production mode). Generate one with: python -c "
            '"from django.core.management.utils import get_random_secret_key as g; print(g())"'
        )
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="embedded-development-secret-not-for-production-use-0123456789")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "backoffice.admin_config.IjinusAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ijinus_privacy",
    "subjects",
    "consents",
    "requests_dsar",
    "retention",
    "breaches",
    "connectors",
    "backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ijinus_privacy.middleware.LocaleMiddleware",  # admin: French or the browser's cookie; public: URL
    "django.middleware.common.CommonMiddleware",
    "ijinus_privacy.public_url.CurrentRequestMiddleware",  # e-mailed links in development (public_url.py)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ijinus_privacy.staff_language.StaffLanguageMiddleware",  # admin: the language its user chose
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ijinus_privacy.urls"
WSGI_APPLICATION = "ijinus_privacy.wsgi.application"

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
                "django.template.context_processors.csp",
                "consents.context_processors.dpo",
            ],
        },
    },
]

# Database: PostgreSQL in production, SQLite file as the embedded default.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Admin two-factor authentication (R5.2.2): a TOTP token on top of the password, required in
# production. Enrol a staff member with `manage.py totp_enrol USERNAME`.
ADMIN_REQUIRE_2FA = env.bool("DJANGO_ADMIN_2FA", default=PRODUCTION)
OTP_TOTP_ISSUER = "IJINUS Privacy"
# The library's admin pages showing a device's secret and QR code look the device up before the
# permission (a missing id is a server error): enrolment is by the command above, so they are off.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The visitor's address, for the lockout and the public pages' rate limits: REMOTE_ADDR, or behind
# N reverse proxies of our own, the Nth address from the right of X-Forwarded-For (what the outermost
# trusted proxy saw). Left at 0 behind a proxy, every visitor would share the proxy's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Shared cache (rate-limit counters): every server process and worker sees the same budget, and a
# restart does not reset it. Redis in production (REDIS_URL, its keys prefixed apart from Celery's;
# CACHE_REDIS_URL to use another database), otherwise files under var/cache shared by the processes
# of the host.
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default=env.str("REDIS_URL", default="") if PRODUCTION else "")
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "ijinus-cache",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.path("CACHE_DIR", default=str(VAR_DIR / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# The admin's sidebar, cached per user, language and page kind in each process's memory
# (backoffice.admin_site.IjinusAdminSite.each_context; issue 13, T3): 0 turns the cache off.
CACHES["template_fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sidebar"}
NAV_SIDEBAR_CACHE_SECONDS = env.int("NAV_SIDEBAR_CACHE_SECONDS", default=60)

# Lockout after repeated failed logins (django-axes): five per username and address, and twenty per
# address whatever the usernames (spraying), with a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "ijinus_privacy.lockout.AddressLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "ijinus_privacy.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date style per language in the admin, letters and exports (issue 16): 16/08/2026, 16 août 2026,
# 16 Aug 2026; never the US order.
FORMAT_MODULE_PATH = ["ijinus_privacy.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# E-mail: console in embedded mode, SMTP from EMAIL_URL in production.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    # A silent server must not hang a worker; web requests never talk to the server (outbox).
    "timeout": env.int("EMAIL_TIMEOUT", default=10),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {key: value for key, value in _smtp_options.items() if value not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="IJINUS Privacy <privacy@ijinus.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The DPO contact shown to people is the register's controller record (consents.dpo); this address is
# only its fallback before the register exists, and where reminders to the DPO go.
DPO_EMAIL = env.str("DPO_EMAIL", default="gdpr@ijinus.com")
# The outbox (ijinus_privacy.outbox): attempts before a message is "failed" (and shown on the
# dashboard), the first retry delay doubled each time up to the maximum, and how long a message
# may stay "sending" before its worker is presumed dead. Ten attempts span about four hours.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_SENDING_STALE_SECONDS = 15 * 60

# Sessions expire (R5.2.2): eight working hours, and on browser close.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# The HTTP API (/api/v1/, connectors.api): JSON only, no session or browsable pages; each view
# names its key authentication, scope and throttle. API_RATE_LIMIT is each key's default limit
# ("<calls>/<second|minute|hour|day>"), counted in the shared cache; a client may have its own.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/minute")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"api_client": API_RATE_LIMIT},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IJINUS Privacy API",
    "DESCRIPTION": "Consents, data-subject requests and marketing state for IJINUS's own systems (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Django 6 built-in Content Security Policy: strict, same-origin only.
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# --- Celery -----------------------------------------------------------------------------------
# Without REDIS_URL tasks run inline (embedded mode); with it they go to the workers.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# Reliability (PERFORMANCE.md, Celery): acknowledge after the work, give the task back when the
# worker process dies, take one message at a time, and never run longer than the visibility timeout.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# Above the longest task (one hour): a message a dead worker took comes back after this long.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # A worker looks for such messages every interval x throttle seconds (kombu's defaults: 100 s).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("exports"), Queue("retention"))
CELERY_TASK_ROUTES = {
    "requests_dsar.tasks.export_*": {"queue": "exports"},
    "retention.tasks.*": {"queue": "retention"},
}
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # R1.2.3: the DPO hears every morning about requests due within a week.
    "dsar-due-soon-reminder": {
        "task": "requests_dsar.tasks.due_soon_reminder_task",
        "schedule": crontab(hour=7, minute=30),
    },
    "dsar-pause-reminders": {
        "task": "requests_dsar.tasks.pause_reminders_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # R2.5.2: a cookie consent lasts 13 months at most.
    "consents-cookie-expiry": {
        "task": "consents.tasks.cookie_consent_expiry_task",
        "schedule": crontab(hour=2, minute=40),
    },
    "dsar-purge-unconfirmed-web-submissions": {
        "task": "requests_dsar.tasks.web_submissions_purge_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Export files are deleted EXPORT_RETENTION_DAYS after they were built.
    "dsar-export-purge": {
        "task": "requests_dsar.tasks.export_purge_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Art. 33(1): the DPO is reminded once, 48 hours after awareness, of a breach not yet notified.
    "breaches-48h-reminder": {
        "task": "breaches.tasks.breach_reminders_task",
        "schedule": crontab(minute="*/5"),
    },
    # E-mails: retries coming due, and messages queued while the broker was down (ijinus_privacy.outbox).
    "outbox-redispatch": {
        "task": "ijinus_privacy.tasks.outbox_redispatch_task",
        "schedule": crontab(minute="*"),
    },
    # T9 and dead workers: jobs whose worker stopped are restarted, jobs the queue missed published
    # again (ijinus_privacy/jobs.py).
    # Connected systems (issue 15): connector tasks now due, or published while the broker was
    # down, or left running by a dead worker, are published again (connectors.services.tasks).
    "connectors-tasks-sweep": {
        "task": "connectors.tasks.connector_tasks_sweep_task",
        "schedule": crontab(minute="*"),
    },
    "jobs-recover": {
        "task": "ijinus_privacy.tasks.jobs_recover_task",
        "schedule": crontab(minute="*"),
    },
    # Uploads of background imports that nobody will import: ended, abandoned, or held by no job.
    "imports-uploads-sweep": {
        "task": "subjects.tasks.import_uploads_sweep_task",
        "schedule": crontab(minute=20),
    },
    # R4.7.1: the nightly retention sweep (committed; rules awaiting DPO approval are skipped).
    "retention-sweep-nightly": {
        "task": "retention.tasks.sweep_task",
        "schedule": crontab(hour=2, minute=30),
        "options": {"queue": "retention"},
    },
    # R1.10.7: erased people brought back (restore, re-import) are erased again; the DPO is told.
    "dsar-erasures-reapply": {
        "task": "requests_dsar.tasks.erasures_reapply_task",
        "schedule": crontab(hour=3, minute=0),
        "options": {"queue": "retention"},
    },
    # R1.10.3: records kept after an erasure leave the archive on their end date.
    "dsar-erasure-keeps-purge": {
        "task": "requests_dsar.tasks.erasure_keeps_purge_task",
        "schedule": crontab(hour=2, minute=50),
        "options": {"queue": "retention"},
    },
    # R2.4.2: consents older than their purpose's refresh interval are flagged for a new consent.
    "consents-reconsent-refresh": {
        "task": "consents.tasks.reconsent_refresh_task",
        "schedule": crontab(hour=4, minute=10),
    },
    # R5.1.3: audit events older than AUDIT_RETENTION_MONTHS go, behind a signed checkpoint,
    # before the day's anchor is published.
    "audit-purge-daily": {
        "task": "ijinus_privacy.tasks.audit_purge_task",
        "schedule": crontab(hour=6, minute=30),
    },
    # R5.1.3: the audit chain's anchor, published outside the database (file and DPO e-mail)
    # after the night's sweeps and purges.
    "audit-anchor-daily": {
        "task": "ijinus_privacy.tasks.audit_anchor_publish_task",
        "schedule": crontab(hour=6, minute=45),
    },
}

# --- Audit trail (R5.1.3) ----------------------------------------------------------------------
# The hash chain is keyed (HMAC-SHA256) with a key the database does not hold, so someone who can
# write to the database cannot rewrite an event and recompute the later links. AUDIT_HMAC_KEYS
# lists keys by id, the current one first, older ones kept to verify the events they signed:
# "2027-01:<key>,2026-12:<key>". Each key is at least 32 characters without "," (generate one with
# python -c "import secrets; print(secrets.token_urlsafe(48))"). Required in production; in
# embedded mode a "dev" key is derived from SECRET_KEY.
_AUDIT_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,16}")


def _audit_hmac_keys(raw: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    for item in (part.strip() for part in raw.split(",")):
        key_id, _colon, key = item.partition(":")
        if not _AUDIT_KEY_ID.fullmatch(key_id) or len(key) < 32 or key_id in keys:
            raise ImproperlyConfigured(
                "AUDIT_HMAC_KEYS must be a comma-separated list of ID:KEY, the current key first "
                "(ID: 1 to 16 letters, digits, '.', '_' or '-', each once; KEY: at least 32 characters). "
                'Generate a key with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        keys[key_id] = key
    return keys


_audit_keys_raw = env.str("AUDIT_HMAC_KEYS", default="")
if not _audit_keys_raw and PRODUCTION:
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEYS must be set when DJANGO_DEBUG=false (production mode), e.g. "
        "AUDIT_HMAC_KEYS=2026-12:<key>; keep it outside the database. Generate a key with: "
        'python -c "import secrets; print(secrets.token_urlsafe(48))"'
    )
AUDIT_HMAC_KEYS = (
    _audit_hmac_keys(_audit_keys_raw)
    if _audit_keys_raw
    else {"dev": hashlib.sha256(f"ijinus-audit-hmac:{SECRET_KEY}".encode()).hexdigest()}
)
# Where the daily anchor (last event id, its MAC, the count of events) is appended, one JSON line a
# day; it is also e-mailed to the DPO. Point it at storage the database administrators cannot write.
AUDIT_ANCHOR_DIR = env.path("AUDIT_ANCHOR_DIR", default=str(VAR_DIR / "audit-anchors"))
# How long audit events are kept (R5.1.3; CNIL recommendation 2021-122: 6 to 12 months, longer only
# for a justified internal-control need, up to 36). Older events are purged every night behind a
# signed checkpoint (ijinus_privacy/audit_retention.py), so the remaining chain still verifies.
AUDIT_RETENTION_MONTHS = env.int("AUDIT_RETENTION_MONTHS", default=12)
if not 6 <= AUDIT_RETENTION_MONTHS <= 36:
    raise ImproperlyConfigured(
        "AUDIT_RETENTION_MONTHS must be between 6 and 36 (CNIL recommendation 2021-122: 6 to 12 months by "
        "default, up to 3 years for a justified internal-control need)."
    )

# --- Application settings ---------------------------------------------------------------------
# Key for hashing identifiers kept after erasure (suppression list, tombstones). Defaults to a
# value derived from SECRET_KEY; set it separately in production so it survives a key rotation.
IDENTIFIER_HASH_KEY = env.str("IDENTIFIER_HASH_KEY", default="")

# django-import-export (subjects/resources.py). The subjects admin imports preview then confirm; the
# upload travels sealed in the confirm form (subjects/import_preview.py) and is never stored. Any
# other admin using the library's confirm step keeps its copy in the media storage, not /tmp.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # LogEntry would store object reprs; the audit trail records imports
# File intake of every import (ijinus_privacy/uploads.py): a larger file is refused before it is read,
# a longer one while it is streamed. Subjects/roles files of more than IMPORT_SYNC_MAX_ROWS rows are
# imported in the background (subjects.ImportJob) instead of in the web request; an upload still
# queued IMPORT_ABANDONED_HOURS later (no worker took it) is deleted by the hourly sweep.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_SYNC_MAX_ROWS = env.int("IMPORT_SYNC_MAX_ROWS", default=2000)
IMPORT_ABANDONED_HOURS = env.int("IMPORT_ABANDONED_HOURS", default=24)
IMPORT_BATCH_ROWS = 1000

# Data-subject requests (requests_dsar).
# The site's public address (https://privacy.ijinus.com), the start of every e-mailed link: web-form
# confirmation, identity check, export download, unsubscribe. Required in production (deploy check
# ijinus_privacy.E012: set, https, not localhost).
# In development an e-mail built while serving a page takes that page's address instead (links work
# whatever address runserver listens on: ijinus_privacy/public_url.py); the setting serves workers.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="" if PRODUCTION else "http://localhost:8000")
PUBLIC_BASE_URL_FROM_REQUEST = not PRODUCTION
if PRODUCTION and not PUBLIC_BASE_URL:
    raise ImproperlyConfigured(
        "PUBLIC_BASE_URL must be set when DJANGO_DEBUG=false (production mode): it is the site's public "
        "https address (e.g. https://privacy.ijinus.com) that starts every link e-mailed to people."
    )
# R1.2.2: add Good Friday and 26 December (Alsace-Moselle) to the deadline calendar.
DSAR_ALSACE_MOSELLE_HOLIDAYS = env.bool("DSAR_ALSACE_MOSELLE_HOLIDAYS", default=False)
FISCAL_YEAR_END_MONTH = env.int("FISCAL_YEAR_END_MONTH", default=12)  # accounting keeps (C. com. L.123-22)
# Public request page: submissions per visitor address (TRUSTED_PROXY_COUNT) per hour, counted in the
# shared cache, and the confirmation link's life.
DSAR_PUBLIC_RATE_LIMIT = env.int("DSAR_PUBLIC_RATE_LIMIT", default=5)
DSAR_CONFIRMATION_MAX_AGE = 48 * 3600
# R1.2.3: the dashboard flags open requests with no timeline event for this many days.
DSAR_IDLE_DAYS = env.int("DSAR_IDLE_DAYS", default=7)
# R1.4.3: remind a requester who has not answered an identity/clarification request every N days.
DSAR_PAUSE_REMINDER_DAYS = env.int("DSAR_PAUSE_REMINDER_DAYS", default=14)

# Access and portability exports (requests_dsar/exports). Files are always encrypted at rest with
# Fernet; set EXPORT_ENCRYPTION_KEY (``Fernet.generate_key()``) in production so that the key is
# not derived from SECRET_KEY and survives its rotation.
EXPORT_ENCRYPTION_KEY = env.str("EXPORT_ENCRYPTION_KEY", default="")
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=30)
# Connections the nightly retention sweep uses at once on PostgreSQL (batches shared through SKIP
# LOCKED; PERFORMANCE.md T2). One on SQLite, which writes one transaction at a time anyway.
RETENTION_SWEEP_WORKERS = env.int("RETENTION_SWEEP_WORKERS", default=2)
# A sweep batch slower than this makes the next ones smaller (T1: each batch transaction ≤ 1 s).
RETENTION_BATCH_TARGET_SECONDS = env.float("RETENTION_BATCH_TARGET_SECONDS", default=0.6)
EXPORT_LINK_MAX_AGE = env.int("EXPORT_LINK_MAX_AGE", default=7 * 24 * 3600)  # the e-mailed link, 7 days
EXPORT_CODE_VALIDITY_MINUTES = env.int("EXPORT_CODE_VALIDITY_MINUTES", default=15)
EXPORT_CODE_MAX_ATTEMPTS = 5  # wrong codes before the code is void
EXPORT_CODE_MAX_SENDS = 10  # codes per export; beyond, the subject contacts the DPO
EXPORT_REDISPATCH_AFTER_MINUTES = env.int("EXPORT_REDISPATCH_AFTER_MINUTES", default=5)
# Background jobs (ijinus_privacy/jobs.py): a running job renews its heartbeat every
# JOB_HEARTBEAT_SECONDS; beat restarts one silent for JOB_STALE_SECONDS, and publishes a job the
# queue never received (broker down) once it is JOB_REDISPATCH_SECONDS old; one published but not
# started after EXPORT_REDISPATCH_AFTER_MINUTES is published again (the message was lost).
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=30)
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=180)
JOB_REDISPATCH_SECONDS = env.int("JOB_REDISPATCH_SECONDS", default=60)
# T9: a page publishing a job waits this long at most for the broker, then leaves the job pending;
# after a failure the process stops trying for JOB_PUBLISH_BACKOFF_SECONDS (beat catches up).
JOB_PUBLISH_TIMEOUT_SECONDS = env.float("JOB_PUBLISH_TIMEOUT_SECONDS", default=1.0)
JOB_PUBLISH_BACKOFF_SECONDS = env.float("JOB_PUBLISH_BACKOFF_SECONDS", default=10)
