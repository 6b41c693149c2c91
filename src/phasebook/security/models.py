"""Rate-limit counters, for deployments without Redis (security/throttle.py)."""

from __future__ import annotations

from django.db import models


class RateLimitCounter(models.Model):
    """Hits of one rate-limit window; the window ends at `expires_at` (seconds since epoch)."""

    key = models.CharField(max_length=255, unique=True)
    hits = models.PositiveIntegerField()
    expires_at = models.FloatField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
