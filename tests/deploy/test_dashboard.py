"""The Grafana dashboard is provisioning-ready, every expression in it parses (promtool reads
them as recording rules), and the dashboard and the alert rules name only metrics phasebook
exports: read from the registries that /metrics reports, not from a list kept by hand."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics_core import Metric

import phasebook.telemetry.metrics  # noqa: F401 (registers every metric the apps record)
from phasebook.monitoring.collector import DatabaseStateCollector
from tests.deploy.promtool import DEPLOY, PROMETHEUS, Promtool

DASHBOARD = DEPLOY / "grafana" / "dashboards" / "phasebook.json"
PROVISIONING = DEPLOY / "grafana" / "provisioning"
# Every metric phasebook exports starts so; labels, functions and keywords never do.
METRIC_NAME = re.compile(r"\bphasebook_[a-z0-9_]+")
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gauge": ("",),
}


def dashboard() -> Any:
    return json.loads(DASHBOARD.read_text())


def panels(board: Any) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])


def expressions(board: Any) -> list[str]:
    return [target["expr"] for panel in panels(board) for target in panel.get("targets", [])]


def rule_expressions() -> list[str]:
    rules = yaml.safe_load((PROMETHEUS / "phasebook.rules.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def exported_sample_names() -> set[str]:
    """What a scrape can contain: this process's registry and the database-state collector."""
    families: list[Metric] = [*REGISTRY.collect(), *DatabaseStateCollector().describe()]
    return {
        family.name + suffix
        for family in families
        for suffix in SAMPLE_SUFFIXES.get(family.type, ("",))
    }


def test_the_dashboard_is_ready_for_provisioning() -> None:
    board = dashboard()
    provider = yaml.safe_load((PROVISIONING / "dashboards" / "phasebook.yml").read_text())
    datasources = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())

    assert board["uid"] == "phasebook-operations"
    assert "id" not in board, "a provisioned dashboard must not carry a database id"
    assert provider["providers"][0]["type"] == "file"
    assert datasources["datasources"][0]["type"] == "prometheus"
    (variable,) = board["templating"]["list"]
    assert (variable["name"], variable["type"], variable["query"]) == (
        "datasource",
        "datasource",
        "prometheus",
    )
    for panel in panels(board):
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_the_dashboard_shows_what_the_issue_asks_for() -> None:
    named = {name for expr in expressions(dashboard()) for name in METRIC_NAME.findall(expr)}

    for wanted in (
        "phasebook_calcom_sync_success_total",  # sync success rate
        "phasebook_calcom_sync_failure_total",  # failures by status
        "phasebook_calcom_sync_seconds_bucket",  # latency p50/p95
        "phasebook_calcom_phases_pending",
        "phasebook_calcom_oldest_pending_phase_age_seconds",
        "phasebook_calcom_manual_review_appointments",
        "phasebook_bookings_total",
        "phasebook_booking_conflicts_total",
        "phasebook_phone_tool_seconds_bucket",
    ):
        assert wanted in named
    assert "by (http_status" in " ".join(expressions(dashboard()))


def test_every_dashboard_expression_parses(tmp_path: Path, promtool: Promtool) -> None:
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:expression_{number}", "expr": expr}
                    for number, expr in enumerate(expressions(dashboard()))
                ],
            }
        ]
    }
    (tmp_path / "dashboard.rules.yml").write_text(yaml.safe_dump(rules))

    result = promtool.run("check", "rules", "dashboard.rules.yml", cwd=tmp_path)

    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("source", "exprs"),
    [("dashboard", expressions(dashboard())), ("alert rules", rule_expressions())],
)
def test_only_metrics_that_phasebook_exports_are_named(source: str, exprs: list[str]) -> None:
    exported = exported_sample_names()

    for expr in exprs:
        names = set(METRIC_NAME.findall(expr))
        if not expr.startswith("up"):  # Prometheus' own scrape health names none of ours
            assert names, f"{source}: {expr} names no phasebook metric"
        assert names <= exported, f"{source}: {sorted(names - exported)} are not exported"
