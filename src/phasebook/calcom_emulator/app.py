"""Starlette routes for the emulated Cal.com API v2 subset and the `/_emulator` admin API.

Each API request passes, in Cal.com's order: throttler (which also rejects unknown API keys),
authentication, `cal-api-version` routing, validation, then the booking rules in `state`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from phasebook.calcom_emulator import inputs, messages, outputs, queries
from phasebook.calcom_emulator.emulator import CalcomEmulator
from phasebook.calcom_emulator.errors import (
    INTERNAL_SERVER_ERROR,
    ApiError,
    BareHttpError,
    not_found,
    unauthorized,
)
from phasebook.calcom_emulator.faults import FaultRule
from phasebook.calcom_emulator.middleware import FaultInjector
from phasebook.calcom_emulator.state import BookingEvent, User, WeeklySchedule
from phasebook.calcom_emulator.throttle import ThrottleDecision

BOOKINGS_VERSION = "2024-08-13"
SLOTS_VERSION = "2024-09-04"
EVENT_TYPES_VERSION = "2024-06-14"
# Cal.com routes any other value (or none) to the legacy controllers (reference §2).
KNOWN_VERSIONS = {"2024-04-15", "2024-06-11", "2024-06-14", "2024-08-13", "2024-09-04"}
LEGACY_VERSION = "2024-04-15"

Auth = Literal["optional", "required"]


@dataclass
class Call:
    request: Request
    emulator: CalcomEmulator
    user: User | None
    version: str
    after_response: BookingEvent | None = None

    @property
    def state(self) -> Any:
        return self.emulator.state

    def authenticated_user(self) -> User:
        if self.user is None:
            raise unauthorized(messages.NO_AUTH)
        return self.user

    async def json_body(self) -> object:
        raw = await self.request.body()
        try:
            return json.loads(raw) if raw else {}
        except ValueError as exc:
            raise inputs.validation_error(["body must be valid JSON"]) from exc

    def publish(self, event: BookingEvent) -> None:
        self.after_response = event


Handler = Callable[[Call], Awaitable[tuple[int, Any]]]


def api_version(request: Request) -> str:
    value = request.headers.get("cal-api-version")
    return value if value in KNOWN_VERSIONS else LEGACY_VERSION


def endpoint(emulator: CalcomEmulator, handler: Handler, auth: Auth) -> Callable[..., Any]:
    async def respond(request: Request) -> Response:
        decision: ThrottleDecision | None = None
        try:
            user, decision = _throttle_and_authenticate(emulator, request)
            call = Call(request, emulator, user, api_version(request))
            if auth == "required":
                call.authenticated_user()
            status, body = await handler(call)
        except (ApiError, BareHttpError) as error:
            status, body, call = error.status_code, error.body(request.url.path), None
            if isinstance(error, _RateLimited):
                decision = error.decision
        headers = decision.headers() if decision else {}
        background = _webhook_task(emulator, call)
        return JSONResponse(body, status_code=status, headers=headers, background=background)

    return respond


def _throttle_and_authenticate(
    emulator: CalcomEmulator, request: Request
) -> tuple[User | None, ThrottleDecision]:
    api_key = _bearer_token(request)
    user = emulator.state.user_for_api_key(api_key) if api_key else None
    if api_key and user is None:
        raise unauthorized(messages.INVALID_API_KEY)
    client_ip = request.client.host if request.client else "unknown"
    tracker = f"api_key_{api_key}" if api_key else f"ip_{client_ip}"
    decision = emulator.throttler.hit(tracker)
    if not decision.allowed:
        raise _RateLimited(decision)
    return user, decision


class _RateLimited(ApiError):
    def __init__(self, decision: ThrottleDecision) -> None:
        super().__init__(429, messages.TOO_MANY_REQUESTS)
        self.decision = decision


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _webhook_task(emulator: CalcomEmulator, call: Call | None) -> BackgroundTask | None:
    if call is None or call.after_response is None:
        return None
    return BackgroundTask(emulator.webhooks.publish, call.after_response)


# --- bookings ------------------------------------------------------------------------------


async def create_booking(call: Call) -> tuple[int, Any]:
    body = await call.json_body()
    if call.version != BOOKINGS_VERSION:
        raise inputs.legacy_booking_problems(body)
    request = inputs.new_booking(
        body, lambda user, slug: call.state.event_type_by_slug(user, slug).id
    )
    event = call.state.create_booking(request)
    call.publish(event)
    return 201, outputs.success(outputs.booking_output(call.state, event.booking))


async def get_booking(call: Call) -> tuple[int, Any]:
    _require_bookings_version(call)
    booking = call.state.booking(call.request.path_params["uid"])
    return 200, outputs.success(outputs.booking_output(call.state, booking))


async def list_bookings(call: Call) -> tuple[int, Any]:
    user = call.authenticated_user()
    if call.version != BOOKINGS_VERSION:
        # Users saw 500s from the legacy list endpoint without the header (cal.diy#16924).
        raise INTERNAL_SERVER_ERROR
    query = dict(call.request.query_params)
    page, total, skip, take = queries.list_bookings(call.state, user, query)
    data = [outputs.booking_output(call.state, booking) for booking in page]
    return 200, outputs.success(data, pagination=outputs.pagination(total, skip, take, len(page)))


async def cancel_booking(call: Call) -> tuple[int, Any]:
    _require_bookings_version(call)
    reason = inputs.cancellation_reason(await call.json_body())
    event = call.state.cancel_booking(call.request.path_params["uid"], reason)
    call.publish(event)
    return 200, outputs.success(outputs.booking_output(call.state, event.booking))


async def reschedule_booking(call: Call) -> tuple[int, Any]:
    _require_bookings_version(call)
    start, reason = inputs.reschedule_start(await call.json_body())
    event = call.state.reschedule_booking(call.request.path_params["uid"], start, reason)
    call.publish(event)
    return 201, outputs.success(outputs.booking_output(call.state, event.booking))


def _require_bookings_version(call: Call) -> None:
    if call.version != BOOKINGS_VERSION:
        raise _legacy_not_emulated(call)


def _legacy_not_emulated(call: Call) -> ApiError:
    return inputs.validation_error(
        [
            f"cal-api-version {call.request.headers.get('cal-api-version')!r} routes to Cal.com's "
            "legacy 2024-04-15 controllers, which this emulator does not implement"
        ]
    )


# --- slots ---------------------------------------------------------------------------------


async def get_slots(call: Call) -> tuple[int, Any]:
    if call.version != SLOTS_VERSION:
        # The legacy slots controller only has /available, /reserve and /selected-slot.
        raise ApiError(404, "Cannot GET /v2/slots")
    query = dict(call.request.query_params)
    event_type = _slots_event_type(call, query)
    return 200, outputs.success(queries.available_slots(call.state, event_type, query))


def _slots_event_type(call: Call, query: dict[str, str]) -> Any:
    if query.get("eventTypeId", "").isdigit():
        return call.state.event_type(int(query["eventTypeId"]))
    if "eventTypeSlug" in query and "username" in query:
        return call.state.event_type_by_slug(query["username"], query["eventTypeSlug"])
    raise inputs.validation_error([messages.EVENT_TYPE_IDENTIFIER_MISSING])


# --- event types ---------------------------------------------------------------------------


async def create_event_type(call: Call) -> tuple[int, Any]:
    user = call.authenticated_user()
    _require_event_types_version(call)
    fields = inputs.event_type_fields(await call.json_body())
    event_type = call.state.add_event_type(user.id, **fields)
    return 201, outputs.success(outputs.event_type_output(call.state, event_type))


async def get_event_type(call: Call) -> tuple[int, Any]:
    _require_event_types_version(call)
    event_type = call.state.event_type(_event_type_id(call))
    return 200, outputs.success(outputs.event_type_output(call.state, event_type))


async def list_event_types(call: Call) -> tuple[int, Any]:
    _require_event_types_version(call)
    username = call.request.query_params.get("username")
    owner = _owner(call, username)
    slug = call.request.query_params.get("eventSlug")
    found = [
        et
        for et in call.state.event_types.values()
        if owner is not None and et.owner_id == owner.id and slug in (None, et.slug)
    ]
    return 200, outputs.success([outputs.event_type_output(call.state, et) for et in found])


async def create_team_event_type(call: Call) -> tuple[int, Any]:
    call.authenticated_user()
    body = await call.json_body()
    fields = inputs.event_type_fields(body)
    scheduling_type, host_ids = inputs.team_event_type_fields(body)
    unknown = [user_id for user_id in host_ids if user_id not in call.state.users]
    if unknown:
        raise inputs.validation_error(
            [f"hosts: user {user_id} is not a team member" for user_id in unknown]
        )
    team_id = _path_int(call, "team_id")
    if scheduling_type == "managed":
        created = call.state.add_team_event_type(
            team_id, fields["slug"], fields["length_in_minutes"], "managed", host_ids
        )
        data = [outputs.team_event_type_output(call.state, et, team_id) for et in created]
        return 201, outputs.success(data)
    event_type = call.state.add_event_type(
        None, team_id=team_id, scheduling_type=scheduling_type, host_ids=host_ids, **fields
    )
    return 201, outputs.success(outputs.team_event_type_output(call.state, event_type, team_id))


async def get_team_event_type(call: Call) -> tuple[int, Any]:
    team_id = _path_int(call, "team_id")
    event_type = call.state.event_type(_event_type_id(call))
    if event_type.team_id != team_id:
        raise not_found(messages.event_type_not_found(event_type.id))
    return 200, outputs.success(outputs.team_event_type_output(call.state, event_type, team_id))


async def list_team_event_types(call: Call) -> tuple[int, Any]:
    team_id = _path_int(call, "team_id")
    slug = call.request.query_params.get("eventSlug")
    found = [
        et
        for et in list(call.state.event_types.values())
        if et.team_id == team_id and slug in (None, et.slug)
    ]
    data = [outputs.team_event_type_output(call.state, et, team_id) for et in found]
    return 200, outputs.success(data)


# --- who the key is, and its role in a team ------------------------------------------------


async def get_me(call: Call) -> tuple[int, Any]:
    return 200, outputs.success(outputs.me_output(call.authenticated_user()))


async def list_team_memberships(call: Call) -> tuple[int, Any]:
    """`@Roles("TEAM_ADMIN")` in Cal.com: only a team's admins and owners may list it."""
    team_id = _path_int(call, "team_id")
    if not call.state.is_team_admin(team_id, call.authenticated_user().id):
        raise ApiError(403, messages.not_team_admin(team_id))
    data = [
        outputs.membership_output(membership_id, team_id, user, role)
        for membership_id, (user, role) in enumerate(call.state.team_memberships(team_id), 1)
    ]
    return 200, outputs.success(data)


def _path_int(call: Call, name: str) -> int:
    raw = call.request.path_params[name]
    if not raw.isdigit():
        raise inputs.validation_error([f"{name} must be a number"])
    return int(raw)


def _owner(call: Call, username: str | None) -> User | None:
    if username is None:
        return call.authenticated_user()
    users = call.state.users.values()
    return next((user for user in users if user.username == username), None)


async def delete_event_type(call: Call) -> tuple[int, Any]:
    user = call.authenticated_user()
    _require_event_types_version(call)
    event_type = call.state.event_type(_event_type_id(call))
    if event_type.owner_id != user.id:
        raise ApiError(403, f"User is not authorized to delete event type {event_type.id}")
    del call.state.event_types[event_type.id]
    return 200, outputs.success(outputs.deleted_event_type_output(event_type))


def _event_type_id(call: Call) -> int:
    raw = call.request.path_params["event_type_id"]
    if not raw.isdigit():
        raise inputs.validation_error(["eventTypeId must be a number"])
    return int(raw)


def _require_event_types_version(call: Call) -> None:
    if call.version != EVENT_TYPES_VERSION:
        raise _legacy_not_emulated(call)


# --- webhooks (any cal-api-version) --------------------------------------------------------


async def create_webhook(call: Call) -> tuple[int, Any]:
    user = call.authenticated_user()
    webhook = call.state.add_webhook(user.id, **inputs.webhook_fields(await call.json_body()))
    return 201, outputs.success(outputs.webhook_output(webhook))


# --- admin ---------------------------------------------------------------------------------


def admin_routes(emulator: CalcomEmulator) -> list[Route]:
    async def reset(request: Request) -> Response:
        emulator.reset()
        return JSONResponse({"status": "success"})

    async def add_fault(request: Request) -> Response:
        try:
            rule = FaultRule.from_json(await request.json())
        except (TypeError, ValueError) as exc:
            return JSONResponse({"status": "error", "message": str(exc)}, status_code=400)
        emulator.faults.add(rule)
        return JSONResponse({"status": "success", "data": {"mode": rule.mode}}, status_code=201)

    async def fault_figures(request: Request) -> Response:
        return JSONResponse({"status": "success", "data": emulator.faults.figures()})

    async def all_bookings(request: Request) -> Response:
        """Every booking, cancelled ones too, for a drill to compare with its database."""
        data = [
            outputs.booking_output(emulator.state, b)
            for b in list(emulator.state.bookings.values())
        ]
        return JSONResponse({"status": "success", "data": data})

    async def clear_faults(request: Request) -> Response:
        emulator.clear_faults()
        return JSONResponse({"status": "success"})

    async def add_user(request: Request) -> Response:
        body = await request.json()
        user, api_key = emulator.state.add_user(
            body["username"],
            api_key=body.get("apiKey"),
            name=body.get("name"),
            email=body.get("email"),
            time_zone=body.get("timeZone", "UTC"),
            schedule=_schedule(body),
        )
        data = {"id": user.id, "username": user.username, "apiKey": api_key}
        return JSONResponse({"status": "success", "data": data}, status_code=201)

    async def set_team_role(request: Request) -> Response:
        """`{"userId": 1001, "role": "ADMIN"}`: MEMBER, ADMIN or OWNER of the team."""
        body = await request.json()
        team_id = int(request.path_params["team_id"])
        try:
            emulator.state.set_team_role(team_id, int(body["userId"]), str(body["role"]))
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"status": "error", "message": str(exc)}, status_code=400)
        data = {"teamId": team_id, "userId": int(body["userId"]), "role": body["role"]}
        return JSONResponse({"status": "success", "data": data}, status_code=201)

    async def add_event_type(request: Request) -> Response:
        body = await request.json()
        created = _seed_event_types(emulator, body)
        data = [outputs.event_type_output(emulator.state, et) for et in created]
        return JSONResponse({"status": "success", "data": data}, status_code=201)

    return [
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/faults", add_fault, methods=["POST"]),
        Route("/_emulator/faults", clear_faults, methods=["DELETE"]),
        Route("/_emulator/faults", fault_figures, methods=["GET"]),
        Route("/_emulator/bookings", all_bookings, methods=["GET"]),
        Route("/_emulator/users", add_user, methods=["POST"]),
        Route("/_emulator/event-types", add_event_type, methods=["POST"]),
        Route("/_emulator/teams/{team_id:int}/memberships", set_team_role, methods=["POST"]),
    ]


def _schedule(body: dict[str, Any]) -> WeeklySchedule | None:
    """`workingHours`: {"0": [540, 1080], …} minutes per weekday (0 = Monday) in `timeZone`."""
    hours = body.get("workingHours")
    if hours is None:
        return None
    days = {int(day): (int(span[0]), int(span[1])) for day, span in hours.items()}
    return WeeklySchedule(time_zone=body.get("timeZone", "UTC"), days=days)


def _seed_event_types(emulator: CalcomEmulator, body: dict[str, Any]) -> list[Any]:
    """A personal event type (`ownerId`) or a team one (`teamId`, `schedulingType`, `hostIds`)."""
    slug, length = body["slug"], int(body["lengthInMinutes"])
    if "teamId" in body:
        return emulator.state.add_team_event_type(
            int(body["teamId"]),
            slug,
            length,
            body.get("schedulingType", "collective"),
            tuple(body.get("hostIds", ())),
            with_children=body.get("withChildren", True),
        )
    return [
        emulator.state.add_event_type(int(body["ownerId"]), slug, length, title=body.get("title"))
    ]


def create_app(emulator: CalcomEmulator) -> ASGIApp:
    def api(path: str, handler: Handler, method: str, auth: Auth = "optional") -> Route:
        return Route(path, endpoint(emulator, handler, auth), methods=[method])

    routes = [
        api("/v2/bookings", create_booking, "POST"),
        api("/v2/bookings", list_bookings, "GET", auth="required"),
        api("/v2/bookings/{uid}", get_booking, "GET"),
        api("/v2/bookings/{uid}/cancel", cancel_booking, "POST"),
        api("/v2/bookings/{uid}/reschedule", reschedule_booking, "POST"),
        api("/v2/slots", get_slots, "GET"),
        api("/v2/event-types", create_event_type, "POST", auth="required"),
        api("/v2/event-types", list_event_types, "GET"),
        api("/v2/event-types/{event_type_id}", get_event_type, "GET", auth="required"),
        api("/v2/event-types/{event_type_id}", delete_event_type, "DELETE", auth="required"),
        # Team event types accept any cal-api-version (reference §10).
        api("/v2/teams/{team_id}/event-types", create_team_event_type, "POST", auth="required"),
        api("/v2/teams/{team_id}/event-types", list_team_event_types, "GET", auth="required"),
        api(
            "/v2/teams/{team_id}/event-types/{event_type_id}",
            get_team_event_type,
            "GET",
            auth="required",
        ),
        api("/v2/webhooks", create_webhook, "POST", auth="required"),
        api("/v2/me", get_me, "GET", auth="required"),
        api("/v2/teams/{team_id}/memberships", list_team_memberships, "GET", auth="required"),
        *admin_routes(emulator),
    ]
    return FaultInjector(Starlette(routes=routes), emulator.faults)
