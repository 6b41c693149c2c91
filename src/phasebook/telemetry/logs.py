"""Structured logs: one JSON line per event, with the ids that tie events together.

- `log_context(request_id=…, appointment_id=…)` binds ids for everything logged inside it
  (a request, a Celery task, one appointment's sync); `extra={"phase_id": …}` adds ids to
  one line. Context and extras both become top-level keys of the JSON line.
- `RedactSecretsFilter` sits on every handler (see `logging_config`): message, extras and
  tracebacks pass through `redaction.redact` before any handler writes them.
- `logging_config()` is the one dictConfig for web (settings.LOGGING), gunicorn's own
  loggers (gunicorn_conf) and Celery workers (which keep Django's config).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from phasebook.telemetry.redaction import PERSONAL_FIELDS, redact, redact_field

_CONTEXT: ContextVar[dict[str, Any]] = ContextVar("phasebook_log_context")
# What every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


@contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """Add `ids` to every line logged inside, in this thread or task (contextvars)."""
    token = bind(**ids)
    try:
        yield
    finally:
        unbind(token)


def bind(**ids: Any) -> Token[dict[str, Any]]:
    """`log_context` for hooks that start and end in different calls (Celery's signals)."""
    bound = {key: value for key, value in ids.items() if value not in (None, "")}
    return _CONTEXT.set(current_context() | bound)


def unbind(token: Token[dict[str, Any]]) -> None:
    _CONTEXT.reset(token)


def current_context() -> dict[str, Any]:
    return dict(_CONTEXT.get({}))


def extras(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ids of the context and the record's plain extras. Objects are left out: Django
    attaches its `request` (whose text shows the query string) for handlers that need it.
    Django logs a failed request after the middleware returned, outside its context, so
    the request id also comes from that request (`monitoring.requests` puts it there)."""
    record_extras = extras(record)
    plain = {
        key: value
        for key, value in record_extras.items()
        if value is None or isinstance(value, str | int | float | bool)
    }
    request_id = getattr(record_extras.get("request"), "request_id", None)
    return ({"request_id": request_id} if request_id else {}) | current_context() | plain


class RedactSecretsFilter(logging.Filter):
    """Redacts a record in place, so every handler after this one sees it redacted too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for key, value in extras(record).items():
            if isinstance(value, str) or key in PERSONAL_FIELDS:  # objects: see `fields`
                setattr(record, key, redact_field(key, value))
        # A traceback repeats exception texts (e.g. a database DETAIL with the refused row).
        # Formatters reuse a record's exc_text, so redacting it here covers every handler.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, ids, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        line |= {key: redact_field(key, value) for key, value in fields(record).items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """For a person at a terminal (PHASEBOOK_LOG_FORMAT=plain): the ids after the message."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        pairs = fields(record).items()
        return text + "".join(f" {key}={redact_field(key, value)}" for key, value in pairs)


def logging_config(level: str = "INFO", log_format: str = "json") -> dict[str, Any]:
    if log_format not in ("json", "plain"):
        raise ValueError(f"PHASEBOOK_LOG_FORMAT must be json or plain, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "phasebook.telemetry.logs.RedactSecretsFilter"}},
        "formatters": {
            "json": {"()": "phasebook.telemetry.logs.JsonFormatter"},
            "plain": {
                "()": "phasebook.telemetry.logs.PlainFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["redact"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


_TRACEBACKS = logging.Formatter()
