"""In-memory Cal.com: users, event types, bookings and webhooks, with Cal.com's booking rules.

Every public method takes the store lock, so the HTTP handlers (one event loop) and test code
(another thread) can use it at the same time.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from phasebook.calcom_emulator import messages
from phasebook.calcom_emulator.errors import ApiError, BareHttpError, bad_request, not_found

SchedulingType = Literal["collective", "roundRobin", "managed"]
MINUTES_PER_DAY = 24 * 60


TEAM_ROLES = ("MEMBER", "ADMIN", "OWNER")
# Cal.com's RolesGuard "TEAM_ADMIN" admits both; so does `getBookings`' admin-or-owner list.
TEAM_ADMIN_ROLES = ("ADMIN", "OWNER")


@dataclass(frozen=True)
class WeeklySchedule:
    """Working hours per weekday (0 = Monday) as (start minute, end minute) in `time_zone`."""

    time_zone: str = "UTC"
    days: Mapping[int, tuple[int, int]] = field(
        default_factory=lambda: dict.fromkeys(range(7), (0, MINUTES_PER_DAY))
    )

    def intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals (UTC, merged when they touch) overlapping [start, end)."""
        zone = ZoneInfo(self.time_zone)
        day = start.astimezone(zone).date() - timedelta(days=1)
        last_day = end.astimezone(zone).date() + timedelta(days=1)
        pending: tuple[datetime, datetime] | None = None
        while day <= last_day:
            for interval in self._interval_on(day, zone):
                if pending and pending[1] >= interval[0]:
                    pending = (pending[0], max(pending[1], interval[1]))
                    continue
                if pending:
                    yield pending
                pending = interval
            day += timedelta(days=1)
        if pending:
            yield pending

    def _interval_on(self, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        hours = self.days.get(day.weekday())
        if hours is None:
            return []
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        return [
            (
                (midnight + timedelta(minutes=hours[0])).astimezone(UTC),
                (midnight + timedelta(minutes=hours[1])).astimezone(UTC),
            )
        ]

    def covers(self, start: datetime, end: datetime) -> bool:
        return any(low <= start and end <= high for low, high in self.intervals(start, end))


@dataclass
class User:
    id: int
    username: str
    name: str
    email: str
    time_zone: str
    schedule: WeeklySchedule
    api_keys: set[str] = field(default_factory=set)

    def as_host(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "username": self.username,
            "timeZone": self.time_zone,
        }


@dataclass
class EventType:
    id: int
    title: str
    slug: str
    length_in_minutes: int
    owner_id: int | None
    team_id: int | None = None
    scheduling_type: SchedulingType | None = None
    host_ids: tuple[int, ...] = ()
    parent_id: int | None = None
    length_options: tuple[int, ...] = ()
    description: str = ""
    locations: list[dict[str, Any]] = field(default_factory=list)
    before_event_buffer: int = 0
    after_event_buffer: int = 0
    minimum_booking_notice: int = 0
    hidden: bool = False

    @property
    def is_managed_parent(self) -> bool:
        return self.scheduling_type == "managed" and self.parent_id is None

    @property
    def metadata(self) -> dict[str, Any]:
        # What makes a managed parent recognisable from the outside (seed Part 1.1).
        return {"managedEventConfig": {}} if self.is_managed_parent else {}

    def candidate_host_ids(self) -> tuple[int, ...]:
        return self.host_ids if self.team_id is not None else (self.owner_id or 0,)


@dataclass
class Booking:
    id: int
    uid: str
    event_type_id: int
    host_id: int
    start: datetime
    end: datetime
    attendee: dict[str, Any]
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    status: Literal["accepted", "cancelled"] = "accepted"
    cancellation_reason: str | None = None
    rescheduling_reason: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.status == "accepted" and self.start < end and start < self.end


@dataclass
class Webhook:
    id: int
    user_id: int
    subscriber_url: str
    triggers: tuple[str, ...]
    active: bool
    secret: str | None
    payload_template: str


@dataclass(frozen=True)
class BookingEvent:
    """What the webhook dispatcher needs after a booking change."""

    trigger: Literal["BOOKING_CREATED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED"]
    booking: Booking
    previous: Booking | None = None


@dataclass(frozen=True)
class NewBooking:
    """A validated create-booking request (2024-08-13 body)."""

    event_type_id: int
    start: datetime
    attendee: dict[str, Any]
    metadata: dict[str, Any]
    length_in_minutes: int | None = None


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class EmulatorState:
    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self.users: dict[int, User] = {}
        self.event_types: dict[int, EventType] = {}
        self.bookings: dict[str, Booking] = {}
        self.webhooks: dict[int, Webhook] = {}
        # team id -> {user id: role}, role one of TEAM_ROLES.
        self.team_roles: dict[int, dict[int, str]] = {}
        self._next_id = 1000

    def reset(self) -> None:
        with self._lock:
            self.users.clear()
            self.event_types.clear()
            self.bookings.clear()
            self.webhooks.clear()
            self.team_roles.clear()

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # --- seeding ---------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        api_key: str | None = None,
        name: str | None = None,
        email: str | None = None,
        time_zone: str = "UTC",
        schedule: WeeklySchedule | None = None,
    ) -> tuple[User, str]:
        """Create a user with one API key (generated when not given); returns both."""
        key = api_key or f"cal_test_{secrets.token_hex(16)}"
        with self._lock:
            user = User(
                id=self._new_id(),
                username=username,
                name=name or username.title(),
                email=email or f"{username}@emulator.invalid",
                time_zone=time_zone,
                schedule=schedule or WeeklySchedule(),
                api_keys={key},
            )
            self.users[user.id] = user
            return user, key

    def add_event_type(
        self, owner_id: int | None, slug: str, length_in_minutes: int, **fields: Any
    ) -> EventType:
        with self._lock:
            event_type = EventType(
                id=self._new_id(),
                title=fields.pop("title", None) or slug.replace("-", " ").title(),
                slug=slug,
                length_in_minutes=length_in_minutes,
                owner_id=owner_id,
                **fields,
            )
            self.event_types[event_type.id] = event_type
            return event_type

    def add_team_event_type(
        self,
        team_id: int,
        slug: str,
        length_in_minutes: int,
        scheduling_type: SchedulingType,
        host_ids: tuple[int, ...] = (),
        *,
        with_children: bool = True,
    ) -> list[EventType]:
        """A team event type; a managed one also gets one child per host unless told not to.

        Returns `[parent, *children]`, like Cal.com's create response for managed types.
        """
        with self._lock:
            parent = self.add_event_type(
                None,
                slug,
                length_in_minutes,
                team_id=team_id,
                scheduling_type=scheduling_type,
                host_ids=host_ids,
            )
            if scheduling_type != "managed" or not with_children:
                return [parent]
            children = [
                self.add_event_type(
                    host_id,
                    slug,
                    length_in_minutes,
                    title=parent.title,
                    scheduling_type="managed",
                    parent_id=parent.id,
                )
                for host_id in host_ids
            ]
            return [parent, *children]

    def set_team_role(self, team_id: int, user_id: int, role: str) -> None:
        """Make `user_id` a MEMBER, ADMIN or OWNER of `team_id`; admins and owners see (and
        may cancel) the bookings of the team's event types."""
        if role not in TEAM_ROLES:
            raise ValueError(f"role must be one of {', '.join(TEAM_ROLES)}")
        with self._lock:
            self.team_roles.setdefault(team_id, {})[user_id] = role

    def add_team_admin(self, team_id: int, user_id: int) -> None:
        self.set_team_role(team_id, user_id, "ADMIN")

    def team_memberships(self, team_id: int) -> list[tuple[User, str]]:
        with self._lock:
            roles = self.team_roles.get(team_id, {})
            return [(self.users[user_id], role) for user_id, role in sorted(roles.items())]

    def is_team_admin(self, team_id: int, user_id: int) -> bool:
        with self._lock:
            return self.team_roles.get(team_id, {}).get(user_id) in TEAM_ADMIN_ROLES

    def add_webhook(
        self,
        user_id: int,
        subscriber_url: str,
        triggers: tuple[str, ...],
        secret: str | None = None,
        active: bool = True,
        payload_template: str = "",
    ) -> Webhook:
        with self._lock:
            webhook = Webhook(
                id=self._new_id(),
                user_id=user_id,
                subscriber_url=subscriber_url,
                triggers=triggers,
                active=active,
                secret=secret,
                payload_template=payload_template,
            )
            self.webhooks[webhook.id] = webhook
            return webhook

    # --- lookups ---------------------------------------------------------------------------

    def user_for_api_key(self, api_key: str) -> User | None:
        with self._lock:
            return next((u for u in self.users.values() if api_key in u.api_keys), None)

    def event_type(self, event_type_id: int) -> EventType:
        with self._lock:
            event_type = self.event_types.get(event_type_id)
        if event_type is None:
            raise not_found(messages.event_type_not_found(event_type_id))
        return event_type

    def event_type_by_slug(self, username: str, slug: str) -> EventType:
        with self._lock:
            owner = next((u for u in self.users.values() if u.username == username), None)
            found = next(
                (
                    et
                    for et in self.event_types.values()
                    if owner and et.owner_id == owner.id and et.slug == slug
                ),
                None,
            )
        if found is None:
            raise not_found(messages.event_type_not_found(slug))
        return found

    def booking(self, uid: str) -> Booking:
        with self._lock:
            booking = self.bookings.get(uid)
        if booking is None:
            raise not_found(messages.booking_not_found(uid))
        return booking

    def webhooks_for(self, user_id: int, trigger: str) -> list[Webhook]:
        with self._lock:
            return [
                hook
                for hook in self.webhooks.values()
                if hook.user_id == user_id and hook.active and trigger in hook.triggers
            ]

    def host_bookings(self, host_id: int) -> list[Booking]:
        with self._lock:
            return [b for b in self.bookings.values() if b.host_id == host_id]

    def visible_bookings(self, user_id: int) -> list[Booking]:
        """What `GET /v2/bookings` lists: the user's own bookings as organizer plus those on
        event types of teams where the user is admin (Cal.com's `getBookings` includes
        `eventTypeIdsWhereUserIsAdminOrOwner`)."""
        with self._lock:
            teams = {
                team
                for team, roles in self.team_roles.items()
                if roles.get(user_id) in TEAM_ADMIN_ROLES
            }
            return [
                b
                for b in self.bookings.values()
                if b.host_id == user_id or self._team_of(b.event_type_id) in teams
            ]

    def _team_of(self, event_type_id: int) -> int | None:
        event_type = self.event_types.get(event_type_id)
        return event_type.team_id if event_type else None

    # --- booking rules ---------------------------------------------------------------------

    def create_booking(self, request: NewBooking) -> BookingEvent:
        """Steps, in Cal.com's order: event type, managed parent, past, length, host, create."""
        with self._lock:
            event_type = self.event_type(request.event_type_id)
            check_bookable(event_type)
            length = booking_length(event_type, request.length_in_minutes)
            if request.start < self.clock():
                raise bad_request(messages.BOOKING_IN_PAST)
            end = request.start + timedelta(minutes=length)
            host = self._pick_host(event_type, request.start, end, ignore_uid=None)
            booking = self._store_booking(event_type, host, request, end)
            return BookingEvent("BOOKING_CREATED", booking)

    def cancel_booking(self, uid: str, reason: str | None) -> BookingEvent:
        with self._lock:
            booking = self.booking(uid)
            if booking.status == "cancelled":
                raise bad_request(messages.cancel_twice(uid))
            booking.status = "cancelled"
            booking.cancellation_reason = reason
            booking.updated_at = self.clock()
            return BookingEvent("BOOKING_CANCELLED", booking)

    def reschedule_booking(self, uid: str, start: datetime, reason: str | None) -> BookingEvent:
        """A NEW booking with a new uid; end = start + the event type's length (reference §8)."""
        with self._lock:
            old = self.booking(uid)
            if old.rescheduled_to_uid:
                raise bad_request(messages.reschedule_rescheduled(uid, old.rescheduled_to_uid))
            if old.status == "cancelled":
                raise bad_request(messages.reschedule_cancelled(uid))
            event_type = self.event_type(old.event_type_id)
            if start < self.clock():
                raise bad_request(messages.BOOKING_IN_PAST)
            end = start + timedelta(minutes=event_type.length_in_minutes)
            host = self._pick_host(event_type, start, end, ignore_uid=old.uid)
            request = NewBooking(event_type.id, start, old.attendee, dict(old.metadata))
            new = self._store_booking(event_type, host, request, end)
            new.rescheduled_from_uid = old.uid
            new.rescheduling_reason = reason
            old.status, old.rescheduled_to_uid, old.updated_at = "cancelled", new.uid, self.clock()
            return BookingEvent("BOOKING_RESCHEDULED", new, previous=replace(old))

    def _pick_host(
        self, event_type: EventType, start: datetime, end: datetime, ignore_uid: str | None
    ) -> User:
        candidates = [self.users[i] for i in event_type.candidate_host_ids() if i in self.users]
        if event_type.team_id is not None and not candidates:
            raise ApiError(422, messages.team_without_hosts(event_type.id, event_type.team_id))
        free = [u for u in candidates if self._is_free(u, start, end, ignore_uid)]
        if event_type.scheduling_type == "collective" and len(free) < len(candidates):
            free = []
        if free:
            return free[0]
        if len(candidates) == 1 and self._has_exact_duplicate(candidates[0], start, end):
            # The DB idempotency key (organizer, start, end) answers before availability here.
            raise BareHttpError(409, messages.BOOKING_CONFLICT)
        team = event_type.team_id is not None
        raise bad_request(messages.TEAM_HOST_BUSY if team else messages.HOST_BUSY)

    def _is_free(self, user: User, start: datetime, end: datetime, ignore_uid: str | None) -> bool:
        if not user.schedule.covers(start, end):
            return False
        return not any(
            b.overlaps(start, end) for b in self.host_bookings(user.id) if b.uid != ignore_uid
        )

    def _has_exact_duplicate(self, user: User, start: datetime, end: datetime) -> bool:
        return any(
            b.status == "accepted" and b.start == start and b.end == end
            for b in self.host_bookings(user.id)
        )

    def _store_booking(
        self, event_type: EventType, host: User, request: NewBooking, end: datetime
    ) -> Booking:
        now = self.clock()
        booking = Booking(
            id=self._new_id(),
            uid=uuid.uuid4().hex[:22],
            event_type_id=event_type.id,
            host_id=host.id,
            start=request.start,
            end=end,
            attendee=request.attendee,
            metadata=request.metadata,
            created_at=now,
            updated_at=now,
        )
        self.bookings[booking.uid] = booking
        return booking


def check_bookable(event_type: EventType) -> None:
    if event_type.is_managed_parent:
        raise bad_request(messages.managed_parent(event_type.id))


def booking_length(event_type: EventType, requested: int | None) -> int:
    if requested is None:
        return event_type.length_in_minutes
    if not event_type.length_options:
        raise bad_request(messages.LENGTH_NOT_ALLOWED)
    if requested not in event_type.length_options:
        raise bad_request(messages.length_not_an_option(list(event_type.length_options)))
    return requested
