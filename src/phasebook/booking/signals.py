"""What other apps may react to, without the booking app knowing them.

`appointment_changed` is sent INSIDE the booking transaction, so a receiver can record
durable follow-up work (the Cal.com sync outbox) atomically with the change; receivers
must not do I/O and should defer dispatch with `transaction.on_commit`.
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: appointment (Appointment), change ("booked" | "rescheduled" | "cancelled")
appointment_changed = Signal()
