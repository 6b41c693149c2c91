"""Call transcripts and recording links are personal data: they are removed once the
retention period (PHASEBOOK_CALL_RETENTION_DAYS, default 90) has passed since the call was
first recorded. The call row stays (numbers, times, outcome, linked appointments)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from phasebook.phone.models import Call
from phasebook.salons.models import Company
from phasebook.salons.tenancy import of_company


def remove_personal_data(company: Company, now: datetime | None = None) -> int:
    """Blank the transcript and recording link of the salon's calls past retention; the
    number of calls changed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PHASEBOOK_CALL_RETENTION_DAYS)
    return (
        of_company(Call.objects, company)
        .filter(created_at__lt=cutoff, personal_data_removed_at__isnull=True)
        .update(transcript="", recording_url="", personal_data_removed_at=now)
    )


def remove_personal_data_everywhere(now: datetime | None = None) -> int:
    """Every salon in turn (the task serves them all, each by name)."""
    return sum(remove_personal_data(company, now) for company in Company.objects.all())
