"""Bookings counted and logged once they are committed (booking.signals is sent inside the
booking transaction, which may still roll back)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from phasebook.booking.models import Appointment
from phasebook.telemetry import metrics

logger = logging.getLogger("phasebook.booking")


def count_and_log_change(sender: Any, appointment: Appointment, change: str, **kwargs: Any) -> None:
    fields = {
        "appointment_id": str(appointment.pk),
        "company_id": appointment.company_id,
        "source": appointment.source,
        "change": change,
    }
    source = appointment.source

    def committed() -> None:
        if change == "booked":
            metrics.BOOKINGS.labels(source).inc()
        logger.info("appointment %s", change, extra=fields)

    transaction.on_commit(committed)
