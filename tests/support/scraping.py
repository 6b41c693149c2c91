"""Reading /metrics as Prometheus does: with the metrics token, parsed into samples."""

from __future__ import annotations

from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-for-tests"


def scrape(client: Client | None = None) -> str:
    with override_settings(PHASEBOOK_METRICS_TOKEN=METRICS_TOKEN):
        response = (client or Client()).get(
            "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
    assert response.status_code == 200, response.content
    return response.content.decode()


def sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples `name{labels, …}` in a scrape (0 when there are none yet): the
    labels given must match, any others are added up."""
    return sum(
        found.value
        for family in text_string_to_metric_families(text)
        for found in family.samples
        if found.name == name and labels.items() <= found.labels.items()
    )
