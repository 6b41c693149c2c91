"""Idempotent retried writes, for every caller that takes them (API v1, the phone agent).
The interface is described in `services.py`."""
