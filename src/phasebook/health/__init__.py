"""Health probes for load balancers and monitoring (`/healthz`, `/readyz`)."""
