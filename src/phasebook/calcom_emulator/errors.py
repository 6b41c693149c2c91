"""Errors the emulator answers with, rendered in the two body shapes Cal.com uses (reference §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_REASONS = {
    400: ("BadRequestException", "Bad Request"),
    401: ("UnauthorizedException", "Unauthorized"),
    403: ("ForbiddenException", "Forbidden"),
    404: ("NotFoundException", "Not Found"),
    422: ("UnprocessableEntityException", "Unprocessable Entity"),
    429: ("ThrottlerException", "Too Many Requests"),
}


@dataclass
class ApiError(Exception):
    """A Nest `HttpException`: rendered as the `{"status": "error", "error": {...}}` envelope."""

    status_code: int
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def body(self, path: str) -> dict[str, Any]:
        code, reason = _REASONS.get(self.status_code, ("HttpException", "Error"))
        details = {"message": self.message, "error": reason, "statusCode": self.status_code}
        return {
            "status": "error",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "path": path,
            "error": {"code": code, "message": self.message, "details": details | self.details},
        }


@dataclass
class BareHttpError(Exception):
    """An error that reaches Nest's base filter: `{"statusCode": …, "message": …}`."""

    status_code: int
    message: str

    def body(self, path: str) -> dict[str, Any]:
        return {"statusCode": self.status_code, "message": self.message}


def bad_request(message: str, **details: Any) -> ApiError:
    return ApiError(400, message, dict(details))


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message)


INTERNAL_SERVER_ERROR = BareHttpError(500, "Internal server error")
