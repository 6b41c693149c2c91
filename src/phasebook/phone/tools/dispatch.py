"""Run one tool for a verified Retell request, and always answer with a `ToolReply`.

1. The body is Retell's `{"name", "args", "call"}`, or the arguments alone ("Payload: args
   only"), which carry no call: then the caller is unknown, as if the number were withheld.
2. The call's row is ensured (a tool may come before any webhook), so what the tool books
   links to it; the caller's number is taken from the call object only.
3. Arguments are validated into the tool's model; a problem is a spoken question.
4. The tool runs in German (the agent's language). A tool that writes runs once per call
   and arguments: Retell's retry of the same request gets the first reply, unless that
   reply no longer holds (`Tool.outlived`: its hold was released since).
5. A client or caller over the salon's limits (booking/limits.py) hears why and when to try
   again; that answer is not kept, so the same request runs anew after the wait.
6. Nothing escapes as a 5xx: an unexpected error is logged (without the body) and answered
   with a spoken apology.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation
from pydantic import ValidationError

from phasebook.booking.errors import RateLimited
from phasebook.idempotency.services import InProgress, Outcome, fingerprint, forget, run_once
from phasebook.phone.callers import caller_number
from phasebook.phone.calls import ensure_call
from phasebook.phone.language.spoken import spoken_wait
from phasebook.phone.models import RetellConnection
from phasebook.phone.schemas import RetellCall
from phasebook.phone.tools import TOOLS
from phasebook.phone.tools.base import Tool, ToolCall, ToolReply, refusal
from phasebook.telemetry.logs import log_context
from phasebook.telemetry.metrics import PHONE_TOOL_SECONDS

logger = logging.getLogger(__name__)

IDEMPOTENCY_SCOPE = "retell-tool"

# What the agent says for a missing or unreadable argument ("Dafür brauche ich noch …").
_SPOKEN_FIELDS = {
    "service": "die Leistung",
    "date": "den Tag",
    "time": "die Uhrzeit",
    "staff": "die Stylistin",
    "customer_name": "Ihren Namen",
    "customer_phone": "Ihre Telefonnummer",
    "customer_email": "Ihre E-Mail-Adresse",
    "hold_id": "die Reservierung",
    "appointment_id": "den Termin",
}


def run_tool(connection: RetellConnection, name: str, raw_body: bytes) -> ToolReply:
    tool = TOOLS.get(name)
    if tool is None:
        return refusal("unknown_tool", "Das kann ich leider nicht erledigen.")
    with PHONE_TOOL_SECONDS.labels(tool.name).time(), translation.override("de"):
        try:
            return _run(connection, tool, raw_body)
        except Exception:
            logger.exception("phone tool %s failed", tool.name)
            return refusal(
                "internal_error",
                "Das hat leider gerade nicht geklappt. Bitte versuchen Sie es gleich noch einmal.",
            )


def _run(connection: RetellConnection, tool: Tool, raw_body: bytes) -> ToolReply:
    parsed = _body(raw_body)
    if parsed is None:
        return refusal("invalid_request", "Die Anfrage war unvollständig. Bitte noch einmal.")
    raw_args, raw_call = parsed
    # Every line this tool logs (its booking's sync included) names the call; one line
    # says how it ended, with ids only: the spoken message may repeat the caller's name.
    with log_context(call_id=raw_call.call_id if raw_call else None):
        reply = _answer(connection, tool, raw_args, raw_call)
        logger.info(
            "phone tool %s",
            tool.name,
            extra={
                "tool": tool.name,
                "ok": reply.ok,
                "error": reply.error or "",
                "appointment_id": str(reply.appointment_id or reply.hold_id or ""),
            },
        )
        return reply


def _answer(
    connection: RetellConnection,
    tool: Tool,
    raw_args: dict[str, Any],
    raw_call: RetellCall | None,
) -> ToolReply:
    company = connection.company
    call = ensure_call(company, raw_call) if raw_call else None
    context = ToolCall(
        company=company,
        call=call,
        caller=caller_number(company, raw_call.from_number) if raw_call else None,
        now=timezone.now(),
    )
    try:
        args = tool.args.model_validate(raw_args)
    except ValidationError as error:
        return refusal("invalid_arguments", _missing(error))
    try:
        if not tool.writes or call is None:
            return tool.run(context, args)
        return _once(context, call.call_id, tool, raw_args, lambda: tool.run(context, args))
    except RateLimited as limited:
        # Raised through run_once, which releases the key: not the request's kept answer.
        return _rate_limited(limited)


def _rate_limited(limited: RateLimited) -> ToolReply:
    """The limit's reason, its first sentence ("Zu viele Reservierungen gleichzeitig."), and
    when to try again as a caller hears it (the rest of the text counts seconds, for API
    clients)."""
    reason = str(limited.message).split(". ", 1)[0].removesuffix(".")
    return refusal(
        "rate_limited",
        f"{reason}. Bitte versuchen Sie es {spoken_wait(limited.retry_after)} noch einmal.",
    )


def _once(
    context: ToolCall,
    call_id: str,
    tool: Tool,
    raw_args: dict[str, Any],
    run: Callable[[], ToolReply],
) -> ToolReply:
    """Run a writing tool once per call and arguments: Retell retries a tool that timed out,
    and the retry must get the first reply (the same appointment), never a second booking.
    The arguments are part of the key, since one call may check 10:00 and then 11:00."""
    request = fingerprint(tool.name, raw_args)
    key = f"{call_id}:{tool.name}:{request}"
    try:
        reply, replayed = _run_once(context, key, request, run)
        if replayed and tool.outlived is not None and tool.outlived(context, reply):
            # E.g. 10:00 asked again after the call moved on to 12:00 and released the
            # hold on 10:00: asked anew instead of offering the hold that is gone.
            forget(context.company, IDEMPOTENCY_SCOPE, key)
            reply, _ = _run_once(context, key, request, run)
    except InProgress:
        return refusal("in_progress", "Einen Moment bitte, das ist gerade in Arbeit.")
    return reply


def _run_once(
    context: ToolCall, key: str, request: str, run: Callable[[], ToolReply]
) -> tuple[ToolReply, bool]:
    """The reply, and whether it is the first run's, replayed."""
    outcome = run_once(
        context.company,
        scope=IDEMPOTENCY_SCOPE,
        key=key,
        request=request,
        operation=lambda: Outcome(200, run().model_dump_json(exclude_none=True)),
    )
    return ToolReply.model_validate_json(outcome.body), outcome.replayed


def _body(raw_body: bytes) -> tuple[dict[str, Any], RetellCall | None] | None:
    try:
        body = json.loads(raw_body)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if "args" not in body and "call" not in body:
        return body, None  # "args only": the body is the arguments
    args, call = body.get("args") or {}, body.get("call")
    if not isinstance(args, dict):
        return None
    try:
        return args, RetellCall.model_validate(call) if call is not None else None
    except ValidationError:
        return None


def _missing(error: ValidationError) -> str:
    names = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        spoken = _SPOKEN_FIELDS.get(field, "eine Angabe")
        if spoken not in names:
            names.append(spoken)
    return f"Dafür brauche ich noch {' und '.join(names)}."
