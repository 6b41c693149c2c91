"""Typed payloads for the Cal.com API v2 endpoints phasebook uses.

Request models serialise to Cal.com's camelCase field names; response models ignore fields we do
not read, so additions on Cal.com's side do not break parsing. Shapes follow the vendored spec
(`tests/contracts/calcom-openapi-v2.json`) for bookings 2024-08-13, slots 2024-09-04 and event
types 2024-06-14.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

MetadataValue = str | int | float | bool
BookingStatus = Literal["accepted", "pending", "cancelled", "rejected", "awaiting_host"]
BookingListStatus = Literal["upcoming", "recurring", "past", "cancelled", "unconfirmed"]
SortOrder = Literal["asc", "desc"]


def iso_utc(moment: datetime) -> str:
    """Cal.com wants UTC instants with a `Z`; naive datetimes are a programming error."""
    if moment.tzinfo is None:
        raise ValueError("Cal.com instants must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class CalcomRequest(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class CalcomResponse(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


# --- requests ------------------------------------------------------------------------------


class Attendee(CalcomRequest):
    name: str
    time_zone: str
    email: str | None = None
    phone_number: str | None = None
    language: str | None = None


class CreateBookingRequest(CalcomRequest):
    start: datetime
    event_type_id: int
    attendee: Attendee
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    length_in_minutes: int | None = None

    def to_json(self) -> dict[str, Any]:
        body = super().to_json()
        body["start"] = iso_utc(self.start)
        return body


class BookingFilters(CalcomRequest):
    """Query filters for `GET /v2/bookings` (offset pagination, version 2024-08-13)."""

    status: tuple[BookingListStatus, ...] = ()
    event_type_id: int | None = None
    event_type_ids: tuple[int, ...] = ()
    after_start: datetime | None = None
    before_end: datetime | None = None
    after_updated_at: datetime | None = None
    sort_start: SortOrder | None = None
    sort_created: SortOrder | None = None
    sort_updated_at: SortOrder | None = None
    take: int | None = Field(default=None, ge=1, le=250)
    skip: int | None = Field(default=None, ge=0)

    def to_query(self) -> dict[str, str]:
        query: dict[str, str] = {}
        for name, value in self.model_dump(by_alias=True, exclude_none=True).items():
            if isinstance(value, datetime):
                query[name] = iso_utc(value)
            elif isinstance(value, tuple):
                # Cal.com parses these as comma-separated lists.
                if value:
                    query[name] = ",".join(str(item) for item in value)
            else:
                query[name] = str(value)
        return query


class CreateEventTypeRequest(CalcomRequest):
    title: str
    slug: str
    length_in_minutes: int
    description: str | None = None
    locations: tuple[dict[str, Any], ...] | None = None
    before_event_buffer: int | None = None
    after_event_buffer: int | None = None
    minimum_booking_notice: int | None = None
    hidden: bool | None = None


class EventTypeHost(CalcomRequest):
    user_id: int


class CreateTeamEventTypeRequest(CreateEventTypeRequest):
    """A team event type: the only kind whose host can be chosen (here: one stylist)."""

    scheduling_type: Literal["collective", "roundRobin", "managed"] = "collective"
    hosts: tuple[EventTypeHost, ...] = ()


def in_person_location(address: str) -> dict[str, Any]:
    return {"type": "address", "address": address, "public": True}


# --- responses -----------------------------------------------------------------------------


class BookingHost(CalcomResponse):
    id: int
    name: str | None = None
    username: str | None = None
    time_zone: str | None = None


class EventTypeRef(CalcomResponse):
    id: int
    slug: str


class Booking(CalcomResponse):
    id: int
    uid: str
    title: str
    status: BookingStatus
    start: datetime
    end: datetime
    duration: int
    event_type: EventTypeRef
    hosts: list[BookingHost] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    cancellation_reason: str | None = None
    created_at: datetime
    updated_at: datetime | None = None

    @property
    def event_type_id(self) -> int:
        return self.event_type.id


class Pagination(CalcomResponse):
    total_items: int
    remaining_items: int
    returned_items: int
    items_per_page: int
    current_page: int
    total_pages: int
    has_next_page: bool
    has_previous_page: bool


class BookingPage(CalcomResponse):
    bookings: list[Booking]
    pagination: Pagination


class Slot(CalcomResponse):
    start: datetime
    end: datetime


class TeamEventTypeHost(CalcomResponse):
    user_id: int
    username: str | None = None


class EventType(CalcomResponse):
    id: int
    title: str
    slug: str
    length_in_minutes: int
    owner_id: int | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    before_event_buffer: int = 0
    after_event_buffer: int = 0
    team_id: int | None = None
    scheduling_type: str | None = None
    parent_event_type_id: int | None = None
    hosts: list[TeamEventTypeHost] = Field(default_factory=list)

    @field_validator("metadata", mode="before")
    @classmethod
    def _empty_list_is_empty_metadata(cls, value: object) -> object:
        # Cal.com stores "no metadata" as `[]` on older event types (seed Part 1.1).
        return {} if value == [] else value

    @property
    def is_managed_parent(self) -> bool:
        managed = "managedEventConfig" in self.metadata or self.scheduling_type == "managed"
        return managed and self.parent_event_type_id is None

    @property
    def host_user_ids(self) -> tuple[int, ...]:
        return tuple(host.user_id for host in self.hosts)


class Me(CalcomResponse):
    id: int
    username: str


class TeamMembership(CalcomResponse):
    user_id: int
    role: Literal["MEMBER", "ADMIN", "OWNER"]
    accepted: bool

    @property
    def is_admin(self) -> bool:
        """Admins and owners see and may cancel the bookings of the team's event types."""
        return self.accepted and self.role in ("ADMIN", "OWNER")


class DeletedEventType(CalcomResponse):
    id: int
    title: str
    slug: str
    length_in_minutes: int
