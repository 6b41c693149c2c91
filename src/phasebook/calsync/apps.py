from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalsyncConfig(AppConfig):
    name = "phasebook.calsync"
    verbose_name = _("Cal.com-Sync")

    def ready(self) -> None:
        # Imported here because Django loads the models only after the app configs.
        from phasebook.booking.placement import PRE_BOOKING_CHECKS
        from phasebook.booking.signals import appointment_changed
        from phasebook.calsync.receivers import record_change
        from phasebook.calsync.slot_check import calcom_slot_check

        appointment_changed.connect(record_change, dispatch_uid="calsync.record_change")
        if calcom_slot_check not in PRE_BOOKING_CHECKS:
            PRE_BOOKING_CHECKS.append(calcom_slot_check)
