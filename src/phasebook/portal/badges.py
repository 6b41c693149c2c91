"""Small coloured labels the portal shows in lists and pages (classes in portal.css)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from phasebook.booking.models import SyncStatus

_SYNC_CLASSES: dict[str, str] = {
    SyncStatus.SYNCED: "is-ok",
    SyncStatus.FAILED: "is-failed",
    SyncStatus.PENDING: "is-pending",
    SyncStatus.PARTIAL: "is-pending",
    SyncStatus.NOT_REQUIRED: "is-muted",
}


def badge(text: str, variant: str = "") -> SafeString:
    return format_html('<span class="pb-badge {}">{}</span>', variant, text)


def sync_badge(status: str) -> SafeString:
    """A Cal.com status with its colour: green synced, amber pending, red failed."""
    return format_html(
        '<span class="pb-badge {}" data-sync="{}">{}</span>',
        _SYNC_CLASSES.get(status, "is-muted"),
        status,
        SyncStatus(status).label if status in SyncStatus.values else status,
    )


def segment_badge(key: str, staff_required: bool) -> SafeString:
    return badge(key, "" if staff_required else "is-gap")


def kind_badge(composite: bool) -> SafeString:
    # The seed's words: a composite service is "Compound", a single segment "Standard".
    return badge(_("Compound"), "is-pending") if composite else badge(_("Standard"), "is-muted")
