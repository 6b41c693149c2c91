"""What Prometheus scrapes: the /metrics endpoint (token or internal address only), the
registry one scrape reports, and the exporter a Celery worker serves.

The instruments the apps record into are in `phasebook.telemetry`; this package sits on top
of the apps and is imported by none of them.
"""
