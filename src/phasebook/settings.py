"""Settings for phasebook, read from the environment.

Defaults give a working local setup with nothing installed: a SQLite file under
PHASEBOOK_DATA_DIR, the in-process task runner and the local Cal.com emulator.
Production values (DATABASE_URL=postgres://…, CELERY_BROKER_URL=redis://…, secrets)
come from the environment.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE

from phasebook.data_dir import data_dir, local_secret_key, private_file
from phasebook.env import env_bind, env_bool, env_int, env_list, env_str
from phasebook.telemetry.logs import logging_config

DATA_DIR = data_dir(env_str("PHASEBOOK_DATA_DIR"))

DEBUG = env_bool("PHASEBOOK_DEBUG", False)
SECRET_KEY = env_str("PHASEBOOK_SECRET_KEY") or local_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("PHASEBOOK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    # First: its templates refine unfold's and the admin's (app templates are found in order).
    "phasebook.portal",
    # unfold's basic config: its default one would replace the admin site with its own.
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "phasebook.portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "csp",
    "ninja",  # serves the API docs' Swagger UI from our static files, not from a CDN
    "phasebook.salons",
    "phasebook.booking",
    "phasebook.absences",
    "phasebook.calcom",
    "phasebook.calsync",
    "phasebook.phone",
    "phasebook.api",
    "phasebook.idempotency",
    "phasebook.demo",
    "phasebook.security",
    "phasebook.monitoring",
]

MIDDLEWARE = [
    # First: every line logged while a request is served carries its request id.
    "phasebook.monitoring.requests.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware: its 413 answer is in the caller's language.
    "phasebook.security.middleware.BodySizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "phasebook.portal.middleware.SalonTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "phasebook.urls"
ASGI_APPLICATION = "phasebook.asgi.application"
WSGI_APPLICATION = "phasebook.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    parsed = dj_database_url.parse(url, conn_max_age=60)
    config: dict[str, object] = dict(parsed)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Invariant 1 on SQLite: every write transaction takes the database's write
        # lock when it begins, so check-then-book sequences are serialized; the threads
        # of one process take it in order (phasebook.common.sqlite).
        config["ENGINE"] = "phasebook.common.sqlite"
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["CONN_MAX_AGE"] = 0
    elif env_bool("PHASEBOOK_DB_PREPARED_STATEMENTS", True):
        # The booking path runs the same few statements over and over, and planning them
        # cost PostgreSQL more than running them: psycopg prepares a statement on a
        # connection after its fifth run, and a prepared statement keeps one generic plan
        # (bench/README.md has the figures). psycopg forgets them all on every rollback,
        # so the booking path ends its refused tries by commit. Turn off behind a pooler
        # that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
        options = dict(parsed.get("OPTIONS", {}))  # e.g. ?sslmode= from the URL
        server_options = f"{options.get('options', '')} -c plan_cache_mode=force_generic_plan"
        options.update(
            server_side_binding=True, prepare_threshold=5, options=server_options.strip()
        )
        config["OPTIONS"] = options
    return config


DATABASE_URL = (
    env_str("DATABASE_URL") or f"sqlite:///{private_file(DATA_DIR / 'phasebook.sqlite3')}"
)
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# German by default; English for callers who ask for it (Accept-Language). phasebook's
# msgids are its German texts, so only English has a catalog; compiled .mo files are
# committed, so running phasebook needs no gettext tools.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [
    Path(__file__).resolve().parent / "locale",
    # German for the admin theme's own English texts (unfold ships no German catalog).
    Path(__file__).resolve().parent / "portal" / "theme_locale",
]
# The zone of stored instants and of code without a salon; every request of a signed-in
# salon user reads times in the salon's zone (portal.middleware.SalonTimeZoneMiddleware).
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# The admin is the salon portal (phasebook.portal.site): the salon's name in the header,
# the zone of its times below it, a sidebar in the salon's words.
UNFOLD = {
    "SITE_TITLE": "phasebook",
    "SITE_HEADER": "phasebook.portal.site.site_header",
    "SITE_SUBHEADER": "phasebook.portal.site.site_subheader",
    "SITE_DROPDOWN": "phasebook.portal.site.salon_dropdown",
    "SITE_SYMBOL": "content_cut",
    "STYLES": ["phasebook.portal.site.stylesheets"],
    "SCRIPTS": ["phasebook.portal.site.scripts"],
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        "navigation": "phasebook.portal.site.sidebar",
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Sessions are the admin's (the API uses bearer tokens): they last one working day from
# the login, so a shared salon computer is logged out overnight.
SESSION_COOKIE_AGE = env_int("PHASEBOOK_ADMIN_SESSION_HOURS", 10, minimum=1) * 3600

# Production serves over TLS (PHASEBOOK_HTTPS=1), normally behind a reverse proxy that
# terminates it and says so in a header: then `phasebook check --deploy` has nothing to
# warn about. Each value can be overridden; the README's production section lists them.
HTTPS = env_bool("PHASEBOOK_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
# Probes and Prometheus scrape the app directly over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("PHASEBOOK_HSTS_SECONDS", 365 * 86400 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PHASEBOOK_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("PHASEBOOK_HSTS_PRELOAD", True)
CSRF_TRUSTED_ORIGINS = env_list("PHASEBOOK_CSRF_TRUSTED_ORIGINS", [])


def _proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """("HTTP_X_FORWARDED_PROTO", "https") from "X-Forwarded-Proto"; None for no proxy.

    Trust it only behind a proxy that sets it on every request: a client could send it."""
    if not name:
        return None
    return "HTTP_" + name.upper().replace("-", "_"), "https"


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(
    env_str("PHASEBOOK_PROXY_SSL_HEADER", "X-Forwarded-Proto" if HTTPS else "")
)

# Django's four password validators, with a length a guessing attack cannot walk through
# in the lockout's pace.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PHASEBOOK_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after PHASEBOOK_LOGIN_FAILURE_LIMIT wrong passwords for
# one user from one address, that pair is locked out for PHASEBOOK_LOGIN_LOCKOUT_MINUTES
# (each further try restarts the clock). Keyed by the pair, so that an attacker elsewhere
# cannot lock the salon's staff out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("PHASEBOOK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PHASEBOOK_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner; lockouts are still logged, without the username
AXES_LOCKOUT_CALLABLE = "phasebook.security.login.lockout_response"
# The client's address: REMOTE_ADDR, or behind PHASEBOOK_PROXY_COUNT trusted proxies the
# address the outermost of them saw in X-Forwarded-For (earlier entries can be forged).
PROXY_COUNT = env_int("PHASEBOOK_PROXY_COUNT", 1 if SECURE_PROXY_SSL_HEADER else 0, minimum=0)
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Content-Security-Policy (django-csp): scripts and styles only from our own static files.
# The admin (django-unfold) runs Alpine.js, which evaluates its x-data expressions
# ('unsafe-eval'), and writes inline style attributes and <style> blocks; no inline script
# runs anywhere, which is what stops an injected one.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_EVAL],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Company defaults applied at the edges; instants are always stored in UTC.
PHASEBOOK_DEFAULT_TIME_ZONE = "Europe/Berlin"
PHASEBOOK_HOLD_TTL_SECONDS = env_int("PHASEBOOK_HOLD_TTL_SECONDS", 300, minimum=30)
# A retry with the Idempotency-Key of a request still running waits this long for its answer.
PHASEBOOK_IDEMPOTENCY_WAIT_SECONDS = env_int("PHASEBOOK_IDEMPOTENCY_WAIT_SECONDS", 10, minimum=0)
PHASEBOOK_REQUIRE_SERVICES = env_bool("PHASEBOOK_REQUIRE_SERVICES", False)
# Call transcripts and recording links are personal data: removed after this many days (the
# call record stays), by the periodic task `phone.remove_call_personal_data`.
PHASEBOOK_CALL_RETENTION_DAYS = env_int("PHASEBOOK_CALL_RETENTION_DAYS", 90, minimum=1)
# Where callers (Retell) reach this server, for the URLs in `phasebook retell_tools`.
PHASEBOOK_PUBLIC_URL = env_str("PHASEBOOK_PUBLIC_URL", "http://127.0.0.1:8000")

# Cal.com base URLs must be https and publicly routable (security/outbound.py); this lets
# them point at a loopback address over http too, for the local emulator (`phasebook demo`
# allows it for itself).
PHASEBOOK_CALCOM_ALLOW_LOOPBACK = env_bool("PHASEBOOK_CALCOM_ALLOW_LOOPBACK", False)

# Secrets at rest (Cal.com API keys) are encrypted with this key; it defaults to one
# derived from SECRET_KEY so that a local setup needs nothing.
PHASEBOOK_ENCRYPTION_KEY = env_str("PHASEBOOK_ENCRYPTION_KEY")

# Cal.com: the request budget of one API key per minute (120 on the standard plans; the
# sync's shared limiter stays 10 below it) and how long a call may take to answer.
PHASEBOOK_CALCOM_REQUESTS_PER_MINUTE = env_int(
    "PHASEBOOK_CALCOM_REQUESTS_PER_MINUTE", 120, minimum=20
)
PHASEBOOK_CALCOM_READ_TIMEOUT_SECONDS = env_int(
    "PHASEBOOK_CALCOM_READ_TIMEOUT_SECONDS", 15, minimum=1
)
# The longest wait between two attempts of a phase's sync (backoff with full jitter).
PHASEBOOK_SYNC_RETRY_CAP_SECONDS = env_int("PHASEBOOK_SYNC_RETRY_CAP_SECONDS", 600, minimum=1)

# Background work: Celery with a broker in production. Without CELERY_BROKER_URL the
# same tasks run on phasebook's in-process runner; the database stays the durable
# record of what still has to be synced either way.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A broker that is away must not hold up a request for long (calsync.tasks.dispatch):
# connecting gives up after 2 s instead of 4.
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# Rate limits on holds and bookings (security/throttle.py) are counted here when set, so
# that every worker shares them; without it they are counted in the database.
PHASEBOOK_RATE_LIMIT_REDIS_URL = env_str(
    "PHASEBOOK_RATE_LIMIT_REDIS_URL",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
)
# Periodic work (celery beat; without a broker the in-process runner plays beat). The Cal.com
# sync's safety nets: the sweeper re-dispatches outbox rows whose message was lost, whose
# retry is due or whose worker died; reconciliation compares with Cal.com itself (webhooks
# are best effort there, reference §12). Run-out holds are marked expired within a minute;
# idempotency keys and rate-limit counters are dropped when their time is over.
CELERY_BEAT_SCHEDULE = {
    "calsync-sweep": {
        "task": "calsync.sweep",
        "schedule": float(env_int("PHASEBOOK_SYNC_SWEEP_SECONDS", 30, minimum=1)),
    },
    "calsync-reconcile": {
        "task": "calsync.reconcile",
        "schedule": float(env_int("PHASEBOOK_RECONCILE_SECONDS", 15 * 60, minimum=10)),
    },
    "phone-remove-call-personal-data": {
        "task": "phone.remove_call_personal_data",
        "schedule": 60 * 60.0,
    },
    "booking-retire-expired-holds": {"task": "booking.retire_expired_holds", "schedule": 60.0},
    "idempotency-purge": {"task": "idempotency.purge", "schedule": 60 * 60.0},
    "rate-limit-purge": {"task": "security.purge_rate_limits", "schedule": 60 * 60.0},
}

# Prometheus (phasebook.monitoring): /metrics answers with the bearer token
# PHASEBOOK_METRICS_TOKEN, or without one on the internal address PHASEBOOK_METRICS_BIND
# (gunicorn listens there too; a Celery worker serves its own exporter there). Otherwise 401.
PHASEBOOK_METRICS_TOKEN = env_str("PHASEBOOK_METRICS_TOKEN")
PHASEBOOK_METRICS_BIND = env_bind("PHASEBOOK_METRICS_BIND")
if PHASEBOOK_METRICS_BIND and PHASEBOOK_METRICS_BIND[0] not in ("0.0.0.0", "::"):  # noqa: S104
    ALLOWED_HOSTS.append(PHASEBOOK_METRICS_BIND[0])  # Prometheus scrapes it by address

# One JSON line per event (PHASEBOOK_LOG_FORMAT=plain for a terminal), redacted on every
# handler; Celery workers keep this configuration instead of installing their own.
LOGGING = logging_config(
    env_str("PHASEBOOK_LOG_LEVEL", "INFO"), env_str("PHASEBOOK_LOG_FORMAT", "json")
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
