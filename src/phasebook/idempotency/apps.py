from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "phasebook.idempotency"
    verbose_name = "Idempotent retries"
