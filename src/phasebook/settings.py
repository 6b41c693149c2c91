"""Settings for phasebook, read from the environment.

Defaults give a working local setup with nothing installed: a SQLite file under
PHASEBOOK_DATA_DIR, the in-process task runner and the local Cal.com emulator.
Production values (DATABASE_URL=postgres://…, CELERY_BROKER_URL=redis://…, secrets)
come from the environment.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from phasebook.env import env_bool, env_int, env_list, env_str

DATA_DIR = Path(env_str("PHASEBOOK_DATA_DIR", "var")).resolve()


def _local_secret_key() -> str:
    """A random key kept in the data dir, so local sessions survive restarts."""
    key_file = DATA_DIR / "secret-key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("PHASEBOOK_DEBUG", False)
SECRET_KEY = env_str("PHASEBOOK_SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("PHASEBOOK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "unfold",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "phasebook.salons",
    "phasebook.booking",
    "phasebook.calcom",
    "phasebook.calsync",
    "phasebook.api",
    "phasebook.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        # lock when it begins, so check-then-book sequences are serialized.
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


DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'phasebook.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# German by default; English for callers who ask for it (Accept-Language). phasebook's
# msgids are its German texts, so only English has a catalog; compiled .mo files are
# committed, so running phasebook needs no gettext tools.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
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

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Company defaults applied at the edges; instants are always stored in UTC.
PHASEBOOK_DEFAULT_TIME_ZONE = "Europe/Berlin"
PHASEBOOK_HOLD_TTL_SECONDS = env_int("PHASEBOOK_HOLD_TTL_SECONDS", 300, minimum=30)
PHASEBOOK_REQUIRE_SERVICES = env_bool("PHASEBOOK_REQUIRE_SERVICES", False)

# Secrets at rest (Cal.com API keys) are encrypted with this key; it defaults to one
# derived from SECRET_KEY so that a local setup needs nothing.
PHASEBOOK_ENCRYPTION_KEY = env_str("PHASEBOOK_ENCRYPTION_KEY")

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
# The Cal.com sync's safety nets (celery beat): the sweeper re-dispatches outbox rows whose
# message was lost, whose retry is due or whose worker died; reconciliation compares with
# Cal.com itself (webhooks are best effort there, reference §12).
CELERY_BEAT_SCHEDULE = {
    "calsync-sweep": {"task": "calsync.sweep", "schedule": 30.0},
    "calsync-reconcile": {"task": "calsync.reconcile", "schedule": 15 * 60.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "phasebook.logging.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("PHASEBOOK_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
