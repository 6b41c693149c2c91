"""phasebook: booking backend for hair salons with composite (multi-phase) services."""

from phasebook.celery import app as celery_app

__all__ = ["celery_app"]
