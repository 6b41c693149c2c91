"""Response bodies in Cal.com's shapes (BookingOutput_2024_08_13, EventTypeOutput_2024_06_14, …)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from phasebook.calcom_emulator.state import Booking, EmulatorState, EventType, User, Webhook


def iso(moment: datetime) -> str:
    """Cal.com's format: UTC with milliseconds and `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def success(data: Any, **extra: Any) -> dict[str, Any]:
    return {"status": "success", "data": data, **extra}


def booking_output(state: EmulatorState, booking: Booking) -> dict[str, Any]:
    event_type = state.event_types[booking.event_type_id]
    host = state.users[booking.host_id]
    attendee = booking.attendee
    output: dict[str, Any] = {
        "id": booking.id,
        "uid": booking.uid,
        "title": f"{event_type.title} between {host.name} and {attendee['name']}",
        "description": "",
        "hosts": [host.as_host()],
        "status": booking.status,
        "start": iso(booking.start),
        "end": iso(booking.end),
        "duration": int((booking.end - booking.start).total_seconds() // 60),
        "eventTypeId": event_type.id,
        "eventType": {"id": event_type.id, "slug": event_type.slug},
        "location": "",
        "absentHost": False,
        "createdAt": iso(booking.created_at),
        "updatedAt": iso(booking.updated_at),
        "attendees": [attendee_output(attendee)],
        "guests": [],
        "metadata": booking.metadata,
        "bookingFieldsResponses": {"name": attendee["name"], "email": attendee.get("email", "")},
    }
    optional = {
        "cancellationReason": booking.cancellation_reason,
        "reschedulingReason": booking.rescheduling_reason,
        "rescheduledFromUid": booking.rescheduled_from_uid,
        "rescheduledToUid": booking.rescheduled_to_uid,
    }
    return output | {name: value for name, value in optional.items() if value is not None}


def attendee_output(attendee: dict[str, Any]) -> dict[str, Any]:
    output = {
        "name": attendee["name"],
        # Cal.com always has an attendee e-mail; phone-only attendees get a placeholder there.
        "email": attendee.get("email") or "",
        "timeZone": attendee["timeZone"],
        "language": attendee.get("language", "en"),
        "absent": False,
    }
    if attendee.get("phoneNumber"):
        output["phoneNumber"] = attendee["phoneNumber"]
    return output


def event_type_output(state: EmulatorState, event_type: EventType) -> dict[str, Any]:
    owner = state.users.get(event_type.owner_id or 0)
    output: dict[str, Any] = {
        "id": event_type.id,
        "lengthInMinutes": event_type.length_in_minutes,
        "title": event_type.title,
        "slug": event_type.slug,
        "description": event_type.description,
        "locations": event_type.locations,
        "bookingFields": [],
        "disableGuests": False,
        "slotInterval": None,
        "minimumBookingNotice": event_type.minimum_booking_notice,
        "beforeEventBuffer": event_type.before_event_buffer,
        "afterEventBuffer": event_type.after_event_buffer,
        "recurrence": None,
        "metadata": event_type.metadata,
        "price": 0,
        "currency": "usd",
        "lockTimeZoneToggleOnBookingPage": False,
        "seatsPerTimeSlot": None,
        "forwardParamsSuccessRedirect": None,
        "successRedirectUrl": None,
        "isInstantEvent": False,
        "seatsShowAvailabilityCount": None,
        "scheduleId": None,
        "hidden": event_type.hidden,
        "bookingRequiresAuthentication": False,
        "ownerId": event_type.owner_id or 0,
        "users": [owner.username] if owner else [],
    }
    if event_type.length_options:
        output["lengthInMinutesOptions"] = list(event_type.length_options)
    if event_type.team_id is not None:
        output |= {"teamId": event_type.team_id, "schedulingType": event_type.scheduling_type}
    if event_type.parent_id is not None:
        output["parentEventTypeId"] = event_type.parent_id
    return output


def team_event_type_output(
    state: EmulatorState, event_type: EventType, team_id: int
) -> dict[str, Any]:
    """TeamEventTypeOutput_2024_06_14. `hosts` are objects as Cal.com's output.ts sends them."""
    output = event_type_output(state, event_type)
    del output["users"]
    hosts = [state.users[user_id] for user_id in event_type.host_ids if user_id in state.users]
    return output | {
        "ownerId": event_type.owner_id,
        "teamId": team_id,
        "schedulingType": event_type.scheduling_type or "collective",
        "hosts": [
            {
                "userId": host.id,
                "name": host.name,
                "username": host.username,
                "mandatory": False,
                "priority": "medium",
            }
            for host in hosts
        ],
        "team": {
            "id": team_id,
            "slug": f"team-{team_id}",
            "name": f"Team {team_id}",
            "bannerUrl": "",
            "logoUrl": "",
            "weekStart": "Monday",
            "brandColor": "#292929",
            "darkBrandColor": "#fafafa",
            "theme": "light",
        },
    }


def deleted_event_type_output(event_type: EventType) -> dict[str, Any]:
    return {
        "id": event_type.id,
        "lengthInMinutes": event_type.length_in_minutes,
        "title": event_type.title,
        "slug": event_type.slug,
    }


def webhook_output(webhook: Webhook) -> dict[str, Any]:
    output: dict[str, Any] = {
        "id": webhook.id,
        "userId": webhook.user_id,
        "subscriberUrl": webhook.subscriber_url,
        "triggers": list(webhook.triggers),
        "active": webhook.active,
        "payloadTemplate": webhook.payload_template,
    }
    if webhook.secret is not None:
        output["secret"] = webhook.secret
    return output


def pagination(total: int, skip: int, take: int, returned: int) -> dict[str, Any]:
    return {
        "returnedItems": returned,
        "totalItems": total,
        "itemsPerPage": take,
        "remainingItems": max(0, total - (skip + returned)),
        "currentPage": skip // take + 1,
        "totalPages": math.ceil(total / take),
        "hasNextPage": skip + take < total,
        "hasPreviousPage": skip > 0,
    }


def me_output(user: User) -> dict[str, Any]:
    """MeOutput."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "timeFormat": 24,
        "defaultScheduleId": None,
        "weekStart": "Monday",
        "timeZone": user.time_zone,
        "organizationId": None,
    }


def membership_output(membership_id: int, team_id: int, user: User, role: str) -> dict[str, Any]:
    """TeamMembershipOutput."""
    return {
        "id": membership_id,
        "userId": user.id,
        "teamId": team_id,
        "accepted": True,
        "role": role,
        "disableImpersonation": False,
        "user": {"username": user.username, "name": user.name, "email": user.email},
    }
