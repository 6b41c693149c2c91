"""Instruments every app may use: Prometheus metric definitions and structured, redacted logs.

Nothing here imports an app, so booking, calsync and the phone agent can all depend on it.
What reads the instruments (the /metrics endpoint, the database-state collector, the worker
exporter) lives in `phasebook.monitoring`, on top of the apps.
"""
