"""Errors of the absence plans, in the booking errors' shape (code, German message)."""

from __future__ import annotations

from phasebook.booking.errors import InvalidRequest, InvalidState


class InvalidPlan(InvalidRequest):
    """The plan id is not one we issued, or not for this salon, stylist and period."""

    code = "invalid_plan"


class PlanExpired(InvalidState):
    code = "plan_expired"
