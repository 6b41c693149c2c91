from __future__ import annotations

from django.apps import AppConfig


class CalsyncConfig(AppConfig):
    name = "phasebook.calsync"
    verbose_name = "Cal.com sync"

    def ready(self) -> None:
        from phasebook.booking.signals import appointment_changed
        from phasebook.calsync.outbox import record_change

        appointment_changed.connect(record_change, dispatch_uid="calsync.record_change")
