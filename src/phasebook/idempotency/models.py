"""One row per idempotency key: who claimed it, for which request, and the first answer."""

from __future__ import annotations

from django.db import models

from phasebook.salons.models import Company


class IdempotencyKey(models.Model):
    """A key a client sent with a write, kept per salon until `expires_at`.

    While `status` is null the first request is still running (or died running); after
    that `status` and `body` are the answer every retry gets.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40, help_text="Which caller: api-v1, retell-tool, …")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the keyed request.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "scope", "key"], name="idempotency_key_unique_per_company"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
