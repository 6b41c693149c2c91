from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_init

from phasebook.telemetry.redaction import remember_names


class MonitoringConfig(AppConfig):
    name = "phasebook.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from phasebook.booking.signals import appointment_changed
        from phasebook.monitoring import worker
        from phasebook.monitoring.receivers import count_and_log_change
        from phasebook.salons.models import Customer

        worker.connect()
        post_init.connect(remember_customer_name, sender=Customer, weak=False)
        appointment_changed.connect(
            count_and_log_change, weak=False, dispatch_uid="phasebook-monitoring"
        )


def remember_customer_name(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Every customer name this process holds is redacted from its logs (see redaction)."""
    name = instance.__dict__.get("name")  # never load a deferred field for this
    if name:
        remember_names(name)
